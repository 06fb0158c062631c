"""Content generation within the model limits (`limits`) and the daily budget (`budget`), each
phase on its own database and the run's emptied Redis database: content workers at the product's
defaults, the sweeper (deferred jobs come back through it) and the loopback model server. Every
job asks for a distinct concept (the cache never answers); the whole backlog is created with one
INSERT … SELECT and published at once by the product's own publisher. jobs/s = jobs finished per
full 60 s window ÷ 60, not finished ÷ span: the workers send in bursts about a window apart, and
a span that is not a whole number of windows can hold one burst more than its length allows."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from typing import Any

import redis

from ailp.config import Settings
from ailp.models.enums import JobKind
from ailp.queue import publish as publisher
from bench import windows
from bench.kit import Meter, Run, count_lines, settings, wait_jobs
from bench.parts import BUDGET, LIMITS
from bench.seed import create_users, cursor_for
from tests.support.model_server import ModelServerProcess, peak_requests_in_window

WINDOW_S, MODEL = 60.0, "gpt-4o-mini"
PRICE = {"input": 0.01, "output": 0.01}  # USD per 1K tokens in the budget phase
CONTENT_ENV = """CONTENT_WORKER_CONCURRENCY=32 OPENAI_MAX_TOKENS=1800 OPENAI_MODEL=gpt-4o-mini
    OPENAI_TIMEOUT_SECONDS=30 OPENAI_BACKOFF_BASE_SECONDS=0.5 OPENAI_BACKOFF_MAX_SECONDS=20
    OPENAI_LIMIT_WINDOW_SECONDS=60 OPENAI_MAX_INLINE_WAIT_SECONDS=5 OPENAI_DAILY_BUDGET_USD=1000000"""


def run(ctx: Run) -> dict[str, Any]:
    """Content generation within the model limits and the budget."""
    args, out = ctx.args, {}
    if LIMITS in ctx.selection and args.content_jobs <= args.rpm * -(-args.content_phase // 60):
        ctx.log(f"warning: {args.content_jobs} jobs may run out before the phase ends")
    with ModelServerProcess() as server:
        for replicas in map(int, args.replicas.split(",") if LIMITS in ctx.selection else []):
            out[f"limits_{replicas}"] = _limits(ctx, server, replicas)
            ctx.log(f"limits, {replicas} replica(s): {out[f'limits_{replicas}']}")
        if BUDGET in ctx.selection:
            out["budget"] = _budget(ctx, server)
            ctx.log(f"budget: {out['budget']}")
    return out


def create_jobs(database_url: str, learners: list[int], count: int, prefix: str) -> list[str]:
    """`count` queued content jobs for distinct concepts (lessons, quizzes, exercises in turn),
    spread over `learners`, created in one statement; their ids in creation order."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            INSERT INTO jobs (id, user_id, learner_id, kind, params, max_attempts, published_at)
            SELECT gen_random_uuid(), l.user_id, l.id, 'content', jsonb_build_object(
                       'concept', %(prefix)s || ' concept ' || lpad(g::text, 5, '0'),
                       'content_type', (ARRAY['lesson', 'quiz', 'exercise'])[1 + g %% 3],
                       'fresh', false), 3, now()
            FROM generate_series(1, %(count)s) g JOIN learners l
              ON l.id = (%(learners)s::bigint[])[1 + g %% cardinality(%(learners)s::bigint[])]
            ORDER BY g RETURNING id::text
            """,
            {"prefix": prefix, "count": count, "learners": learners},
        )
        return [row[0] for row in cursor.fetchall()]


def _phase(
    ctx: Run,
    server: ModelServerProcess,
    name: str,
    replicas: int,
    env: dict[str, str],
    jobs: int,
    limit_s: float,
) -> dict[str, Any]:
    """Start `replicas` content workers and the sweeper, queue `jobs` jobs at once (published as
    the gateway would ring each job's doorbell) and wait until all are done or `limit_s` has
    passed; stop the workers, then read the request log, the jobs and the day's spend."""
    server.control.reset()
    server.control.set_default(mode="ok", delay=ctx.args.model_delay)
    options = {"openai_base_url": server.base_url, "openai_api_key": "bench-key"}
    options |= {"content_workers": replicas, "content_concurrency": 32}
    with ctx.stack(name, {**settings(CONTENT_ENV), **env}, **options) as stack:
        names = ["content-worker", *(f"content-worker-{n}" for n in range(2, replicas + 1))]
        stack.start(*names, "sweeper")
        stack.wait_sweeper_ready()
        users = create_users(stack.database_url, ctx.jwt_secret, 16)
        ids = create_jobs(stack.database_url, [user.learner_id for user in users], jobs, name)
        doorbells = [publisher.Doorbell(uuid.UUID(i), JobKind.content.value) for i in ids]
        workers = [stack[worker].pid for worker in names]
        meter = Meter(workers, stack.database_url, ctx.redis_url, wrk=[server.pid or 0])
        spy = ctx.profile(LIMITS if name == "limits_1" else name, workers[0], "content worker")
        with spy, meter, redis.Redis.from_url(ctx.redis_url) as broker:
            started, deadline = time.time(), time.monotonic() + limit_s
            publisher.publish(broker, doorbells, ttl_seconds=Settings().job_message_ttl_seconds)
            services, poll_s = [stack[worker] for worker in names], 0.2 if name == "budget" else 0.5
            _, done = wait_jobs(stack.database_url, ids, services, deadline, poll_s)
            ended = time.time()
        stack.stop()
        with cursor_for(stack.database_url) as cursor:
            cursor.execute(
                "SELECT j.status, extract(epoch FROM j.created_at), extract(epoch FROM "
                "j.started_at), extract(epoch FROM j.finished_at), c.source, c.notice, c.cost_usd "
                "FROM jobs j LEFT JOIN content c ON c.job_id = j.id"
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT coalesce(sum(spent_micro + reserved_micro), 0) FROM model_spend_days "
                "WHERE day = CAST(now() AT TIME ZONE 'UTC' AS date)"
            )
            spent_micro = int(cursor.fetchone()[0])
        out = dict(ids=ids, started=started, ended=ended, done=done, rows=rows, meter=meter)
        out |= dict(requests=server.control.requests(since=started - 5), spent_micro=spent_micro)
        return out | dict(
            deferrals=count_lines([stack[n].log_path for n in names], b"job_deferred")
        )


def _limits(ctx: Run, server: ModelServerProcess, replicas: int) -> dict[str, Any]:
    rpm, jobs, phase_s = ctx.args.rpm, ctx.args.content_jobs, ctx.args.content_phase
    env = {"OPENAI_RPM_LIMIT": str(rpm), "OPENAI_TPM_LIMIT": "10000000"}
    phase = _phase(ctx, server, f"limits_{replicas}", replicas, env, jobs, phase_s)
    started, ended, rows = phase["started"], phase["ended"], phase["rows"]
    requests = phase["requests"]
    times = [float(entry["at"]) for entry in requests]
    in_phase = [moment for moment in times if started <= moment <= ended]
    # The steady state: from one window after publishing (past the start-up burst) to the end.
    steady_from = started + WINDOW_S
    quietest = windows.quietest_full_window(in_phase, WINDOW_S, steady_from, ended)
    mean = windows.mean_full_window(in_phase, WINDOW_S, steady_from, ended)
    completed = [r for r in rows if r[0] == "succeeded" and r[3] and float(r[3]) <= ended]
    finishes = [float(row[3]) for row in completed]
    per_window = windows.mean_full_window(finishes, WINDOW_S, steady_from, ended)
    sources, statuses = Counter(r[4] for r in rows if r[4]), Counter(r[0] for r in rows)
    run_ms = [(float(row[3]) - float(row[2])) * 1000 for row in completed if row[2]]
    phase_s, meter = ended - started, phase["meter"]
    out = dict(
        replicas=replicas, rpm_limit=rpm, phase_s=round(phase_s, 2), completed=len(completed)
    )
    out |= dict(jobs_per_s=windows.rounded(per_window and per_window / WINDOW_S))
    out |= dict(jobs_per_s_whole_phase=round(len(completed) / max(phase_s, 1e-9), 2))
    out |= dict(
        statuses_at_stop=dict(statuses), backlog_at_stop=statuses["queued"] + statuses["running"]
    )
    out |= dict(sources=dict(sources), fallbacks=sum(sources.values()) - sources["openai"])
    out |= dict(deferrals_logged=phase["deferrals"], requests_total=len(times))
    # Safety: every request the server saw, in any 60 s window (also during shutdown).
    out |= dict(peak_any_60s=peak_requests_in_window(requests, WINDOW_S))
    out |= dict(first_60s=windows.count_between(in_phase, started, steady_from))
    out |= dict(sustained_min_60s=quietest, steady_mean_per_60s=windows.rounded(mean, 1))
    # "utilisation" is the quietest window's share; the verdict uses "utilisation_mean".
    out |= dict(utilisation=windows.rounded(quietest and quietest / rpm, 4))
    out |= dict(utilisation_mean=windows.rounded(mean and mean / rpm, 4))
    # The phase's shape: requests per 5 s, and when the first window's worth had been sent.
    out |= dict(requests_per_5s=windows.histogram(in_phase, started, ended, 5.0))
    out |= dict(
        first_window_filled_s=windows.rounded(windows.time_to_reach(in_phase, started, rpm))
    )
    out |= dict(job_run_ms_p50=windows.rounded(windows.percentile(run_ms, 50)))
    out |= dict(job_run_ms_p99=windows.rounded(windows.percentile(run_ms, 99)))
    return out | dict(
        cpu_share_percent=meter.shares(), worker_cpu_ms_per_job=meter.ms_per(len(completed))
    )


def _budget(ctx: Run, server: ModelServerProcess) -> dict[str, Any]:
    budget_usd, jobs = ctx.args.budget_usd, ctx.args.budget_jobs
    env = {"OPENAI_RPM_LIMIT": "100000", "OPENAI_TPM_LIMIT": "100000000"}
    env |= {"OPENAI_DAILY_BUDGET_USD": str(budget_usd), "OPENAI_PRICES": json.dumps({MODEL: PRICE})}
    phase = _phase(ctx, server, "budget", 2, env, jobs, 120.0)
    spend, rows = windows.spend(phase["requests"], PRICE), phase["rows"]
    pieces, overshoot = [row for row in rows if row[4]], spend["total_usd"] - budget_usd
    out = dict(budget_usd=budget_usd, price_usd_per_1k=PRICE, jobs=jobs, finished=phase["done"])
    out |= dict(
        statuses=dict(Counter(row[0] for row in rows)),
        wall_s=round(phase["ended"] - phase["started"], 2),
    )
    out |= dict(model_calls=spend["calls"], model_calls_paid=spend["paid_calls"])
    out |= dict(
        spend_log_usd=round(spend["total_usd"], 6), spend_redis_usd=phase["spent_micro"] / 1e6
    )
    out |= dict(spend_rows_usd=round(sum(float(row[6] or 0) for row in pieces), 6))
    out |= dict(max_call_usd=round(spend["max_call_usd"], 6), overshoot_usd=round(overshoot, 6))
    out |= dict(mean_call_usd=round(spend["mean_call_usd"], 6))
    out |= dict(unused_budget_usd=round(max(0.0, -overshoot), 6))
    out |= dict(model_pieces=sum(1 for row in pieces if row[4] == "openai"))
    out |= dict(budget_notices=sum(1 for row in pieces if "budget" in str(row[5] or "").lower()))
    return out | dict(cpu_share_percent=phase["meter"].shares())
