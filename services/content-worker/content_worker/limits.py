"""The organisation's model limits, shared by every content-worker replica through Redis.

* Requests and tokens per window (`OPENAI_RPM_LIMIT`, `OPENAI_TPM_LIMIT`, per
  `OPENAI_LIMIT_WINDOW_SECONDS`, 60 by default) are enforced as a strict sliding window: a
  sorted set holds one member per call in the window (scored by its start time, carrying its
  token count) and a counter holds the window's token sum. A call reserves one request and its
  worst-case tokens (prompt estimate + max_tokens) before it is made and settles to the real
  `usage` after. No window of that length ever sees more than the limits, across all replicas,
  which a GCRA or token bucket would not guarantee (they allow a burst on top of the refill).
* Within the window, calls also follow an even schedule (one request's share of the window
  apart, after a burst the caller chooses): a reservation may come with a start delay, its place
  on that schedule, and the caller sends the call then. A backlog therefore flows at the limit's
  rate instead of spending the window's allowance at once and then waiting for the rest of it.
  A full window likewise only moves a call's start to the moment the call blocking it leaves
  (starts never decrease, so that is one lookup by rank): a caller that accepts the wait is never
  turned away to retry.
* A 429 from the model, or rate-limit headers saying nothing is left, set a shared cool-down:
  every replica waits until it has passed, not just the call that saw it.
* Redis can lose these keys (a flush, a restart without persistence, a failover), which would
  open a fresh window while the model's own still counts the last minute's calls. A sentinel key
  without expiry tells: when it is missing, `try_reserve` raises `LimitsLost` and the caller
  re-seeds (`reseed`) a cool-down that lasts until a window has passed since the last call the
  database knows of.

The scripts read Redis's own clock, so replicas with skewed clocks agree. A reservation is made
just before its request is sent, yet the model server sees the request a little later (thread
scheduling, connection set-up); each reservation therefore holds its place for the window plus
`DELIVERY_MARGIN_SECONDS`, so that windows measured at the server never see more than the limits. A small Lua script is
used instead of a library because no well-kept Python library offers a strict multi-resource
(requests and tokens) sliding window with reservations that are settled afterwards.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import redis

_NOW = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
"""

# KEYS: window zset, token-sum counter, cool-down key, sentinel, pace (the even schedule's next
# start). ARGV: window ms, request limit, token limit, tokens to reserve, member id, spacing ms
# (0: no even schedule), burst ms, longest start delay ms the caller accepts.
# Returns {1, start delay ms} when reserved (to be sent after that delay), {0, milliseconds to
# wait} when not, or {2, 0} when the state was lost.
_RESERVE = (
    _NOW
    + """
if redis.call('EXISTS', KEYS[4]) == 0 then return {2, 0} end
local window = tonumber(ARGV[1])
local max_requests = tonumber(ARGV[2])
local max_tokens = tonumber(ARGV[3])
local tokens = math.min(tonumber(ARGV[4]), max_tokens)
local spacing = tonumber(ARGV[6])
local cool_until = tonumber(redis.call('GET', KEYS[3]) or 0)
if cool_until > now then return {0, cool_until - now} end
local pace = math.max(now, tonumber(redis.call('GET', KEYS[5]) or 0))
local paced = math.max(now, pace - tonumber(ARGV[7]))
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
if #expired > 0 then
    local freed = 0
    for _, member in ipairs(expired) do freed = freed + tonumber(string.match(member, ':(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
    redis.call('DECRBY', KEYS[2], freed)
end
-- Starts never decrease, so a call at `start` only needs fewer than max_requests of the calls
-- already placed to lie within the window before it: a full window moves its start to the moment
-- the call that blocks it leaves (one lookup by rank), instead of turning it away to retry.
local count = redis.call('ZCARD', KEYS[1])
local start = paced
if count >= max_requests then
    local blocking = redis.call('ZRANGE', KEYS[1], count - max_requests, count - max_requests, 'WITHSCORES')
    start = math.max(start, tonumber(blocking[2]) + window)
end
local delay = start - now
local used = tonumber(redis.call('GET', KEYS[2]) or 0)
if used + tokens <= max_tokens and delay <= tonumber(ARGV[8]) then
    redis.call('ZADD', KEYS[1], start, ARGV[5] .. ':' .. tokens)
    redis.call('INCRBY', KEYS[2], tokens)
    redis.call('PEXPIRE', KEYS[1], window * 2 + delay)
    redis.call('PEXPIRE', KEYS[2], window * 2 + delay)
    if spacing > 0 then
        -- the next start is one spacing on, and never before this one
        local next_pace = pace + spacing
        if start > paced then next_pace = start + tonumber(ARGV[7]) + spacing end
        redis.call('SET', KEYS[5], next_pace, 'PX', window * 2 + delay)
    end
    return {1, delay}
end
if used + tokens <= max_tokens then return {0, delay} end
local wait = math.max(1, delay)
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local needed, freed = used + tokens - max_tokens, 0
for i = 1, #entries, 2 do
    freed = freed + tonumber(string.match(entries[i], ':(%d+)$'))
    if freed >= needed then
        wait = math.max(wait, tonumber(entries[i + 1]) + window - now)
        break
    end
end
return {0, wait}
"""
)

