"""Celery task bodies: ids in, everything else read from Postgres."""

from __future__ import annotations

from ailp.jobs.runner import run_job
from ailp.models.enums import JobKind
from ailp.queue.names import COMPUTE_ANALYTICS_TASK
from ailp.queue.publish import retry_publisher
from analytics_worker import service
from analytics_worker.app import app

_retry = retry_publisher(app)


@app.task(name=COMPUTE_ANALYTICS_TASK, ignore_result=True)
def compute_analytics(job_id: str) -> str:
    return run_job(job_id, kind=JobKind.analytics.value, handler=service.compute, retry=_retry)
