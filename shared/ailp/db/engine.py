"""Synchronous engine and sessions for the workers, the sweeper and command-line tools.

Engines are built lazily and per process: a Celery prefork child must not reuse the parent's
connections, so `dispose_engine()` runs after fork (see `ailp.queue.worker`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ailp.config import Settings, get_settings

_engine: Engine | None = None
_session_factory: sessionmaker[Session] | None = None
_engine_lock = threading.Lock()  # the content worker's threads may all ask at once
_pool_size: int | None = None


def set_pool_size(size: int) -> None:
    """Size this process's pool (before first use), e.g. to a thread pool's concurrency."""
    global _pool_size
    _pool_size = size


# A pooled connection idle for longer than this is checked (one round trip) before it is used.
IDLE_PING_SECONDS = 2.0


def dump_json(value: Any) -> str:
    """JSON columns' text (orjson: a job's result is serialised ~10× faster than by `json`);
    what orjson does not know (a type of its own) goes to `json`, which raises as before."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value)


def build_engine(settings: Settings) -> Engine:
    engine = create_engine(
        settings.sqlalchemy_url,
        json_serializer=dump_json,
        pool_size=_pool_size or settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": 5,
            # UTC sessions: timestamps come back in UTC whatever the server's default zone.
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms} -c timezone=UTC",
            "application_name": "ailp",
        },
    )
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """A database restart must give errors while it is down and none after (docs/architecture.md,
    Hard-won rules): a connection that has sat in the pool is checked before use, and replaced if
    the server dropped it.

    SQLAlchemy's `pool_pre_ping` checks every checkout, which costs a job in the content worker
    a round trip per statement group for connections used a moment ago; a connection that was
    in use within `IDLE_PING_SECONDS` is handed out unchecked (if the server went away in that
    instant, the statement fails with a disconnect error and the pool drops the connection).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool replaces this connection with a new one (or fails if it cannot connect).
            raise DisconnectionError(str(exc)) from exc


def get_engine() -> Engine:
    global _engine, _session_factory
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                engine = build_engine(get_settings())
                _session_factory = sessionmaker(engine, expire_on_commit=False)
                _engine = engine  # last: a reader that sees the engine also sees the factory
    return _engine


def dispose_engine() -> None:
    """Forget this process's pool (after fork, or at shutdown)."""
    global _engine, _session_factory
    if _engine is not None:
        _engine.dispose(close=False)
    _engine = None
    _session_factory = None


@contextmanager
def autocommit_connection() -> Iterator[Connection]:
    """A connection whose statements each commit on their own: for a single statement (a claim,
    a heartbeat) or reads that need no common snapshot. It saves the COMMIT round trip, and a
    plain connection the session's bookkeeping (a tenth of a content job's CPU).

    Autocommit is psycopg2's own switch, flipped on the pooled connection and back: SQLAlchemy's
    `isolation_level="AUTOCOMMIT"` option resets the level at every check-in with a
    `SET default_transaction_isolation` round trip (four per content job), and a second pool
    would double the connections a worker may hold. Nothing is in a transaction here, so the
    connection goes back to the pool exactly as it came out.
    """
    with get_engine().connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None
        dbapi_connection.autocommit = True
        try:
            yield connection
        finally:
            if not dbapi_connection.closed:  # a dropped connection is discarded by the pool
                dbapi_connection.autocommit = False


@contextmanager
def transaction() -> Iterator[Connection]:
    """A connection in a transaction that commits on success and rolls back on error: for
    statements that must land together (a job's output and its status), without a session."""
    with get_engine().begin() as connection:
        yield connection


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    get_engine()
    assert _session_factory is not None
    session = _session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database cannot be reached right now (down, restarting, the
    connection lost), as opposed to a bug in a statement."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
