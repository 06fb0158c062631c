"""Celery task bodies: ids in, everything else read from Postgres."""

from __future__ import annotations

from ailp.jobs.runner import run_job
from ailp.models.enums import JobKind
from ailp.queue.names import GENERATE_CONTENT_TASK
from content_worker import service
from content_worker.app import app


@app.task(name=GENERATE_CONTENT_TASK, ignore_result=True)
def generate_content(job_id: str) -> str:
    return run_job(job_id, kind=JobKind.content.value, handler=service.generate)
