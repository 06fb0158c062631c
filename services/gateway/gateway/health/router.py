"""Readiness, liveness and the Prometheus endpoint (no authentication)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from ailp import metrics
from gateway.deps import BrokerDep, PoolDep
from gateway.health import service

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    checks: dict[str, str]
    version: str


class LiveOut(BaseModel):
    status: str


def _answer(report: dict[str, Any], response: Response) -> dict[str, Any]:
    if report["status"] != "ok":
        response.status_code = 503
        response.headers["Retry-After"] = "5"
    return report


@router.get(
    "/api/health",
    operation_id="health-check",
    response_model=HealthOut,
    summary="Readiness: database and Redis reachable",
    responses={503: {"model": HealthOut, "description": "a dependency is down"}},
)
async def health(pool: PoolDep, broker: BrokerDep, response: Response) -> dict[str, Any]:
    return _answer(await service.health(pool, broker), response)


@router.get(
    "/api/health/ready",
    operation_id="health-ready",
    response_model=HealthOut,
    summary="Readiness for a load balancer: the database reachable (Redis is not checked)",
    description="What Kubernetes and compose use to route traffic. Redis is left out on "
    "purpose: without it the API still reads and writes (job submissions are committed and "
    "published later by the sweeper; rate limits fail open or closed as documented), so a Redis "
    "blip must not take every gateway out of the load balancer. `/api/health` checks both.",
    responses={503: {"model": HealthOut, "description": "the database is unreachable"}},
)
async def ready(pool: PoolDep, response: Response) -> dict[str, Any]:
    return _answer(await service.ready(pool), response)


@router.get(
    "/api/health/live",
    operation_id="health-live",
    response_model=LiveOut,
    summary="Liveness (no dependency checks)",
)
async def live() -> LiveOut:
    return LiveOut(status="ok")


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    body, content_type = metrics.render(metrics.build_registry())
    return Response(body, media_type=content_type)
