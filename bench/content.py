"""Content generation within the model limits (`limits`) and the daily budget (`budget`).

Each phase runs on its own database and the run's emptied Redis database, with content workers
at the product's defaults (32 threads, OPENAI_MAX_TOKENS 1800, production job timings, a 5 s
inline wait), the sweeper (deferred jobs come back through it) and the loopback model server
answering after `--model-delay` s. Jobs are created with one INSERT … SELECT and published by
the product's own publisher, so a phase starts with the whole backlog queued at once; every job
asks for a distinct concept, so the cache never answers.

limits: `--content-jobs` jobs at `--rpm` (TPM and budget never bind), per replica count, for
`--content-phase` s. From the model server's request log: the peak in any 60 s window (every
request, shutdown included: must not exceed the limit), and the sustained utilisation: requests
per full 60 s window starting 60 s or more in (past the start-up burst), averaged over those
windows, ÷ the limit. jobs/s = jobs finished per such window ÷ 60 (not finished ÷ span: the
workers send in bursts about a window apart, and a span that is not a whole number of windows
can hold one burst more than its length allows).

budget: `--budget-usd` a day at known prices, 2 replicas, `--budget-jobs` jobs at once; the
spend (usage tokens × prices, from the request log) may exceed the budget by one call's cost.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import redis

from ailp.config import Settings
from ailp.models.enums import JobKind
from ailp.queue import publish as publisher
from bench import cpu, windows
from bench.kit import Run, count_lines
from bench.parts import BUDGET, LIMITS
from bench.seed import create_users, cursor_for
from tests.support.api import TERMINAL
from tests.support.model_server import ModelServerProcess, peak_requests_in_window

MODEL = "gpt-4o-mini"
WINDOW_S = 60.0
CONCURRENCY = 32
PRICE = {"input": 0.01, "output": 0.01}  # USD per 1K tokens in the budget phase
# The product's defaults where the tests' Stack shortens them.
CONTENT_ENV = {
    "CONTENT_WORKER_CONCURRENCY": str(CONCURRENCY),
    "OPENAI_MAX_TOKENS": "1800",
    "OPENAI_TIMEOUT_SECONDS": "30",
    "OPENAI_BACKOFF_BASE_SECONDS": "0.5",
    "OPENAI_BACKOFF_MAX_SECONDS": "20",
    "OPENAI_MODEL": MODEL,
    "OPENAI_LIMIT_WINDOW_SECONDS": "60",
    "OPENAI_MAX_INLINE_WAIT_SECONDS": "5",
}


def run(ctx: Run) -> dict[str, Any]:
    args = ctx.args
    replica_counts = [int(n) for n in args.replicas.split(",") if n.strip()]
    settings = {"rpm": args.rpm, "model_delay_s": args.model_delay, "jobs": args.content_jobs}
    settings |= {"phase_s": args.content_phase, "replicas": replica_counts}
    settings |= {"concurrency": CONCURRENCY, "budget_usd": args.budget_usd}
    out: dict[str, Any] = {"settings": {**settings, "budget_jobs": args.budget_jobs}}
    with ModelServerProcess() as server:
        if LIMITS in ctx.selection:
            most = args.rpm * -(-args.content_phase // WINDOW_S)
            if args.content_jobs <= most:
                ctx.log(
                    f"warning: {args.content_jobs} jobs may run out before the phase ends (the "
                    f"limit lets up to {most:.0f} requests through): the utilisation may be low"
                )
            for replicas in replica_counts:
                ctx.log(
                    f"limits, {replicas} replica(s): {args.content_jobs} jobs queued at once, RPM "
                    f"{args.rpm}, model {args.model_delay:g}s, up to {args.content_phase:g}s"
                )
                phase = out[f"limits_{replicas}"] = _limits(ctx, server, replicas)
                ctx.log(
                    f"  sustained {_percent(phase['utilisation_mean'])} (quietest window "
                    f"{_percent(phase['utilisation'])}), {phase['jobs_per_s']} jobs/s, peak "
                    f"{phase['peak_any_60s']} in 60 s, statuses {phase['statuses_at_stop']}"
                )
        if BUDGET in ctx.selection:
            ctx.log(f"budget: ${args.budget_usd:g} a day, {args.budget_jobs} jobs at once")
            budget = out["budget"] = _budget(ctx, server)
            ctx.log(
                f"  spend ${budget['spend_log_usd']:.4f} (rows ${budget['spend_rows_usd']:.4f}): "
                f"overshoot ${budget['overshoot_usd']:+.4f} (one call ≤ "
                f"${budget['max_call_usd']:.4f}); {budget['model_pieces']} AI pieces"
            )
    return out


def create_jobs(database_url: str, learners: list[int], count: int, prefix: str) -> list[str]:
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
            JOIN learners l
              ON l.id = (%(learners)s::bigint[])[1 + g %% cardinality(%(learners)s::bigint[])]
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
        doorbells = [publisher.Doorbell(uuid.UUID(i), JobKind.content.value) for i in job_ids]
        publisher.publish(client, doorbells, ttl_seconds=Settings().job_message_ttl_seconds)
    finally:
        client.close()


@dataclass
class _Outcome:
    """One phase: its jobs and timing, the model server's log, the jobs' rows, the CPU."""

    ids: list[str]
    started: float
    ended: float
    done: int
    peak_connections: int
    requests: list[dict[str, Any]]
    rows: list[tuple[Any, ...]]  # status, created, started, finished, source, notice, cost
    meter: cpu.Meter
    deferrals: int
    spent_micro: int


def _phase(
    ctx: Run,
    server: ModelServerProcess,
    name: str,
    *,
    replicas: int,
    env: dict[str, str],
    jobs: int,
    limit_s: float,
    poll_s: float,
) -> _Outcome:
    """Start `replicas` content workers and the sweeper, queue `jobs` jobs at once and wait
    until they are all done or `limit_s` has passed; stop the workers, then read the request
    log and the jobs (the phase's database and Redis go with its stack)."""
    server.control.reset()
    server.control.set_default(mode="ok", delay=ctx.args.model_delay)
    with ctx.stack(
        name,
        openai_base_url=server.base_url,
        openai_api_key="bench-key",
        extra_env={**CONTENT_ENV, **env},
        content_workers=replicas,
        content_concurrency=CONCURRENCY,
    ) as stack:
        database_url = stack.database_url
        names = ["content-worker", *(f"content-worker-{n}" for n in range(2, replicas + 1))]
        stack.start(*names, "sweeper")
        stack.wait_sweeper_ready()
        learners = [user.learner_id for user in create_users(database_url, ctx.jwt_secret, 16)]
        ids = create_jobs(database_url, learners, jobs, prefix=name)
        workers = [stack[worker].pid for worker in names]
        key = LIMITS if name == "limits_1" else name
        with (
            ctx.profile(key, workers[0], "content worker (1 replica)"),
            cpu.Meter(workers, database_url, ctx.redis_url, wrk=[server.pid or 0]) as meter,
            cursor_for(database_url) as cursor,
        ):
            started = time.time()
            publish(ctx.redis_url, ids)
            done = peak_connections = 0
            while True:
                cursor.execute(
                    "SELECT (SELECT count(*) FROM jobs WHERE id = ANY(%s::uuid[]) AND status = "
                    "ANY(%s)), (SELECT count(*) FROM pg_stat_activity WHERE datname = "
                    "current_database() AND pid <> pg_backend_pid())",
                    (ids, list(TERMINAL)),
                )
                done, connections = cursor.fetchone()
                peak_connections = max(peak_connections, connections)
                if done >= len(ids) or time.time() >= started + limit_s:
                    break
                for worker in names:
                    if not stack[worker].alive:
                        raise RuntimeError(f"{worker} exited:\n{stack[worker].log_tail()}")
                time.sleep(poll_s)
            ended = time.time()
        stack.stop()
        with cursor_for(database_url) as cursor:
            cursor.execute(
                """
                SELECT j.status, extract(epoch FROM j.created_at),
                       extract(epoch FROM j.started_at), extract(epoch FROM j.finished_at),
                       c.source, c.notice, c.cost_usd
                FROM jobs j LEFT JOIN content c ON c.job_id = j.id WHERE j.id = ANY(%s::uuid[])
                """,
                (ids,),
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT coalesce(sum(spent_micro + reserved_micro), 0) FROM model_spend_days "
                "WHERE day = CAST(now() AT TIME ZONE 'UTC' AS date)"
            )
            spent_micro = int(cursor.fetchone()[0])
        return _Outcome(
            ids=ids,
            started=started,
            ended=ended,
            done=done,
            peak_connections=peak_connections,
            requests=server.control.requests(since=started - 5),
            rows=rows,
            meter=meter,
            deferrals=sum(count_lines(stack[n].log_path, b"job_deferred") for n in names),
            spent_micro=spent_micro,
        )


def _limits(ctx: Run, server: ModelServerProcess, replicas: int) -> dict[str, Any]:
    args = ctx.args
    env = {"OPENAI_RPM_LIMIT": str(args.rpm), "OPENAI_TPM_LIMIT": "10000000"}
    phase = _phase(
        ctx,
        server,
        f"limits_{replicas}",
        replicas=replicas,
        env={**env, "OPENAI_DAILY_BUDGET_USD": "1000000"},
        jobs=args.content_jobs,
        limit_s=args.content_phase,
        poll_s=0.5,
    )
    started, ended, requests, rows = phase.started, phase.ended, phase.requests, phase.rows
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
    return {
        "replicas": replicas,
        "concurrency_per_replica": CONCURRENCY,
        "rpm_limit": args.rpm,
        "model_delay_s": args.model_delay,
        "jobs": len(phase.ids),
        "phase_s": round(phase_s, 2),
        "steady_from_s": WINDOW_S,
        "completed": len(completed),
        "jobs_per_s": windows.rounded(
            finished_per_window / WINDOW_S if finished_per_window is not None else None
        ),
        "jobs_per_s_whole_phase": round(len(completed) / phase_s, 2) if phase_s > 0 else 0.0,
        "statuses_at_stop": dict(sorted(statuses.items())),
        "backlog_at_stop": statuses.get("queued", 0) + statuses.get("running", 0),
        "sources": dict(sorted(sources.items())),
        "fallbacks": sum(n for source, n in sources.items() if source != "openai"),
        "deferrals_logged": phase.deferrals,
        "requests_total": len(times),
        "requests_in_phase": len(in_phase),
        "requests_per_job": round(len(times) / len(completed), 3) if completed else None,
        "non_200": sum(1 for entry in requests if entry.get("status") not in (200, None)),
        # Safety: every request the server saw, in any 60 s window (also during shutdown).
        "peak_any_60s": peak_requests_in_window(requests, WINDOW_S),
        "first_60s": windows.count_between(in_phase, started, steady_from),
        "sustained_min_60s": sustained,
        "steady_mean_per_60s": windows.rounded(mean, 1),
        # "utilisation" is the quietest window's share; the verdict uses "utilisation_mean".
        "utilisation": round(sustained / args.rpm, 4) if sustained is not None else None,
        "utilisation_mean": round(mean / args.rpm, 4) if mean is not None else None,
        # The phase's shape: requests per 5 s, and when the first window's worth had been sent.
        "requests_per_5s": windows.histogram(in_phase, started, ended, 5.0),
        "first_window_filled_s": windows.rounded(
            windows.time_to_reach(in_phase, started, args.rpm)
        ),
        "model_call_ms_p50": windows.rounded(windows.percentile(call_ms, 50)),
        "job_run_ms_p50": windows.rounded(windows.percentile(run_ms, 50)),
        "job_run_ms_p99": windows.rounded(windows.percentile(run_ms, 99)),
        "job_latency_s_p50": windows.rounded(windows.percentile(latency_s, 50)),
        "job_latency_s_max": windows.rounded(max(latency_s, default=None)),
        "db_connections_peak": phase.peak_connections,
        "cpu_share_percent": phase.meter.shares(),
        "worker_cpu_ms_per_job": phase.meter.ms_per(len(completed)),
    }


def _budget(ctx: Run, server: ModelServerProcess) -> dict[str, Any]:
    budget_usd = ctx.args.budget_usd
    env = {"OPENAI_RPM_LIMIT": "100000", "OPENAI_TPM_LIMIT": "100000000"}
    env |= {"OPENAI_DAILY_BUDGET_USD": str(budget_usd), "OPENAI_PRICES": json.dumps({MODEL: PRICE})}
    phase = _phase(
        ctx,
        server,
        "budget",
        replicas=2,
        env=env,
        jobs=ctx.args.budget_jobs,
        limit_s=120,
        poll_s=0.2,
    )
    from_log = windows.spend(phase.requests, PRICE)
    content_rows = [row for row in phase.rows if row[4]]
    overshoot = from_log["total_usd"] - budget_usd
    return {
        "budget_usd": budget_usd,
        "price_usd_per_1k": PRICE,
        "replicas": 2,
        "jobs": len(phase.ids),
        "finished": phase.done,
        "timed_out": phase.done < len(phase.ids),
        "wall_s": round(phase.ended - phase.started, 2),
        "statuses": dict(sorted(Counter(row[0] for row in phase.rows).items())),
        "sources": dict(sorted(Counter(row[4] for row in content_rows).items())),
        "model_calls": from_log["calls"],
        "model_calls_paid": from_log["paid_calls"],
        "spend_log_usd": round(from_log["total_usd"], 6),
        "spend_rows_usd": round(sum(float(row[6] or 0) for row in content_rows), 6),
        "spend_redis_usd": phase.spent_micro / 1_000_000,
        "max_call_usd": round(from_log["max_call_usd"], 6),
        "mean_call_usd": round(from_log["mean_call_usd"], 6),
        "overshoot_usd": round(overshoot, 6),
        "unused_budget_usd": round(max(0.0, -overshoot), 6),
        "model_pieces": sum(1 for row in content_rows if row[4] == "openai"),
        "budget_notices": sum(
            1 for row in content_rows if row[5] and "budget" in str(row[5]).lower()
        ),
        "cpu_share_percent": phase.meter.shares(),
    }


def _percent(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "n/a"
