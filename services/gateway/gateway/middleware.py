"""One pure-ASGI middleware for every request: request id, `nosniff`, body limit, last-resort
500, metrics, access log.

Written against raw ASGI (not `BaseHTTPMiddleware`) because it wraps every request, including
the hot reads whose cost the benchmark compares with a bare endpoint.
"""

from __future__ import annotations

import itertools
import re
import secrets
import sys
import time
from datetime import UTC, datetime

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ailp import metrics
from ailp.logging import bind_context as bind_log_context
from ailp.logging import clear_context, get_logger
from gateway.problems import BodyTooLarge, internal_error, too_large

log = get_logger(__name__)

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_REQUEST_ID = b"x-request-id"
# On every response: browsers must not guess a content type other than the one declared.
_NOSNIFF = (b"x-content-type-options", b"nosniff")


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, access_log: bool) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.access_log = access_log  # False when LOG_LEVEL is above INFO

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        clear_context()
        bind_log_context(request_id=request_id)
        status = 500
        response_started = False
        rid_header = (_REQUEST_ID, request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), rid_header, _NOSNIFF]
            await send(message)

        declared = _content_length(scope)
        try:
            if declared is not None and declared > self.max_body_bytes:
                raise BodyTooLarge
            if declared is None and _has_body(scope):
                # A streamed (chunked) body: read it within the limit before the app sees it,
                # because FastAPI turns any error raised while it reads a body into a 400.
                receive = await self._buffered(receive)
            await self.app(scope, receive, send_with_id)
        except BodyTooLarge:
            if response_started:
                raise
            await too_large(self.max_body_bytes)(scope, receive, send_with_id)
        except Exception:
            # What the app's handlers did not turn into a response. Answered here rather than
            # by Starlette's ServerErrorMiddleware, which runs outside this one: the 500 then
            # carries the request id, like every other response.
            if response_started:
                raise
            log.exception("unhandled_error")
            await internal_error()(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(method=method, route=template, status=str(status)).inc()
            metrics.HTTP_LATENCY.labels(method=method, route=template).observe(elapsed)
            if self.access_log:
                write_access_line(
                    request_id, method, scope["path"], template, status, elapsed * 1000
                )

    async def _buffered(self, receive: Receive) -> Receive:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replay(message, receive)
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return _replay(whole, receive)


def _replay(first: Message, receive: Receive) -> Receive:
    """Hand `first` to the app, then pass through to the server (e.g. for a disconnect)."""
    sent = False

    async def replaying_receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        return await receive()

    return replaying_receive


def _has_body(scope: Scope) -> bool:
    return any(name == b"transfer-encoding" for name, _ in scope["headers"])


# Request ids: a random per-process prefix and a counter (cheaper than uuid4 on every request).
_ID_PREFIX = secrets.token_hex(6)
_ID_COUNTER = itertools.count(1)


def write_access_line(
    request_id: str, method: str, path: str, route: str, status: int, duration_ms: float
) -> None:
    """One JSON line per request, with the same fields as every other log line.

    Written straight to stdout rather than through structlog's processor chain: this runs for
    every request, and the chain costs a noticeable share of a hot read's CPU (see `make bench`).
    """
    line = orjson.dumps(
        {
            "method": method,
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": round(duration_ms, 2),
            "event": "request",
            "request_id": request_id,
            "level": "info",
            "logger": "gateway.access",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "service": "gateway",
        }
    )
    sys.stdout.buffer.write(line + b"\n")
    sys.stdout.flush()


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == _REQUEST_ID:
            candidate = value.decode("latin-1")
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
            break
    return f"{_ID_PREFIX}{next(_ID_COUNTER):010x}"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
