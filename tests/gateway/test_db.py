"""Which database errors mean "unavailable" (503) rather than a bug (a review fix)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from ailp.config import Settings
from gateway.db import create_pool, is_unavailable


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (ConnectionResetError(104, "Connection reset by peer"), True),
        (TimeoutError(), True),
        (OSError(113, "No route to host"), True),
        (FileNotFoundError(2, "No such file or directory"), True),  # a Unix socket that is gone
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed in the middle"), True),
        (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), True),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients"), True),
        (asyncpg.InterfaceError("cannot perform operation: connection is closed"), True),
        (asyncpg.InterfaceError("pool is closing"), True),
        (FileNotFoundError(2, "No such file or directory", "/srv/missing.json"), False),
        (PermissionError(13, "Permission denied", "/srv/secret"), False),
        (asyncpg.DataError("invalid input for query argument $1"), False),
        (
            asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
            False,
        ),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), False),
    ],
)
def test_only_connection_failures_count_as_the_database_being_unavailable(
    error: Exception, unavailable: bool
) -> None:
    assert is_unavailable(error) is unavailable


def test_a_gateway_process_starts_while_the_database_is_away_and_answers_unavailable() -> None:
    """Before: the pool's first connection failed the application's startup; uvicorn then shut
    its sibling workers down too (tests/fault/test_database_outage.py failed in CI when the
    second gateway worker was still starting as the test stopped the database)."""
    settings = Settings(environment="test", database_url="postgresql://postgres@127.0.0.1:1/ailp")

    async def scenario() -> BaseException:
        pool = await create_pool(settings)  # no connection kept warm
        try:
            with pytest.raises(Exception) as failure:
                async with pool.acquire():
                    pass
            return failure.value
        finally:
            await pool.close()

    assert is_unavailable(asyncio.run(scenario()))
