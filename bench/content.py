"""Content generation within the model limits (`limits`) and the daily budget (`budget`).

Everything runs against its own migrated database and the run's Redis database (emptied before
each phase, so every phase starts with an empty rate-limit window and no spend), with content
workers from `tests.support`'s `Stack` at the product's defaults (`CONTENT_WORKER_CONCURRENCY`
32, `OPENAI_MAX_TOKENS` 1800, production job timings, `OPENAI_MAX_INLINE_WAIT_SECONDS` 5) and the
loopback OpenAI-compatible server answering every call after `delay` seconds.

Jobs are created with bulk SQL (one INSERT … SELECT generate_series) and published exactly as the
gateway publishes them (the same Celery message, one LPUSH each, in one pipeline), so a phase
starts with the whole backlog in the queue at once rather than at the gateway's submission rate.
Every job asks for a distinct concept, so the cache never answers.

limits: `jobs` jobs, RPM limit 600 (TPM and budget set so high they never bind), 1 then 2
replicas. A phase stops `phase_s` after publishing (or when every job is done); what is left is
canceled in the database and dropped from Redis with everything else before the next phase.
Since the whole backlog is queued at once, the first 60 s always hold a start-up burst of up to
the limit; the phase therefore runs 150 s by default and is judged on what follows. From the
model server's request log:

* peak: the most requests in any 60 s window (all of them, also those sent while the workers
  shut down): must not exceed the limit;
* sustained utilisation: the requests per full 60 s window that starts 60 s or more after
  publishing (and ends by the phase's end), averaged over those windows, ÷ the limit: the rate
  the fleet keeps up once past the start-up burst. The quietest of those windows (how evenly
  the requests come) and the first 60 s are reported beside it;
* jobs/s: jobs finished per window, averaged over the same windows, ÷ 60. (Not jobs finished
  from 60 s to the end ÷ that span: the workers send in bursts about a window apart, and a span
  that is not a whole number of windows can hold one burst more than its length allows.)

The backlog (`jobs`, 2,000 by default) is more than the limit lets through in the phase (at most
`rpm` × ⌈`phase_s` / 60⌉ requests, about one per job), so demand never runs out; the jobs still
queued or running at the stop are reported (`backlog_at_stop`).

budget: a low `OPENAI_DAILY_BUDGET_USD` and known prices, 2 replicas, `budget_jobs` jobs at
once. Spend is computed from the request log (usage tokens × prices) and from the content rows
(`SUM(cost_usd)`); overshoot = spend − budget must stay within the largest single call's cost.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from pydantic import SecretStr

from ailp.config import Settings
from ailp.models.enums import JobKind
from ailp.queue import publish as publisher
from ailp.queue.publish import Doorbell
from bench import cpu, windows
from bench.load import cpu_ms_per_item
from bench.parts import BUDGET, LIMITS, Selection
from bench.profile import PySpy
from bench.seed import backend_pids, create_users, cursor_for
from bench.servers import bench_env, clear_redis, set_concurrency, start_worker
from tests.support.database import create_database, drop_database
from tests.support.model_server import ModelServerProcess, peak_requests_in_window
from tests.support.processes import Stack

MODEL = "gpt-4o-mini"
TERMINAL = ("succeeded", "failed", "canceled")
WINDOW_S = 60.0
BUDGET_WAIT_S = 120.0  # the budget phase's bound (its 60 jobs take seconds)


@dataclass(frozen=True)
class ContentSettings:
    rpm: int = 600
    model_delay_s: float = 0.3
    jobs: int = 2000
    phase_s: float = 150.0
    replicas: tuple[int, ...] = (1, 2)
    concurrency: int = 32
    budget_usd: float = 0.10
    budget_jobs: int = 60
    price: dict[str, float] = field(default_factory=lambda: {"input": 0.01, "output": 0.01})


def product_env(jwt_secret: str) -> dict[str, str]:
    """The product's defaults where the tests' Stack shortens them, plus the bench's settings."""
    return {
        **bench_env(jwt_secret),
        "CONTENT_WORKER_CONCURRENCY": "32",
        "OPENAI_MAX_TOKENS": "1800",
        "OPENAI_TIMEOUT_SECONDS": "30",
        "OPENAI_BACKOFF_BASE_SECONDS": "0.5",
        "OPENAI_BACKOFF_MAX_SECONDS": "20",
        "OPENAI_MODEL": MODEL,
        "OPENAI_LIMIT_WINDOW_SECONDS": "60",
        "OPENAI_MAX_INLINE_WAIT_SECONDS": "5",
    }


