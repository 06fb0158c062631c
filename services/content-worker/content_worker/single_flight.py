"""Identical cache misses call the model once.

When several jobs ask for the same piece at once (same cache key) and none is cached yet, the
first takes a short lock in Redis and calls the model; the others wait for its piece to appear
in the cache and serve it from there. The lock expires after a few seconds unless the leader,
alive, keeps renewing it, so a leader that died (even one whose job is then retried) holds the
others back for at most that long. When the leader is done it keeps the lock a few seconds more
if it wrote a piece (the piece is committed right after), or drops it at once if it fell back
(no piece is coming, so the others ask for themselves). Without Redis every job simply asks for
itself.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from ailp.logging import get_logger
from ailp.redis import get_redis

log = get_logger(__name__)

PREFIX = "ailp:content-in-flight:"
# How long a leader that wrote a piece keeps the lock: its job commits the piece meanwhile.
COMMIT_SECONDS = 15.0

# Extends the lock only if it is still ours.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# Deletes the lock only if it is still ours (it may have expired and been taken by another).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class Leadership:
    """Whether this job leads (calls the model) for its key, and how it ended."""

    def __init__(self, leads: bool) -> None:
        self.leads = leads
        self.wrote_piece = False


@contextmanager
def lead(key: str, *, ttl_seconds: float) -> Iterator[Leadership]:
    """Try to lead the calls for `key`; while leading, the lock is renewed to `ttl_seconds`."""
    token = uuid.uuid4().hex
    ttl_ms = max(1, int(ttl_seconds * 1000))
    client: redis.Redis | None = get_redis()
    try:
        leads = bool(get_redis().set(PREFIX + key, token, nx=True, px=ttl_ms))
    except (redis.RedisError, OSError) as exc:
        log.warning("single_flight_unavailable", error=str(exc))
        client, leads = None, True
    leadership = Leadership(leads)
    done = threading.Event()
    if client is not None and leads:
        threading.Thread(
            target=_renew, args=(client, key, token, ttl_ms, done), daemon=True
        ).start()
    try:
        yield leadership
    finally:
        done.set()
        if client is not None and leads:
            keep = int(COMMIT_SECONDS * 1000) if leadership.wrote_piece else 0
            try:
                client.eval(_RELEASE, 1, PREFIX + key, token, keep)
            except (redis.RedisError, OSError) as exc:
                log.warning("single_flight_not_released", error=str(exc))


def _renew(client: redis.Redis, key: str, token: str, ttl_ms: int, done: threading.Event) -> None:
    while not done.wait(ttl_ms / 3000):
        try:
            if not client.eval(_RENEW, 1, PREFIX + key, token, ttl_ms):
                return  # no longer ours
        except (redis.RedisError, OSError):
            continue


def in_flight(key: str) -> bool:
    """Whether some job still leads the calls for `key` (False when Redis cannot tell)."""
    try:
        return bool(get_redis().exists(PREFIX + key))
    except (redis.RedisError, OSError):
        return False