# KEYS: window zset, token-sum counter. ARGV: member id, reserved tokens, actual tokens.
_SETTLE = """
local member = ARGV[1] .. ':' .. ARGV[2]
local score = redis.call('ZSCORE', KEYS[1], member)
if not score then return 0 end
redis.call('ZREM', KEYS[1], member)
redis.call('ZADD', KEYS[1], score, ARGV[1] .. ':' .. ARGV[3])
redis.call('INCRBY', KEYS[2], tonumber(ARGV[3]) - tonumber(ARGV[2]))
return 1
"""

# KEYS: cool-down key. ARGV: milliseconds from now. Only ever extends the cool-down.
_COOL_DOWN = (
    _NOW
    + """
local until_ms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or 0)
if until_ms > current then redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1])) end
return until_ms
"""
)


# KEYS: cool-down key, sentinel. ARGV: milliseconds of cool-down from now (0: none).
# The first replica to re-seed sets the sentinel and the cool-down; later ones change nothing.
_RESEED = (
    _NOW
    + """
if redis.call('SET', KEYS[2], 1, 'NX') and tonumber(ARGV[1]) > 0 then
    local until_ms = now + tonumber(ARGV[1])
    local current = tonumber(redis.call('GET', KEYS[1]) or 0)
    if until_ms > current then redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1])) end
end
return 1
"""
)


# KEYS: pacing key. ARGV: earliest wait ms, spacing ms, window ms, latest acceptable wait ms.
# Hands out return times one `spacing` apart, from the earliest free moment on; a wait beyond
# the latest acceptable one is returned without taking its turn.
_COME_BACK = (
    _NOW
    + """
local slot = math.max(now + tonumber(ARGV[1]), tonumber(redis.call('GET', KEYS[1]) or 0))
if slot - now > tonumber(ARGV[4]) then return slot - now end
local next_slot = slot + tonumber(ARGV[2])
redis.call('SET', KEYS[1], next_slot, 'PX', next_slot - now + tonumber(ARGV[3]))
return slot - now
"""
)


DELIVERY_MARGIN_SECONDS = 1.0


class LimitsLost(Exception):
    """Redis no longer holds the limits' state: re-seed before reserving."""


@dataclass(frozen=True, slots=True)
class Reservation:
    member: str
    tokens: int


