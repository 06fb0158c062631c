"""Health checks: each dependency answers "ok" or "error" within a bound."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import asyncpg

from ailp import __version__
from ailp.logging import get_logger
from gateway.broker import Broker
from gateway.health import repository

log = get_logger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0


async def _check(name: str, probe: Awaitable[Any]) -> tuple[str, str]:
    """Answers "ok" or "error". The reason goes to the log (with the request id), never to the caller:
    exception text names hosts, ports, users and library internals."""
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT_SECONDS)
    except Exception as exc:
        log.warning(
            "health_check_failed", check=name, error_type=type(exc).__name__, error=str(exc)
        )
        return name, "error"
    return name, "ok"


def _report(checks: dict[str, str]) -> dict[str, Any]:
    healthy = all(value == "ok" for value in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks, "version": __version__}


async def health(pool: asyncpg.Pool, broker: Broker) -> dict[str, Any]:
    """The database and Redis."""
    results = await asyncio.gather(
        _check("database", repository.ping(pool)),
        _check("redis", broker.client.ping()),
    )
    return _report(dict(results))


async def ready(pool: asyncpg.Pool) -> dict[str, Any]:
    """The database only (see the readiness route for why)."""
    name, result = await _check("database", repository.ping(pool))
    return _report({name: result})
