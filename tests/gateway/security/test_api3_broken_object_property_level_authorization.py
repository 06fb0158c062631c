"""OWASP API3:2023 Broken Object Property Level Authorization (mass assignment, data exposure).

Every JSON request body of the OpenAPI document (generated, so new routes are covered) refuses
fields it does not declare with 422 — `role`, `user_id`, `id`, `token_version`,
`password_hash` cannot be slipped in — and no response exposes a password hash or token state.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.security.conftest import client, operations, unique_name
from tests.security.schema_examples import example_body
from tests.support.api import Api, assert_problem
from tests.support.gateway_app import GatewayApp

SMUGGLED = {
    "role": "admin",
    "user_id": 1,
    "id": 1,
    "token_version": 0,
    "password_hash": "$argon2id$forged",
    "is_admin": True,
}
SECRET_FIELDS = ("password_hash", "token_version", "jti", "$argon2")


def _json_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        op
        for op in operations(document)
        if "application/json" in op[2].get("requestBody", {}).get("content", {})
    ]


def test_every_json_body_refuses_undeclared_fields(
    stack: GatewayApp, openapi: dict[str, Any], api: Api
) -> None:
    learner = api.create_learner()
    found = _json_operations(openapi)
    assert len(found) >= 10
    for method, path, operation in found:
        body = example_body(openapi, operation)
        assert isinstance(body, dict), (method, path)
        url = path.format(learner_id=learner["id"])
        for field, value in SMUGGLED.items():
            response = api.http.request(method, url, json={**body, field: value})
            problem = assert_problem(response, 422)
            assert any(field in error["loc"] for error in problem["errors"]), (method, path, field)
    # None of those requests changed the account (it still exists, as a plain user).
    me = api.http.get("/api/users/me")
    assert me.status_code == 200 and me.json()["role"] == "user"


def test_registration_cannot_choose_a_role(stack: GatewayApp) -> None:
    name = unique_name()
    anonymous = client(stack)
    body = {"username": name, "email": f"{name}@example.com", "password": "correct-horse-42"}
    assert_problem(anonymous.http.post("/api/auth/register", json={**body, "role": "admin"}), 422)
    assert anonymous.http.post("/api/auth/register", json=body).status_code == 201
    anonymous.sign_in(name)
    assert anonymous.http.get("/api/users/me").json()["role"] == "user"


@pytest.mark.parametrize("field", ["user_id", "id", "knowledge_state", "engagement_metrics"])
def test_a_learner_cannot_be_moved_or_given_computed_state(api: Api, field: str) -> None:
    learner = api.create_learner()
    response = api.http.patch(f"/api/learners/{learner['id']}", json={field: 1})
    assert_problem(response, 422)
    assert api.http.get(f"/api/learners/{learner['id']}").json() == learner


def test_no_response_exposes_credentials_or_token_state(api: Api) -> None:
    learner = api.create_learner()
    for path in (
        "/api/users/me",
        "/api/users/me/export",
        "/api/learners",
        f"/api/learners/{learner['id']}",
    ):
        response = api.http.get(path)
        assert response.status_code == 200, path
        for secret in SECRET_FIELDS:
            assert secret not in response.text, (path, secret)
