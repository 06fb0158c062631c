"""The gateway's PostgreSQL access: one asyncpg pool per process, one round trip per hot read.

DESIGN.md measured SQLAlchemy's async layer at a third of raw asyncpg for a primary-key read, so
the gateway talks to asyncpg directly with hand-written SQL kept in each resource's
`repository.py`. Statements run in autocommit mode (no BEGIN/ROLLBACK round trips); multi-row
writes that must be atomic are single statements (CTEs) or use `transaction()`.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from ailp.config import Settings

# Errors that mean "the database is unreachable or restarting", answered with 503.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.InterfaceError,
)


async def _init_connection(connection: asyncpg.Connection) -> None:
    for json_type in ("json", "jsonb"):
        await connection.set_type_codec(
            json_type,
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def create_pool(settings: Settings, **overrides: Any) -> asyncpg.Pool:
    options: dict[str, Any] = {
        "min_size": 1,
        "max_size": settings.db_pool_size,
        "max_inactive_connection_lifetime": 300.0,
        "command_timeout": settings.db_statement_timeout_ms / 1000,
        "timeout": 5.0,
        "init": _init_connection,
        "server_settings": {
            "application_name": "ailp-gateway",
            "statement_timeout": str(settings.db_statement_timeout_ms),
        },
    }
    options.update(overrides)
    pool = await asyncpg.create_pool(settings.asyncpg_dsn, **options)
    assert pool is not None
    return pool
