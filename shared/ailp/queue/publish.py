"""Publishing job tasks from synchronous code (the sweeper and the workers' own retries)."""

from __future__ import annotations

import uuid

from celery import Celery

from ailp.queue.names import route_for


def publish_job(app: Celery, *, job_id: uuid.UUID | str, kind: str, countdown: float = 0) -> None:
    """Ring the doorbell for a committed job row. Never call inside the row's transaction."""
    route = route_for(kind)
    app.send_task(
        route.task,
        args=[str(job_id)],
        queue=route.queue,
        countdown=countdown or None,
        ignore_result=True,
    )
