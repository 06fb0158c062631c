"""Password hashing (argon2id) with a bounded number of hashes in flight per process.

Parameters: OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane). The gateway pod's memory limit
is 768 MiB; each hash holds its memory cost while it runs, so a process needs at most
PASSWORD_HASH_CONCURRENCY × 19 MiB (38 MiB at the default 2; 76 MiB for a pod of two processes)
on top of its ~100 MiB baseline. A hash takes ~35 ms of one core here.

Hashes made with older parameters (the library default, 64 MiB) still verify, because the
parameters travel in the hash string; a successful sign-in re-hashes them with today's.

A flood of sign-ups or sign-ins cannot queue without bound: a request waits at most
PASSWORD_HASH_WAIT_SECONDS for a slot, and at most `max_waiting` requests wait at once; the
others get 503 with Retry-After at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ailp.errors import ServiceUnavailable

TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1

_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)
# Verified when the user does not exist, so that both paths cost the same (no user enumeration).
_DUMMY_HASH = _hasher.hash("not-a-real-password")

_BUSY = (
    "The server is busy checking other passwords right now. Wait until Retry-After has passed, "
    "then try again."
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


class PasswordHashing:
    """At most `concurrency` argon2 computations at once in this process, run off the loop."""

    def __init__(self, *, concurrency: int, wait_seconds: float) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._wait_seconds = wait_seconds
        self.max_waiting = concurrency * 16
        self._waiting = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one hashing slot; 503 when none frees up in time (or too many already wait)."""
        if self._slots.locked() and self._waiting >= self.max_waiting:
            raise ServiceUnavailable(_BUSY, retry_after=1)
        self._waiting += 1
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            raise ServiceUnavailable(_BUSY, retry_after=1) from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._slots.release()

    async def hash(self, password: str) -> str:
        async with self.slot():
            return await anyio.to_thread.run_sync(hash_password, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        async with self.slot():
            return await anyio.to_thread.run_sync(verify_password, password_hash, password)

    async def verify_and_rehash(self, password_hash: str | None, password: str) -> str | None:
        """Check a password; returns None when wrong, else the hash to keep (a new one when the
        stored one was made with older parameters, else the stored one). One slot for both."""
        async with self.slot():
            valid = await anyio.to_thread.run_sync(verify_password, password_hash, password)
            if not valid or password_hash is None:
                return None
            if needs_rehash(password_hash):
                return await anyio.to_thread.run_sync(hash_password, password)
            return password_hash
