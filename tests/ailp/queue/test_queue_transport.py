"""The workers' kombu transport: Redis as kombu uses it, with one client per channel."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis
from kombu import Connection

from ailp.config import Settings
from ailp.queue.celery_app import make_celery
from ailp.queue.transport import TRANSPORT, Transport
from tests.support.database import SCRATCH_REDIS_DB, redis_url


@pytest.fixture
def url() -> Iterator[str]:
    url = redis_url(SCRATCH_REDIS_DB)
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def test_the_workers_celery_apps_use_it(url: str) -> None:
    app = make_celery("t", Settings(environment="test", celery_broker_url=url, redis_url=url))
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)


def test_acknowledged_messages_leave_nothing_behind_and_share_one_client(url: str) -> None:
    """Before: kombu built a new redis.Redis for each of these writes (14 % of the content
    worker's CPU); the messages and the unacked bookkeeping must behave exactly as kombu's."""
    with Connection(url, transport=TRANSPORT) as connection:
        queue = connection.SimpleQueue("ailp-transport-test")
        for n in range(5):
            queue.put({"n": n})
        received = []
        for _ in range(5):
            message = queue.get(timeout=5)
            received.append(message.payload["n"])
            message.ack()
        channel = connection.default_channel
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
            assert first is second
        queue.close()
    assert sorted(received) == [0, 1, 2, 3, 4]
    client = redis.Redis.from_url(url)
    assert client.zcard("unacked_index") == 0 and client.hlen("unacked") == 0
    client.close()


def test_the_unacked_bookkeeping_is_one_command_each_way_and_restores_like_kombus(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kombu wrote the index and the hash with a MULTI/EXEC pipeline per message and per ack (a
    tenth of the content worker's CPU); what it writes must stay what kombu reads back."""
    pipelines: list[int] = []
    execute = redis.client.Pipeline.execute

    def counted(self: redis.client.Pipeline, *args: object, **kwargs: object) -> object:
        pipelines.append(len(self.command_stack))
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counted)
    client = redis.Redis.from_url(url)
    with Connection(url, transport=TRANSPORT) as connection:
        queue = connection.SimpleQueue("ailp-transport-test")
        queue.put({"n": 1})
        queue.put({"n": 2})
        first = queue.get(timeout=5)
        pipelines.clear()
        first.ack()
        second = queue.get(timeout=5)
        assert pipelines == []  # the ack and the next delivery's bookkeeping: one script each
        tag = second.delivery_tag
        assert client.zscore("unacked_index", tag) is not None
        raw, exchange, routing_key = json.loads(client.hget("unacked", tag))
        delivery = second.delivery_info
        assert (exchange, routing_key) == (delivery["exchange"], delivery["routing_key"])
        assert raw == second._raw
        # Kombu's own recovery reads it back: the unacknowledged message is delivered again.
        connection.default_channel.qos.restore_unacked()
        queue.close()
    with Connection(url, transport=TRANSPORT) as connection:
        queue = connection.SimpleQueue("ailp-transport-test")
        again = queue.get(timeout=5)
        assert again.payload == {"n": 2}
        again.ack()
        queue.close()
    assert client.zcard("unacked_index") == 0 and client.hlen("unacked") == 0
    client.close()


def test_a_channel_closed_after_its_connection_let_go_of_the_transport_does_not_crash_the_worker(
    url: str,
) -> None:
    """Celery 5.7's reconnect collects the lost connection (the transport lets go of its client)
    and then closes it; a channel whose first close failed (its BRPOP read hit the dead broker)
    is closed again then and, holding an unacknowledged delivery, asks for a new pool to restore
    it. Kombu then dereferenced the missing client: the AttributeError was not a connection error,
    so the analytics worker exited ("Unrecoverable error") when Redis restarted under it. Now it
    is a connection error, ignored like the others; the delivery stays in kombu's unacked hash
    for the visibility timeout to hand out again."""
    with Connection(url, transport=TRANSPORT) as connection:
        queue = connection.SimpleQueue("ailp-transport-test")
        queue.put({"n": 1})
        delivered = queue.get(timeout=5)  # not acknowledged
        channel = connection.default_channel
        connection._do_close_transport()  # what Connection.collect ends with
        with pytest.raises(connection.connection_errors):
            channel.close()
        assert channel.closed
    assert delivered.delivery_tag is not None
    client = redis.Redis.from_url(url)
    assert client.hexists("unacked", delivered.delivery_tag)
    client.close()
