"""Cross-cutting HTTP rules: request ids, body limits, malformed JSON, unknown paths and methods,
and the OpenAPI document, through the gateway served in-process (health: health/; metrics across
processes: tests/integration/test_metrics.py)."""

from __future__ import annotations

import re

from tests.support.api import Api


def test_every_response_carries_a_request_id(anonymous: Api) -> None:
    generated = anonymous.http.get("/api/health/live")
    assert len(generated.headers["X-Request-ID"]) >= 16
    echoed = anonymous.http.get("/api/health/live", headers={"X-Request-ID": "client-abc-123"})
    assert echoed.headers["X-Request-ID"] == "client-abc-123"
    problem = anonymous.http.get("/api/learners", headers={"X-Request-ID": "err-1"})
    assert problem.status_code == 401 and problem.headers["X-Request-ID"] == "err-1"
    hostile = anonymous.http.get("/api/health/live", headers={"X-Request-ID": "a" * 500})
    assert hostile.headers["X-Request-ID"] != "a" * 500


def test_bodies_over_one_mebibyte_are_413(api: Api, learner: dict) -> None:
    big = (
        b'{"responses": ['
        + b'{"concept": "x", "correct": true},' * 40_000
        + b'{"concept": "x", "correct": true}]}'
    )
    assert len(big) > 1024 * 1024
    response = api.http.post(
        f"/api/learners/{learner['id']}/responses",
        content=big,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413

    def chunks():  # no Content-Length: the limit applies while streaming
        for _ in range(1100):
            yield b" " * 1024

    streamed = api.http.post(
        f"/api/learners/{learner['id']}/responses",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413


def test_malformed_json_is_a_422_problem(api: Api, learner: dict) -> None:
    response = api.http.post(
        f"/api/learners/{learner['id']}/sessions",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_paths_and_methods_are_problems(anonymous: Api) -> None:
    missing = anonymous.http.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json()["title"] == "Not Found"
    wrong_method = anonymous.http.put("/api/health")
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 405


def test_a_405_allows_every_method_of_the_path(anonymous: Api) -> None:
    """FastAPI has one route per method; the Allow header names them all, not the first's."""
    for path, allowed in [
        ("/api/learners/1", "DELETE, GET, PATCH"),
        ("/api/learners", "GET, POST"),
        ("/api/jobs/00000000-0000-0000-0000-000000000001", "DELETE, GET"),
        ("/api/users/me", "DELETE, GET"),
        ("/api/learners/1/analytics", "GET, POST"),
        ("/api/health", "GET"),
    ]:
        response = anonymous.http.put(path)
        assert response.status_code == 405, path
        assert response.headers["Allow"] == allowed, path


def test_openapi_and_docs(anonymous: Api) -> None:
    schema = anonymous.http.get("/openapi.json").json()
    assert "/api/learners/{learner_id}/generate-content" in schema["paths"]
    assert anonymous.http.get("/docs").status_code == 200


def test_openapi_names_operations_and_lists_only_their_own_errors(anonymous: Api) -> None:
    """operationIds `<resource>-<verb>`, one plain bearer scheme, and per operation only the
    error statuses it can answer (no blanket 413/422/429/500/503)."""
    schema = anonymous.http.get("/openapi.json").json()
    assert list(schema["components"]["securitySchemes"]) == ["bearerAuth"]
    operations = {
        operation["operationId"]: (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert len(operations) == sum(len(methods) for methods in schema["paths"].values())
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)+", name) for name in operations), list(operations)
    assert operations["content-generate"][:2] == (
        "post",
        "/api/learners/{learner_id}/generate-content",
    )
    assert operations["jobs-get"][:2] == ("get", "/api/jobs/{job_id}")
    assert operations["learners-list"][:2] == ("get", "/api/learners")

    def statuses(name: str) -> set[str]:
        return {status for status in operations[name][2]["responses"] if status[0] in "45"}

    assert statuses("health-live") == set()
    assert statuses("learners-list") == {"401", "503"}
    assert statuses("learners-get") == {"401", "404", "422", "503"}
    assert statuses("content-generate") == {"400", "401", "404", "413", "422", "429", "503"}
    assert statuses("auth-register") == {"400", "409", "413", "422", "429", "503"}
    assert not any("500" in operation["responses"] for _, _, operation in operations.values())
    for _, _, operation in operations.values():
        uses_token = "security" in operation
        assert ("401" in operation["responses"]) == (
            uses_token or operation["operationId"] == "auth-token"
        )
        if uses_token:
            assert operation["security"] == [{"bearerAuth": []}]
