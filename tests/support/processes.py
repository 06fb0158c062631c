"""Real service processes for the tests: the gateway, both workers and the sweeper.

Each `Stack` runs the same commands that `make up` runs (`ailp.devstack.services.command`),
started, stopped and health-checked by the same code (`ailp.devstack`), against its own database
and Redis database number, on free loopback ports, with short job timings so that recovery paths
(leases, the sweeper) finish within seconds. Unlike `make up`, nothing restarts a service that
exits: the fault tests kill services and decide themselves when they come back.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ailp.devstack import services as devstack_services
from ailp.devstack.process import ManagedProcess, ServiceExited, free_port, wait_until
from ailp.devstack.procfs import child_pids
from tests.support.database import create_database, drop_database, flush_redis, redis_url

__all__ = [
    "FAST_JOB_SETTINGS",
    "REPO_ROOT",
    "TEST_LIMITS",
    "Service",
    "ServiceExited",
    "Stack",
    "child_pids",
    "free_port",
    "throwaway_stack",
    "wait_until",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
# The gateway's access log lines (written compactly by its middleware).
ACCESS_LOG_LINE = '"logger":"gateway.access"'

# Short timings so that lost jobs are recovered within seconds in tests.
FAST_JOB_SETTINGS = {
    "JOB_LEASE_SECONDS": "4",
    "JOB_HEARTBEAT_SECONDS": "1",
    "SWEEPER_STATEMENT_TIMEOUT_MS": "3000",
    "SWEEPER_INTERVAL_SECONDS": "0.5",
    "LEARNER_MODEL_FIT_INTERVAL_HOURS": "0",
    "OPENAI_BACKOFF_BASE_SECONDS": "0.05",
    "OPENAI_BACKOFF_MAX_SECONDS": "2",
    "OPENAI_TIMEOUT_SECONDS": "5",
    "ENVIRONMENT": "test",
    "LOG_LEVEL": "INFO",
}
# Abuse limits keyed on the client address would otherwise add up across a whole test run, which
# signs up every user from 127.0.0.1, and module-wide test users post and create far more than a
# real learner; tests of the limits themselves (tests/security) set their own values.
TEST_LIMITS = {
    "REGISTRATION_LIMIT_PER_ADDRESS": "100000",
    "MAX_LEARNERS_PER_USER": "100000",
    "SESSION_POSTS_PER_MINUTE": "100000",
    "RESPONSE_POSTS_PER_MINUTE": "100000",
}


@dataclass
class Service(ManagedProcess):
    """One service process of a test stack (`ailp.devstack.process.ManagedProcess`), run from
    the repository's root."""

    cwd: Path | None = REPO_ROOT


