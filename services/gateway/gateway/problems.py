"""Every error becomes RFC 9457 problem details (`application/problem+json`).

Domain code raises `ailp.errors.AilpError` subclasses; this module is the only place that
builds error bodies. Unexpected exceptions answer a 500 without internals; an unreachable
database or Redis answers 503 with `Retry-After`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
import redis.exceptions
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from ailp.errors import (
    AilpError,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
)
from ailp.logging import get_logger
from gateway.db import MAYBE_UNAVAILABLE_ERRORS, UNAVAILABLE_ERRORS, is_unavailable

log = get_logger(__name__)
PROBLEM_JSON = "application/problem+json"


class BodyTooLarge(Exception):
    """Raised while reading a request body that exceeds `MAX_BODY_BYTES`."""


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


# Each domain error class as a problem: (status, title). The most specific class wins.
STATUS_OF: dict[type[AilpError], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    Conflict: (409, "Conflict"),
    Unprocessable: (422, "Unprocessable content"),
    Unauthorized: (401, "Unauthorized"),
    Forbidden: (403, "Forbidden"),
    TooManyRequests: (429, "Too many requests"),
    ServiceUnavailable: (503, "Service unavailable"),
    UnsupportedMediaType: (415, "Unsupported media type"),
    AilpError: (400, "Bad request"),
}

# What a client reads when something is not among theirs, by resource (`key` is its id).
NOT_FOUND_DETAIL = {
    "learner": "No learner {key} among your profiles. List them with GET /api/learners.",
    "job": "No job {key} among yours. List your jobs with GET /api/jobs.",
    "content": "No content {key} among yours.",
    "analytics": (
        "No analytics yet for learner {key}. Request them with POST /api/learners/{key}/analytics."
    ),
    "learner-model": (
        "No learner-model parameters have been fitted yet, so every concept uses the "
        "default parameters. Run `ailp learner-model fit` (or wait for the scheduled fit)."
    ),
    "account": "Your account no longer exists.",
}


def status_of(error: type[AilpError]) -> tuple[int, str]:
    """The (status, title) of a domain error class."""
    for cls in error.__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    raise TypeError(f"not a domain error: {error.__name__}")


def detail_of(exc: AilpError) -> str:
    if isinstance(exc, NotFound):
        return NOT_FOUND_DETAIL[exc.resource].format(key=exc.key)
    return exc.detail


def _location(loc: tuple[Any, ...] | list[Any]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


def _validation_message(error: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in error["loc"] if part != "body") or "body"
    return f"{loc}: {error['msg']}"


async def _on_domain_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, AilpError)
    headers: dict[str, str] = {}
    if isinstance(exc, TooManyRequests | ServiceUnavailable):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    status, title = status_of(type(exc))
    return problem(status, detail_of(exc), title=title, headers=headers, **exc.extra)


async def _on_validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": _location(error["loc"]), "msg": error["msg"], "type": error.get("type")}
        for error in exc.errors()
    ]
    summary = "; ".join(_validation_message(error) for error in exc.errors()[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return problem(
        422,
        f"The request is not valid: {summary}{more}. Fix the listed fields and send it again.",
        title="Validation failed",
        errors=errors,
    )


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 404 and detail == "Not Found":
        detail = "There is nothing at this path. See /docs for the API's endpoints."
    elif exc.status_code == 405:
        detail = "This path does not accept that HTTP method. See /docs for what it accepts."
        headers["Allow"] = allowed_methods(request)
    return problem(exc.status_code, detail, headers=headers)


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route accepts at this path, for the `Allow` header of a 405 (Starlette
    names only the first matching route's, and FastAPI has one route per method)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def too_large(limit: int) -> Response:
    return problem(
        413,
        f"The request body is larger than {limit} bytes. Send less data per request.",
        headers={"Connection": "close"},
    )


async def _on_unavailable(_: Request, exc: Exception) -> Response:
    log.warning("dependency_unavailable", error_type=type(exc).__name__, error=str(exc))
    return problem(
        503,
        "A backing service (database or queue) is unreachable right now. Retry shortly.",
        headers={"Retry-After": "5"},
    )


async def _on_maybe_unavailable(request: Request, exc: Exception) -> Response:
    if is_unavailable(exc):
        return await _on_unavailable(request, exc)
    return await _on_unexpected(request, exc)


def internal_error() -> Response:
    return problem(500, "Something went wrong on our side. It has been logged; retry later.")


async def _on_unexpected(_: Request, exc: Exception) -> Response:
    log.exception("unhandled_error", exc_info=exc)
    return internal_error()


def install(app: FastAPI) -> None:
    app.add_exception_handler(AilpError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    for error in (
        *UNAVAILABLE_ERRORS,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
    ):
        app.add_exception_handler(error, _on_unavailable)
    for error in MAYBE_UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, _on_maybe_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)
