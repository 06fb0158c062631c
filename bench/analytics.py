"""Analytics end to end: `--learners` seeded learners, one job each submitted through the gateway
with no analytics worker running, then one worker (prefork, concurrency 2) started: the queue is
full from its first task on, so the figure is its drain rate, jobs / (last `finished_at` − first
`started_at`); the wall clock from starting it to the last job done is reported beside it."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench import windows
from bench.kit import Meter, Run, wait_jobs
from bench.seed import BenchUser, cursor_for, insert_history, insert_learners
from tests.support.api import TERMINAL
from tests.support.processes import Stack


def run(ctx: Run, stack: Stack, users: list[BenchUser]) -> dict[str, Any]:
    args, database_url, api = ctx.args, stack.database_url, users[0].api(stack.base_url)
    shape = {"sessions": args.sessions, "answers": args.responses, "concepts": 8, "days": 29}
    with cursor_for(database_url) as cursor:
        learners = insert_learners(
            cursor, [u.user_id for u in users], "analytics-", args.learners, 0
        )
        insert_history(cursor, [learner for _, learner in learners], **shape)
    token_of, ids, statuses = {user.user_id: user.token for user in users}, [], Counter[int]()
    for owner, learner_id in learners:
        api.http.headers["Authorization"] = f"Bearer {token_of[owner]}"
        response = api.submit_analytics(learner_id)
        statuses[response.status_code] += 1
        ids += [response.json()["id"]] if response.status_code == 202 else []
    api.close()
    spawned = time.monotonic()
    stack.start("analytics-worker")
    worker, ready_s = stack["analytics-worker"], time.monotonic() - spawned
    with (
        ctx.profile("analytics", worker.pid, "analytics worker", pool=True),
        Meter([worker.pid], database_url, ctx.redis_url) as meter,
    ):
        deadline = spawned + max(120.0, args.learners / 10)
        done_before, done = wait_jobs(database_url, ids, [worker], deadline, poll_s=0.1, stall_s=30)
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
    out = dict(jobs=len(ids), submit_statuses=dict(statuses), timed_out=done < len(ids))
    out |= dict(statuses=dict(Counter(row[0] for row in rows)), worker_ready_s=round(ready_s, 2))
    out |= dict(
        span_s=round(span_s, 3), jobs_per_s=round(len(finished) / span_s, 1) if span_s else None
    )
    out |= dict(wall_s=round(wall_s, 3), wall_jobs_per_s=round(done / wall_s, 1))
    out |= dict(job_run_ms_p50=windows.rounded(windows.percentile(run_ms, 50)))
    out |= dict(job_run_ms_p99=windows.rounded(windows.percentile(run_ms, 99)))
    # From the worker's "ready" to the last job done; app = the worker's processes.
    out |= dict(
        cpu_share_percent=meter.shares(), worker_cpu_ms_per_job=meter.ms_per(done - done_before)
    )
    ctx.log(f"{out}")
    return out | dict(postgres_cpu_ms_per_job=meter.ms_per(done - done_before, "postgres"))
