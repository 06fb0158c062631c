"""The shared model limits and the daily budget, against a real Redis."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from content_worker.budget import BudgetWait, DailyBudget
from content_worker.limits import ModelRateLimiter, parse_reset
from tests.support.database import SCRATCH_REDIS_DB, redis_url


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url(SCRATCH_REDIS_DB))
    yield connection
    connection.close()


def _prefix() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_requests_are_limited_per_window(client: redis.Redis) -> None:
    limiter = ModelRateLimiter(
        client, requests=3, tokens=10_000, window_seconds=1.5, prefix=_prefix()
    )
    assert all(limiter.try_reserve(10)[0] for _ in range(3))
    reservation, wait = limiter.try_reserve(10)
    assert reservation is None and 0 < wait <= 2.5  # the window plus the delivery margin
    time.sleep(wait + 0.05)  # the test's subject is time itself: the window must pass
    assert limiter.try_reserve(10)[0] is not None


def test_tokens_are_reserved_then_settled(client: redis.Redis) -> None:
    limiter = ModelRateLimiter(
        client, requests=100, tokens=100, window_seconds=30, prefix=_prefix()
    )
    first, _ = limiter.try_reserve(60)
    assert first is not None
    denied, wait = limiter.try_reserve(50)
    assert denied is None and wait > 0
    limiter.settle(first, 10)  # the call used far less than its worst case
    assert limiter.try_reserve(50)[0] is not None
    assert limiter.try_reserve(41)[0] is None


def test_a_cool_down_stops_everyone(client: redis.Redis) -> None:
    prefix = _prefix()
    one = ModelRateLimiter(client, requests=100, tokens=10_000, prefix=prefix)
    other = ModelRateLimiter(client, requests=100, tokens=10_000, prefix=prefix)
    one.cool_down(5)
    reservation, wait = other.try_reserve(1)
    assert reservation is None and 0 < wait <= 5
    one.cool_down(0.1)  # a shorter cool-down never shortens the current one
    assert other.try_reserve(1)[1] > 1


def test_concurrent_reservations_never_exceed_the_limit(client: redis.Redis) -> None:
    prefix = _prefix()
    granted: list[bool] = []
    lock = threading.Lock()

    def reserve() -> None:
        limiter = ModelRateLimiter(
            redis.Redis.from_url(redis_url(SCRATCH_REDIS_DB)),
            requests=10,
            tokens=10**6,
            prefix=prefix,
        )
        reservation, _ = limiter.try_reserve(5)
        with lock:
            granted.append(reservation is not None)

    threads = [threading.Thread(target=reserve) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(True) == 10


def test_an_oversized_call_is_capped_to_the_limit(client: redis.Redis) -> None:
    limiter = ModelRateLimiter(client, requests=10, tokens=100, prefix=_prefix())
    reservation, _ = limiter.try_reserve(1000)
    assert reservation is not None and reservation.tokens == 100


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_budget_is_reserved_settled_and_resets_at_utc_midnight(client: redis.Redis) -> None:
    clock = Clock(datetime(2026, 11, 28, 13, 0, tzinfo=UTC))
    budget = DailyBudget(client, budget_usd=1.00, clock=clock, prefix=_prefix())
    first = budget.try_reserve(0.60)
    assert first is not None
    with pytest.raises(BudgetWait):  # 1.10 would overshoot, unless the first call costs less
        budget.try_reserve(0.50)
    budget.settle(first, 0.20)  # it did: its real cost was lower
    second = budget.try_reserve(0.50)
    assert second is not None and budget.spent_today_usd() == pytest.approx(0.70)
    budget.settle(second, 0.50)
    assert budget.try_reserve(0.31) is None  # nothing in flight: spent for today

    clock.now = datetime(2026, 11, 28, 23, 59, 59, tzinfo=UTC)
    assert budget.try_reserve(0.31) is None
    clock.now += timedelta(seconds=2)  # 00:00:01 UTC the next day
    assert budget.spent_today_usd() == 0
    third = budget.try_reserve(0.99)
    assert third is not None
    budget.settle(second, 0.40)  # a late settlement lands on the day it was reserved
    assert budget.spent_today_usd() == pytest.approx(0.99)


def test_a_reservation_never_settled_stops_blocking_after_its_expiry(client: redis.Redis) -> None:
    dying = DailyBudget(client, budget_usd=1.00, prefix=(prefix := _prefix()), in_flight_seconds=0)
    assert dying.try_reserve(0.90) is not None  # its worker dies before settling
    budget = DailyBudget(client, budget_usd=1.00, prefix=prefix)
    assert budget.try_reserve(0.50) is None  # its worst case stays spent; nothing to wait for


def test_concurrent_budget_reservations_do_not_overshoot(client: redis.Redis) -> None:
    prefix = _prefix()
    results: list[str] = []
    lock = threading.Lock()

    def reserve() -> None:
        budget = DailyBudget(
            redis.Redis.from_url(redis_url(SCRATCH_REDIS_DB)), budget_usd=0.10, prefix=prefix
        )
        try:
            outcome = "granted" if budget.try_reserve(0.03) is not None else "spent"
        except BudgetWait:
            outcome = "wait"  # the granted calls may still settle below their reservations
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=reserve) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("granted") == 3  # 3 × 0.03 ≤ 0.10 < 4 × 0.03
    assert results.count("wait") == 17


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1s", 1),
        ("6m0s", 360),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("", None),
        (None, None),
        ("soon", None),
    ],
)
def test_reset_durations(value: str | None, seconds: float | None) -> None:
    assert parse_reset(value) == (pytest.approx(seconds) if seconds is not None else None)
