"""OWASP API5:2023 Broken Function Level Authorization.

Every administrative operation of the OpenAPI document (generated: every path under
/api/admin) answers 403 to a signed-in user and 401 to an anonymous caller; no public operation
makes an administrator (that is the `ailp make-admin` command line only).
"""

from __future__ import annotations

from typing import Any

from tests.gateway.security.conftest import operations
from tests.security.schema_examples import example_body
from tests.support.api import Api, assert_problem


def _admin_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [op for op in operations(document) if op[1].startswith("/api/admin")]


def test_admin_operations_are_forbidden_to_users(
    openapi: dict[str, Any], api: Api, anonymous: Api
) -> None:
    found = _admin_operations(openapi)
    assert found
    for method, path, operation in found:
        body = example_body(openapi, operation)
        problem = assert_problem(api.http.request(method, path, json=body), 403)
        assert "administrator" in problem["detail"]
        assert_problem(anonymous.http.request(method, path, json=body), 401)


def test_no_public_operation_mentions_the_role_in_its_request(openapi: dict[str, Any]) -> None:
    for method, path, operation in operations(openapi):
        body = operation.get("requestBody", {}).get("content", {})
        text = str(body) + str(operation.get("parameters", []))
        schemas = [openapi["components"]["schemas"][ref.rsplit("/", 1)[1]] for ref in _refs(body)]
        assert "role" not in text and all("role" not in s.get("properties", {}) for s in schemas), (
            method,
            path,
        )


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