def run(
    selection: Selection,
    *,
    jwt_secret: str,
    redis_url: str,
    workdir: Path,
    cleanup: ExitStack,
    log: Any,
    settings: ContentSettings,
    profile: set[str],
) -> dict[str, Any]:
    database_url = create_database("ailp_bench_content")
    cleanup.callback(drop_database, database_url)
    owners = create_users(database_url, Settings(jwt_secret=SecretStr(jwt_secret)), 16)
    learners = [user.learner_id for user in owners]
    server = cleanup.enter_context(ModelServerProcess())
    bench = _Bench(database_url, redis_url, server, learners, jwt_secret, settings)
    out: dict[str, Any] = {"settings": {**settings.__dict__, "replicas": list(settings.replicas)}}
    if LIMITS in selection:
        most = settings.rpm * -(-settings.phase_s // WINDOW_S)
        if settings.jobs <= most:
            log(
                f"warning: {settings.jobs} jobs may run out before {settings.phase_s:g}s (the "
                f"limit lets up to {most:.0f} requests through): the utilisation may be too low"
            )
        for replicas in settings.replicas:
            key = f"limits_{replicas}"
            log(
                f"limits, {replicas} replica(s): {settings.jobs} jobs queued at once, RPM "
                f"{settings.rpm}, model {settings.model_delay_s:g}s, up to {settings.phase_s:g}s; "
                f"judged on the full 60s windows starting ≥{WINDOW_S:g}s in"
            )
            spy_to = workdir / f"{key}.pyspy.txt" if LIMITS in profile and replicas == 1 else None
            out[key] = _limits_phase(bench, workdir / key, replicas=replicas, profile_to=spy_to)
            if spy_to is not None:
                out[key]["profile_file"] = str(spy_to)
            r = out[key]
            log(
                f"  full 60s windows starting {WINDOW_S:g}s to {r['phase_s'] - WINDOW_S:.1f}s in: "
                f"mean {r['steady_mean_per_60s']} requests (utilisation "
                f"{_percent(r['utilisation_mean'])}), quietest {r['sustained_min_60s']} "
                f"({_percent(r['utilisation'])}), {r['jobs_per_s']} jobs/s; "
                f"first 60s {r['first_60s']}; "
                f"peak {r['peak_any_60s']} in any 60s (limit {settings.rpm}); whole phase "
                f"{r['completed']} jobs in {r['phase_s']:.1f}s; backlog at stop "
                f"{r['backlog_at_stop']}; deferrals {r['deferrals_logged']}; fallbacks "
                f"{r['fallbacks']}; CPU {cpu.brief(r['cpu_share_percent'])}"
            )
    if BUDGET in selection:
        log(
            f"budget: ${settings.budget_usd:g} a day, {settings.budget_jobs} jobs at once, "
            f"2 replicas, prices {settings.price} USD per 1K tokens"
        )
        out["budget"] = _budget_phase(bench, workdir / "budget")
        b = out["budget"]
        log(
            f"  spend ${b['spend_log_usd']:.4f} (rows ${b['spend_rows_usd']:.4f}, Redis "
            f"${b['spend_redis_usd']:.4f}) of ${b['budget_usd']:g}: overshoot "
            f"${b['overshoot_usd']:+.4f} (one call ≤ ${b['max_call_usd']:.4f}); "
            f"{b['model_pieces']} AI pieces, {b['budget_notices']} with the budget notice"
        )
    return out


@dataclass(frozen=True)
class _Bench:
    """What every phase runs against: the database, the Redis database, the model server."""

    database_url: str
    redis_url: str
    server: ModelServerProcess
    learners: list[int]
    jwt_secret: str
    settings: ContentSettings


def create_jobs(database_url: str, learners: list[int], *, count: int, prefix: str) -> list[str]:
    """`count` queued content jobs for distinct concepts (lessons, quizzes, exercises in turn),
    spread over `learners`, created in one statement; their ids in creation order."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            INSERT INTO jobs (id, user_id, learner_id, kind, params, max_attempts, published_at)
            SELECT gen_random_uuid(), l.user_id, l.id, 'content',
                   jsonb_build_object(
                       'concept', %(prefix)s || ' concept ' || lpad(g::text, 5, '0'),
                       'content_type', (ARRAY['lesson', 'quiz', 'exercise'])[1 + g %% 3],
                       'fresh', false),
                   3, now()
            FROM generate_series(1, %(count)s) g
            JOIN learners l ON l.id = (%(learners)s::bigint[])[1 + g %% cardinality(%(learners)s::bigint[])]
            ORDER BY g
            RETURNING id::text
            """,
            {"prefix": prefix, "count": count, "learners": learners},
        )
        return [row[0] for row in cursor.fetchall()]


