"""The one publisher: ring the doorbell for committed job rows.

A job's message is a Celery protocol-2 document pushed onto its queue (`ailp.queue.messages`),
plus a marker key saying that a message for the job is waiting, which expires after
`JOB_MESSAGE_TTL_SECONDS`. A worker deletes the markers of the jobs a delivery names as soon as it
starts. The sweeper therefore re-publishes a queued job only when its message is really gone (a
flushed or restarted broker, a crash between commit and publish), never a job that is merely
waiting in a deep queue, so the broker does not grow with re-published copies.

Messages and markers live in the same Redis database (the broker's), so whatever loses one loses
the other. The same commands go through redis-py's sync and asyncio pipelines, whose methods have
the same names; only `execute` differs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import redis
import redis.asyncio as aioredis

from ailp.models.enums import JobKind
from ailp.queue.messages import task_message
from ailp.queue.names import COMPUTE_ANALYTICS_BATCH_TASK, route_for

MARKER_PREFIX = "ailp:message:"
# Analytics jobs are short; a batch recomputation or a sweep publishes them this many to a message.
ANALYTICS_PER_MESSAGE = 25


class Doorbell(NamedTuple):
    job_id: uuid.UUID
    kind: str
    # Run in a delivery of its own (a job whose batch once lost its worker).
    alone: bool = False


def marker(job_id: uuid.UUID | str) -> str:
    return f"{MARKER_PREFIX}{job_id}"


def fill(pipe: Any, jobs: Sequence[Doorbell], *, ttl_seconds: int) -> None:
    """Queue the commands that publish `jobs` on a sync or asyncio pipeline: each job in a
    message of its own, except analytics jobs that may share one (`ANALYTICS_PER_MESSAGE`)."""
    # Markers first: a worker may take a message the instant it is pushed and drop its marker
    # then; set afterwards, the marker would claim a message that is already gone.
    for job in jobs:
        pipe.set(marker(job.job_id), 1, ex=ttl_seconds)
    shared = [job.job_id for job in jobs if job.kind == JobKind.analytics and not job.alone]
    for job in jobs:
        if job.kind != JobKind.analytics or job.alone:
            route = route_for(job.kind)
            pipe.lpush(route.queue, task_message(route.task, route.queue, [str(job.job_id)]))
    queue = route_for(JobKind.analytics.value).queue
    for start in range(0, len(shared), ANALYTICS_PER_MESSAGE):
        chunk = [str(job_id) for job_id in shared[start : start + ANALYTICS_PER_MESSAGE]]
        if len(chunk) == 1:
            route = route_for(JobKind.analytics.value)
            pipe.lpush(queue, task_message(route.task, queue, chunk))
        else:
            pipe.lpush(queue, task_message(COMPUTE_ANALYTICS_BATCH_TASK, queue, [chunk]))


def publish(client: redis.Redis, jobs: Sequence[Doorbell], *, ttl_seconds: int) -> None:
    """Publish committed jobs in one round trip. Never call inside the rows' transaction."""
    if not jobs:
        return
    with client.pipeline(transaction=False) as pipe:
        fill(pipe, jobs, ttl_seconds=ttl_seconds)
        pipe.execute()


async def publish_async(
    client: aioredis.Redis, jobs: Sequence[Doorbell], *, ttl_seconds: int
) -> None:
    """`publish` for asyncio code (the gateway): never blocks the event loop."""
    if not jobs:
        return
    async with client.pipeline(transaction=False) as pipe:
        fill(pipe, jobs, ttl_seconds=ttl_seconds)
        await pipe.execute()


def forget(client: redis.Redis, job_ids: Iterable[uuid.UUID | str]) -> None:
    """A delivery took these jobs' messages off the queue: their markers go."""
    keys = [marker(job_id) for job_id in job_ids]
    if keys:
        client.delete(*keys)


def waiting(client: redis.Redis, job_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these jobs still have a message waiting in the broker (by their markers)."""
    if not job_ids:
        return set()
    with client.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.exists(marker(job_id))
        present = pipe.execute()
    return {job_id for job_id, exists in zip(job_ids, present, strict=True) if exists}
