"""App-wide rules of the HTTP contract (docs/api.md, Conventions): JSON answers, problem details
for validation errors, the body limit and the request id, through the gateway served in-process.
Moved from the integration suite's test_api_rules.py; malformed input per endpoint is swept in
test_bad_input.py."""

from __future__ import annotations

import uuid

import pytest

from tests.support.api import Api, assert_problem
from tests.support.gateway_app import GatewayApp


def test_successful_answers_are_json_and_204_has_no_body(me: Api) -> None:
    learner = me.create_learner()
    answers = [
        me.http.get("/api/users/me"),
        me.http.get("/api/learners"),
        me.http.post(
            f"/api/learners/{learner['id']}/sessions",
            json={"session_start": "2026-11-01T09:00:00Z"},
        ),
        me.submit_analytics(learner["id"]),
        me.http.get("/api/health"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 201, 202, 200]
    for answer in answers:
        assert answer.headers["content-type"].split(";")[0] == "application/json", answer.url
        answer.json()
    deleted = me.http.delete(f"/api/learners/{learner['id']}")
    assert deleted.status_code == 204 and deleted.content == b""


VALIDATION_CASES = [
    (
        "body field",
        "POST",
        "/api/learners/{lid}/analytics",
        {"json": {"days": 0}},
        ["body", "days"],
    ),
    (
        "nested body field",
        "POST",
        "/api/learners/{lid}/responses",
        {"json": {"responses": [{"concept": "x", "correct": "yes"}]}},
        ["body", "responses", 0, "correct"],
    ),
    ("missing field", "POST", "/api/learners", {"json": {}}, ["body", "target_niche"]),
    ("query", "GET", "/api/learners/{lid}/sessions", {"params": {"limit": 0}}, ["query", "limit"]),
    ("path", "GET", "/api/learners/abc", {}, ["path", "learner_id"]),
    (
        "header",
        "POST",
        "/api/learners/{lid}/analytics",
        {"json": {}, "headers": {"Idempotency-Key": "k" * 256}},
        ["header", "Idempotency-Key"],
    ),
    (
        "sign-in JSON",
        "POST",
        "/api/auth/token",
        {"json": {"username": "someone"}},
        ["body", "password"],
    ),
    (
        "cursor",
        "GET",
        "/api/learners/{lid}/sessions",
        {"params": {"cursor": "garbage!"}},
        ["query", "cursor"],
    ),
    (
        "null in PATCH",
        "PATCH",
        "/api/learners/{lid}",
        {"json": {"experience_level": None}},
        ["body", "experience_level"],
    ),
]


@pytest.mark.parametrize(
    ("label", "method", "path", "request_kwargs", "loc"),
    VALIDATION_CASES,
    ids=[case[0] for case in VALIDATION_CASES],
)
def test_a_validation_error_lists_each_field_with_loc_and_msg(
    me: Api, label: str, method: str, path: str, request_kwargs: dict, loc: list
) -> None:
    learner = me.create_learner()
    response = me.http.request(
        method,
        path.format(lid=learner["id"]),
        headers={"X-Forwarded-For": "10.253.0.2", **request_kwargs.pop("headers", {})},
        **request_kwargs,
    )
    problem = assert_problem(response, 422)
    assert isinstance(problem.get("errors"), list) and problem["errors"], problem
    for error in problem["errors"]:
        assert isinstance(error["loc"], list) and isinstance(error["msg"], str) and error["msg"]
    assert loc in [error["loc"] for error in problem["errors"]], problem


def test_a_validation_error_lists_every_bad_field(me: Api) -> None:
    response = me.http.post(
        "/api/learners",
        json={"target_niche": "", "experience_level": "guru", "preferred_learning_style": 3},
    )
    problem = assert_problem(response, 422)
    fields = {error["loc"][-1] for error in problem["errors"]}
    assert fields == {"target_niche", "experience_level", "preferred_learning_style"}
    for name in fields:
        assert name in problem["detail"]


def _responses_body(size: int) -> bytes:
    base = b'{"responses": [{"concept": "x", "correct": true}]}'
    return base[:-1] + b" " * (size - len(base)) + b"}"


def test_a_body_of_exactly_one_mebibyte_is_accepted_and_one_byte_more_is_413(me: Api) -> None:
    learner = me.create_learner()
    path = f"/api/learners/{learner['id']}/responses"
    headers = {"Content-Type": "application/json"}
    exact = me.http.post(path, content=_responses_body(1024 * 1024), headers=headers)
    assert exact.status_code == 201 and exact.json() == {"stored": 1}
    over = me.http.post(path, content=_responses_body(1024 * 1024 + 1), headers=headers)
    assert_problem(over, 413)


def test_public_endpoints_have_the_same_body_limit(anonymous: Api) -> None:
    big = b'{"username": "' + b"x" * (1024 * 1024) + b'"}'
    for path in ("/api/auth/register", "/api/auth/token"):
        response = anonymous.http.post(
            path, content=big, headers={"Content-Type": "application/json"}
        )
        assert_problem(response, 413)


def test_every_kind_of_answer_carries_and_echoes_the_request_id(me: Api, stack: GatewayApp) -> None:
    learner = me.create_learner()
    other = me.create_learner()
    anonymous = stack.http()
    big = b'{"responses": [' + b" " * (1024 * 1024) + b"]}"
    calls = {
        200: lambda h: me.http.get("/api/learners", headers=h),
        201: lambda h: me.http.post(
            "/api/learners",
            json={
                "target_niche": f"n_{uuid.uuid4().hex[:8]}",
                "experience_level": "beginner",
                "preferred_learning_style": "visual",
            },
            headers=h,
        ),
        202: lambda h: me.http.post(f"/api/learners/{learner['id']}/analytics", json={}, headers=h),
        204: lambda h: me.http.delete(f"/api/learners/{other['id']}", headers=h),
        401: lambda h: anonymous.get("/api/users/me", headers=h),
        404: lambda h: me.http.get("/api/learners/987654321987", headers=h),
        405: lambda h: me.http.put("/api/learners", headers=h),
        413: lambda h: me.http.post(
            f"/api/learners/{learner['id']}/responses",
            content=big,
            headers={**h, "Content-Type": "application/json"},
        ),
        415: lambda h: anonymous.post(
            "/api/auth/token", content=b"x", headers={**h, "Content-Type": "text/plain"}
        ),
        422: lambda h: me.http.get("/api/jobs", params={"limit": 0}, headers=h),
    }
    try:
        for status, call in calls.items():
            echoed = call({"X-Request-ID": f"client-{status}"})
            assert echoed.status_code == status, (status, echoed.text)
            assert echoed.headers["X-Request-ID"] == f"client-{status}", status
        generated = {calls[status]({}).headers["X-Request-ID"] for status in (200, 404, 422)}
        assert len(generated) == 3 and all(len(value) >= 16 for value in generated)
    finally:
        anonymous.close()
