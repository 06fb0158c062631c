"""Analytics end to end: seeded learners, jobs submitted through the gateway, one worker drains.

All jobs are submitted first, with no analytics worker running, then one worker (the `Stack`'s
"analytics-worker": prefork, concurrency 2) is started. The queue is therefore full from the
first task on, so the figure is the worker's drain rate, not the submission rate or the time the
worker takes to boot. The headline rate is jobs / (last `finished_at` − first `started_at`) from
the `jobs` table; the wall-clock rate from starting the worker process to the last job done
(start-up included) is reported beside it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench import cpu, windows
from bench.load import cpu_ms_per_item
from bench.profile import PySpy
from bench.seed import BenchUser, backend_pids, create_analytics_learners, cursor_for
from bench.servers import Servers

TERMINAL = ("succeeded", "failed", "canceled")
STALL_S = 30.0  # stop waiting when no job has finished for this long (a broken worker)


async def _submit_all(
    gateway_url: str, users: list[BenchUser], learners: list[tuple[int, int]], concurrency: int
) -> tuple[list[str], Counter[int]]:
    ids: list[str] = []
    statuses: Counter[int] = Counter()
    queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
    for item in learners:
        queue.put_nowait(item)

    async def submitter(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            learner_id, owner = queue.get_nowait()
            response = await client.post(
                f"/api/learners/{learner_id}/analytics",
                json={},
                headers={"Authorization": f"Bearer {users[owner].token}"},
            )
            statuses[response.status_code] += 1
            if response.status_code == 202:
                ids.append(response.json()["id"])

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30, limits=limits) as client:
        await asyncio.gather(*(submitter(client) for _ in range(concurrency)))
    return ids, statuses


def _progress(database_url: str, ids: list[str]) -> tuple[int, int]:
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE status IN %s), count(*) FROM jobs "
            "WHERE id = ANY(%s::uuid[])",
            (TERMINAL, ids),
        )
        done, total = cursor.fetchone()
    return done, total


def run(
    servers: Servers,
    users: list[BenchUser],
    *,
    learners: int,
    sessions: int,
    responses: int,
    timeout_s: float,
    log: Any,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    database_url = servers.database_url
    started = time.monotonic()
    seeded = create_analytics_learners(
        database_url, users, learners=learners, sessions=sessions, responses=responses
    )
    seed_s = time.monotonic() - started
    log(f"seeded {learners} learners × {sessions} sessions + {responses} answers in {seed_s:.1f}s")

    started = time.monotonic()
    ids, statuses = asyncio.run(_submit_all(servers.gateway_url, users, seeded, concurrency=16))
    submit_s = time.monotonic() - started
    log(f"submitted {len(ids)} analytics jobs in {submit_s:.1f}s ({dict(statuses)})")

    worker_spawned = time.monotonic()
    servers.stack.start("analytics-worker")
    ready_s = time.monotonic() - worker_spawned
    spy = PySpy(servers.stack["analytics-worker"].pid, profile_to) if profile_to else None
    before = cpu.sample()  # from "ready" on: the drain, not the worker's start-up
    done_before, _total = _progress(database_url, ids)
    log(f"analytics worker ready after {ready_s:.1f}s; draining")
    deadline = worker_spawned + timeout_s
    done = 0
    last_progress = (time.monotonic(), -1)
    while True:
        done, _total = _progress(database_url, ids)
        now = time.monotonic()
        if done != last_progress[1]:
            last_progress = (now, done)
        if done >= len(ids) or now > deadline:
            break
        if now - last_progress[0] > STALL_S:
            log(f"no job finished for {STALL_S:g}s: giving up (see the analytics worker's log)")
            break
        if not servers.stack["analytics-worker"].alive:
            raise RuntimeError(
                "analytics worker exited:\n" + servers.stack["analytics-worker"].log_tail()
            )
        time.sleep(0.1)
    wall_s = time.monotonic() - worker_spawned
    if spy is not None:
        spy.stop()
    after = cpu.sample()
    shares = cpu.usage(
        before,
        after,
        [servers.stack["analytics-worker"].pid],
        0.0,
        postgres_backends=backend_pids(database_url),
    )
    shares.pop("wrk", None)
    drained_s = after.wall - before.wall
    return {
        "learners": learners,
        "sessions_per_learner": sessions,
        "responses_per_learner": responses,
        "seed_s": round(seed_s, 2),
        "submit_s": round(submit_s, 2),
        "submit_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "worker_ready_s": round(ready_s, 2),
        "timed_out": done < len(ids),
        "wall_s": round(wall_s, 3),
        "wall_jobs_per_s": round(done / wall_s, 1) if wall_s > 0 else None,
        # From the worker's "ready" to the last job done; app = the worker's processes.
        "cpu_share_percent": shares,
        "worker_cpu_ms_per_job": cpu_ms_per_item(shares.get("app"), drained_s, done - done_before),
        "postgres_cpu_ms_per_job": cpu_ms_per_item(
            shares.get("postgres"), drained_s, done - done_before
        ),
        **_job_stats(database_url, ids),
    }


def _job_stats(database_url: str, ids: list[str]) -> dict[str, Any]:
    """Rates and per-job timings from the jobs table (the database's clock)."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            SELECT status, attempts, worker,
                   extract(epoch FROM started_at), extract(epoch FROM finished_at),
                   extract(epoch FROM created_at)
            FROM jobs WHERE id = ANY(%s::uuid[])
            """,
            (ids,),
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM analytics_results WHERE job_id = ANY(%s::uuid[])", (ids,)
        )
        results = cursor.fetchone()[0]
    statuses = Counter(row[0] for row in rows)
    finished = [row for row in rows if row[0] in TERMINAL and row[3] and row[4]]
    run_ms = [(float(row[4]) - float(row[3])) * 1000 for row in finished]
    span_s = (
        max(float(row[4]) for row in finished) - min(float(row[3]) for row in finished)
        if finished
        else 0.0
    )
    per_worker: dict[str, dict[str, float]] = {}
    for row in finished:
        entry = per_worker.setdefault(row[2] or "?", {"jobs": 0, "busy_s": 0.0})
        entry["jobs"] += 1
        entry["busy_s"] += float(row[4]) - float(row[3])
    return {
        "jobs": len(ids),
        "statuses": dict(sorted(statuses.items())),
        "analytics_results": results,
        "redelivered": sum(1 for row in rows if (row[1] or 0) > 1),
        "span_s": round(span_s, 3),
        "jobs_per_s": round(len(finished) / span_s, 1) if span_s > 0 else None,
        "job_run_ms_p50": _round(windows.percentile(run_ms, 50)),
        "job_run_ms_p99": _round(windows.percentile(run_ms, 99)),
        # Time inside claim → finish per worker process, against the span: how much of each
        # process's time the job itself takes (the rest is Celery, the broker and the claim).
        "workers": {
            name: {
                "jobs": int(entry["jobs"]),
                "busy_s": round(entry["busy_s"], 3),
                "busy_share": round(entry["busy_s"] / span_s, 3) if span_s else None,
            }
            for name, entry in sorted(per_worker.items())
        },
    }


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None
