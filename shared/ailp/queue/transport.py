"""Kombu's Redis transport, with one Redis client per channel for its own bookkeeping.

With late acknowledgement kombu writes to Redis around every task (the unacked index when a
message arrives, removed again at the ack), and for each of those writes its Redis channel
builds a new `redis.Redis` (`Channel.conn_or_acquire` without a client). redis-py copies its
table of some 170 response callbacks in every constructor: a py-spy profile of the content
worker at 600 RPM put 14 % of its CPU in those acks. The client holds no connection of its own
(each command takes one from the channel's pool), so the channel's threads share one; a channel
whose pool was replaced (after a fork, a reconnect) builds a new one.

Used by both workers (`broker_transport` in `ailp.queue.celery_app`); the wire protocol and the
keys are kombu's own, so mixed old and new workers are safe during a rolling deploy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from kombu.transport import redis as kombu_redis

TRANSPORT = f"{__name__}:Transport"


class Channel(kombu_redis.Channel):
    _shared_client: redis.Redis | None = None
    _shared_client_lock = threading.Lock()

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        yield self._client_for_pool()

    def _client_for_pool(self) -> redis.Redis:
        pool = self.pool
        shared = self._shared_client
        if shared is None or shared.connection_pool is not pool:
            with self._shared_client_lock:
                shared = self._shared_client
                if shared is None or shared.connection_pool is not pool:
                    shared = self._shared_client = self._create_client()
        return shared


class Transport(kombu_redis.Transport):
    Channel = Channel
