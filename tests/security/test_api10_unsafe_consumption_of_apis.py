"""OWASP API10:2023 Unsafe Consumption of APIs.

What the platform consumes from other systems (its database and Redis, the model) never reaches
a caller raw: /api/health says "ok" or "error" and logs the reason with the request id.

Left for the content-worker side of this work (the lead adds them here): validation of the
model's output against the strict schema, and the corpus of prompt-injection strings that must
stay inside the prompt's escaped data block.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from tests.support.processes import Stack, free_port, wait_until

LEAKY = ("Error", "refused", "Connection", "errno", "Traceback", "127.0.0.1", "redis://")


def test_health_shows_no_exception_text(make_stack: Callable[..., Stack]) -> None:
    # Redis on a port where nothing listens: the health check fails with a connection error.
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    stack = make_stack(broker_url=dead_redis)
    gateway = stack["gateway"]
    gateway.env = {**gateway.env, "REDIS_URL": dead_redis}
    gateway.start()
    wait_until(
        lambda: httpx.get(f"{stack.base_url}/api/health/live", timeout=2).status_code == 200,
        timeout=60,
        message="gateway up",
    )
    response = httpx.get(
        f"{stack.base_url}/api/health", headers={"X-Request-ID": "health-probe-1"}, timeout=10
    )
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "redis": "error"}
    assert body["status"] != "ok"
    for word in LEAKY:
        assert word not in response.text, word
    # The reason is in the log, with the request id, for the operator.
    logged = [
        json.loads(line)
        for line in gateway.output().decode(errors="replace").splitlines()
        if line.startswith("{") and "health_check_failed" in line
    ]
    assert any(
        entry.get("request_id") == "health-probe-1" and entry.get("check") == "redis"
        for entry in logged
    ), logged
