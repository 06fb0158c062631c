"""OWASP API9:2023 Improper Inventory Management.

The OpenAPI document is the inventory: every operation in it requires a bearer token except a
short, listed public set; every route the app serves is either documented or in a listed set of
internal ones; undocumented paths answer 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from ailp.config import Settings
from gateway.main import create_app
from tests.gateway.security.conftest import operations
from tests.security.schema_examples import example_body
from tests.support.api import Api, assert_problem
from tests.support.gateway_app import GatewayApp

PUBLIC = {
    ("GET", "/api/health"),
    ("GET", "/api/health/live"),
    ("GET", "/api/health/ready"),
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/token"),
}
# Served but not in the document: the document itself, its viewers, Prometheus (internal).
UNDOCUMENTED = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/metrics"}
IDS = {"learner_id": 1, "job_id": str(uuid.uuid4()), "content_id": str(uuid.uuid4())}


def test_only_the_listed_operations_are_public(openapi: dict[str, Any]) -> None:
    public = {(m, p) for m, p, op in operations(openapi) if not op.get("security")}
    assert public == PUBLIC


def test_every_other_operation_refuses_a_caller_without_a_token(
    openapi: dict[str, Any], anonymous: Api
) -> None:
    for method, path, operation in operations(openapi):
        if (method, path) in PUBLIC:
            continue
        url = path.format(**{name: IDS[name] for name in IDS if "{" + name + "}" in path})
        response = anonymous.http.request(method, url, json=example_body(openapi, operation))
        assert_problem(response, 401)


def test_every_served_route_is_documented_or_listed_as_internal() -> None:
    app = create_app(Settings(environment="test"))
    documented = set(app.openapi()["paths"])
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            assert route.path in documented, route.path
        elif isinstance(route, Route | Mount):
            assert route.path in UNDOCUMENTED, route.path


def test_undocumented_paths_answer_404(stack: GatewayApp) -> None:
    for path in ("/admin", "/api/internal", "/api/v0/users", "/.env", "/api/debug", "/api"):
        response = stack.http().get(path)
        assert_problem(response, 404)
