"""Fixed-window abuse limits kept in Redis (shared by every gateway process and replica).

When Redis is unreachable the limits fail open: the gateway stays usable and logs the fact.
"""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from ailp.errors import TooManyRequests
from ailp.logging import get_logger

log = get_logger(__name__)

# INCR the window's counter, set its expiry on first use; return the new count and TTL.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""


class RateLimiter:
    def __init__(self, client: aioredis.Redis, prefix: str = "ailp:limit") -> None:
        self._client = client
        self._prefix = prefix
        self._hit = client.register_script(_HIT)

    def _key(self, name: str, subject: str, window: int) -> str:
        return f"{self._prefix}:{name}:{subject}:{int(time.time()) // window}"

    async def hit(self, name: str, subject: str, *, limit: int, window: int, detail: str) -> None:
        """Count one event; raise 429 when the window already holds `limit` events."""
        try:
            count, ttl = await self._hit(keys=[self._key(name, subject, window)], args=[window])
        except (aioredis.RedisError, OSError) as exc:
            log.warning("rate_limit_unavailable", limit=name, error=str(exc))
            return
        if int(count) > limit:
            raise TooManyRequests(detail, retry_after=max(1, int(ttl)))

    async def check(self, name: str, subject: str, *, limit: int, window: int, detail: str) -> None:
        """Raise 429 when the window already holds `limit` events, without counting one."""
        key = self._key(name, subject, window)
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                count, ttl = await pipe.get(key).ttl(key).execute()
        except (aioredis.RedisError, OSError) as exc:
            log.warning("rate_limit_unavailable", limit=name, error=str(exc))
            return
        if count is not None and int(count) >= limit:
            raise TooManyRequests(detail, retry_after=max(1, int(ttl)))

    async def reset(self, name: str, subject: str, *, window: int) -> None:
        try:
            await self._client.delete(self._key(name, subject, window))
        except (aioredis.RedisError, OSError):
            pass