@dataclass
class Stack:
    """Gateway, content worker, analytics worker and sweeper for one database and Redis db."""

    database_url: str
    redis_url: str
    workdir: Path
    openai_base_url: str | None = None
    openai_api_key: str | None = "test-key"
    extra_env: dict[str, str] = field(default_factory=dict)
    web_concurrency: int = 2
    content_workers: int = 1
    sweepers: int = 1
    # Pool sizes: small for the tests; the benchmark runs the product's defaults.
    content_concurrency: int = 4
    analytics_concurrency: int = 2
    services: dict[str, Service] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.content_metrics_port = free_port()
        self.analytics_metrics_port = free_port()
        self.sweeper_metrics_port = free_port()
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            **FAST_JOB_SETTINGS,
            **TEST_LIMITS,
            # One secret for every process of the stack (each would make up its own otherwise).
            "JWT_SECRET": secrets.token_urlsafe(48),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": str(self.web_concurrency),
            "CONTENT_METRICS_PORT": str(self.content_metrics_port),
            "ANALYTICS_METRICS_PORT": str(self.analytics_metrics_port),
            "SWEEPER_METRICS_PORT": str(self.sweeper_metrics_port),
            "CONTENT_WORKER_CONCURRENCY": "4",
            "OPENAI_MAX_TOKENS": "2000",
            "ANALYTICS_WORKER_CONCURRENCY": "2",
            "OPENAI_API_KEY": self.openai_api_key or "",
            "OPENAI_BASE_URL": self.openai_base_url or "",
            **self.extra_env,
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.jwt_secret = env["JWT_SECRET"]  # tests sign tokens of their own with it
        python = sys.executable

        def command(name: str, concurrency: int = 1, node: str | None = None) -> list[str]:
            return devstack_services.command(
                name, python=python, concurrency=concurrency, node=node
            )

        commands = {
            "gateway": command("gateway"),
            "content-worker": command(
                "content-worker", self.content_concurrency, f"content-{self.port}@%h"
            ),
            "analytics-worker": command(
                "analytics-worker", self.analytics_concurrency, f"analytics-{self.port}@%h"
            ),
            "sweeper": command("sweeper"),
        }
        service_env = {name: env for name in commands}
        metrics_ports = {
            "content-worker": self.content_metrics_port,
            "analytics-worker": self.analytics_metrics_port,
        }
        for replica in range(2, self.content_workers + 1):  # more content-worker replicas
            name = f"content-worker-{replica}"
            node = f"content{replica}-{self.port}@%h"
            commands[name] = command("content-worker", self.content_concurrency, node)
            metrics_ports[name] = free_port()
            service_env[name] = {**env, "CONTENT_METRICS_PORT": str(metrics_ports[name])}
        self.sweeper_metrics_ports = {"sweeper": self.sweeper_metrics_port}
        for replica in range(2, self.sweepers + 1):  # more sweeper replicas
            name = f"sweeper-{replica}"
            commands[name] = command("sweeper")
            self.sweeper_metrics_ports[name] = free_port()
            service_env[name] = {
                **env,
                "SWEEPER_METRICS_PORT": str(self.sweeper_metrics_ports[name]),
            }
        for name, argv in commands.items():
            self.services[name] = Service(
                name=name,
                argv=argv,
                env=service_env[name],
                log_path=self.workdir / f"{name}.log",
                metrics_dir=self.workdir / "metrics" / name,
                metrics_port=metrics_ports.get(name),
            )

    def __getitem__(self, name: str) -> Service:
        return self.services[name]

    def start(self, *names: str) -> None:
        for name in names or tuple(self.services):
            self.services[name].start()
        if not names or "gateway" in names:
            self.wait_healthy()
        for name in names or tuple(self.services):
            if "worker" in name:
                self.wait_worker_ready(name)

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    def restart(self, name: str) -> None:
        self.services[name].stop()
        self.start(name)

    def wait_healthy(self, timeout: float = 60) -> None:
        def healthy() -> bool:
            gateway = self.services["gateway"]
            if not gateway.alive:
                raise ServiceExited(f"gateway exited:\n{gateway.log_tail()}")
            return devstack_services.http_ok(f"{self.base_url}/api/health", timeout=2)

        wait_until(healthy, timeout=timeout, interval=0.2, message="gateway health")

    def wait_worker_ready(self, name: str, timeout: float = 60) -> None:
        service = self.services[name]
        url = f"http://127.0.0.1:{service.metrics_port}/metrics"

        def ready() -> bool:
            if not service.alive:
                raise ServiceExited(f"{name} exited:\n{service.log_tail()}")
            # The worker logs "ready." once it consumes (this run's log only: after a restart
            # the earlier run's "ready." is still in the file); its metrics port opens at init.
            return devstack_services.READY_MARKER in service.output() and (
                devstack_services.http_ok(url, timeout=2)
            )

        wait_until(ready, timeout=timeout, interval=0.2, message=f"{name} ready")

    def wait_sweeper_ready(self, name: str = "sweeper", timeout: float = 60) -> None:
        """Wait until sweeper `name` answers on its health endpoint (`start` does not)."""
        service = self.services[name]
        url = f"http://127.0.0.1:{self.sweeper_metrics_ports[name]}/healthz"

        def ready() -> bool:
            if not service.alive:
                raise ServiceExited(f"{name} exited:\n{service.log_tail()}")
            return devstack_services.http_ok(url, timeout=2)

        wait_until(ready, timeout=timeout, interval=0.2, message=f"{name} ready")

    def logs(self, lines: int = 25) -> str:
        """Each service's last lines, the gateway's access log left out: a test polling a job
        fills it, and a CI report keeps only so much."""
        return "\n\n".join(
            f"== {name} ==\n{service.log_tail(lines, without=ACCESS_LOG_LINE)}"
            for name, service in self.services.items()
        )


@contextmanager
def throwaway_stack(
    *,
    redis_db: int,
    workdir: Path,
    database_prefix: str = "ailp_test",
    start: bool = True,
    **options: Any,
) -> Iterator[Stack]:
    """A `Stack` on a fresh database and a flushed Redis database, both gone again at exit.

    `options` go to `Stack` (openai_base_url, extra_env, content_workers, ...); with
    `start=False` the caller starts the services it wants.
    """
    database_url, broker_url = create_database(database_prefix), redis_url(redis_db)
    stack: Stack | None = None
    try:
        flush_redis(broker_url)
        stack = Stack(database_url=database_url, redis_url=broker_url, workdir=workdir, **options)
        if start:
            stack.start()
        yield stack
    finally:
        if stack is not None:
            stack.stop()
        drop_database(database_url)
        flush_redis(broker_url)
