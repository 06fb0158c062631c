"""Kombu's Redis transport, with one Redis client per channel for its own bookkeeping.

With late acknowledgement kombu writes to Redis around every task (the unacked index when a
message arrives, removed again at the ack), and for each of those writes its Redis channel
builds a new `redis.Redis` (`Channel.conn_or_acquire` without a client). redis-py copies its
table of some 170 response callbacks in every constructor: a py-spy profile of the content
worker at 600 RPM put 14 % of its CPU in those acks. The client holds no connection of its own
(each command takes one from the channel's pool), so the channel's threads share one; a channel
whose pool was replaced (after a fork, a reconnect) builds a new one.

It also survives Celery's reconnect closing a channel after the connection let go of its
transport (see `Channel._connparams`), which made a worker exit when Redis restarted under it.

Used by both workers (`broker_transport` in `ailp.queue.celery_app`); the wire protocol and the
keys are kombu's own, so mixed old and new workers are safe during a rolling deploy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from kombu.utils.json import dumps
from redis.commands.core import Script

TRANSPORT = f"{__name__}:Transport"


# The unacked bookkeeping's two writes, each as one script instead of a MULTI/EXEC pipeline of
# four commands (kombu's): the same keys and values, one command and reply to parse.
_APPEND = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
_FORGET = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""


class QoS(kombu_redis.QoS):
    """Kombu's acknowledgement emulation, writing its index and hash by script (a py-spy
    profile of the content worker put a tenth of its CPU in these two pipelines)."""

    def append(self, message: Any, delivery_tag: str) -> None:
        if self.channel.global_keyprefix:  # kombu prefixes keys itself: leave it to kombu
            super().append(message, delivery_tag)
            return
        delivery = message.delivery_info
        record = dumps([message._raw, delivery["exchange"], delivery["routing_key"]])
        self.channel.run_script(
            _APPEND, [self.unacked_index_key, self.unacked_key], [time.time(), delivery_tag, record]
        )
        virtual.QoS.append(self, message, delivery_tag)

    def ack(self, delivery_tag: str) -> None:
        if self.channel.global_keyprefix:
            super().ack(delivery_tag)
            return
        self.channel.run_script(_FORGET, [self.unacked_index_key, self.unacked_key], [delivery_tag])
        virtual.QoS.ack(self, delivery_tag)


class Channel(kombu_redis.Channel):
    QoS = QoS
    _scripts: dict[str, Script] = {}
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

    def run_script(self, source: str, keys: list[str], args: list[Any]) -> Any:
        client = self._client_for_pool()
        script = self._scripts.get(source)
        if script is None:
            script = self._scripts[source] = client.register_script(source)
        return script(keys=keys, args=args, client=client)  # EVALSHA, loaded on first use

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        # Celery's reconnect collects the lost connection (the transport lets go of its client)
        # and closes it afterwards; a channel still open then (its first close failed on the
        # dead broker) asks for a new pool to restore its unacknowledged deliveries. Without a
        # client kombu raised AttributeError, which is not a connection error: the worker exited.
        # A connection error is ignored like the others; the deliveries stay in the unacked hash.
        if self.connection.client is None:
            raise redis.ConnectionError("the broker connection was closed")
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel
