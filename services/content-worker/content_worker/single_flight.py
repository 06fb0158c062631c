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

import math
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from redis.commands.core import Script

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


class _Renewer:
    """One thread per process renews every lock its jobs lead, each a third of its lifetime
    after it was taken or last renewed (a thread per job cost a start each, and most jobs end
    long before their lock needs renewing)."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, int, float]] = {}  # key -> (token, ttl_ms, due)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._wakes_at = math.inf
        self._thread: threading.Thread | None = None

    def hold(self, key: str, token: str, ttl_ms: int) -> None:
        due = time.monotonic() + ttl_ms / 3000
        with self._lock:
            self._held[key] = (token, ttl_ms, due)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="single-flight", daemon=True)
                self._thread.start()
            elif due < self._wakes_at:
                self._wake.set()

    def release(self, key: str, token: str) -> None:
        with self._lock:
            if self._held.get(key, ("",))[0] == token:
                del self._held[key]

    def _run(self) -> None:
        while True:
            now = time.monotonic()
            with self._lock:
                due = [(k, token, ttl) for k, (token, ttl, at) in self._held.items() if at <= now]
            for key, token, ttl_ms in due:
                try:
                    renewed = _script(_RENEW)(keys=[PREFIX + key], args=[token, ttl_ms])
                except (redis.RedisError, OSError):
                    renewed = True  # Redis is away: try again next time
                with self._lock:
                    if self._held.get(key, ("",))[0] != token:
                        continue
                    if renewed:
                        self._held[key] = (token, ttl_ms, now + ttl_ms / 3000)
                    else:
                        del self._held[key]  # no longer ours
            with self._lock:
                self._wakes_at = min((at for *_, at in self._held.values()), default=now + 60)
                self._wake.clear()
            self._wake.wait(max(0.0, self._wakes_at - time.monotonic()))


_renewer = _Renewer()
_scripts: dict[str, Script] = {}


def _script(source: str) -> Script:
    """The script on this process's client (sent by its hash; loaded on first use)."""
    client = get_redis()
    script = _scripts.get(source)
    if script is None or script.registered_client is not client:
        script = _scripts[source] = client.register_script(source)
    return script


@contextmanager
def lead(key: str, *, ttl_seconds: float) -> Iterator[Leadership]:
    """Try to lead the calls for `key`; while leading, the lock is renewed to `ttl_seconds`."""
    token = uuid.uuid4().hex
    ttl_ms = max(1, int(ttl_seconds * 1000))
    try:
        leads = bool(get_redis().set(PREFIX + key, token, nx=True, px=ttl_ms))
        shared = True
    except (redis.RedisError, OSError) as exc:
        log.warning("single_flight_unavailable", error=str(exc))
        leads, shared = True, False
    leadership = Leadership(leads)
    if shared and leads:
        _renewer.hold(key, token, ttl_ms)
    try:
        yield leadership
    finally:
        if shared and leads:
            _renewer.release(key, token)
            keep = int(COMMIT_SECONDS * 1000) if leadership.wrote_piece else 0
            try:
                _script(_RELEASE)(keys=[PREFIX + key], args=[token, keep])
            except (redis.RedisError, OSError) as exc:
                log.warning("single_flight_not_released", error=str(exc))


def in_flight(key: str) -> bool:
    """Whether some job still leads the calls for `key` (False when Redis cannot tell)."""
    try:
        return bool(get_redis().exists(PREFIX + key))
    except (redis.RedisError, OSError):
        return False
