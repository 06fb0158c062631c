"""Publishing job tasks from synchronous code (the sweeper and the workers' own retries)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import redis
from celery import Celery

from ailp.queue.messages import task_message
from ailp.queue.names import COMPUTE_ANALYTICS_BATCH_TASK, route_for


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


def publish_analytics_batches(client: redis.Redis, *, job_ids: list[uuid.UUID], size: int) -> None:
    """Push analytics jobs `size` to a message, in one round trip (batch recomputation)."""
    queue = route_for("analytics").queue
    with client.pipeline(transaction=False) as pipe:
        for start in range(0, len(job_ids), size):
            chunk = [str(job_id) for job_id in job_ids[start : start + size]]
            pipe.lpush(queue, task_message(COMPUTE_ANALYTICS_BATCH_TASK, queue, [chunk]))
        pipe.execute()
