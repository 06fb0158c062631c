"""Analytics end to end: `--learners` seeded learners, one job each submitted through the gateway
with no analytics worker running, then one worker (prefork, concurrency 2) started: the queue is
full from its first task on, so the figure is its drain rate, jobs / (last `finished_at` − first
`started_at`); the wall clock from starting it to the last job done is reported beside it."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench import windows
from bench.kit import Meter, Run
from bench.seed import BenchUser, cursor_for, insert_history, insert_learners
from tests.support.api import TERMINAL
from tests.support.processes import Stack

STALL_S = 30.0  # stop waiting when no job has finished for this long (a broken worker)
DONE = "SELECT count(*) FILTER (WHERE status = ANY(%s)) FROM jobs WHERE id = ANY(%s::uuid[])"


def run(ctx: Run, stack: Stack, users: list[BenchUser]) -> dict[str, Any]:
    args, database_url, started = ctx.args, stack.database_url, time.monotonic()
    with cursor_for(database_url) as cursor:
        owners = [user.user_id for user in users]
        learners = insert_learners(cursor, owners, "analytics-", args.learners, 0)
        shape = {"sessions": args.sessions, "answers": args.responses, "concepts": 8, "days": 29}
        insert_history(cursor, [learner for _, learner in learners], **shape)
    ids, statuses, api = [], Counter[int](), users[0].api(stack.base_url)
    token_of = {user.user_id: user.token for user in users}
    for owner, learner_id in learners:
        api.http.headers["Authorization"] = f"Bearer {token_of[owner]}"
        response = api.submit_analytics(learner_id)
        statuses[response.status_code] += 1
        ids += [response.json()["id"]] if response.status_code == 202 else []
    api.close()
    ctx.log(f"seeded and submitted in {time.monotonic() - started:.1f}s: {dict(statuses)}")
    spawned = time.monotonic()
    stack.start("analytics-worker")
    worker, ready_s = stack["analytics-worker"], time.monotonic() - spawned
    with (
        ctx.profile("analytics", worker.pid, "analytics worker", pool=True),
        Meter([worker.pid], database_url, ctx.redis_url) as meter,
        cursor_for(database_url) as cursor,
    ):
        cursor.execute(DONE, (list(TERMINAL), ids))
        done_before = done = cursor.fetchone()[0]
        last_change, deadline = time.monotonic(), spawned + max(120.0, args.learners / 10)
        while done < len(ids) and time.monotonic() < deadline:
            if time.monotonic() - last_change > STALL_S:
                ctx.log(f"no job finished for {STALL_S:g}s: giving up (see the worker's log)")
                break
            if not worker.alive:
                raise RuntimeError(f"analytics worker exited:\n{worker.log_tail()}")
            time.sleep(0.1)
            cursor.execute(DONE, (list(TERMINAL), ids))
            if (now_done := cursor.fetchone()[0]) != done:
                done, last_change = now_done, time.monotonic()
    wall_s = time.monotonic() - spawned
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "SELECT status, extract(epoch FROM started_at), extract(epoch FROM finished_at) "
            "FROM jobs WHERE id = ANY(%s::uuid[])",
            (ids,),
        )
        rows = cursor.fetchall()
    finished = [(float(row[1]), float(row[2])) for row in rows if row[0] in TERMINAL and row[2]]
    run_ms = [(end - start) * 1000 for start, end in finished]
    span_s = max(e for _, e in finished) - min(s for s, _ in finished) if finished else 0.0
    result = {
        "jobs": len(ids),
        "submit_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "statuses": dict(sorted(Counter(row[0] for row in rows).items())),
        "worker_ready_s": round(ready_s, 2),
        "timed_out": done < len(ids),
        "span_s": round(span_s, 3),
        "jobs_per_s": round(len(finished) / span_s, 1) if span_s > 0 else None,
        "wall_s": round(wall_s, 3),
        "wall_jobs_per_s": round(done / wall_s, 1) if wall_s > 0 else None,
        "job_run_ms_p50": windows.rounded(windows.percentile(run_ms, 50)),
        "job_run_ms_p99": windows.rounded(windows.percentile(run_ms, 99)),
        # From the worker's "ready" to the last job done; app = the worker's processes.
        "cpu_share_percent": meter.shares(),
        "worker_cpu_ms_per_job": meter.ms_per(done - done_before),
        "postgres_cpu_ms_per_job": meter.ms_per(done - done_before, "postgres"),
    }
    ctx.log(f"{result['jobs_per_s']} jobs/s over {span_s:.1f}s, statuses {result['statuses']}")
    return result
