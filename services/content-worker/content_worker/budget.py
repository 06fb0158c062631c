"""The daily model budget (`OPENAI_DAILY_BUDGET_USD`) shared by every replica, per UTC day.

A call reserves its worst-case cost (prompt estimate at the input price + max_tokens at the
output price) with one atomic check-and-add, and settles to its real cost afterwards. Since
every reservation is an upper bound, concurrent calls cannot overshoot the budget by more than
one call's cost (only if the prompt estimate were too low).

A reservation that does not fit while other calls are still in flight is not a verdict: their
real costs are usually well below their reservations, so the caller is told to wait
(`BudgetWait`) rather than that the budget is spent. Reservations in flight are tracked with an
expiry, so a worker that dies before settling cannot hold budget for the rest of the day.
Amounts are integer micro-dollars; the clock is injectable so that tests can cross UTC midnight.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

MICRO = 1_000_000
# Longer than any call can take (timeouts × attempts); a reservation older than this is dropped
# from the in-flight set (its worst-case cost stays counted as spent).
IN_FLIGHT_SECONDS = 600

# KEYS: the day's spend counter, the day's in-flight set.
# ARGV: budget, cost (micro-USD), reservation id, expiry seconds of the day's keys.
# Returns {1, spent} when reserved, else {0, spent, cost of the reservations still in flight}.
_RESERVE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local spent = tonumber(redis.call('GET', KEYS[1]) or 0)
local cost = tonumber(ARGV[2])
if spent + cost > tonumber(ARGV[1]) then
    local pending = 0
    for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
        pending = pending + tonumber(string.match(member, ':(%d+)$'))
    end
    return {0, spent, pending}
end
spent = redis.call('INCRBY', KEYS[1], cost)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[3] .. ':' .. cost)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]))
return {1, spent}
"""

# KEYS: the day's spend counter, the day's in-flight set. ARGV: reservation id, reserved, actual.
_SETTLE = """
redis.call('ZREM', KEYS[2], ARGV[1] .. ':' .. ARGV[2])
local delta = tonumber(ARGV[3]) - tonumber(ARGV[2])
if delta ~= 0 then redis.call('INCRBY', KEYS[1], delta) end
return 1
"""


@dataclass(frozen=True, slots=True)
class BudgetReservation:
    day: str
    member: str
    micro_usd: int


class BudgetWait(Exception):
    """Not enough budget left unless calls in flight settle below their reservations."""


def to_micro(usd: float) -> int:
    return round(usd * MICRO)


class DailyBudget:
    def __init__(
        self,
        client: redis.Redis,
        *,
        budget_usd: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        prefix: str = "ailp:budget",
        in_flight_seconds: int = IN_FLIGHT_SECONDS,
    ) -> None:
        self._client = client
        self._in_flight_seconds = in_flight_seconds
        self.budget_micro = to_micro(budget_usd)
        self._clock = clock
        self._prefix = prefix
        self._reserve = client.register_script(_RESERVE)
        self._settle = client.register_script(_SETTLE)

    def _day(self) -> str:
        return self._clock().astimezone(UTC).date().isoformat()

    def _keys(self, day: str) -> list[str]:
        return [f"{self._prefix}:{day}", f"{self._prefix}:{day}:in-flight"]

    def try_reserve(self, cost_usd: float) -> BudgetReservation | None:
        """Reserve `cost_usd` of today's budget. None: spent for today. BudgetWait: maybe soon."""
        day, cost, member = self._day(), to_micro(cost_usd), uuid.uuid4().hex
        result = self._reserve(
            keys=self._keys(day),
            args=[self.budget_micro, cost, member, 3 * 86400, self._in_flight_seconds],
        )
        if int(result[0]):
            return BudgetReservation(day, member, cost)
        spent, in_flight = int(result[1]), int(result[2])
        if in_flight and spent - in_flight + cost <= self.budget_micro:
            raise BudgetWait(f"{in_flight / MICRO:.4f} USD reserved by calls in flight")
        return None

    def settle(self, reservation: BudgetReservation, actual_usd: float) -> None:
        """Replace the reserved upper bound by the real cost (on the day it was reserved)."""
        self._settle(
            keys=self._keys(reservation.day),
            args=[reservation.member, reservation.micro_usd, to_micro(actual_usd)],
        )

    def spent_today_usd(self) -> float:
        value = self._client.get(self._keys(self._day())[0])
        return int(value or 0) / MICRO

    @property
    def budget_usd(self) -> float:
        return self.budget_micro / MICRO
