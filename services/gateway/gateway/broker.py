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

    async def publish_job(self, job_id: uuid.UUID, kind: str) -> bool:
        """Push the job's task. False when the broker is unreachable: the sweeper publishes later."""
        route = route_for(kind)
        try:
            await self.client.lpush(
                route.queue, task_message(route.task, route.queue, [str(job_id)])
            )
        except (aioredis.RedisError, OSError) as exc:
            log.warning("job_publish_failed", job_id=str(job_id), error=str(exc))
            return False
        return True

    async def check_eviction_policy(self) -> None:
        """Warn loudly unless Redis refuses to evict keys (eviction silently drops queued tasks)."""
        try:
            policy = (await self.client.config_get("maxmemory-policy")).get("maxmemory-policy")
        except (aioredis.RedisError, OSError) as exc:
            log.warning("redis_policy_unknown", error=str(exc))
            return
        if policy not in ("noeviction", b"noeviction"):
            log.warning(
                "redis_eviction_policy_unsafe",
                policy=str(policy),
                advice="set maxmemory-policy noeviction; evicted queue keys lose tasks",
            )

    async def close(self) -> None:
        await self.client.aclose()
