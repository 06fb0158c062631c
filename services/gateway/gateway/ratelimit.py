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
from dataclasses import dataclass

import redis.asyncio as aioredis

from ailp.errors import TooManyRequests
from ailp.logging import get_logger

log = get_logger(__name__)

# Redis's clock in milliseconds, and GCRA for one key: `gcra(key, window_ms, limit)` answers the
# arrival time one more event would store and the milliseconds until that event is allowed
# (<= 0: allowed now); `count(key, new_tat)` stores it.
_GCRA_FUNCTIONS = """
local now_parts = redis.call('TIME')
local now = now_parts[1] * 1000 + math.floor(now_parts[2] / 1000)
local function gcra(key, window, limit)
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + window / limit
  return new_tat, new_tat - window - now
end
local function count(key, new_tat)
  redis.call('SET', key, new_tat, 'PX', math.max(1, math.ceil(new_tat - now)))
end
"""

# KEYS: one per limit; ARGV: window (ms) and limit for each key in turn. Counts one event against
# every limit, or against none when any would be exceeded. Returns {allowed (1/0), ms to wait}.
_HIT_ALL = (
    _GCRA_FUNCTIONS
    + """
local new_tats, longest = {}, 0
for i, key in ipairs(KEYS) do
  local new_tat, wait = gcra(key, tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i]))
  new_tats[i] = new_tat
  if wait > longest then longest = wait end
end
if longest > 0 then return {0, math.ceil(longest)} end
for i, key in ipairs(KEYS) do count(key, new_tats[i]) end
return {1, 0}
"""
)

# KEYS[1]: the subject's key. ARGV: window (ms), limit. Takes back one counted event.
_REFUND = (
    _GCRA_FUNCTIONS
    + """
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
local earlier = tat - tonumber(ARGV[1]) / tonumber(ARGV[2])
if earlier <= now then redis.call('DEL', KEYS[1]) else count(KEYS[1], earlier) end
return 1
"""
)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `limit` events per `window` seconds for one subject (an account, an address)."""

    name: str
    subject: str
    limit: int
    window: int


class RateLimiter:
    def __init__(self, client: aioredis.Redis, prefix: str = "ailp:limit") -> None:
        self._client = client
        self._prefix = prefix
        self._hit_all = client.register_script(_HIT_ALL)
        self._refund = client.register_script(_REFUND)

    def key(self, name: str, subject: str) -> str:
        return f"{self._prefix}:{name}:{subject}"

    async def hit(self, *limits: Limit, detail: str) -> None:
        """Count one event against every limit in one atomic step; raise 429 if any of them
        would be exceeded (the event is then counted against none)."""
        args: list[int] = []
        for limit in limits:
            args += [limit.window * 1000, limit.limit]
        try:
            allowed, wait_ms = await self._hit_all(
                keys=[self.key(limit.name, limit.subject) for limit in limits], args=args
            )
        except (aioredis.RedisError, OSError) as exc:
            log.warning("rate_limit_unavailable", limit=limits[0].name, error=str(exc))
            return
        if not int(allowed):
            raise TooManyRequests(detail, retry_after=math.ceil(int(wait_ms) / 1000))

    async def refund(self, limit: Limit) -> None:
        """Take back one event counted by `hit` (e.g. an attempt that turned out legitimate)."""
        try:
            await self._refund(
                keys=[self.key(limit.name, limit.subject)], args=[limit.window * 1000, limit.limit]
            )
        except (aioredis.RedisError, OSError) as exc:
            log.warning("rate_limit_unavailable", limit=limit.name, error=str(exc))

    async def reset(self, limit: Limit) -> None:
        """Forget every event counted against `limit`."""
        try:
            await self._client.delete(self.key(limit.name, limit.subject))
        except (aioredis.RedisError, OSError) as exc:
            log.warning("rate_limit_unavailable", limit=limit.name, error=str(exc))
