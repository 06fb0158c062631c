"""Async access to Redis: ringing the job doorbell and counting abuse limits.

Job tasks are pushed as hand-built Celery messages (`ailp.queue.messages`) with `redis.asyncio`,
so accepting a job never blocks the event loop on Celery's synchronous producer.
"""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

from ailp.config import Settings
from ailp.logging import get_logger
from ailp.queue.messages import task_message
from ailp.queue.names import route_for
from ailp.redis import warn_unless_noeviction
from gateway.ratelimit import GCRA_DECISION

log = get_logger(__name__)


def create_redis(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
        max_connections=64,
    )


# The submission limit's decision and the task push in one atomic round trip.
# KEYS[1]: the limit key, KEYS[2]: the queue. ARGV: window (ms), limit, message.
_PUSH_WITHIN_LIMIT = (
    GCRA_DECISION
    + """
redis.call('LPUSH', KEYS[2], ARGV[3])
return {1, 0}
"""
)


class Broker:
    def __init__(self, settings: Settings) -> None:
        self.client = create_redis(settings.celery_broker_url)
        self._push_within_limit = self.client.register_script(_PUSH_WITHIN_LIMIT)

    async def publish_job_within_limit(
        self, job_id: uuid.UUID, kind: str, *, limit_key: str, limit: int, window: int
    ) -> tuple[bool, float]:
        """Count a submission against its limit and, if allowed, push the task — atomically.

        Returns (allowed, seconds to wait). When Redis is unreachable the submission is allowed
        (limits fail open) and the sweeper publishes the job later.
        """
        route = route_for(kind)
        message = task_message(route.task, route.queue, [str(job_id)])
        try:
            allowed, wait_ms = await self._push_within_limit(
                keys=[limit_key, route.queue], args=[window * 1000, limit, message]
            )
        except (aioredis.RedisError, OSError) as exc:
            log.warning("job_publish_failed", job_id=str(job_id), error=str(exc))
            return True, 0.0
        return bool(int(allowed)), int(wait_ms) / 1000

    async def check_eviction_policy(self) -> None:
        """Warn loudly unless Redis refuses to evict keys (eviction silently drops queued tasks)."""
        try:
            policy = (await self.client.config_get("maxmemory-policy")).get("maxmemory-policy")
        except (aioredis.RedisError, OSError) as exc:
            log.warning("redis_policy_unknown", error=str(exc))
            return
        warn_unless_noeviction(policy)

    async def close(self) -> None:
        await self.client.aclose()
