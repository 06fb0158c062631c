"""What every part of a run shares: its options, Redis database, JWT secret, work folder, log
and py-spy profiles, the settings of every benchmarked process, and its throw-away stacks."""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from bench import profile
from bench.parts import Selection
from tests.support.database import flush_redis, redis_url
from tests.support.processes import REPO_ROOT, Stack, throwaway_stack

# Redis database numbers the benchmark may take, first empty one wins: not 0 (`make up`'s
# default) and not 11-15 (the test suites' defaults, see tests/support/database.py).
REDIS_DB_CANDIDATES = (10, 9, 8, 7, 5, 4, 3, 2, 1)
CLAIM_KEY = "ailp:bench:claimed-by"


# Every benchmarked process: production job timings (the tests' Stack shortens them), abuse
# limits and the per-user AI allowance lifted so they never answer 429 or fall back, the access
# log on (it is part of the product's cost). The submission limit is 10 million a minute, not
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


def echo(message: str = "") -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Run:
    args: argparse.Namespace
    selection: Selection
    workdir: Path
    jwt_secret: str
    profiled: set[str]
    redis_db: int = 0
    marker: str = field(default_factory=lambda: f"{os.getpid()}:{uuid.uuid4().hex}")
    profiles: dict[str, Any] = field(default_factory=dict)

    @property
    def redis_url(self) -> str:
        return redis_url(self.redis_db)

    def log(self, message: str) -> None:
        """A progress line beneath its part's `==>` heading."""
        echo(f"    {message}")

    def claim_redis_db(self) -> None:
        """Take an empty Redis database (BENCH_REDIS_DB picks one; it must be empty too): a
        marker key claims it, so two runs never share one, and it is re-set after each flush."""
        explicit = os.environ.get("BENCH_REDIS_DB")
        for db in (int(explicit),) if explicit else REDIS_DB_CANDIDATES:
            client = redis.Redis.from_url(redis_url(db))
            try:
                if client.dbsize() == 0 and client.set(CLAIM_KEY, self.marker, nx=True):
                    self.redis_db = db
                    return
            finally:
                client.close()
        raise SystemExit(
            "no empty Redis database: the benchmark flushes the one it uses, so it only takes "
            "an empty one. Set BENCH_REDIS_DB to an empty database."
        )

    def clear_redis(self) -> None:
        """Empty the run's Redis database (queues, limiter windows, budgets), keeping the claim."""
        flush_redis(self.redis_url)
        client = redis.Redis.from_url(self.redis_url)
        try:
            client.set(CLAIM_KEY, self.marker)
        finally:
            client.close()

    @contextmanager
    def stack(self, name: str, **options: Any) -> Iterator[Stack]:
        """A stack of the product's processes (none started) on a fresh database and the run's
        emptied Redis database, with the benchmark's settings; both emptied or dropped after."""
        env = {**bench_env(self.jwt_secret), **options.pop("extra_env", {})}
        try:
            with throwaway_stack(
                redis_db=self.redis_db,
                workdir=self.workdir / name,
                database_prefix=f"ailp_bench_{name.replace('-', '_')}",
                start=False,
                extra_env=env,
                **options,
            ) as stack:
                self.clear_redis()
                yield stack
        finally:
            self.clear_redis()

    @contextmanager
    def profile(
        self, key: str, pid: int, label: str, pool_marker: str | None = None
    ) -> Iterator[None]:
        """Sample `pid`'s process tree with py-spy meanwhile when `--profile` names `key`."""
        if key not in self.profiled:
            yield
            return
        collapsed = self.workdir / f"{key}.pyspy.txt"
        spy = profile.PySpy(pid, collapsed)
        try:
            yield
        finally:
            spy.stop()
        if collapsed.exists():
            self.profiles[key] = profile.summarise(collapsed, pool_marker=pool_marker)
            profile.show(label, self.profiles[key], collapsed, echo)


@dataclass
class Command:
    returncode: int | None
    wall_s: float
    cpu_s: float  # the command's processes, by RUSAGE_CHILDREN (it is gone from /proc by then)
    timed_out: bool


def ailp(args: list[str], env: dict[str, str], log_path: Path, timeout_s: float) -> Command:
    """Run `ailp ARGS` (output to `log_path`); killed with its process group after `timeout_s`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ailp.cli", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        timed_out = False
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = after.ru_utime - children.ru_utime + after.ru_stime - children.ru_stime
    wall_s = time.monotonic() - started
    return Command(process.returncode, wall_s, cpu_s, timed_out)


def count_lines(path: Path, needle: bytes) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if needle in line)
    except OSError:
        return 0
