"""What every part of a run shares: its options, Redis database, JWT secret, work folder, log and
py-spy profiles, the settings of every benchmarked process, and its throw-away stacks."""

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
BENCH_ENV = dict(
    setting.split("=")
    for setting in ["ENVIRONMENT=production", "LOG_LEVEL=INFO", "LOG_FORMAT=json", "WEB_CONCURRENCY=2", "JOB_SUBMISSIONS_PER_MINUTE=10000000", "MAX_QUEUED_JOBS_PER_USER=1000000000", "JOB_LEASE_SECONDS=60", "JOB_HEARTBEAT_SECONDS=15", "OPENAI_USER_DAILY_BUDGET_USD=1000000", "ANALYTICS_WORKER_CONCURRENCY=2"]
)


def echo(message: str = "") -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Run:
    args: argparse.Namespace
    selection: Selection
    workdir: Path
    jwt_secret: str
    profiled: set[str]
    redis_db: int | None = None
    marker: str = field(default_factory=lambda: f"{os.getpid()}:{uuid.uuid4().hex}")
    profiles: dict[str, Any] = field(default_factory=dict)

    @property
    def redis_url(self) -> str:
        assert self.redis_db is not None
        return redis_url(self.redis_db)

    def log(self, message: str) -> None:
        echo(f"    {message}")

    def claim_redis_db(self) -> None:
        """Take an empty Redis database (BENCH_REDIS_DB picks one; it must be empty too): a
        marker key claims it, so two runs never share one; it is set again after each flush."""
        explicit = os.environ.get("BENCH_REDIS_DB")
        for db in (int(explicit),) if explicit else REDIS_DB_CANDIDATES:
            with redis.Redis.from_url(redis_url(db)) as client:
                if client.dbsize() == 0 and client.set(CLAIM_KEY, self.marker, nx=True):
                    self.redis_db = db
                    return
        raise SystemExit(
            "no empty Redis database (the benchmark flushes the one it uses): set "
            "BENCH_REDIS_DB to an empty one"
        )

    def clear_redis(self) -> None:
        """Empty the run's Redis database (queues, limiter windows, budgets), keeping the claim."""
        flush_redis(self.redis_url)
        with redis.Redis.from_url(self.redis_url) as client:
            client.set(CLAIM_KEY, self.marker)

    @contextmanager
    def stack(
        self, name: str, env: dict[str, str] | None = None, **options: Any
    ) -> Iterator[Stack]:
        """The product's processes (none started) with the benchmark's settings on a fresh
        database and the run's emptied Redis database, both dropped or emptied afterwards."""
        options["database_prefix"] = f"ailp_bench_{name.replace('-', '_')}"
        options["extra_env"] = {**BENCH_ENV, "JWT_SECRET": self.jwt_secret, **(env or {})}
        workdir, db = self.workdir / name, self.redis_db or 0
        try:
            with throwaway_stack(redis_db=db, workdir=workdir, start=False, **options) as stack:
                self.clear_redis()
                yield stack
        finally:
            self.clear_redis()

    @contextmanager
    def profile(self, key: str, pid: int, label: str, pool: bool = False) -> Iterator[None]:
        """Sample `pid`'s process tree with py-spy meanwhile, when `--profile` names `key`
        (`pool`: shares of a Celery prefork pool's processes)."""
        if key not in self.profiled:
            yield
            return
        collapsed = self.workdir / f"{key}.pyspy.txt"
        with profile.record(pid, collapsed):
            yield
        if collapsed.exists():
            summary = profile.summarise(collapsed, "Worker.workloop" if pool else None)
            self.profiles[key] = summary
            profile.show(label, summary, collapsed, echo)


@dataclass
class Command:
    returncode: int | None
    wall_s: float
    cpu_s: float  # by RUSAGE_CHILDREN: the command's processes are gone from /proc by then
    timed_out: bool


def ailp(args: list[str], env: dict[str, str], log_path: Path, timeout_s: float) -> Command:
    """Run `ailp ARGS` (output to `log_path`); killed with its process group after `timeout_s`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    before, started, timed_out = (
        resource.getrusage(resource.RUSAGE_CHILDREN),
        time.monotonic(),
        False,
    )
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ailp.cli", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Command(process.returncode, time.monotonic() - started, cpu_s, timed_out)


def count_lines(paths: list[Path], needle: bytes) -> int:
    """Lines holding `needle` in the files (a missing file holds none)."""
    return sum(path.read_bytes().count(needle) if path.exists() else 0 for path in paths)
