"""Publishing job tasks from synchronous code (the sweeper and the workers' own retries)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import redis
from celery import Celery

from ailp.queue.messages import task_message
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


def retry_publisher(app: Celery) -> Callable[[uuid.UUID, str, float], None]:
    """What the job runner calls to re-publish a job that will be retried after `countdown` s."""

    def retry(job_id: uuid.UUID, kind: str, countdown: float) -> None:
        publish_job(app, job_id=job_id, kind=kind, countdown=countdown)

    return retry


def publish_many(client: redis.Redis, *, kind: str, job_ids: list[uuid.UUID]) -> None:
    """Push many job tasks in one round trip (batch submissions; messages as the gateway builds)."""
    route = route_for(kind)
    with client.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.lpush(route.queue, task_message(route.task, route.queue, [str(job_id)]))
        pipe.execute()
