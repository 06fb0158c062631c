"""A Redis outage degrades features but must not take the API out of the load balancer: the
readiness probe that Kubernetes and compose use (/api/health/ready) checks the database only,
while /api/health still reports Redis."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.support.processes import Stack, free_port, wait_until


def test_ready_while_redis_is_down(make_stack: Callable[..., Stack]) -> None:
    nothing_listens = free_port()
    stack = make_stack(broker_url=f"redis://127.0.0.1:{nothing_listens}/0")
    stack["gateway"].start()

    def live() -> bool:
        try:
            return httpx.get(f"{stack.base_url}/api/health/live", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(live, timeout=60, interval=0.2, message="gateway alive")
    full = httpx.get(f"{stack.base_url}/api/health", timeout=10)
    assert full.status_code == 503 and full.json()["checks"]["redis"].startswith("error")
    ready = httpx.get(f"{stack.base_url}/api/health/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok"}
