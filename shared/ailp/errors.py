"""Domain errors. Services raise these; the gateway turns each into RFC 9457 problem details."""

from __future__ import annotations

from typing import Any


class AilpError(Exception):
    status: int = 400
    title: str = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(AilpError):
    status = 404
    title = "Not found"


class Conflict(AilpError):
    status = 409
    title = "Conflict"


class Unprocessable(AilpError):
    status = 422
    title = "Unprocessable content"


class Unauthorized(AilpError):
    status = 401
    title = "Unauthorized"


class Forbidden(AilpError):
    status = 403
    title = "Forbidden"


class TooManyRequests(AilpError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(AilpError):
    status = 503
    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 5, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class UnsupportedMediaType(AilpError):
    status = 415
    title = "Unsupported media type"
