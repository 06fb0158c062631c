"""The single-flight lock (identical cache misses call the model once), against a real Redis."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from ailp.config import get_settings
from ailp.redis import reset_redis
from content_worker import single_flight
from tests.support.database import SCRATCH_REDIS_DB, redis_url


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    monkeypatch.setenv("REDIS_URL", redis_url(SCRATCH_REDIS_DB))
    get_settings.cache_clear()
    reset_redis()
    connection = redis.Redis.from_url(redis_url(SCRATCH_REDIS_DB))
    try:
        yield connection
    finally:
        connection.close()
        reset_redis()
        get_settings.cache_clear()


def _single_flight_threads() -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == "single-flight")


def test_leaders_keep_their_locks_past_the_lifetime_with_one_renewing_thread(
    client: redis.Redis,
) -> None:
    """Each leader used to start a renewing thread of its own (a start per content job)."""
    keys = [uuid.uuid4().hex for _ in range(5)]
    started = threading.active_count()
    with (
        single_flight.lead(keys[0], ttl_seconds=0.6) as first,
        single_flight.lead(keys[1], ttl_seconds=0.6) as second,
        single_flight.lead(keys[0], ttl_seconds=0.6) as follower,
    ):
        assert first.leads and second.leads and not follower.leads
        others = [single_flight.lead(key, ttl_seconds=0.6) for key in keys[2:]]
        assert all(lead.__enter__().leads for lead in others)
        assert threading.active_count() - started <= 1
        assert _single_flight_threads() == 1
        time.sleep(1.5)  # the subject is time: 2.5 lifetimes, renewed every third of one
        assert all(single_flight.in_flight(key) for key in keys)
        for lead in others:
            lead.__exit__(None, None, None)
        first.wrote_piece = True
    assert client.pttl(single_flight.PREFIX + keys[0]) > 10_000  # kept while the piece commits
    assert not any(single_flight.in_flight(key) for key in keys[1:])  # fell back: dropped
    assert _single_flight_threads() == 1


def test_a_lock_taken_over_after_it_expired_is_not_renewed_or_dropped_by_its_old_leader(
    client: redis.Redis,
) -> None:
    key = uuid.uuid4().hex
    with single_flight.lead(key, ttl_seconds=0.3) as old:
        assert old.leads
        client.set(single_flight.PREFIX + key, "someone-else", px=5_000)  # as after expiry
        time.sleep(0.4)
        assert client.get(single_flight.PREFIX + key) == b"someone-else"
    assert client.get(single_flight.PREFIX + key) == b"someone-else"
    assert 0 < client.pttl(single_flight.PREFIX + key) <= 5_000 - 300
