"""Content generation within the model limits (`limits`) and the daily budget (`budget`), each
phase on its own database: content workers, the sweeper, the loopback model server; every job
asks for a distinct concept (the cache never answers). jobs/s counts full 60 s windows, not
finished ÷ span: the workers send in bursts about a window apart."""

from __future__ import annotations

import bisect
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import redis

from ailp.config import Settings
from ailp.models.enums import JobKind
from ailp.queue import publish as publisher
from bench import kit
from tests.support.model_server import ModelServerProcess, peak_requests_in_window

WINDOW_S, MODEL = 60.0, "gpt-4o-mini"
PRICE = {"input": 0.01, "output": 0.01}  # USD per 1K tokens in the budget phase
CONTENT_ENV = """CONTENT_WORKER_CONCURRENCY=32 OPENAI_MAX_TOKENS=1800 OPENAI_MODEL=gpt-4o-mini
    OPENAI_TIMEOUT_SECONDS=30 OPENAI_BACKOFF_BASE_SECONDS=0.5 OPENAI_BACKOFF_MAX_SECONDS=20
    OPENAI_LIMIT_WINDOW_SECONDS=60 OPENAI_MAX_INLINE_WAIT_SECONDS=5 OPENAI_DAILY_BUDGET_USD=1000000"""
JOBS_SQL = """INSERT INTO jobs (id, user_id, learner_id, kind, params, max_attempts, published_at)
    SELECT gen_random_uuid(), l.user_id, l.id, 'content', jsonb_build_object(
        'concept', %(prefix)s || ' concept ' || lpad(g::text, 5, '0'),
        'content_type', (ARRAY['lesson', 'quiz', 'exercise'])[1 + g %% 3], 'fresh', false), 3, now()
    FROM generate_series(1, %(count)s) g JOIN learners l
      ON l.id = (%(learners)s::bigint[])[1 + g %% cardinality(%(learners)s::bigint[])]
    ORDER BY g RETURNING id::text"""  # lessons, quizzes and exercises in turn, over the learners
ROWS_SQL = """SELECT j.status, extract(epoch FROM j.started_at), extract(epoch FROM j.finished_at),
    c.source, c.notice, c.cost_usd FROM jobs j LEFT JOIN content c ON c.job_id = j.id"""


