"""Auth rules of the HTTP contract (docs/api.md, Auth): which operations need a token, what an
anonymous caller learns, and the registration boundaries. Moved from the integration suite's
test_api_rules.py."""

from __future__ import annotations

import uuid

import pytest

from tests.support.api import Api, assert_problem

PUBLIC_OPERATIONS = {
    ("get", "/api/health"),
    ("get", "/api/health/live"),
    ("get", "/api/health/ready"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/token"),
}


def email_of_length(length: int, local: str) -> str:
    """A syntactically valid address of exactly `length` characters (labels ≤ 63, local ≤ 64)."""
    rest = length - len(local) - 1 - len(".com")
    first = rest // 2
    return f"{local}@{'a' * first}.{'b' * (rest - first - 1)}.com"


def test_every_protected_operation_answers_401_without_a_valid_token(
    anonymous: Api, me: Api
) -> None:
    """Walk /openapi.json: every operation but health and sign-up/in needs `Bearer <token>`."""
    schema = anonymous.http.get("/openapi.json").json()
    protected = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if (method, path) in PUBLIC_OPERATIONS:
                assert not operation.get("security"), (method, path)
                continue
            assert operation.get("security"), f"{method} {path} does not document its auth"
            protected.append((method, path))
    assert len(protected) >= 17
    concrete = {
        "{learner_id}": "1",
        "{job_id}": str(uuid.uuid4()),
        "{content_id}": str(uuid.uuid4()),
    }
    for method, path in protected:
        url = path
        for placeholder, value in concrete.items():
            url = url.replace(placeholder, value)
        for header in (
            {},
            {"Authorization": "Bearer not-a-token"},
            {"Authorization": me.token or ""},
        ):
            response = anonymous.http.request(method, url, headers=header, json={})
            problem = assert_problem(response, 401)
            assert response.headers["WWW-Authenticate"] == "Bearer", (method, path)
            assert "Bearer" in problem["detail"] or "token" in problem["detail"]


def test_anonymous_callers_learn_nothing_from_validation(anonymous: Api, me: Api) -> None:
    """Without a token, malformed ids and bodies are 401 too, never 422 or 404."""
    learner = me.create_learner()
    for method, path, body in [
        ("GET", "/api/learners/abc", None),
        ("GET", "/api/learners/-1", None),
        ("GET", f"/api/learners/{learner['id']}", None),  # exists, but not yours to see
        ("POST", f"/api/learners/{learner['id']}/analytics", {"days": 0}),
        ("POST", "/api/learners", {"unknown": 1}),
        ("GET", "/api/jobs/not-a-uuid", None),
        ("GET", "/api/jobs?status=exploded", None),
    ]:
        response = anonymous.http.request(method, path, json=body)
        assert_problem(response, 401)


def test_registration_boundaries_are_accepted(anonymous: Api) -> None:
    tag = uuid.uuid4().hex
    local = tag[:10]
    domain = "@example.com"
    long_email = email_of_length(120, local)
    assert len(long_email) == 120
    accepted = [
        {"username": tag[:3], "email": f"{local}a{domain}", "password": "8-chars!"},
        {"username": ("u" + tag * 3)[:80], "email": f"{local}b{domain}", "password": "p" * 1024},
        {"username": f"A.b-c_{tag[:6]}", "email": f"{local}c{domain}", "password": "longenough"},
        {"username": f"e_{tag[:10]}", "email": long_email, "password": "longenough"},
    ]
    for body in accepted:
        response = anonymous.http.post("/api/auth/register", json=body)
        assert response.status_code == 201, (body, response.text)
        assert set(response.json()) == {"id", "username", "email", "created_at"}


@pytest.mark.parametrize(
    "change",
    [
        {"password": "7-chars"},
        {"password": " " * 12},
        {"username": "valid_name\n"},
        {"username": "ñandú_user"},
        {"username": "user name"},
        {"username": "user@name"},
        {"email": email_of_length(121, "x" * 10)},  # a valid address, one character too long
        {"email": "two@@example.com"},
    ],
    ids=lambda c: repr(c)[:40],
)
def test_registration_rejects_names_emails_and_passwords_outside_the_rules(
    anonymous: Api, change: dict
) -> None:
    tag = uuid.uuid4().hex[:10]
    body = {"username": f"u_{tag}", "email": f"{tag}@example.com", "password": "longenough"}
    response = anonymous.http.post("/api/auth/register", json={**body, **change})
    problem = assert_problem(response, 422)
    assert [error["loc"][-1] for error in problem["errors"]] == list(change)


def test_the_token_endpoint_documents_both_sign_in_forms(anonymous: Api) -> None:
    schema = anonymous.http.get("/openapi.json").json()
    content = schema["paths"]["/api/auth/token"]["post"]["requestBody"]["content"]
    assert {"application/x-www-form-urlencoded", "application/json"} <= set(content)