class ModelRateLimiter:
    def __init__(
        self,
        client: redis.Redis,
        *,
        requests: int,
        tokens: int,
        window_seconds: float = 60.0,
        prefix: str = "ailp:model",
        burst: int | None = None,
    ) -> None:
        """`burst`: when set, calls are also spread evenly over the window (one request's share
        of it apart), with up to `burst` of them at once; unset, only the window counts."""
        self.requests = requests
        self.tokens = tokens
        self.window_ms = int((window_seconds + DELIVERY_MARGIN_SECONDS) * 1000)
        self.prefix = prefix
        # rounded up: the schedule alone never fills the window
        self._spacing_ms = max(1, -(-self.window_ms // max(1, requests)))
        self._burst_ms = 0 if burst is None else self._spacing_ms * max(0, min(burst, requests) - 1)
        self._paced = burst is not None
        self._keys = [
            f"{prefix}:window",
            f"{prefix}:window-tokens",
            f"{prefix}:cool-down",
            f"{prefix}:state",
            f"{prefix}:pace",
        ]
        self._pacing_key = f"{prefix}:come-back"
        self.window_seconds = window_seconds
        self._reserve = client.register_script(_RESERVE)
        self._reseed = client.register_script(_RESEED)
        self._settle = client.register_script(_SETTLE)
        self._cool_down = client.register_script(_COOL_DOWN)
        self._come_back = client.register_script(_COME_BACK)

    def try_reserve(
        self, tokens: int, *, max_delay: float = 0.0
    ) -> tuple[Reservation | None, float]:
        """Reserve one request and `tokens`: (the reservation, seconds to wait before sending
        the call, at most `max_delay`), or (None, seconds to wait before retrying). Raises
        `LimitsLost` when Redis lost the limits' state."""
        member = uuid.uuid4().hex
        reserved, wait_ms = self._reserve(
            keys=self._keys,
            args=[
                self.window_ms,
                self.requests,
                self.tokens,
                max(0, tokens),
                member,
                self._spacing_ms if self._paced else 0,
                self._burst_ms,
                max(0, int(max_delay * 1000)),
            ],
        )
        if int(reserved) == 2:
            raise LimitsLost
        if int(reserved):
            return Reservation(member, min(max(0, tokens), self.tokens)), int(wait_ms) / 1000
        return None, int(wait_ms) / 1000

    def come_back_in(self, earliest_seconds: float, latest_seconds: float) -> float:
        """When a call that found the limits full should try again: its own turn, one request's
        share of the window after the previous caller's, and not before `earliest_seconds`.

        Without turns every waiting job would come back at the same moment (when the oldest call
        leaves the window), one would get the freed place and the rest would go round the queue
        again, costing a claim, a deferral and a publication each time. A turn later than
        `latest_seconds` is returned without being taken (that caller will not come back)."""
        wait_ms = self._come_back(
            keys=[self._pacing_key],
            args=[
                max(0, int(earliest_seconds * 1000)),
                self._spacing_ms,
                self.window_ms,
                max(0, int(latest_seconds * 1000)),
            ],
        )
        return int(wait_ms) / 1000

    def settle(self, reservation: Reservation, actual_tokens: int) -> None:
        """Replace the reserved worst case by what the call really used."""
        self._settle(
            keys=self._keys[:2],
            args=[reservation.member, reservation.tokens, max(0, int(actual_tokens))],
        )

    def reseed(self, cool_down_seconds: float) -> None:
        """Mark the state as present again, pausing every replica for `cool_down_seconds`."""
        self._reseed(
            keys=[self._keys[2], self._keys[3]], args=[max(0, int(cool_down_seconds * 1000))]
        )

    def cool_down(self, seconds: float) -> None:
        """Make every replica wait `seconds` before its next call (after a 429)."""
        self._cool_down(keys=self._keys[2:3], args=[max(1, int(seconds * 1000))])


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_reset(value: str | None) -> float | None:
    """OpenAI's `x-ratelimit-reset-*` durations, e.g. "1s", "6m0s", "20ms"."""
    if not value:
        return None
    parts = _DURATION.findall(value)
    if not parts:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