def publish(redis_url: str, job_ids: list[str]) -> None:
    """The product's own publisher, as the gateway would ring each job's doorbell."""
    client = redis.Redis.from_url(redis_url)
    try:
        doorbells = [Doorbell(uuid.UUID(job_id), JobKind.content.value) for job_id in job_ids]
        publisher.publish(client, doorbells, ttl_seconds=Settings().job_message_ttl_seconds)
    finally:
        client.close()


def _done(database_url: str, ids: list[str]) -> tuple[int, int]:
    """(terminal jobs, connections open to the database)."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "SELECT count(*) FROM jobs WHERE id = ANY(%s::uuid[]) AND status IN %s",
            (ids, TERMINAL),
        )
        done = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        connections = cursor.fetchone()[0]
    return done, connections


def _job_rows(database_url: str, ids: list[str]) -> list[tuple[Any, ...]]:
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            SELECT j.status, extract(epoch FROM j.created_at), extract(epoch FROM j.started_at),
                   extract(epoch FROM j.finished_at), c.source, c.notice, c.cost_usd
            FROM jobs j LEFT JOIN content c ON c.job_id = j.id
            WHERE j.id = ANY(%s::uuid[])
            """,
            (ids,),
        )
        return cursor.fetchall()


def _cancel_leftovers(database_url: str, ids: list[str]) -> int:
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            UPDATE jobs SET status = 'canceled', finished_at = now(), claim_token = NULL,
                            lease_expires_at = NULL
            WHERE id = ANY(%s::uuid[]) AND status IN ('queued', 'running')
            """,
            (ids,),
        )
        return cursor.rowcount


def _count_in_logs(stack: Stack, names: list[str], needle: bytes) -> int:
    total = 0
    for name in names:
        try:
            with stack[name].log_path.open("rb") as handle:
                total += sum(1 for line in handle if needle in line)
        except OSError:
            pass
    return total


@dataclass
class _Outcome:
    """One phase's run: its jobs, its timing, the model server's log and the jobs' rows."""

    stack: Stack
    names: list[str]
    ids: list[str]
    started: float
    ended: float
    done: int
    peak_connections: int
    requests: list[dict[str, Any]]
    rows: list[tuple[Any, ...]]
    canceled: int
    shares: dict[str, float]
    collected: Any


def _run_phase(
    bench: _Bench,
    workdir: Path,
    *,
    replicas: int,
    env: dict[str, str],
    jobs: int,
    prefix: str,
    limit_s: float,
    poll_s: float,
    profile_to: Path | None = None,
    collect: Callable[[], Any] | None = None,
) -> _Outcome:
    """Start `replicas` content workers, queue `jobs` jobs at once and wait until they are all
    done or `limit_s` has passed (failing if a worker exits); then stop the workers, read the
    request log and the jobs, call `collect` (before Redis is emptied), cancel what is left and
    empty Redis, so the next phase starts from nothing."""
    database_url, redis_url, server = bench.database_url, bench.redis_url, bench.server
    clear_redis(redis_url)
    server.control.reset()
    server.control.set_default(mode="ok", delay=bench.settings.model_delay_s)
    stack = Stack(
        database_url=database_url,
        redis_url=redis_url,
        workdir=workdir,
        openai_base_url=server.base_url,
        openai_api_key="bench-key",
        extra_env={**product_env(bench.jwt_secret), **env},
        content_workers=replicas,
    )
    names = ["content-worker"] + [f"content-worker-{n}" for n in range(2, replicas + 1)]
    for name in names:
        set_concurrency(stack[name], bench.settings.concurrency)
    try:
        for name in names:
            start_worker(stack[name], metrics_env="CONTENT_METRICS_PORT")
        # Deferred jobs (waiting for the limits) are due again later; the sweeper publishes them.
        start_worker(
            stack["sweeper"], metrics_env="SWEEPER_METRICS_PORT", banner=b"sweeper_started"
        )
        ids = create_jobs(database_url, bench.learners, count=jobs, prefix=prefix)
        spy = PySpy(stack[names[0]].pid, profile_to) if profile_to else None
        model_pid = server.pid or 0
        before = cpu.sample()
        started = time.time()
        publish(redis_url, ids)
        deadline = started + limit_s
        done = peak_connections = 0
        while True:
            done, connections = _done(database_url, ids)
            peak_connections = max(peak_connections, connections)
            if done >= len(ids) or time.time() >= deadline:
                break
            for name in names:
                if not stack[name].alive:
                    raise RuntimeError(f"{name} exited:\n{stack[name].log_tail()}")
            time.sleep(poll_s)
        ended = time.time()
        after = cpu.sample()
        if spy is not None:
            spy.stop()
        pg_backends = backend_pids(database_url)
        worker_pids = [stack[name].pid for name in names]
    finally:
        stack.stop()
    requests = server.control.requests(since=started - 5)
    collected = collect() if collect is not None else None
    rows = _job_rows(database_url, ids)
    canceled = _cancel_leftovers(database_url, ids)
    clear_redis(redis_url)
    shares = cpu.usage(
        before,
        after,
        worker_pids,
        cpu.tree_seconds(before, after, [model_pid]) if model_pid else 0.0,
        postgres_backends=pg_backends,
    )
    return _Outcome(
        stack=stack,
        names=names,
        ids=ids,
        started=started,
        ended=ended,
        done=done,
        peak_connections=peak_connections,
        requests=requests,
        rows=rows,
        canceled=canceled,
        shares=shares,
        collected=collected,
    )


