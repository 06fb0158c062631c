"""Defect 3: argon2 parameters fit the pod's memory, old hashes still verify (and get re-hashed),
and hashing never queues without bound: past the wait, 503 with Retry-After."""

from __future__ import annotations

import asyncio

import pytest
from argon2 import PasswordHasher

from ailp.errors import ServiceUnavailable
from gateway.passwords import (
    MEMORY_COST_KIB,
    PasswordHashing,
    hash_password,
    needs_rehash,
    verify_password,
)

POD_MEMORY_LIMIT_MIB = 768


def test_the_parameters_are_owasps_argon2id_minimum_and_fit_the_pod() -> None:
    encoded = hash_password("correct-horse-42")
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    # Two processes per pod, the default 2 hashes each: a small share of the pod's memory.
    assert 2 * 2 * MEMORY_COST_KIB / 1024 < POD_MEMORY_LIMIT_MIB / 8


def test_a_hash_made_with_the_old_parameters_still_verifies_and_asks_for_a_rehash() -> None:
    old = PasswordHasher().hash("correct-horse-42")  # the library default the platform used
    assert "m=65536" in old
    assert verify_password(old, "correct-horse-42")
    assert not verify_password(old, "wrong-horse-42")
    assert needs_rehash(old)
    assert not needs_rehash(hash_password("correct-horse-42"))


def test_a_request_that_cannot_get_a_slot_in_time_gets_503() -> None:
    async def scenario() -> tuple[list[object], int]:
        hashing = PasswordHashing(concurrency=1, wait_seconds=0.05)
        release = asyncio.Event()

        async def hold() -> None:
            async with hashing.slot():
                await release.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)  # the holder takes the only slot
        results = await asyncio.gather(
            *(hashing.hash("correct-horse-42") for _ in range(3)), return_exceptions=True
        )
        release.set()
        await holder
        after = await hashing.hash("correct-horse-42")  # the slot is free again
        return results, len(after)

    results, length = asyncio.run(scenario())
    assert all(isinstance(r, ServiceUnavailable) and r.retry_after >= 1 for r in results)
    assert length > 0


def test_no_more_than_a_bounded_number_wait_for_a_slot() -> None:
    async def scenario() -> int:
        hashing = PasswordHashing(concurrency=1, wait_seconds=5)
        release = asyncio.Event()

        async def hold() -> None:
            async with hashing.slot():
                await release.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        waiters = [asyncio.create_task(hashing.hash("x" * 8)) for _ in range(hashing.max_waiting)]
        await asyncio.sleep(0)
        with pytest.raises(ServiceUnavailable):
            await hashing.hash("one-too-many")  # refused at once, not after 5 s
        release.set()
        await holder
        await asyncio.gather(*waiters)
        return len(waiters)

    assert asyncio.run(scenario()) == 16
