"""Synchronous engine and sessions for the workers, the sweeper and command-line tools.

Engines are built lazily and per process: a Celery prefork child must not reuse the parent's
connections, so `dispose_engine()` runs after fork (see `ailp.queue.worker`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
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


def build_engine(settings: Settings) -> Engine:
    return create_engine(
        settings.sqlalchemy_url,
        pool_size=_pool_size or settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # A database restart must give errors while it is down and none after (DESIGN.md).
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": 5,
            # UTC sessions: timestamps come back in UTC whatever the server's default zone.
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms} -c timezone=UTC",
            "application_name": "ailp",
        },
    )


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
