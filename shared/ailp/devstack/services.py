"""The services of the platform: how each one starts and how to tell that it is ready.

The same commands run under `make up` (supervised, in the background), `make gateway` and the
images (`ailp stack run <service>`, in the foreground) and the tests' `Stack`.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

from ailp.config import Settings
from ailp.devstack.process import url_host

# The background services, in start order.
SERVICES = ("gateway", "content-worker", "analytics-worker", "sweeper")
# A Celery worker logs this once it consumes from its queue.
READY_MARKER = b" ready."


@dataclass(frozen=True)
class Worker:
    queue: str
    app: str
    pool: str  # threads: model calls wait on the network; prefork: analytics is CPU-bound


WORKERS = {
    "content-worker": Worker("content", "content_worker.app", "threads"),
    "analytics-worker": Worker("analytics", "analytics_worker.app", "prefork"),
}


def command(
    name: str, *, python: str = sys.executable, concurrency: int = 1, node: str | None = None
) -> list[str]:
    """The argv of service `name` (`concurrency`, `node`: a worker's pool size and Celery node
    name, `<queue>@%h` by default)."""
    if name == "gateway":
        return [python, "-m", "gateway"]
    if name == "sweeper":
        return [python, "-m", "ailp.cli", "sweeper"]
    worker = WORKERS.get(name)
    if worker is None:
        raise KeyError(f"unknown service {name!r} (one of {', '.join(SERVICES)})")
    return [
        *(python, "-m", "celery", "-A", worker.app, "worker", "-Q", worker.queue),
        *("-n", node or f"{worker.queue}@%h", "--pool", worker.pool),
        *("--concurrency", str(concurrency), "--without-gossip", "--without-mingle", "-l", "INFO"),
    ]


def settings_command(name: str, settings: Settings, *, python: str = sys.executable) -> list[str]:
    """`command` with the pool sizes of the settings (CONTENT/ANALYTICS_WORKER_CONCURRENCY)."""
    concurrency = {
        "content-worker": settings.content_worker_concurrency,
        "analytics-worker": settings.analytics_worker_concurrency,
    }.get(name, 1)
    return command(name, python=python, concurrency=concurrency)


def gateway_url(settings: Settings) -> str:
    return f"http://{url_host(settings.host)}:{settings.port}"


def health_url(name: str, settings: Settings) -> str | None:
    """Where service `name` answers 200 once it is up: the gateway's /api/health, the workers'
    /metrics and the sweeper's /healthz (None: its port is 0, no endpoint to ask)."""
    if name == "gateway":
        return gateway_url(settings) + "/api/health"
    port, path = {
        "content-worker": (settings.content_metrics_port, "/metrics"),
        "analytics-worker": (settings.analytics_metrics_port, "/metrics"),
        "sweeper": (settings.sweeper_metrics_port, "/healthz"),
    }[name]
    return f"http://{url_host(settings.metrics_host)}:{port}{path}" if port else None


def listen_port(name: str, settings: Settings) -> tuple[str, int] | None:
    """The address service `name` binds (to refuse a start when something else holds it)."""
    ports = {
        "gateway": (settings.host, settings.port),
        "content-worker": (settings.metrics_host, settings.content_metrics_port),
        "analytics-worker": (settings.metrics_host, settings.analytics_metrics_port),
        "sweeper": (settings.metrics_host, settings.sweeper_metrics_port),
    }
    address = ports[name]
    return address if address[1] else None


def http_status(url: str, timeout: float = 3) -> int:
    """The status of a GET (0 when nothing answered)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError):
        return 0


def http_ok(url: str, timeout: float = 3) -> bool:
    return http_status(url, timeout) == 200
