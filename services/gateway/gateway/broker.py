"""Async access to Redis: ringing the job doorbell and counting abuse limits.

Job tasks are pushed as hand-built Celery messages (`ailp.queue.publish`) with `redis.asyncio`,
so accepting a job never blocks the event loop on Celery's synchronous producer.
"""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

from ailp.config import Settings
from ailp.logging import get_logger
from ailp.queue.publish import Doorbell, publish_async
from ailp.redis import warn_unless_noeviction

log = get_logger(__name__)


def create_redis(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
        max_connections=64,
    )


class Broker:
    def __init__(self, settings: Settings) -> None:
        self.client = create_redis(settings.celery_broker_url)
        self._message_ttl = settings.job_message_ttl_seconds

    async def publish(self, job_id: uuid.UUID, kind: str) -> None:
        """Ring the doorbell for a committed job. When Redis is unreachable the sweeper
        publishes the job later (it finds no message waiting for it)."""
        try:
            await publish_async(
                self.client, [Doorbell(job_id, kind)], ttl_seconds=self._message_ttl
            )
        except (aioredis.RedisError, OSError) as exc:
            log.warning("job_publish_failed", job_id=str(job_id), error=str(exc))

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