def run(ctx: kit.Run) -> dict[str, Any]:
    """Content generation within the model limits and the budget."""
    args, out = ctx.args, {}
    if kit.LIMITS in ctx.selection and args.content_jobs <= args.rpm * -(-args.content_phase // 60):
        kit.echo(f"    warning: {args.content_jobs} jobs may run out before the phase ends")
    with ModelServerProcess() as server:
        for replicas in map(int, args.replicas.split(",") if kit.LIMITS in ctx.selection else []):
            out[f"limits_{replicas}"] = _limits(ctx, server, replicas)
            kit.echo(f"    limits, {replicas} replica(s): {out[f'limits_{replicas}']}")
        if kit.BUDGET in ctx.selection:
            out["budget"] = _budget(ctx, server)
            kit.echo(f"    budget: {out['budget']}")
    return out


def _phase(
    ctx: kit.Run, server: ModelServerProcess, name: str, env: str, jobs: int, replicas: int
) -> dict[str, Any]:
    """Queue `jobs` jobs at once, wait until all are done or the phase's time is up."""
    server.control.reset()
    server.control.set_default(mode="ok", delay=ctx.args.model_delay)
    limit_s = 120.0 if name == "budget" else ctx.args.content_phase
    options = {"openai_base_url": server.base_url, "openai_api_key": "bench-key"}
    options |= {"content_workers": replicas, "content_concurrency": 32}
    with ctx.stack(name, f"{CONTENT_ENV} {env}", **options) as stack:
        names = ["content-worker", *(f"content-worker-{n}" for n in range(2, replicas + 1))]
        stack.start(*names, "sweeper")
        stack.wait_sweeper_ready()
        learners = [u.learner_id for u in kit.create_users(stack.database_url, ctx.jwt_secret, 16)]
        with kit.cursor_for(stack.database_url) as cursor:
            cursor.execute(JOBS_SQL, {"prefix": name, "count": jobs, "learners": learners})
            ids = [row[0] for row in cursor.fetchall()]
        doorbells = [publisher.Doorbell(uuid.UUID(i), JobKind.content.value) for i in ids]
        workers = [stack[worker] for worker in names]
        pids, profiled = [w.pid for w in workers], kit.LIMITS if name == "limits_1" else name
        meter = kit.Meter(pids, stack.database_url, ctx.redis_url, server.pid or 0)
        spy = ctx.profile(profiled, pids[0], "content worker")
        with spy, meter, redis.Redis.from_url(ctx.redis_url) as broker:
            started, deadline = time.time(), time.monotonic() + limit_s
            publisher.publish(broker, doorbells, ttl_seconds=Settings().job_message_ttl_seconds)
            _, done = kit.wait_jobs(stack.database_url, ids, workers, deadline, 0.5)
            ended = time.time()
        stack.stop()
        with kit.cursor_for(stack.database_url) as cursor:
            cursor.execute(ROWS_SQL)
            rows = cursor.fetchall()
        out = dict(started=started, ended=ended, done=done, rows=rows, meter=meter)
        return out | dict(requests=server.control.requests(since=started - 5))


def _limits(ctx: kit.Run, server: ModelServerProcess, replicas: int) -> dict[str, Any]:
    """`--content-jobs` jobs at `--rpm` for `--content-phase` s, judged on the request log."""
    rpm, env = ctx.args.rpm, f"OPENAI_RPM_LIMIT={ctx.args.rpm} OPENAI_TPM_LIMIT=10000000"
    phase = _phase(ctx, server, f"limits_{replicas}", env, ctx.args.content_jobs, replicas)
    started, ended, rows, requests = (phase[k] for k in ("started", "ended", "rows", "requests"))
    in_phase = [float(r["at"]) for r in requests if started <= float(r["at"]) <= ended]
    # The steady state: from one window after publishing (past the start-up burst) to the end.
    steady = (WINDOW_S, started + WINDOW_S, ended)
    quietest = quietest_full_window(in_phase, *steady)
    mean = mean_full_window(in_phase, *steady)
    completed = [row for row in rows if row[0] == "succeeded" and row[2] and float(row[2]) <= ended]
    per_window = mean_full_window([float(row[2]) for row in completed], *steady)
    sources, statuses = Counter(row[3] for row in rows if row[3]), Counter(row[0] for row in rows)
    run_ms = [(float(row[2]) - float(row[1])) * 1000 for row in completed if row[1]]
    phase_s, meter = ended - started, phase["meter"]
    out = dict(replicas=replicas, rpm_limit=rpm, phase_s=round(phase_s, 2))
    out |= dict(jobs_per_s=kit.rounded(per_window and per_window / WINDOW_S))
    out |= dict(jobs_per_s_whole_phase=round(len(completed) / max(phase_s, 1e-9), 2))
    out |= dict(statuses_at_stop=dict(statuses), fallbacks=sources.total() - sources["openai"])
    out |= dict(backlog_at_stop=statuses["queued"] + statuses["running"])
    # Safety: every request the server saw, in any 60 s window (also during shutdown).
    out |= dict(peak_any_60s=peak_requests_in_window(requests, WINDOW_S))
    out |= dict(first_60s=count_between(in_phase, started, started + WINDOW_S))
    out |= dict(utilisation=kit.rounded(quietest and quietest / rpm, 4))
    out |= dict(utilisation_mean=kit.rounded(mean and mean / rpm, 4))
    out |= {f"job_run_ms_p{q}": kit.rounded(kit.percentile(run_ms, q)) for q in (50, 99)}
    out |= dict(worker_cpu_ms_per_job=meter.ms_per(len(completed)))
    return out | dict(cpu_share_percent=meter.shares())


def _budget(ctx: kit.Run, server: ModelServerProcess) -> dict[str, Any]:
    """A low daily budget at known prices, 2 replicas, `--budget-jobs` jobs at once: the spend
    (usage tokens × prices, from the request log) may exceed it by one call's cost."""
    budget_usd, prices = ctx.args.budget_usd, json.dumps({MODEL: PRICE}, separators=(",", ":"))
    env = f"OPENAI_RPM_LIMIT=100000 OPENAI_TPM_LIMIT=100000000 OPENAI_PRICES={prices}"
    env += f" OPENAI_DAILY_BUDGET_USD={budget_usd}"
    phase = _phase(ctx, server, "budget", env, ctx.args.budget_jobs, 2)
    cost, rows = spend(phase["requests"], PRICE), phase["rows"]
    pieces, overshoot = [row for row in rows if row[3]], cost["total_usd"] - budget_usd
    out = dict(budget_usd=budget_usd, jobs=len(rows), finished=phase["done"])
    out |= dict(statuses=dict(Counter(row[0] for row in rows)))
    out |= dict(spend_log_usd=round(cost["total_usd"], 6), overshoot_usd=round(overshoot, 6))
    out |= dict(spend_rows_usd=round(sum(float(row[5] or 0) for row in pieces), 6))
    out |= dict(max_call_usd=round(cost["max_call_usd"], 6))
    out |= dict(unused_budget_usd=round(max(0.0, -overshoot), 6))
    out |= dict(model_pieces=sum(1 for row in pieces if row[3] == "openai"))
    out |= dict(budget_notices=sum(1 for row in pieces if "budget" in str(row[4] or "").lower()))
    return out | dict(cpu_share_percent=phase["meter"].shares())


_EPSILON = 1e-6  # past a request time: a window starting just after t no longer holds t


def _count(times: Sequence[float], start: float, window: float) -> int:
    return bisect.bisect_left(times, start + window) - bisect.bisect_left(times, start)


def quietest_full_window(
    times: Iterable[float], window: float, start: float, end: float
) -> int | None:
    """Fewest requests in any window inside [start, end] (None: shorter than a window). A count
    only drops when a request leaves, so the minimum is just after one leaves, or at an end."""
    ordered, last = sorted(times), end - window
    if last < start - _EPSILON:
        return None
    last = max(last, start)
    starts = {start, last} | {t + _EPSILON for t in ordered if start <= t + _EPSILON <= last}
    return min(_count(ordered, a, window) for a in starts)


def mean_full_window(
    times: Iterable[float], window: float, start: float, end: float
) -> float | None:
    """Requests per window inside [start, end], averaged over every such window (None: shorter
    than a window); unlike requests ÷ (end − start), never more than one window can hold."""
    ordered, last = sorted(times), end - window
    if last < start - _EPSILON:
        return None
    if last <= start:
        return float(_count(ordered, start, window))
    # A request at t lies in [a, a + w) for a in (t - w, t]: integrate that over [start, last].
    covered = sum(max(0.0, min(last, t) - max(start, t - window)) for t in ordered)
    return covered / (last - start)


def count_between(times: Iterable[float], start: float, end: float) -> int:
    """Requests in [start, end)."""
    return sum(1 for moment in times if start <= moment < end)


def spend(requests: Iterable[Mapping[str, Any]], price: Mapping[str, float]) -> dict[str, float]:
    """Total and largest call's cost (`price`: USD per 1K tokens); unanswered calls cost nothing."""
    costs = [
        int(r.get("prompt_tokens") or 0) * price["input"] / 1000
        + int(r.get("completion_tokens") or 0) * price["output"] / 1000
        for r in requests
        if r.get("status") == 200
    ]
    return dict(total_usd=sum(costs), max_call_usd=max(costs, default=0.0))
