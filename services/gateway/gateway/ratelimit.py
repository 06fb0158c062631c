"""Abuse limits shared by every gateway process and replica, kept in Redis.

Each limit is "at most `limit` events per `window` seconds", enforced with GCRA (the generic cell
rate algorithm): one key per subject holds a theoretical arrival time, updated atomically by a
small Lua script that reads Redis's own clock, so replicas with skewed clocks agree. Unlike a
fixed window it never lets 2 × limit through around a window boundary, and it answers exactly
how long to wait (`Retry-After`).

When Redis is unreachable the limits fail open: the gateway stays usable and logs the fact.
"""

from __future__ import annotations

import math

import redis.asyncio as aioredis

from ailp.errors import TooManyRequests
from ailp.logging import get_logger

log = get_logger(__name__)

# KEYS[1]: the subject's key. ARGV: window (ms), limit, cost (1 = count an event, 0 = only check).
# Returns {allowed (1/0), milliseconds until the next event would be allowed}. Scripts that act
# on the decision append their own lines after `GCRA_DECISION` (see `gateway.broker`).
GCRA_DECISION = """
local now_parts = redis.call('TIME')
local now = now_parts[1] * 1000 + math.floor(now_parts[2] / 1000)
local window = tonumber(ARGV[1])
local interval = window / tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * math.max(cost, 1)
local wait = new_tat - window - now
if wait > 0 then return {0, math.ceil(wait)} end
if cost > 0 then redis.call('SET', KEYS[1], new_tat, 'PX', math.max(1, math.ceil(new_tat - now))) end
"""
_GCRA = GCRA_DECISION + "return {1, 0}\n"


class RateLimiter:
    def __init__(self, client: aioredis.Redis, prefix: str = "ailp:limit") -> None:
        self._client = client
        self._prefix = prefix
        self._gcra = client.register_script(_GCRA)

    def key(self, name: str, subject: str) -> str:
        return f"{self._prefix}:{name}:{subject}"

    async def hit(self, name: str, subject: str, *, limit: int, window: int, detail: str) -> None:
        """Count one event; raise 429 if it exceeds the limit (the event is then not counted)."""
        await self._run(name, subject, limit=limit, window=window, detail=detail, cost=1)

    async def check(self, name: str, subject: str, *, limit: int, window: int, detail: str) -> None:
        """Raise 429 if one more event would exceed the limit, without counting one."""
        await self._run(name, subject, limit=limit, window=window, detail=detail, cost=0)

    async def reset(self, name: str, subject: str) -> None:
        try:
            await self._client.delete(self.key(name, subject))
        except (aioredis.RedisError, OSError) as exc:
            log.warning("rate_limit_unavailable", limit=name, error=str(exc))

    async def _run(
        self, name: str, subject: str, *, limit: int, window: int, detail: str, cost: int
    ) -> None:
        try:
            allowed, wait_ms = await self._gcra(
                keys=[self.key(name, subject)], args=[window * 1000, limit, cost]
            )
        except (aioredis.RedisError, OSError) as exc:
            log.warning("rate_limit_unavailable", limit=name, error=str(exc))
            return
        if not int(allowed):
            raise TooManyRequests(detail, retry_after=math.ceil(int(wait_ms) / 1000))
