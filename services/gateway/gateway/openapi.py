"""The OpenAPI document: every error response is documented as RFC 9457 problem details.

FastAPI documents validation errors as its own `HTTPValidationError` JSON; the gateway answers
`application/problem+json` instead, so the generated document is corrected here once for all
operations, and the common error statuses are added where they can occur.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field


class ProblemError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details. Extension members (e.g. `field`) may appear."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Validation failed",
                    "status": 422,
                    "detail": "The request is not valid: concept: String should have at least 1 character.",
                    "errors": [
                        {
                            "loc": ["body", "concept"],
                            "msg": "String should have at least 1 character",
                        }
                    ],
                }
            ]
        },
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = Field(
        default=None, description="Validation errors, one per field."
    )


_COMMON = {
    "401": "Missing, invalid or expired access token",
    "413": "Body larger than 1 MiB",
    "422": "Invalid input (see `errors`)",
    "429": "Too many requests; see Retry-After",
    "500": "Unexpected error (logged with the request id)",
    "503": "Database or queue unreachable; retry after Retry-After",
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for name, definition in components["Problem"].pop("$defs", {}).items():
            components[name] = definition
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                # An operation without `security` needs no token, so it cannot answer 401.
                _document_problems(operation, public="security" not in operation)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_problems(operation: dict[str, Any], *, public: bool) -> None:
    responses = operation.setdefault("responses", {})
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    statuses = dict(_COMMON)
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        statuses["404"] = "Not found, or not yours (the two are indistinguishable)"
    if "requestBody" in operation:
        statuses["400"] = "The body could not be parsed"
    for status, description in statuses.items():
        if public and status == "401" and "401" not in responses:
            continue
        responses.setdefault(status, {"description": description})
    for status, entry in responses.items():
        if status.startswith(("4", "5")) and not _declares_own_body(entry):
            entry["content"] = problem


def _declares_own_body(entry: dict[str, Any]) -> bool:
    """A route that documented its own error body (e.g. health's 503) keeps it."""
    schema = entry.get("content", {}).get("application/json", {}).get("schema", {})
    return "$ref" in schema and not schema["$ref"].endswith("/HTTPValidationError")
