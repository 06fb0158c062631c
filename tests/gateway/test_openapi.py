"""gateway.openapi: each operation lists the error statuses its shape allows, no blanket ones."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header
from fastapi.security import HTTPBearer
from pydantic import BaseModel

from gateway import openapi

_bearer = HTTPBearer(auto_error=False, scheme_name="bearerAuth")


class Body(BaseModel):
    name: str


def _document() -> dict[str, Any]:
    app = FastAPI()
    openapi.install(app)

    @app.get("/api/health/live", operation_id="health-live")
    async def live() -> dict[str, str]:
        return {}

    @app.get("/api/things", operation_id="things-list")
    async def list_things(token: Annotated[Any, Depends(_bearer)]) -> list[int]:
        return []

    @app.get("/api/things/{thing_id}", operation_id="things-get")
    async def get_thing(thing_id: int, token: Annotated[Any, Depends(_bearer)]) -> int:
        return thing_id

    @app.post(
        "/api/things",
        operation_id="things-create",
        responses={409: {"description": "taken"}, 429: {"description": "slow down"}},
    )
    async def create_thing(body: Body, key: Annotated[str | None, Header()] = None) -> int:
        return 1

    return app.openapi()


def _errors(document: dict[str, Any], path: str, method: str) -> set[str]:
    responses = document["paths"][path][method]["responses"]
    return {status for status in responses if status[0] in "45"}


def test_each_operation_lists_only_the_errors_it_can_answer() -> None:
    document = _document()
    assert _errors(document, "/api/health/live", "get") == set()
    assert _errors(document, "/api/things", "get") == {"401", "503"}
    assert _errors(document, "/api/things/{thing_id}", "get") == {"401", "404", "422", "503"}
    assert _errors(document, "/api/things", "post") == {"400", "409", "413", "422", "429", "503"}


def test_errors_are_problem_details_and_the_free_json_component_is_there() -> None:
    document = _document()
    problem = document["paths"]["/api/things"]["post"]["responses"]["409"]["content"]
    assert problem == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "StorableJson" in schemas
