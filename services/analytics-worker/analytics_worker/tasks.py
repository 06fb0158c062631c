"""Celery task bodies: ids in, everything else read from Postgres."""

from __future__ import annotations

from ailp.jobs.batch_runner import run_batch
from ailp.models.enums import JobKind
from ailp.queue.names import COMPUTE_ANALYTICS_BATCH_TASK, COMPUTE_ANALYTICS_TASK
from analytics_worker import service
from analytics_worker.app import app

# A delivery for one job also takes up to this many other queued analytics jobs: each costs a
# few milliseconds, far less than a task round trip of its own.
STEAL = 24


@app.task(name=COMPUTE_ANALYTICS_TASK, ignore_result=True)
def compute_analytics(job_id: str) -> dict[str, int]:
    return run_batch(
        [job_id],
        kind=JobKind.analytics.value,
        compute=service.compute,
        steal=STEAL,
        store_many=service.store_many,
    )


@app.task(name=COMPUTE_ANALYTICS_BATCH_TASK, ignore_result=True)
def compute_analytics_batch(job_ids: list[str]) -> dict[str, int]:
    return run_batch(
        job_ids,
        kind=JobKind.analytics.value,
        compute=service.compute,
        store_many=service.store_many,
    )