def _limits_phase(
    bench: _Bench, workdir: Path, *, replicas: int, profile_to: Path | None
) -> dict[str, Any]:
    settings = bench.settings
    run = _run_phase(
        bench,
        workdir,
        replicas=replicas,
        env={
            "OPENAI_RPM_LIMIT": str(settings.rpm),
            "OPENAI_TPM_LIMIT": "10000000",
            "OPENAI_DAILY_BUDGET_USD": "1000000",
        },
        jobs=settings.jobs,
        prefix=f"limits {replicas}r",
        limit_s=settings.phase_s,
        poll_s=0.5,
        profile_to=profile_to,
    )
    started, ended, requests, rows = run.started, run.ended, run.requests, run.rows
    times = [float(entry["at"]) for entry in requests]
    in_phase = [moment for moment in times if started <= moment <= ended]
    # The steady state: from one window after publishing (past the start-up burst) to the end.
    steady_from = started + WINDOW_S
    sustained = windows.quietest_full_window(in_phase, WINDOW_S, steady_from, ended)
    mean = windows.mean_full_window(in_phase, WINDOW_S, steady_from, ended)
    completed = [row for row in rows if row[0] == "succeeded" and row[3] and float(row[3]) <= ended]
    finished_per_window = windows.mean_full_window(
        [float(row[3]) for row in completed], WINDOW_S, steady_from, ended
    )
    sources = Counter(row[4] for row in rows if row[4])
    statuses = Counter(row[0] for row in rows)
    run_ms = [(float(row[3]) - float(row[2])) * 1000 for row in completed if row[2]]
    latency_s = [float(row[3]) - float(row[1]) for row in completed]
    call_ms = [
        (float(entry["finished_at"]) - float(entry["at"])) * 1000
        for entry in requests
        if entry.get("finished_at")
    ]
    phase_s = ended - started
    shares = run.shares
    return {
        "replicas": replicas,
        "concurrency_per_replica": settings.concurrency,
        "rpm_limit": settings.rpm,
        "model_delay_s": settings.model_delay_s,
        "jobs": len(run.ids),
        "phase_s": round(phase_s, 2),
        # Judged: the full 60 s windows starting from 60 s in (past the start-up burst).
        "steady_from_s": WINDOW_S,
        "completed": len(completed),
        "jobs_per_s": round(finished_per_window / WINDOW_S, 2)
        if finished_per_window is not None
        else None,
        "jobs_per_s_whole_phase": round(len(completed) / phase_s, 2) if phase_s > 0 else 0.0,
        "statuses_at_stop": dict(sorted(statuses.items())),
        "backlog_at_stop": statuses.get("queued", 0) + statuses.get("running", 0),
        "canceled_leftovers": run.canceled,
        "sources": dict(sorted(sources.items())),
        "fallbacks": sum(n for source, n in sources.items() if source != "openai"),
        "deferrals_logged": _count_in_logs(run.stack, run.names, b"job_deferred"),
        "requests_total": len(times),
        "requests_in_phase": len(in_phase),
        "requests_per_job": round(len(times) / len(completed), 3) if completed else None,
        "non_200": sum(1 for entry in requests if entry.get("status") not in (200, None)),
        # Safety: every request the server saw, in any 60 s window (also during shutdown).
        "peak_any_60s": peak_requests_in_window(requests, WINDOW_S),
        "first_60s": windows.count_between(in_phase, started, steady_from),
        "sustained_min_60s": sustained,
        "steady_mean_per_60s": _round(mean, 1),
        # "utilisation" is the quietest window's share; the verdict uses "utilisation_mean".
        "utilisation": round(sustained / settings.rpm, 4) if sustained is not None else None,
        "utilisation_mean": round(mean / settings.rpm, 4) if mean is not None else None,
        # The phase's shape: requests per 5 s, and when the first window's worth had been sent.
        "requests_per_5s": windows.histogram(in_phase, started, ended, 5.0),
        "first_window_filled_s": _round(windows.time_to_reach(in_phase, started, settings.rpm)),
        "model_call_ms_p50": _round(windows.percentile(call_ms, 50)),
        "job_run_ms_p50": _round(windows.percentile(run_ms, 50)),
        "job_run_ms_p99": _round(windows.percentile(run_ms, 99)),
        "job_latency_s_p50": _round(windows.percentile(latency_s, 50)),
        "job_latency_s_max": _round(max(latency_s, default=None)),
        "db_connections_peak": run.peak_connections,
        "cpu_share_percent": shares,
        "worker_cpu_ms_per_job": cpu_ms_per_item(shares.get("app"), phase_s, len(completed)),
    }


