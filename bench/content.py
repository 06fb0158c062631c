"""Content generation within the model limits (`limits`) and the daily budget (`budget`).

Each phase runs on its own database and the run's emptied Redis database: content workers at
the product's defaults (32 threads, OPENAI_MAX_TOKENS 1800, production job timings, a 5 s inline
wait), the sweeper (deferred jobs come back through it), and the loopback model server answering
after `--model-delay` s. The jobs, each for a distinct concept (the cache never answers), are
created with one INSERT … SELECT and published by the product's own publisher: the whole backlog
is queued at once. limits: `--content-jobs` jobs at `--rpm` per replica count for
`--content-phase` s, judged on the model server's request log (see report.LEGEND); jobs/s = jobs
finished per full window ÷ 60, not finished ÷ span (the workers send in bursts about a window
apart: a span that is not a whole number of windows can hold one burst more than its length
allows). budget: `--budget-usd` a day at known prices, 2 replicas, `--budget-jobs` jobs at once:
the spend (usage tokens × prices, from the request log) may exceed it by one call's cost.
"""

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
from bench.kit import Meter, Run, count_lines, settings
from bench.parts import BUDGET, LIMITS
from bench.seed import create_users, cursor_for
from tests.support.api import TERMINAL
from tests.support.model_server import ModelServerProcess, peak_requests_in_window

WINDOW_S = 60.0
PRICE = {"input": 0.01, "output": 0.01}  # USD per 1K tokens in the budget phase
CONTENT_ENV = """CONTENT_WORKER_CONCURRENCY=32 OPENAI_MAX_TOKENS=1800 OPENAI_MODEL=gpt-4o-mini
    OPENAI_TIMEOUT_SECONDS=30 OPENAI_BACKOFF_BASE_SECONDS=0.5 OPENAI_BACKOFF_MAX_SECONDS=20
    OPENAI_LIMIT_WINDOW_SECONDS=60 OPENAI_MAX_INLINE_WAIT_SECONDS=5"""


