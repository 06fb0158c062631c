"""Analytics end to end: seeded learners, jobs submitted through the gateway, one worker drains.

All jobs are submitted first, with no analytics worker running, then one worker (prefork,
concurrency 2) is started: the queue is full from the first task on, so the figure is the
worker's drain rate, not the submission rate or its boot. The headline rate is jobs / (last
`finished_at` − first `started_at`); the wall clock from starting the worker to the last job
done (start-up included) is reported beside it.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench import cpu, windows
from bench.kit import Run
from bench.seed import BenchUser, cursor_for, insert_history, insert_learners
from tests.support.api import TERMINAL, Api
from tests.support.processes import Stack

STALL_S = 30.0  # stop waiting when no job has finished for this long (a broken worker)
PROGRESS_SQL = (
    "SELECT count(*) FILTER (WHERE status = ANY(%s)) FROM jobs WHERE id = ANY(%s::uuid[])"
)


def run(ctx: Run, stack: Stack, users: list[BenchUser]) -> dict[str, Any]:
    args, database_url = ctx.args, stack.database_url
    started = time.monotonic()
    with cursor_for(database_url) as cursor:
        owners = [user.user_id for user in users]
        learners = insert_learners(cursor, owners, "analytics-", args.learners, 0)
        insert_history(
            cursor,
            [learner for _, learner in learners],
            sessions=args.sessions,
            answers=args.responses,
            concepts=8,
            days=29,
        )
    seed_s = time.monotonic() - started
    ctx.log(f"seeded {args.learners} learners in {seed_s:.1f}s")

    started = time.monotonic()
    token_of = {user.user_id: user.token for user in users}
    api = Api(stack.base_url, timeout=30)
    ids, statuses = [], Counter[int]()
    for owner, learner_id in learners:
        api.http.headers["Authorization"] = f"Bearer {token_of[owner]}"
        response = api.submit_analytics(learner_id)
        statuses[response.status_code] += 1
        if response.status_code == 202:
            ids.append(response.json()["id"])
    api.close()
    submit_s = time.monotonic() - started
    ctx.log(f"submitted {len(ids)} analytics jobs in {submit_s:.1f}s ({dict(statuses)})")

    spawned = time.monotonic()
    stack.start("analytics-worker")
    worker = stack["analytics-worker"]
    ready_s = time.monotonic() - spawned
    ctx.log(f"analytics worker ready after {ready_s:.1f}s; draining")
    terminal = list(TERMINAL)
    with (
        ctx.profile("analytics", worker.pid, "analytics worker", "Worker.workloop"),
        cpu.Meter([worker.pid], database_url, ctx.redis_url) as meter,
        cursor_for(database_url) as cursor,
    ):
        cursor.execute(PROGRESS_SQL, (terminal, ids))
        done_before = done = cursor.fetchone()[0]
        last_change, deadline = time.monotonic(), spawned + max(120.0, args.learners / 10)
        while done < len(ids) and time.monotonic() < deadline:
            if time.monotonic() - last_change > STALL_S:
                ctx.log(f"no job finished for {STALL_S:g}s: giving up (see the worker's log)")
                break
            if not worker.alive:
                raise RuntimeError(f"analytics worker exited:\n{worker.log_tail()}")
            time.sleep(0.1)
            cursor.execute(PROGRESS_SQL, (terminal, ids))
            if (now_done := cursor.fetchone()[0]) != done:
                done, last_change = now_done, time.monotonic()
    wall_s = time.monotonic() - spawned
    result = {
        "learners": args.learners,
        "sessions_per_learner": args.sessions,
        "responses_per_learner": args.responses,
        "seed_s": round(seed_s, 2),
        "submit_s": round(submit_s, 2),
        "submit_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "worker_ready_s": round(ready_s, 2),
        "timed_out": done < len(ids),
        "wall_s": round(wall_s, 3),
        "wall_jobs_per_s": round(done / wall_s, 1) if wall_s > 0 else None,
        # From the worker's "ready" to the last job done; app = the worker's processes.
        "cpu_share_percent": meter.shares(),
        "worker_cpu_ms_per_job": meter.ms_per(done - done_before),
        "postgres_cpu_ms_per_job": meter.ms_per(done - done_before, "postgres"),
        **_job_stats(database_url, ids),
    }
    ctx.log(
        f"{result['jobs_per_s']} jobs/s over {result['span_s']}s (wall clock "
        f"{result['wall_jobs_per_s']} jobs/s), statuses {result['statuses']}"
    )
    return result


def _job_stats(database_url: str, ids: list[str]) -> dict[str, Any]:
    """Rates and per-job timings from the jobs table (the database's clock)."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "SELECT status, attempts, extract(epoch FROM started_at), "
            "extract(epoch FROM finished_at) FROM jobs WHERE id = ANY(%s::uuid[])",
            (ids,),
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM analytics_results WHERE job_id = ANY(%s::uuid[])", (ids,)
        )
        results = cursor.fetchone()[0]
    finished = [(float(r[2]), float(r[3])) for r in rows if r[0] in TERMINAL and r[2] and r[3]]
    run_ms = [(end - start) * 1000 for start, end in finished]
    span_s = max(e for _, e in finished) - min(s for s, _ in finished) if finished else 0.0
    return {
        "jobs": len(ids),
        "statuses": dict(sorted(Counter(row[0] for row in rows).items())),
        "analytics_results": results,
        "redelivered": sum(1 for row in rows if (row[1] or 0) > 1),
        "span_s": round(span_s, 3),
        "jobs_per_s": round(len(finished) / span_s, 1) if span_s > 0 else None,
        "job_run_ms_p50": windows.rounded(windows.percentile(run_ms, 50)),
        "job_run_ms_p99": windows.rounded(windows.percentile(run_ms, 99)),
    }