def _budget_phase(bench: _Bench, workdir: Path) -> dict[str, Any]:
    settings = bench.settings

    def spent_micro() -> int:
        with cursor_for(bench.database_url) as cursor:
            cursor.execute(
                "SELECT coalesce(sum(spent_micro + reserved_micro), 0) FROM model_spend_days "
                "WHERE day = CAST(now() AT TIME ZONE 'UTC' AS date)"
            )
            return int(cursor.fetchone()[0])

    run = _run_phase(
        bench,
        workdir,
        replicas=2,
        env={
            "OPENAI_RPM_LIMIT": "100000",
            "OPENAI_TPM_LIMIT": "100000000",
            "OPENAI_DAILY_BUDGET_USD": str(settings.budget_usd),
            "OPENAI_PRICES": json.dumps({MODEL: settings.price}),
        },
        jobs=settings.budget_jobs,
        prefix="budget",
        limit_s=BUDGET_WAIT_S,
        poll_s=0.2,
        collect=spent_micro,
    )
    rows = run.rows
    from_log = windows.spend(run.requests, settings.price)
    content_rows = [row for row in rows if row[4]]
    spend_rows = sum(float(row[6] or 0) for row in content_rows)
    overshoot = from_log["total_usd"] - settings.budget_usd
    return {
        "budget_usd": settings.budget_usd,
        "price_usd_per_1k": settings.price,
        "replicas": 2,
        "jobs": len(run.ids),
        "finished": run.done,
        "timed_out": run.done < len(run.ids),
        "wall_s": round(run.ended - run.started, 2),
        "statuses": dict(sorted(Counter(row[0] for row in rows).items())),
        "sources": dict(sorted(Counter(row[4] for row in content_rows).items())),
        "model_calls": from_log["calls"],
        "model_calls_paid": from_log["paid_calls"],
        "spend_log_usd": round(from_log["total_usd"], 6),
        "spend_rows_usd": round(spend_rows, 6),
        "spend_redis_usd": run.collected / 1_000_000,
        "max_call_usd": round(from_log["max_call_usd"], 6),
        "mean_call_usd": round(from_log["mean_call_usd"], 6),
        "overshoot_usd": round(overshoot, 6),
        "unused_budget_usd": round(max(0.0, -overshoot), 6),
        "model_pieces": sum(1 for row in content_rows if row[4] == "openai"),
        "budget_notices": sum(
            1 for row in content_rows if row[5] and "budget" in str(row[5]).lower()
        ),
        "cpu_share_percent": run.shares,
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return round(value, digits) if value is not None else None


def _percent(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "n/a"
