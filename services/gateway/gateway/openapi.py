"""The OpenAPI document: every error response is documented as RFC 9457 problem details.

FastAPI documents validation errors as its own `HTTPValidationError` JSON; the gateway answers
`application/problem+json` instead, so the generated document is corrected here once for all
operations. Each operation lists only the error statuses it can answer: the ones its route
declares (409, 429, ...) plus those that follow from its shape (see `_document_problems`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from gateway.activity.schemas import STORABLE_JSON


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


_DESCRIPTIONS = {
    "400": "The body could not be parsed",
    "401": "Missing, invalid or expired access token",
    "404": "Not found, or not yours (the two are indistinguishable)",
    "413": "Body larger than MAX_BODY_BYTES (default 1 MiB)",
    "422": "Invalid input (see `errors`)",
    "503": "Database or queue unreachable; retry after Retry-After",
}
# Operations that touch neither the database nor Redis, so they cannot answer 503.
_NO_DEPENDENCIES = {"health-live"}


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
        components["StorableJson"] = STORABLE_JSON
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document_problems(operation)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_problems(operation: dict[str, Any]) -> None:
    """Add the error statuses that follow from the operation's shape: 401 when it needs a token,
    404 with a path parameter (an id that is not yours), 400 and 413 with a body, 422 with any
    input, 503 unless it touches no dependency. FastAPI's blanket 422 on operations without
    input is dropped."""
    responses = operation.setdefault("responses", {})
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses = []
    if "security" in operation:
        statuses.append("401")
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.append("404")
    if has_body:
        statuses += ["400", "413"]
    if parameters or has_body:
        statuses.append("422")
    else:
        responses.pop("422", None)
    if operation.get("operationId") not in _NO_DEPENDENCIES:
        statuses.append("503")
    for status in statuses:
        responses.setdefault(status, {"description": _DESCRIPTIONS[status]})
    for status, entry in responses.items():
        if status.startswith(("4", "5")) and not _declares_own_body(entry):
            entry["content"] = problem
    operation["responses"] = dict(sorted(responses.items()))


def _declares_own_body(entry: dict[str, Any]) -> bool:
    """A route that documented its own error body (e.g. health's 503) keeps it."""
    schema = entry.get("content", {}).get("application/json", {}).get("schema", {})
    return "$ref" in schema and not schema["$ref"].endswith("/HTTPValidationError")
