"""The gateway's PostgreSQL access: one asyncpg pool per process, one round trip per hot read.

SQLAlchemy's async layer measured at a third of raw asyncpg for a primary-key read
(docs/architecture.md), so the gateway talks to asyncpg directly with hand-written SQL kept in
each resource's `repository.py`. Statements run in autocommit mode (no BEGIN/ROLLBACK round
trips); multi-row writes that must be atomic are single statements (CTEs) or use `transaction()`.
Repositories never raise errors meant for clients: they return None (or False) for a row that
is not there and raise `Duplicate` / `MissingReference` for what a constraint refused.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import asyncpg
import orjson

from ailp.config import Settings
from ailp.logging import get_logger

log = get_logger(__name__)

# Errors that mean "the database is unreachable or restarting", answered with 503.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    TimeoutError,  # connecting, acquiring a pooled connection, command_timeout
    socket.gaierror,  # the host name does not resolve
    asyncpg.exceptions.PostgresConnectionError,  # class 08; the connection lost mid-query
    asyncpg.exceptions.CannotConnectNowError,  # starting up or shutting down
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
)
# Broader classes, only some of whose instances mean that (see `is_unavailable`).
MAYBE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OSError, asyncpg.InterfaceError)
# Socket errors that are not `ConnectionError`s. ENOENT: a Unix socket that is gone.
_NETWORK_ERRNOS = frozenset(
    {
        errno.ENOENT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.ETIMEDOUT,
        errno.EADDRNOTAVAIL,
    }
)

# asyncpg's InterfaceErrors for a connection or pool that is gone (the rest are misuse).
_CLOSED = ("connection is closed", "pool is closing", "pool is closed")


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database cannot be reached (as opposed to, e.g., a file error or
    a misused connection, which are bugs)."""
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        message = str(exc)
        return any(closed in message for closed in _CLOSED)
    # File errors name their file; a failed socket has no file name.
    return isinstance(exc, OSError) and exc.filename is None and exc.errno in _NETWORK_ERRNOS


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
        # 0 behind PgBouncer in transaction mode: consecutive statements may reach different
        # server connections, where a cached prepared statement does not exist.
        "statement_cache_size": settings.db_statement_cache_size,
        "init": _init_connection,
        "server_settings": {
            "application_name": "ailp-gateway",
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "timezone": "UTC",  # now()::date and friends are UTC days, whatever the server's zone
        },
    }
    options.update(overrides)
    try:
        pool = await asyncpg.create_pool(settings.asyncpg_dsn, **options)
    except Exception as exc:
        if not is_unavailable(exc) or not options["min_size"]:
            raise
        # The database is away while this process starts (a restart during an outage, or a
        # worker still starting when it went away): start with no connection kept warm and
        # answer 503 until it is back, instead of failing the startup, which takes the sibling
        # workers down too.
        log.warning("database_unavailable_at_startup", error=str(exc)[:300])
        pool = await asyncpg.create_pool(settings.asyncpg_dsn, **{**options, "min_size": 0})
    assert pool is not None
    return pool


class Duplicate(Exception):
    """A unique constraint refused a write. Repositories raise it instead of the driver's error;
    the service decides what it means to the client."""

    def __init__(self, constraint: str | None) -> None:
        super().__init__(f"unique constraint {constraint} refused the write")
        self.constraint = constraint or ""


class MissingReference(Exception):
    """A foreign key refused a write: a referenced row is gone."""
