"""Tell every gateway process at once that tokens were revoked (Redis pub/sub).

PostgreSQL is the truth about revoked tokens and each process caches "still current" for at
most TOKEN_STATE_CACHE_SECONDS (`gateway.auth.revocation`). This is the fast path on top: after
committing a revocation, the process that handled it publishes it, and every process drops its
cached answers for that token or user, so the next request anywhere asks PostgreSQL again.
Publishing happens before the response is sent, so a client's next request normally finds every
process told. Lost messages (Redis away, a process reconnecting) only fall back to the bound.
"""

from __future__ import annotations

import asyncio
import contextlib

import redis.asyncio as aioredis

from ailp.logging import get_logger
from gateway.auth.revocation import TokenStates
from gateway.security import TokenClaims

log = get_logger(__name__)

CHANNEL = "ailp:token-revocations"
_RECONNECT_SECONDS = 1.0
_IDLE_CHECK_SECONDS = 5.0


async def announce(client: aioredis.Redis, message: str) -> None:
    """`user:<id>` (every token of a user) or `jti:<id>` (one token). Best effort."""
    try:
        await client.publish(CHANNEL, message)
    except (aioredis.RedisError, OSError) as exc:
        log.warning("revocation_broadcast_failed", error=str(exc))


def apply(states: TokenStates, message: str) -> None:
    kind, _, value = message.partition(":")
    if kind == "user" and value.isdigit():
        states.forget_user(int(value))
    elif kind == "jti" and value:
        states.forget_token(value)


class RevocationListener:
    """A background task that applies every announcement to this process's `TokenStates`.

    It owns its Redis client: a subscribed connection sits idle for long stretches, which the
    shared clients' 2 s socket timeout would turn into endless reconnects.
    """

    def __init__(self, redis_url: str, states: TokenStates) -> None:
        self.client = aioredis.Redis.from_url(
            redis_url, socket_timeout=None, socket_connect_timeout=2, max_connections=4
        )
        self._states = states
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="revocation-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                async with self.client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    while True:
                        # A timeout only bounds the wait (None when nothing came); the PING
                        # every few seconds notices a dead connection.
                        message = await pubsub.get_message(timeout=_IDLE_CHECK_SECONDS)
                        if message is None:
                            await pubsub.ping()
                            continue
                        data = message.get("data")
                        if isinstance(data, bytes):
                            apply(self._states, data.decode(errors="replace"))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: the cache bound still holds; retry shortly
                log.warning("revocation_listener_disconnected", error=str(exc))
                await asyncio.sleep(_RECONNECT_SECONDS)


class Revocations:
    """What the account endpoints call after committing a revocation: this process forgets at
    once, the others when the announcement reaches them."""

    def __init__(self, states: TokenStates, client: aioredis.Redis) -> None:
        self.states = states
        self._client = client

    async def token_revoked(self, claims: TokenClaims) -> None:
        self.states.revoke_token(claims)
        await announce(self._client, f"jti:{claims.jti}")

    async def user_revoked(self, user_id: int) -> None:
        self.states.forget_user(user_id)
        await announce(self._client, f"user:{user_id}")
