"""What every part of a run shares: the run's context (options, Redis database, JWT secret, work
folder, log), the benchmarked processes' settings and throw-away stacks, `ailp` commands, the CPU
meter and the optional py-spy profiles."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from ailp.devstack import procfs
from bench.parts import Selection
from bench.seed import backend_pids, cursor_for
from tests.support.api import TERMINAL
from tests.support.database import flush_redis, redis_url
from tests.support.processes import REPO_ROOT, Service, Stack, throwaway_stack

# Redis database numbers the benchmark may take, first empty one wins: not 0 (`make up`'s
# default) and not 11-15 (the test suites' defaults, see tests/support/database.py).
REDIS_DB_CANDIDATES = (10, 9, 8, 7, 5, 4, 3, 2, 1)
CLAIM_KEY = "ailp:bench:claimed-by"
# Every benchmarked process: production job timings (the tests' Stack shortens them), abuse
# limits and the per-user AI allowance lifted so they never answer 429 or fall back, the access
# log on (it is part of the product's cost). The submission limit is 10 million a minute, not
# "infinite": its GCRA interval (60 s / limit) must stay above PostgreSQL's microsecond.
BENCH_ENV = """ENVIRONMENT=production LOG_LEVEL=INFO LOG_FORMAT=json WEB_CONCURRENCY=2
    JOB_SUBMISSIONS_PER_MINUTE=10000000 MAX_QUEUED_JOBS_PER_USER=1000000000 JOB_LEASE_SECONDS=60
    JOB_HEARTBEAT_SECONDS=15 OPENAI_USER_DAILY_BUDGET_USD=1000000 ANALYTICS_WORKER_CONCURRENCY=2"""
GROUPS = ("app", "wrk", "postgres", "redis")  # where the CPU went, besides "other" and "idle"


def settings(text: str) -> dict[str, str]:
    """Environment settings from "NAME=value NAME=value ..." text."""
    return dict(setting.split("=", 1) for setting in text.split())


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
        return redis_url(self.redis_db or 0)

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
        raise SystemExit("no empty Redis database: set BENCH_REDIS_DB to an empty one")

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
        options["extra_env"] = {**settings(BENCH_ENV), "JWT_SECRET": self.jwt_secret, **(env or {})}
        workdir, db = self.workdir / name, self.redis_db or 0
        try:
            with throwaway_stack(redis_db=db, workdir=workdir, start=False, **options) as stack:
                self.clear_redis()
                yield stack
        finally:
            self.clear_redis()

    @contextmanager
    def profile(self, key: str, pid: int, label: str, pool: bool = False) -> Iterator[None]:
        """Sample `pid`'s process tree with py-spy meanwhile when `--profile` names `key`
        (`uvx py-spy` when it is not on PATH), then print where the samples went; `pool`: the
        shares of a Celery prefork pool's processes."""
        if key not in self.profiled:
            yield
            return
        collapsed = self.workdir / f"{key}.pyspy.txt"
        command = ["py-spy"] if shutil.which("py-spy") else ["uvx", "py-spy"]
        options = ["--subprocesses", "--rate", "250", "--format", "raw", "--nonblocking"]
        argv = [*command, "record", "--pid", str(pid), "--output", str(collapsed), *options]
        spy = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield
        finally:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        summary = self.profiles[key] = summarise(collapsed, "Worker.workloop" if pool else None)
        share = summary["main_process_share"]
        pool_share = f"; Celery's main process {share:.0%}, shares of the pool's" if share else ""
        echo(f"==> {label}: py-spy profile, {summary['samples']} samples{pool_share} ({collapsed})")
        for title, entries in (("inclusive", summary["inclusive"]), ("innermost", summary["self"])):
            echo(f"    {title}:\n" + "\n".join(f"    {n:6.1%}  {name}" for name, n in entries[:20]))


def summarise(collapsed: Path, pool_marker: str | None = None, top: int = 25) -> dict[str, Any]:
    """Where py-spy's samples went. With `pool_marker` (a frame only the pool processes have)
    shares are of the pool's samples. `inclusive`: by share of samples with the function on the
    stack (those on nearly every stack left out); `self`: as the innermost frame (waiting in C,
    e.g. for PostgreSQL, shows as its Python caller)."""
    inclusive: Counter[str] = Counter()
    innermost: Counter[str] = Counter()
    total = pool = 0
    lines = collapsed.read_text(errors="replace").splitlines() if collapsed.exists() else []
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count, frames = int(count_text), stack.split(";")
        total += count
        calls = [_short(frame) for frame in frames if not frame.startswith("process ")]
        if not calls or (pool_marker and not any(pool_marker in frame for frame in frames)):
            continue  # a process with no Python frame yet, or Celery's main process
        pool += count
        inclusive.update(dict.fromkeys(set(calls), count))
        innermost[calls[-1]] += count
    shares = [(name, round(n / pool, 4)) for name, n in inclusive.most_common() if n < 0.99 * pool]
    return {
        "samples": total,
        "main_process_share": round((total - pool) / total, 4) if pool_marker and pool else None,
        "inclusive": shares[:top],
        "self": [(name, round(n / pool, 4)) for name, n in innermost.most_common(top)],
    }


