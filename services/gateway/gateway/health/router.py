"""Readiness, liveness and the Prometheus endpoint (no authentication)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from ailp import __version__, metrics
from ailp.logging import get_logger

log = get_logger(__name__)
router = APIRouter(tags=["health"])
CHECK_TIMEOUT_SECONDS = 2.0


class HealthOut(BaseModel):
    status: str
    checks: dict[str, str]
    version: str


class LiveOut(BaseModel):
    status: str


async def _check(name: str, probe: Any) -> tuple[str, str]:
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


@router.get(
    "/api/health",
    response_model=HealthOut,
    summary="Readiness: database and Redis reachable",
    responses={503: {"model": HealthOut, "description": "a dependency is down"}},
)
async def health(request: Request, response: Response) -> Any:
    state = request.app.state
    results = await asyncio.gather(
        _check("database", state.pool.fetchval("SELECT 1")),
        _check("redis", state.broker.client.ping()),
    )
    checks = dict(results)
    healthy = all(value == "ok" for value in checks.values())
    if not healthy:
        response.status_code = 503
        response.headers["Retry-After"] = "5"
    return {"status": "ok" if healthy else "unavailable", "checks": checks, "version": __version__}


@router.get(
    "/api/health/ready",
    response_model=HealthOut,
    summary="Readiness for a load balancer: the database reachable (Redis is not checked)",
    description="What Kubernetes and compose use to route traffic. Redis is left out on "
    "purpose: without it the API still reads and writes (job submissions are committed and "
    "published later by the sweeper; rate limits fail open or closed as documented), so a Redis "
    "blip must not take every gateway out of the load balancer. `/api/health` checks both.",
    responses={503: {"model": HealthOut, "description": "the database is unreachable"}},
)
async def ready(request: Request, response: Response) -> Any:
    name, result = await _check("database", request.app.state.pool.fetchval("SELECT 1"))
    healthy = result == "ok"
    if not healthy:
        response.status_code = 503
        response.headers["Retry-After"] = "5"
    return {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: result},
        "version": __version__,
    }


@router.get("/api/health/live", response_model=LiveOut, summary="Liveness (no dependency checks)")
async def live() -> Any:
    return {"status": "ok"}


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    body, content_type = metrics.render(metrics.build_registry())
    return Response(body, media_type=content_type)
