"""What every part of a run shares: its context (options, Redis database, JWT secret, work folder,
py-spy profiles), the benchmarked processes' settings and stacks, commands, waits, the CPU meter."""

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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import redis
from pydantic import SecretStr

from ailp.config import Settings
from ailp.devstack import procfs
from gateway.passwords import hash_password
from gateway.security import issue_token
from tests.support.api import TERMINAL, Api
from tests.support.database import flush_redis, redis_url
from tests.support.processes import REPO_ROOT, Service, Stack, throwaway_stack


@dataclass(frozen=True)
class BenchUser:
    user_id: int
    token: str
    learner_id: int

    def api(self, base_url: str) -> Api:
        api = Api(base_url, timeout=30)
        api.http.headers["Authorization"] = f"Bearer {self.token}"
        return api


@contextmanager
def cursor_for(database_url: str) -> Iterator[Any]:
    with closing(psycopg2.connect(database_url)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            yield cursor


def job_times(database_url: str, ids: list[str]) -> list[tuple[str, Any, Any]]:
    """Each job's status, started_at and finished_at (epoch seconds)."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "SELECT status, extract(epoch FROM started_at), extract(epoch FROM finished_at) "
            "FROM jobs WHERE id = ANY(%s::uuid[])",
            (ids,),
        )
        return list(cursor.fetchall())


def create_users(database_url: str, jwt_secret: str, count: int) -> list[BenchUser]:
    """`count` users with one learner each and a token from the gateway's own `issue_token`
    (not signed in: that would cost an argon2 verification each, nothing about the hot paths)."""
    settings = Settings(jwt_secret=SecretStr(jwt_secret))
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "INSERT INTO users (username, email, password_hash) SELECT 'bench_' || g, "
            "'bench_' || g || '@example.com', %s FROM generate_series(1, %s) g RETURNING id",
            (hash_password("bench-password-42"), count),
        )
        user_ids = sorted(row[0] for row in cursor.fetchall())
        learner_of = dict(insert_learners(cursor, user_ids, "data-analysis", count, 0))
    return [
        BenchUser(u, issue_token(settings, u, version=0).token, learner_of[u]) for u in user_ids
    ]


LEARNERS_SQL = """INSERT INTO learners (user_id, target_niche, experience_level,
        preferred_learning_style, learning_goals)
    SELECT (%(owners)s::bigint[])[1 + g %% cardinality(%(owners)s::bigint[])], %(niche)s || g,
           (ARRAY['beginner', 'intermediate', 'advanced'])[1 + g %% 3], 'reading',
           'Benchmark learner.'
    FROM generate_series(%(first)s, %(first)s + %(count)s - 1) g ORDER BY g
    RETURNING user_id, id"""
HISTORY_SQL = """INSERT INTO learning_sessions (learner_id, session_start, session_end,
        duration_minutes, exercises_completed, exercises_count, completion_rate, performance_score)
    SELECT l, at, at + make_interval(mins => minutes), minutes,
           (SELECT coalesce(jsonb_agg('exercise-' || e), '[]'::jsonb)
            FROM generate_series(1, exercises) e), exercises, random(), random()
    FROM (SELECT l, (10 + floor(random() * 80))::int AS minutes,
                 floor(random() * 10)::int AS exercises, now() - interval '2 hours'
                     - random() * make_interval(days => %(session_days)s) AS at
          FROM unnest(%(ids)s::bigint[]) l, generate_series(1, %(sessions)s)) s;
    INSERT INTO exercise_responses (learner_id, concept, correct, answered_at)
    SELECT l, 'concept ' || lpad(c::text, 3, '0'),
           random() < CASE WHEN %(graded)s THEN 0.3 + 0.65 * c::float8 / %(concepts)s ELSE 0.6 END,
           now() - interval '1 hour' - random() * make_interval(days => %(days)s)
    FROM (SELECT l, 1 + (g %% %(concepts)s) AS c
          FROM unnest(%(ids)s::bigint[]) l, generate_series(1, %(answers)s) g) answers;
    ANALYZE learners, learning_sessions, exercise_responses, jobs"""


def insert_learners(
    cursor: Any, owners: list[int], niche: str, count: int, first: int = 1
) -> list[tuple[int, int]]:
    """(user id, learner id) of `count` new learners, the n-th owned by owners[n % len(owners)]."""
    cursor.execute(LEARNERS_SQL, {"owners": owners, "niche": niche, "count": count, "first": first})
    return sorted(cursor.fetchall(), key=lambda row: row[1])


def insert_history(cursor: Any, learner_ids: list[int], **shape: Any) -> None:
    """Per learner `sessions` sessions and `answers` answers over `concepts` concepts: right 60 %
    of the time, or (`graded`) from 30 % for the first concept to 95 % for the last."""
    shape = {"ids": learner_ids, "session_days": shape["days"], "graded": False, **shape}
    cursor.execute(HISTORY_SQL, shape)


HTTP, ANALYTICS, LIMITS, BUDGET = "http", "analytics", "limits", "budget"
LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH = "learner-big", "learner-growth", "learner-batch"
LEARNER_FIT, GROWTH = "learner-model-fit", "growth"
PARTS = (HTTP, ANALYTICS, LIMITS, BUDGET, LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH, LEARNER_FIT)
OPT_IN_PARTS = (GROWTH,)  # never part of "everything"
CONTENT_PARTS = frozenset({LIMITS, BUDGET})
LEARNER_PARTS = frozenset({LEARNER_BIG, LEARNER_GROWTH, LEARNER_BATCH})
ALIASES = {"content": CONTENT_PARTS, "learner-model": LEARNER_PARTS, "learner": LEARNER_PARTS}


@dataclass(frozen=True)
class Selection:
    parts: frozenset[str]
    scenarios: frozenset[str]  # HTTP scenario keys to run (all of them when `http` was asked)

    def __contains__(self, part: object) -> bool:
        return part in self.parts


def select(only: str, keys: tuple[str, ...]) -> Selection:
    """Parse `--only` (empty: all); ValueError names what it does not know."""
    tokens = [token.strip() for token in only.split(",") if token.strip()]
    parts, scenarios = (set(), set()) if tokens else (set(PARTS), set(keys))
    for token in tokens:
        parts |= {HTTP} if token in (HTTP, *keys) else set(ALIASES.get(token, {token}))
        scenarios |= set(keys) if token == HTTP else {token} & set(keys)
    if unknown := parts - {*PARTS, *OPT_IN_PARTS}:
        known = ", ".join([*PARTS, *OPT_IN_PARTS, *ALIASES, *keys])
        raise ValueError(f"unknown part or scenario {', '.join(sorted(unknown))}; known: {known}")
    return Selection(frozenset(parts), frozenset(scenarios))


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

    def claim_redis_db(self) -> None:
        """An empty Redis database, claimed by a marker key (set again after each flush)."""
        explicit = os.environ.get("BENCH_REDIS_DB")
        for db in (int(explicit),) if explicit else REDIS_DB_CANDIDATES:
            with redis.Redis.from_url(redis_url(db)) as client:
                if client.dbsize() == 0 and client.set(CLAIM_KEY, self.marker, nx=True):
                    self.redis_db = db
                    return
        raise SystemExit("no empty Redis database: set BENCH_REDIS_DB to an empty one")

    def clear_redis(self) -> None:
        flush_redis(self.redis_url)
        with redis.Redis.from_url(self.redis_url) as client:
            client.set(CLAIM_KEY, self.marker)

    @contextmanager
    def stack(self, name: str, env: str = "", **options: Any) -> Iterator[Stack]:
        text = f"{BENCH_ENV} JWT_SECRET={self.jwt_secret} {env}"
        options["extra_env"] = dict(setting.split("=", 1) for setting in text.split())
        options["database_prefix"] = f"ailp_bench_{name.replace('-', '_')}"
        options |= {"redis_db": self.redis_db, "workdir": self.workdir / name, "start": False}
        try:
            with throwaway_stack(**options) as stack:
                self.clear_redis()
                yield stack
        finally:
            self.clear_redis()

    @contextmanager
    def profile(self, key: str, pid: int, label: str, pool: bool = False) -> Iterator[None]:
        """py-spy on `pid`'s process tree meanwhile when `--profile` names `key`; `pool`: the
        shares of a Celery prefork pool's processes only."""
        if key not in self.profiled:
            yield
            return
        collapsed, command = self.workdir / f"{key}.pyspy.txt", shutil.which("py-spy")
        options = ["--subprocesses", "--rate", "250", "--format", "raw", "--nonblocking"]
        argv = [*([command] if command else ["uvx", "py-spy"]), "record", "--pid", str(pid)]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        spy = subprocess.Popen([*argv, "--output", str(collapsed), *options], **quiet)
        try:
            yield
        finally:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        summary = self.profiles[key] = summarise(collapsed, "Worker.workloop" if pool else None)
        echo(f"==> {label}: py-spy, {summary['samples']} samples (kept in {collapsed})")
        for title, shares in (("anywhere on the stack", "inclusive"), ("innermost", "self")):
            echo(f"    {title}:\n" + "\n".join(f"{n:10.1%}  {name}" for name, n in summary[shares]))


def summarise(collapsed: Path, pool_marker: str | None = None, top: int = 25) -> dict[str, Any]:
    """Shares of py-spy's samples (of a prefork pool's, found by `pool_marker`) by function,
    anywhere on the stack (but those on nearly every stack) and innermost."""
    inclusive: Counter[str] = Counter()
    innermost: Counter[str] = Counter()
    total = pool = 0
    lines = collapsed.read_text(errors="replace").splitlines() if collapsed.exists() else []
    for stack, _, count in (line.rpartition(" ") for line in lines):
        frames = stack.split(";") if stack and count.isdigit() else []
        total += int(count) if frames else 0
        calls = []  # "function (path/to/file.py:123)" → "function (to/file.py)": lines add up
        for name, _, where in (f.partition(" (") for f in frames if not f.startswith("process ")):
            where = where.rstrip(")").rsplit(":", 1)[0]
            calls.append(f"{name} ({'/'.join(Path(where).parts[-2:])})" if where else name)
        if not calls or (pool_marker and not any(pool_marker in frame for frame in frames)):
            continue  # a process with no Python frame yet, or Celery's main process
        pool += int(count)
        inclusive.update(dict.fromkeys(set(calls), int(count)))
        innermost[calls[-1]] += int(count)
    shares = [(name, round(n / pool, 4)) for name, n in inclusive.most_common() if n < 0.99 * pool]
    inner = [(name, round(n / pool, 4)) for name, n in innermost.most_common(top)]
    return {"samples": total, "inclusive": shares[:top], "self": inner}


def ailp(
    args: list[str], env: dict[str, str], log_path: Path, timeout_s: float
) -> tuple[int | None, float, float]:
    """`ailp ARGS` (output to `log_path`), killed with its process group after `timeout_s`: its
    exit code (-9 when killed), wall clock and CPU (by RUSAGE_CHILDREN: gone from /proc by then)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    argv, options = [sys.executable, "-m", "ailp.cli", *args], {"start_new_session": True}
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, **options)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return process.returncode, time.monotonic() - started, cpu_s


def wait_jobs(
    database_url: str,
    ids: list[str],
    services: list[Service],
    deadline: float,
    poll_s: float,
    stall_s: float = float("inf"),
) -> tuple[int, int]:
    """Poll until the jobs are all finished, the (monotonic) deadline has passed or none has
    finished for `stall_s`; fail when one of `services` exits. Jobs finished first and last."""
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


class Meter:
    """Where the CPU went while in `with Meter(app pids, database, Redis)`, in percent of all
    cores: the app's process trees, wrk (or the model server), this database's backends, Redis,
    and the rest (others' work: on a shared machine a figure means little without it)."""

    def __init__(self, app: list[int], database_url: str, redis_url: str, *wrk: int) -> None:
        self.roots, self.database_url = {"app": list(app), "wrk": list(wrk)}, database_url
        with redis.Redis.from_url(redis_url) as client:
            self.redis_pid = int(client.info("server")["process_id"])

    def _sample(self, machine: tuple[float, float, float] | None = None) -> dict[str, Any]:
        groups = {name: _tree(roots) for name, roots in self.roots.items()}
        with cursor_for(self.database_url) as cursor:  # this database's backends, not this one
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            groups |= {"postgres": {row[0] for row in cursor.fetchall()} - groups["app"]}
        groups |= {"redis": {self.redis_pid}}
        pids = set().union(*groups.values())
        cpu = {pid: (procfs.start_time(pid), procfs.cpu_time(pid) or 0.0) for pid in pids}
        wall, busy, total = machine or (time.monotonic(), *procfs.machine_cpu_time())
        return dict(wall=wall, busy=busy, total=total, groups=groups, cpu=cpu)

    # The machine's clock is read after the processes at the entry and before them at the exit,
    # so that looking them up (a connection to PostgreSQL) stays outside the interval.
    def __enter__(self) -> Meter:
        self.start = self._sample()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.end = self._sample((time.monotonic(), *procfs.machine_cpu_time()))

    def cpu_s(self, group: str) -> float:
        start, end, spent = self.start["cpu"], self.end["cpu"], 0.0
        for pid in (self.start["groups"][group] | self.end["groups"][group]) & end.keys():
            before = start.get(pid)
            spent += end[pid][1] - (before[1] if before and before[0] == end[pid][0] else 0.0)
        return spent

    def shares(self, wrk_s: float = 0.0, app_extra_s: float = 0.0) -> dict[str, float]:
        """Per group, other and idle; `wrk_s` and `app_extra_s` (by RUSAGE_CHILDREN) add in."""
        capacity = self.end["total"] - self.start["total"]
        spent = {name: self.cpu_s(name) for name in GROUPS}
        spent["wrk"], spent["app"] = spent["wrk"] + wrk_s, spent["app"] + app_extra_s
        busy = self.end["busy"] - self.start["busy"]
        spent["other"], spent["idle"] = max(0.0, busy - sum(spent.values())), capacity - busy
        return {k: round(100 * v / capacity, 1) for k, v in spent.items()} if capacity > 0 else {}

    def ms_per(self, items: int, group: str = "app", extra_s: float = 0.0) -> float | None:
        return round((self.cpu_s(group) + extra_s) * 1000 / items, 3) if items else None


def _tree(roots: Iterable[int]) -> set[int]:
    found: set[int] = set()
    todo = [pid for pid in roots if pid]
    while todo:
        if (pid := todo.pop()) not in found and procfs.start_time(pid) is not None:
            found.add(pid)
            todo += procfs.child_pids(pid)
    return found


def rounded(value: float | None, digits: int = 2) -> float | None:
    return round(value, digits) if value is not None else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[int(max(1, min(len(ordered), -(-len(ordered) * q // 100)))) - 1]