def run(ctx: Run) -> dict[str, Any]:
    """Content generation within the model limits and the budget."""
    args = ctx.args
    out: dict[str, Any] = {}
    with ModelServerProcess() as server:
        if LIMITS in ctx.selection and args.content_jobs <= args.rpm * -(-args.content_phase // 60):
            ctx.log(f"warning: {args.content_jobs} jobs may run out before the phase ends")
        for replicas in (
            [int(n) for n in args.replicas.split(",")] if LIMITS in ctx.selection else []
        ):
            ctx.log(f"limits: {replicas} replica(s), {args.content_jobs} jobs, RPM {args.rpm}")
            phase = out[f"limits_{replicas}"] = _limits(ctx, server, replicas)
            ctx.log(
                f"  sustained {phase['utilisation_mean']}, quietest {phase['utilisation']}, "
                f"{phase['jobs_per_s']} jobs/s, peak {phase['peak_any_60s']}/60 s"
            )
        if BUDGET in ctx.selection:
            ctx.log(f"budget: ${args.budget_usd:g} a day, {args.budget_jobs} jobs at once")
            budget = out["budget"] = _budget(ctx, server)
            ctx.log(f"  spend ${budget['spend_log_usd']:.4f}, {budget['model_pieces']} AI pieces")
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
    with (
        ctx.stack(name, {**settings(CONTENT_ENV), **env}, **options) as stack,
        cursor_for(stack.database_url) as cursor,
    ):
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
            started, done = time.time(), 0
            publisher.publish(broker, doorbells, ttl_seconds=Settings().job_message_ttl_seconds)
            while time.time() < started + limit_s:
                cursor.execute(
                    "SELECT count(*) FROM jobs WHERE status = ANY(%s)", (list(TERMINAL),)
                )
                if (done := cursor.fetchone()[0]) >= len(ids):
                    break
                for worker in names:
                    if not stack[worker].alive:
                        raise RuntimeError(f"{worker} exited:\n{stack[worker].log_tail()}")
                time.sleep(0.5 if name != "budget" else 0.2)
            ended = time.time()
        stack.stop()
        cursor.execute(
            "SELECT j.status, extract(epoch FROM j.created_at), extract(epoch FROM j.started_at), "
            "extract(epoch FROM j.finished_at), c.source, c.notice, c.cost_usd "
            "FROM jobs j LEFT JOIN content c ON c.job_id = j.id"
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT coalesce(sum(spent_micro + reserved_micro), 0) FROM model_spend_days "
            "WHERE day = CAST(now() AT TIME ZONE 'UTC' AS date)"
        )
        return {
            **{"ids": ids, "started": started, "ended": ended, "done": done, "rows": rows},
            "requests": server.control.requests(since=started - 5),
            "spent_micro": int(cursor.fetchone()[0]),
            "deferrals": count_lines([stack[n].log_path for n in names], b"job_deferred"),
            "meter": meter,
        }


def _limits(ctx: Run, server: ModelServerProcess, replicas: int) -> dict[str, Any]:
    rpm = ctx.args.rpm
    env = {"OPENAI_RPM_LIMIT": str(rpm), "OPENAI_TPM_LIMIT": "10000000"}
    env["OPENAI_DAILY_BUDGET_USD"] = "1000000"
    phase = _phase(
        ctx,
        server,
        f"limits_{replicas}",
        replicas,
        env,
        ctx.args.content_jobs,
        ctx.args.content_phase,
    )
    started, ended, rows = phase["started"], phase["ended"], phase["rows"]
    times = [float(entry["at"]) for entry in phase["requests"]]
    in_phase = [moment for moment in times if started <= moment <= ended]
    # The steady state: from one window after publishing (past the start-up burst) to the end.
    steady_from = started + WINDOW_S
    quietest = windows.quietest_full_window(in_phase, WINDOW_S, steady_from, ended)
    mean = windows.mean_full_window(in_phase, WINDOW_S, steady_from, ended)
    completed = [r for r in rows if r[0] == "succeeded" and r[3] and float(r[3]) <= ended]
    finishes = [float(row[3]) for row in completed]
    finished_per_window = windows.mean_full_window(finishes, WINDOW_S, steady_from, ended)
    sources, statuses = Counter(r[4] for r in rows if r[4]), Counter(r[0] for r in rows)
    run_ms = [(float(row[3]) - float(row[2])) * 1000 for row in completed if row[2]]
    phase_s, meter = ended - started, phase["meter"]
    return {
        **{
            "replicas": replicas,
            "rpm_limit": rpm,
            "phase_s": round(phase_s, 2),
            "jobs": len(phase["ids"]),
        },
        "completed": len(completed),
        "jobs_per_s": windows.rounded(finished_per_window and finished_per_window / WINDOW_S),
        "jobs_per_s_whole_phase": round(len(completed) / phase_s, 2) if phase_s > 0 else 0.0,
        "statuses_at_stop": dict(sorted(statuses.items())),
        "backlog_at_stop": statuses["queued"] + statuses["running"],
        "sources": dict(sorted(sources.items())),
        "fallbacks": sum(n for source, n in sources.items() if source != "openai"),
        "deferrals_logged": phase["deferrals"],
        "requests_total": len(times),
        # Safety: every request the server saw, in any 60 s window (also during shutdown).
        "peak_any_60s": peak_requests_in_window(phase["requests"], WINDOW_S),
        "first_60s": windows.count_between(in_phase, started, steady_from),
        "sustained_min_60s": quietest,
        "steady_mean_per_60s": windows.rounded(mean, 1),
        # "utilisation" is the quietest window's share; the verdict uses "utilisation_mean".
        "utilisation": round(quietest / rpm, 4) if quietest is not None else None,
        "utilisation_mean": round(mean / rpm, 4) if mean is not None else None,
        # The phase's shape: requests per 5 s, and when the first window's worth had been sent.
        "requests_per_5s": windows.histogram(in_phase, started, ended, 5.0),
        "first_window_filled_s": windows.rounded(windows.time_to_reach(in_phase, started, rpm)),
        "job_run_ms_p50": windows.rounded(windows.percentile(run_ms, 50)),
        "job_run_ms_p99": windows.rounded(windows.percentile(run_ms, 99)),
        "cpu_share_percent": meter.shares(),
        "worker_cpu_ms_per_job": meter.ms_per(len(completed)),
    }


def _budget(ctx: Run, server: ModelServerProcess) -> dict[str, Any]:
    budget_usd, jobs = ctx.args.budget_usd, ctx.args.budget_jobs
    env = {"OPENAI_RPM_LIMIT": "100000", "OPENAI_TPM_LIMIT": "100000000"}
    env |= {"OPENAI_DAILY_BUDGET_USD": str(budget_usd)}
    env |= {"OPENAI_PRICES": json.dumps({"gpt-4o-mini": PRICE})}
    phase = _phase(ctx, server, "budget", 2, env, jobs, 120.0)
    spend = windows.spend(phase["requests"], PRICE)
    pieces = [row for row in phase["rows"] if row[4]]
    overshoot = spend["total_usd"] - budget_usd
    return {
        **{
            "budget_usd": budget_usd,
            "price_usd_per_1k": PRICE,
            "jobs": jobs,
            "finished": phase["done"],
        },
        "wall_s": round(phase["ended"] - phase["started"], 2),
        "statuses": dict(sorted(Counter(row[0] for row in phase["rows"]).items())),
        **{"model_calls": spend["calls"], "model_calls_paid": spend["paid_calls"]},
        "spend_log_usd": round(spend["total_usd"], 6),
        "spend_rows_usd": round(sum(float(row[6] or 0) for row in pieces), 6),
        "spend_redis_usd": phase["spent_micro"] / 1_000_000,
        "max_call_usd": round(spend["max_call_usd"], 6),
        "mean_call_usd": round(spend["mean_call_usd"], 6),
        "overshoot_usd": round(overshoot, 6),
        "unused_budget_usd": round(max(0.0, -overshoot), 6),
        "model_pieces": sum(1 for row in pieces if row[4] == "openai"),
        "budget_notices": sum(1 for row in pieces if "budget" in str(row[5] or "").lower()),
        "cpu_share_percent": phase["meter"].shares(),
    }
