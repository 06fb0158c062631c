"""Domain errors: what a rule refused, in terms of the domain, not of HTTP.

Services raise these. They carry no status code: the gateway's `gateway.problems` is the one
place that maps each class to an RFC 9457 problem (status, title, headers). `detail` is the
sentence a client can act on; `extra` holds machine-readable members of the problem (e.g.
`field`, `limit`, `errors`).
"""

from __future__ import annotations

from typing import Any


class AilpError(Exception):
    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(AilpError):
    """No `resource` with this `key` among the caller's (missing and not-yours look alike).

    The client-facing sentence for each resource lives with the other problem texts in
    `gateway.problems`; `key` is what it names (an id, or None for a singleton).
    """

    def __init__(self, resource: str, key: object = None) -> None:
        super().__init__(
            f"{resource} {key} not found" if key is not None else f"{resource} not found"
        )
        self.resource = resource
        self.key = key


class Conflict(AilpError):
    """The request contradicts the current state (a duplicate, a change made meanwhile)."""


class LimitReached(Conflict):
    """A standing cap is reached (e.g. profiles per account); waiting does not help."""

    def __init__(self, detail: str, *, limit: int, **extra: Any) -> None:
        super().__init__(detail, limit=limit, **extra)


class Unprocessable(AilpError):
    """The request is well-formed but breaks a rule (a reference to something not yours)."""


class Unauthorized(AilpError):
    """No valid, current credentials."""


class Forbidden(AilpError):
    """Valid credentials, but not allowed (wrong confirmation password, not an admin)."""


class TooManyRequests(AilpError):
    """A rate limit: retry after `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(AilpError):
    """Busy or a dependency is down: retry after `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int = 5, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


class UnsupportedMediaType(AilpError):
    """The body is in a format the operation does not read."""
