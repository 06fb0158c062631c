"""The daily model budget (`OPENAI_DAILY_BUDGET_USD`) shared by every replica, per UTC day.

A call reserves its worst-case cost (prompt estimate at the input price + max_tokens at the
output price) with one atomic check-and-add, and settles to its real cost afterwards. Since
every reservation is an upper bound, concurrent calls cannot overshoot the budget by more than
one call's cost (only if the prompt estimate were too low). Amounts are integer micro-dollars.
The clock is injectable so that tests can cross UTC midnight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

MICRO = 1_000_000

# KEYS: the day's spend counter. ARGV: budget, cost (micro-USD), expiry seconds.
_RESERVE = """
local spent = tonumber(redis.call('GET', KEYS[1]) or 0)
local cost = tonumber(ARGV[2])
if spent + cost > tonumber(ARGV[1]) then return {0, spent} end
spent = redis.call('INCRBY', KEYS[1], cost)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1, spent}
"""


@dataclass(frozen=True, slots=True)
class BudgetReservation:
    key: str
    micro_usd: int


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
    ) -> None:
        self._client = client
        self.budget_micro = to_micro(budget_usd)
        self._clock = clock
        self._prefix = prefix
        self._reserve = client.register_script(_RESERVE)

    def _key(self) -> str:
        return f"{self._prefix}:{self._clock().astimezone(UTC).date().isoformat()}"

    def try_reserve(self, cost_usd: float) -> BudgetReservation | None:
        """Reserve `cost_usd` of today's budget, or None when it would exceed the budget."""
        key, cost = self._key(), to_micro(cost_usd)
        reserved, _ = self._reserve(keys=[key], args=[self.budget_micro, cost, 3 * 86400])
        return BudgetReservation(key, cost) if int(reserved) else None

    def settle(self, reservation: BudgetReservation, actual_usd: float) -> None:
        """Replace the reserved upper bound by the real cost (on the day it was reserved)."""
        delta = to_micro(actual_usd) - reservation.micro_usd
        if delta:
            self._client.incrby(reservation.key, delta)

    def spent_today_usd(self) -> float:
        value = self._client.get(self._key())
        return int(value or 0) / MICRO

    @property
    def budget_usd(self) -> float:
        return self.budget_micro / MICRO
