"""Which jobs' messages are gone although their markers say they wait.

A job's marker (`ailp.queue.publish`) stands from its publication until a worker starts the job.
A worker SIGKILLed after taking a message but before starting its job leaves the marker standing
with no message behind it: the message was either in flight (Redis answered the worker's BRPOP,
the worker never read the answer) or delivered (kombu recorded it in its unacked hash, the task
had not started yet). Kombu hands a delivered message out again only after the visibility
timeout (an hour), and the marker lives `JOB_MESSAGE_TTL_SECONDS`, so the job would wait that
long. The sweeper asks this module about the jobs whose markers stand and publishes again those
whose message is nowhere: not in its queue, and not delivered within `delivered_grace_seconds`
(a live worker starts a delivered job at once: its prefetch equals its pool).

A queue longer than `scan_limit` is not read: its jobs are taken to be waiting (a deep queue
holds what its markers say; a stranded job there waits for the backlog to shrink). A message
taken by a live worker in the instant between the reads looks stranded too: the copy published
then finds its job running and is dropped.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

import orjson
import redis
from kombu.transport.redis import Channel

from ailp.queue.messages import named_jobs
from ailp.queue.names import route_for
from ailp.queue.publish import Doorbell

SCAN_LIMIT = 2000
# Kombu's own keys for delivered, unacknowledged messages (its Redis transport's defaults).
UNACKED = Channel.unacked_key
UNACKED_INDEX = Channel.unacked_index_key


def _jobs_in(raw: bytes, *, delivery: bool = False) -> list[str]:
    """The job ids a queued message names, or a delivery's record (kombu stores `[envelope,
    exchange, routing_key]` per delivery tag)."""
    try:
        document = orjson.loads(raw)
        envelope = document[0] if delivery else document
    except (orjson.JSONDecodeError, IndexError, KeyError, TypeError):
        return []
    return named_jobs(envelope) if isinstance(envelope, dict) else []


def stranded(
    client: redis.Redis,
    jobs: Sequence[Doorbell],
    *,
    delivered_grace_seconds: float,
    scan_limit: int = SCAN_LIMIT,
) -> set[uuid.UUID]:
    """Of `jobs` (queued, their markers standing), those whose message is in no queue and in no
    delivery younger than `delivered_grace_seconds`. The queues' depths first (a deep one is not
    read at all), then one MULTI/EXEC reads the shallow queues and the deliveries at once."""
    if not jobs:
        return set()
    queues = sorted({route_for(job.kind).queue for job in jobs})
    with client.pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.llen(queue)
        depths = pipe.execute()
    shallow = [queue for queue, depth in zip(queues, depths, strict=True) if depth <= scan_limit]
    if not shallow:
        return set()
    since = time.time() - delivered_grace_seconds
    with client.pipeline(transaction=True) as pipe:
        for queue in shallow:
            pipe.llen(queue)  # again: a queue that grew past the limit meanwhile is not judged
            pipe.lrange(queue, 0, scan_limit - 1)
        pipe.hgetall(UNACKED)
        pipe.zrangebyscore(UNACKED_INDEX, since, "+inf")
        replies = pipe.execute()
    records, recent_tags = replies[-2], replies[-1]
    present = {
        job_id
        for tag in recent_tags
        if tag in records
        for job_id in _jobs_in(records[tag], delivery=True)
    }
    scanned: set[str] = set()
    for index, queue in enumerate(shallow):
        depth, messages = replies[2 * index], replies[2 * index + 1]
        if depth <= scan_limit:
            scanned.add(queue)
            present.update(job_id for raw in messages for job_id in _jobs_in(raw))
    return {
        job.job_id
        for job in jobs
        if route_for(job.kind).queue in scanned and str(job.job_id) not in present
    }
