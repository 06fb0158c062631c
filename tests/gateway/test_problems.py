"""gateway.problems: the one place where domain errors become problem details, in process."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from ailp.errors import (
    AilpError,
    Conflict,
    Forbidden,
    LimitReached,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
)
from gateway import problems


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        (NotFound("learner", 1), 404, "Not found"),
        (Conflict("x"), 409, "Conflict"),
        (LimitReached("x", limit=3), 409, "Conflict"),
        (Unprocessable("x"), 422, "Unprocessable content"),
        (Unauthorized("x"), 401, "Unauthorized"),
        (Forbidden("x"), 403, "Forbidden"),
        (TooManyRequests("x", retry_after=3), 429, "Too many requests"),
        (ServiceUnavailable("x"), 503, "Service unavailable"),
        (UnsupportedMediaType("x"), 415, "Unsupported media type"),
        (AilpError("x"), 400, "Bad request"),
    ],
)
def test_each_domain_error_has_one_status_and_title(
    error: AilpError, status: int, title: str
) -> None:
    assert problems.status_of(type(error)) == (status, title)


def test_not_found_texts_are_per_resource() -> None:
    assert problems.detail_of(NotFound("learner", 7)) == (
        "No learner 7 among your profiles. List them with GET /api/learners."
    )
    assert problems.detail_of(NotFound("analytics", 7)) == (
        "No analytics yet for learner 7. Request them with POST /api/learners/7/analytics."
    )
    assert problems.detail_of(NotFound("account")) == "Your account no longer exists."
    assert set(problems.NOT_FOUND_DETAIL) == {
        "learner",
        "job",
        "content",
        "analytics",
        "learner-model",
        "account",
    }


def _app() -> FastAPI:
    app = FastAPI()
    problems.install(app)
    things = APIRouter(prefix="/things")

    @things.get("/{thing_id}")
    async def get_thing(thing_id: int) -> dict[str, int]:
        if thing_id == 0:
            raise LimitReached("Too many things.", limit=5)
        if thing_id == 1:
            raise TooManyRequests("Slow down.", retry_after=7)
        if thing_id == 2:
            raise Unauthorized("Sign in.")
        raise NotFound("job", thing_id)

    @things.delete("/{thing_id}")
    async def delete_thing(thing_id: int) -> None:
        return None

    app.include_router(things)

    @app.patch("/things/{thing_id}")
    async def patch_thing(thing_id: int) -> None:
        return None

    return app


def test_domain_errors_render_as_problems_with_their_headers() -> None:
    client = TestClient(_app())
    limit = client.get("/things/0")
    assert limit.status_code == 409
    assert limit.headers["content-type"] == "application/problem+json"
    assert limit.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "Too many things.",
        "limit": 5,
    }
    assert client.get("/things/1").headers["Retry-After"] == "7"
    assert client.get("/things/2").headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/things/9").json()["detail"] == (
        "No job 9 among yours. List your jobs with GET /api/jobs."
    )


def test_a_405_allows_every_method_of_the_path_across_routers() -> None:
    response = TestClient(_app()).put("/things/3")
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, GET, PATCH"
    assert response.json()["status"] == 405
