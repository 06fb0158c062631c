"""DB_STATEMENT_CACHE_SIZE reaches the gateway's asyncpg pool: 0 (behind PgBouncer in
transaction mode) leaves no named prepared statement on the server connection."""

from __future__ import annotations

import asyncio

import pytest

from ailp.config import Settings
from gateway.db import create_pool
from tests.support.database import create_database, drop_database


async def _prepared_after_a_query(url: str, cache_size: int) -> int:
    pool = await create_pool(Settings(database_url=url, db_statement_cache_size=cache_size))
    try:
        async with pool.acquire() as connection:
            await connection.fetchval("SELECT count(*) FROM users WHERE id > $1", 0)
            count: int = await connection.fetchval("SELECT count(*) FROM pg_prepared_statements")
            return count
    finally:
        await pool.close()


@pytest.mark.parametrize(("cache_size", "kept"), [(100, True), (0, False)])
def test_statement_cache_setting_is_honoured(cache_size: int, kept: bool) -> None:
    url = create_database("ailp_stmtcache")
    try:
        prepared = asyncio.run(_prepared_after_a_query(url, cache_size))
        assert (prepared > 0) is kept
    finally:
        drop_database(url)