def _short(frame: str) -> str:
    """ "function (path/to/file.py:123)" → "function (to/file.py)", so a function's lines add up."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(Path(where).parts[-2:])})" if where else name


@dataclass
class Command:
    returncode: int | None
    wall_s: float
    cpu_s: float  # by RUSAGE_CHILDREN: the command's processes are gone from /proc by then
    timed_out: bool


def ailp(args: list[str], env: dict[str, str], log_path: Path, timeout_s: float) -> Command:
    """Run `ailp ARGS` (output to `log_path`); killed with its process group after `timeout_s`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    argv, timed_out = [sys.executable, "-m", "ailp.cli", *args], False
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, start_new_session=True
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


def wait_jobs(
    database_url: str,
    ids: list[str],
    services: list[Service],
    deadline: float,
    poll_s: float,
    stall_s: float = float("inf"),
) -> tuple[int, int]:
    """Poll until the jobs are all finished, the (monotonic) deadline has passed or none has
    finished for `stall_s` (a broken worker); fail when one of `services` exits. The count of
    finished jobs at the first poll and at the last."""
    sql = "SELECT count(*) FROM jobs WHERE id = ANY(%s::uuid[]) AND status = ANY(%s)"
    first, done, changed = None, -1, time.monotonic()
    with cursor_for(database_url) as cursor:
        while True:
            cursor.execute(sql, (ids, list(TERMINAL)))
            if (count := cursor.fetchone()[0]) != done:
                done, changed = count, time.monotonic()
            first = done if first is None else first
            if done >= len(ids) or time.monotonic() > min(deadline, changed + stall_s):
                return first, done
            if exited := [service for service in services if not service.alive]:
                raise RuntimeError(f"{exited[0].name} exited:\n{exited[0].log_tail()}")
            time.sleep(poll_s)


def count_lines(paths: list[Path], needle: bytes) -> int:
    """Log lines holding `needle` in the files (a missing file holds none)."""
    return sum(path.read_bytes().count(needle) if path.exists() else 0 for path in paths)


class Meter:
    """Where the CPU went between entering and leaving `with Meter(app pids, database, Redis)`,
    as shares of all cores (100 = every core busy): the app's process trees, wrk (or the model
    server), this database's PostgreSQL backends, Redis, and the rest (on a shared machine,
    other people's work). On 2 cores with the load generator on the same cores, a figure means
    little without how much of the machine it had. Processes gone by the exit are not seen."""

    def __init__(
        self, app: Iterable[int], database_url: str, redis_url: str, wrk: Iterable[int] = ()
    ) -> None:
        self.roots, self.database_url = {"app": list(app), "wrk": list(wrk)}, database_url
        with redis.Redis.from_url(redis_url) as client:
            self.redis_pid = int(client.info("server")["process_id"])

    def _sample(self) -> dict[str, Any]:
        groups = {name: _tree(roots) for name, roots in self.roots.items()}
        groups["postgres"] = backend_pids(self.database_url) - groups["app"]
        groups["redis"] = {self.redis_pid}
        pids = set().union(*groups.values())
        cpu = {pid: (procfs.start_time(pid), procfs.cpu_time(pid) or 0.0) for pid in pids}
        busy, total = procfs.machine_cpu_time()
        return {
            "wall": time.monotonic(),
            "busy": busy,
            "total": total,
            "groups": groups,
            "cpu": cpu,
        }

    def __enter__(self) -> Meter:
        self.start = self._sample()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.end = self._sample()

    def cpu_s(self, group: str) -> float:
        """CPU seconds the group's processes (seen at the entry or the exit) spent meanwhile."""
        start, end, spent = self.start["cpu"], self.end["cpu"], 0.0
        for pid in (self.start["groups"][group] | self.end["groups"][group]) & end.keys():
            before = start.get(pid)
            spent += end[pid][1] - (before[1] if before and before[0] == end[pid][0] else 0.0)
        return spent

    def shares(self, wrk_s: float = 0.0, app_extra_s: float = 0.0) -> dict[str, float]:
        """Percent of all cores per group, `other` (the rest of the busy time) and `idle`;
        `wrk_s` (wrk's CPU, by RUSAGE_CHILDREN) and `app_extra_s` add to their groups."""
        capacity = self.end["total"] - self.start["total"]
        spent = {name: self.cpu_s(name) for name in GROUPS}
        spent["wrk"], spent["app"] = spent["wrk"] + wrk_s, spent["app"] + app_extra_s
        busy = self.end["busy"] - self.start["busy"]
        spent["other"], spent["idle"] = max(0.0, busy - sum(spent.values())), capacity - busy
        return {k: round(100 * v / capacity, 1) for k, v in spent.items()} if capacity > 0 else {}

    def ms_per(self, items: int, group: str = "app", extra_s: float = 0.0) -> float | None:
        """CPU ms of the group per item (request, job, learner)."""
        return round((self.cpu_s(group) + extra_s) * 1000 / items, 3) if items else None


def _tree(roots: Iterable[int]) -> set[int]:
    found: set[int] = set()
    todo = [pid for pid in roots if pid]
    while todo:
        if (pid := todo.pop()) not in found and procfs.start_time(pid) is not None:
            found.add(pid)
            todo += procfs.child_pids(pid)
    return found
