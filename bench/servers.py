"""The processes under test: the gateway (and later one analytics worker) from `tests.support`'s
`Stack`, plus the two ceiling apps, all on free loopback ports, against one throw-away database
and one Redis database number."""

from __future__ import annotations

import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from tests.support.database import redis_url
from tests.support.processes import Service, Stack, free_port, wait_until

# Redis database numbers the benchmark may take, first empty one wins: not 0 (`make up`'s
# default) and not 11-15 (the test suites' defaults, see tests/support/database.py).
REDIS_DB_CANDIDATES = (10, 9, 8, 7, 5, 4, 3, 2, 1)
_CLAIM_KEY = "ailp:bench:claimed-by"


def claim_redis_db() -> str:
    """The URL of an empty Redis database for this run (BENCH_REDIS_DB picks one; it must be
    empty too). A marker key claims it, so two benchmark runs never share one; the caller
    flushes it at the end. Never flushes a database that someone else is using."""
    explicit = os.environ.get("BENCH_REDIS_DB")
    candidates = (int(explicit),) if explicit else REDIS_DB_CANDIDATES
    marker = f"{os.getpid()}:{uuid.uuid4().hex}"
    for db in candidates:
        url = redis_url(db)
        client = redis.Redis.from_url(url)
        try:
            if client.dbsize() == 0 and client.set(_CLAIM_KEY, marker, nx=True):
                return url
        finally:
            client.close()
    raise SystemExit(
        f"no empty Redis database among {', '.join(map(str, candidates))}: the benchmark flushes "
        "the one it uses, so it only takes an empty one. Set BENCH_REDIS_DB to an empty database."
    )


def clear_redis(url: str) -> None:
    """Empty the run's Redis database (queues, limiter windows, budgets) but keep its claim, so
    that each part starts from nothing and no other benchmark run takes the database meanwhile."""
    client = redis.Redis.from_url(url)
    try:
        doomed = [key for key in client.scan_iter(count=1000) if key != _CLAIM_KEY.encode()]
        for start in range(0, len(doomed), 1000):
            client.delete(*doomed[start : start + 1000])
    finally:
        client.close()


# Settings for every benchmarked process: production job timings (the tests' Stack shortens
# them), abuse limits and the per-user AI allowance lifted so they never answer 429 or fall back,
# the access log left on (it is part of the product's cost), and a JWT secret the benchmark knows
# so it can issue tokens itself. The submission limit is 10 million a minute per user, not
# "infinite": its GCRA interval (60 s / limit) must stay above PostgreSQL's microsecond.
def bench_env(jwt_secret: str) -> dict[str, str]:
    return {
        "ENVIRONMENT": "production",
        "JWT_SECRET": jwt_secret,
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "JOB_SUBMISSIONS_PER_MINUTE": "10000000",
        "MAX_QUEUED_JOBS_PER_USER": "1000000000",
        "JOB_LEASE_SECONDS": "60",
        "JOB_HEARTBEAT_SECONDS": "15",
        "OPENAI_USER_DAILY_BUDGET_USD": "1000000",
        "WEB_CONCURRENCY": "2",
        "ANALYTICS_WORKER_CONCURRENCY": "2",
    }


@dataclass
class Servers:
    database_url: str
    redis_url: str
    workdir: Path
    jwt_secret: str
    stack: Stack = field(init=False)
    ceilings: dict[str, Service] = field(init=False, default_factory=dict)
    ceiling_urls: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.stack = Stack(
            database_url=self.database_url,
            redis_url=self.redis_url,
            workdir=self.workdir,
            extra_env=bench_env(self.jwt_secret),
        )
        env = self.stack["gateway"].env
        for name in ("hello", "ceiling"):
            port = free_port()
            self.ceilings[name] = Service(
                name=name,
                argv=[sys.executable, "-m", "bench.serve", name, str(port)],
                env=env,
                log_path=self.workdir / f"{name}.log",
                metrics_dir=self.workdir / "metrics" / name,
            )
            self.ceiling_urls[name] = f"http://127.0.0.1:{port}"

    @property
    def gateway_url(self) -> str:
        return self.stack.base_url

    def start_http(self) -> None:
        """Start the ceilings and the gateway side by side and wait until each answers."""
        for service in self.ceilings.values():
            service.start()
        self.stack.start("gateway")
        self._wait_answers("hello", "/", 200)
        self._wait_answers("ceiling", f"/select/{uuid.UUID(int=0)}", 404)

    def _wait_answers(self, name: str, path: str, status: int) -> None:
        service = self.ceilings[name]

        def answers() -> bool:
            if not service.alive:
                raise RuntimeError(f"{name} exited:\n{service.log_tail()}")
            return httpx.get(self.ceiling_urls[name] + path, timeout=2).status_code == status

        wait_until(answers, timeout=90, interval=0.2, message=f"{name} answering")

    def stop_ceilings(self) -> None:
        for service in self.ceilings.values():
            service.stop()

    def stop(self) -> None:
        self.stop_ceilings()
        self.stack.stop()


def set_concurrency(service: Service, concurrency: int) -> None:
    """The `Stack`'s worker commands pin `--concurrency` (4 for content, 2 for analytics); the
    benchmark runs the product's defaults instead."""
    argv = service.argv
    argv[argv.index("--concurrency") + 1] = str(concurrency)


def start_worker(
    service: Service, *, metrics_env: str, timeout: float = 90, banner: bytes = b" ready."
) -> None:
    """Start a worker and wait until it consumes (a Celery worker logs "ready."; the sweeper
    "sweeper_started") and serves its metrics.

    (`Stack.start` waits on the first content worker's port for every content-worker replica.)
    """
    service.start()
    port = int(service.env[metrics_env])

    def ready() -> bool:
        if not service.alive:
            raise RuntimeError(f"{service.name} exited:\n{service.log_tail()}")
        try:
            serving = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
        return serving and banner in service.log_path.read_bytes()

    wait_until(ready, timeout=timeout, interval=0.2, message=f"{service.name} ready")
