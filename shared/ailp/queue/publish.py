"""Publishing job tasks from synchronous code (the sweeper, batch runs, the workers' retries)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import redis
from celery import Celery
from redis.client import Pipeline

from ailp.models.enums import JobKind
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


def publish_jobs(
    client: redis.Redis, jobs: Sequence[tuple[uuid.UUID, str]], *, analytics_per_message: int = 25
) -> None:
    """Ring the doorbell for many committed job rows in one round trip (the sweeper): analytics
    jobs `analytics_per_message` to a message, each other job in its own."""
    analytics = [job_id for job_id, kind in jobs if kind == JobKind.analytics.value]
    with client.pipeline(transaction=False) as pipe:
        for job_id, kind in jobs:
            if kind != JobKind.analytics.value:
                route = route_for(kind)
                pipe.lpush(route.queue, task_message(route.task, route.queue, [str(job_id)]))
        _push_analytics_batches(pipe, analytics, analytics_per_message)
        pipe.execute()


def publish_analytics_batches(client: redis.Redis, *, job_ids: list[uuid.UUID], size: int) -> None:
    """Push analytics jobs `size` to a message, in one round trip (batch recomputation)."""
    with client.pipeline(transaction=False) as pipe:
        _push_analytics_batches(pipe, job_ids, size)
        pipe.execute()


def _push_analytics_batches(pipe: Pipeline, job_ids: Sequence[uuid.UUID], size: int) -> None:
    queue = route_for(JobKind.analytics.value).queue
    for start in range(0, len(job_ids), size):
        chunk = [str(job_id) for job_id in job_ids[start : start + size]]
        pipe.lpush(queue, task_message(COMPUTE_ANALYTICS_BATCH_TASK, queue, [chunk]))
