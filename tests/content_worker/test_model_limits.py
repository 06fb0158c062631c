"""The shared model limits, against a real Redis."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from content_worker.limits import LimitsLost, ModelRateLimiter, parse_reset
from tests.support.database import SCRATCH_REDIS_DB, redis_url


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url(SCRATCH_REDIS_DB))
    yield connection
    connection.close()


def _prefix() -> str:
    return f"test:{uuid.uuid4().hex}"


def _limiter(client: redis.Redis, **options: object) -> ModelRateLimiter:
    """A limiter whose shared state exists (as after its first re-seed)."""
    limiter = ModelRateLimiter(client, **{"prefix": _prefix(), **options})  # type: ignore[arg-type]
    limiter.reseed(0)
    return limiter


def test_requests_are_limited_per_window(client: redis.Redis) -> None:
    limiter = _limiter(client, requests=3, tokens=10_000, window_seconds=1.5)
    assert all(limiter.try_reserve(10)[0] for _ in range(3))
    reservation, wait = limiter.try_reserve(10)
    assert reservation is None and 0 < wait <= 2.5  # the window plus the delivery margin
    time.sleep(wait + 0.05)  # the test's subject is time itself: the window must pass
    assert limiter.try_reserve(10)[0] is not None


def test_tokens_are_reserved_then_settled(client: redis.Redis) -> None:
    limiter = _limiter(client, requests=100, tokens=100, window_seconds=30)
    first, _ = limiter.try_reserve(60)
    assert first is not None
    denied, wait = limiter.try_reserve(50)
    assert denied is None and wait > 0
    limiter.settle(first, 10)  # the call used far less than its worst case
    assert limiter.try_reserve(50)[0] is not None
    assert limiter.try_reserve(41)[0] is None


def test_a_cool_down_stops_everyone(client: redis.Redis) -> None:
    one = _limiter(client, requests=100, tokens=10_000)
    other = ModelRateLimiter(client, requests=100, tokens=10_000, prefix=one.prefix)
    one.cool_down(5)
    reservation, wait = other.try_reserve(1)
    assert reservation is None and 0 < wait <= 5
    one.cool_down(0.1)  # a shorter cool-down never shortens the current one
    assert other.try_reserve(1)[1] > 1


def test_calls_beyond_a_burst_are_scheduled_evenly_not_all_at_once(client: redis.Redis) -> None:
    """A backlog used to spend a minute's allowance in its first seconds and then wait out the
    rest of the minute (every later job deferred); now calls past the burst get a start time on
    an even schedule, one request's share of the window apart."""
    limiter = _limiter(client, requests=600, tokens=10**6, window_seconds=60, burst=3)
    spacing = limiter.window_ms / 600 / 1000
    now = [limiter.try_reserve(1, max_delay=5) for _ in range(3)]
    assert all(reservation and delay == 0 for reservation, delay in now)  # the burst
    scheduled = [limiter.try_reserve(1, max_delay=5) for _ in range(5)]
    delays = [delay for reservation, delay in scheduled if reservation]
    assert len(delays) == 5
    assert delays == sorted(delays)
    assert all(
        abs(later - earlier - spacing) < 0.02 for earlier, later in itertools.pairwise(delays)
    )
    # Past what the caller accepts to wait: no reservation, and how long until its place.
    reservation, wait = limiter.try_reserve(1, max_delay=0.1)
    assert reservation is None and wait == pytest.approx(delays[-1] + spacing, abs=0.05)
    # Unpaced (the default): only the window counts.
    free = _limiter(client, requests=600, tokens=10**6, window_seconds=60)
    assert all(free.try_reserve(1)[1] == 0 for _ in range(50))


def test_a_full_window_places_the_call_when_a_place_frees_instead_of_turning_it_away(
    client: redis.Redis,
) -> None:
    """A caller that accepts the wait gets its place at once, also past a full window: turned
    away, every waiting caller retried (a script run and a scan of the window each) until one
    got the place, about a hundred times a second at 600 RPM."""
    window_s, limit = 1.0, 20
    limiter = _limiter(client, requests=limit, tokens=10**6, window_seconds=window_s, burst=5)
    window = limiter.window_ms / 1000  # the window plus the delivery margin
    asked_at = time.monotonic()
    granted = [limiter.try_reserve(1, max_delay=3 * window) for _ in range(2 * limit + 5)]
    assert all(reservation is not None for reservation, _ in granted)
    starts = [delay for _, delay in granted]  # relative to nearly the same moment
    assert starts == sorted(starts)
    # No window (allowing for the few ms the calls themselves took) holds more than the limit.
    for first, start in enumerate(starts):
        within = [other for other in starts[first:] if other < start + window - 0.02]
        assert len(within) <= limit
    assert starts[-1] > window  # the last ones really were placed past the first window
    assert time.monotonic() - asked_at < window / 2  # and nobody waited to learn that


def test_callers_waiting_for_the_limits_get_turns_one_request_apart(client: redis.Redis) -> None:
    """Jobs deferred together come back one by one at the rate places free up, not all at once
    (each time only one would get a place and the rest would go round the queue again)."""
    one = _limiter(client, requests=600, tokens=10**6, window_seconds=60)
    other = ModelRateLimiter(client, requests=600, tokens=10**6, prefix=one.prefix)
    spacing = one.window_ms / 600 / 1000  # one request's share of the window, ≈ 0.1 s
    turns = [limiter.come_back_in(2.0, latest_seconds=300) for limiter in (one, other) * 50]
    assert turns[0] == pytest.approx(2.0, abs=0.05)
    gaps = [later - earlier for earlier, later in itertools.pairwise(turns)]
    # Each turn one spacing after the previous one (less the few ms the calls themselves take).
    assert all(spacing - 0.05 < gap <= spacing + 0.001 for gap in gaps)
    assert turns[-1] == pytest.approx(2.0 + 99 * spacing, abs=0.2)
    # A caller whose deadline comes before its turn is told, and does not take the turn.
    last = turns[-1]
    assert one.come_back_in(0.0, latest_seconds=1.0) > 1.0
    assert one.come_back_in(0.0, latest_seconds=300) == pytest.approx(last + spacing, abs=0.1)


def test_concurrent_reservations_never_exceed_the_limit(client: redis.Redis) -> None:
    prefix = _limiter(client, requests=10, tokens=10**6).prefix
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
    limiter = _limiter(client, requests=10, tokens=100)
    reservation, _ = limiter.try_reserve(1000)
    assert reservation is not None and reservation.tokens == 100


def test_limits_lost_with_redis_data_are_noticed_and_reseeded_with_a_pause(
    client: redis.Redis,
) -> None:
    """R13: a flush used to open a fresh window while the model still counted the last one."""
    limiter = _limiter(client, requests=2, tokens=10_000)
    assert limiter.try_reserve(1)[0] is not None
    for key in client.scan_iter(f"{limiter.prefix}:*"):
        client.delete(key)  # what FLUSHDB does to these keys
    with pytest.raises(LimitsLost):
        limiter.try_reserve(1)
    limiter.reseed(30)  # a call was made in the last window: everyone waits out the rest
    reservation, wait = limiter.try_reserve(1)
    assert reservation is None and 25 < wait <= 30
    limiter.reseed(0)  # a second re-seed (another replica) changes nothing
    assert limiter.try_reserve(1)[1] > 25


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
