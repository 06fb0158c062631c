"""Throw-away PostgreSQL databases and Redis database numbers for test runs."""

from __future__ import annotations

import atexit
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis

from ailp.db.migrate import upgrade

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def server_url() -> str:
    """The PostgreSQL server the tests use (TEST_DATABASE_SERVER_URL, else the local default)."""
    return os.environ.get("TEST_DATABASE_SERVER_URL", DEFAULT_SERVER_URL)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


_template: str | None = None


def _migrated_template() -> str:
    """A database migrated once per test run; new databases are copied from it (fast)."""
    global _template
    if _template is None:
        name = f"ailp_template_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        _admin(f'CREATE DATABASE "{name}"')
        upgrade(
            with_database(server_url(), name).replace("postgresql://", "postgresql+psycopg2://", 1)
        )
        _template = name
        atexit.register(drop_template)  # also when used outside pytest (the benchmark)
    return _template


def drop_stale_databases() -> list[str]:
    """Drop throw-away databases left by runs that died (their creating process is gone)."""
    connection = psycopg2.connect(server_url())
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname ~ '^ailp_[a-z]+_[0-9]+_[0-9a-f]{8}$'"
            )
            names = [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()
    stale = [name for name in names if not _alive(int(name.rsplit("_", 2)[1]))]
    for name in stale:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return stale


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_template() -> None:
    global _template
    if _template is not None:
        _admin(f'DROP DATABASE IF EXISTS "{_template}" WITH (FORCE)')
        _template = None


def create_database(prefix: str = "ailp_test") -> str:
    """Create a fresh, migrated database (a copy of the run's template); return its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{_migrated_template()}"')
    return with_database(server_url(), name)


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(statement: str) -> None:
    connection = psycopg2.connect(server_url())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


# The Redis database numbers a test run uses: BASE (the shared integration stack), BASE + 1
# (private stacks), BASE + 2 (the learner-model stack and Redis-level service tests), BASE + 3
# (the security suite's stack), BASE + 4 (the end-to-end stack, and the in-process gateway tier of
# tests/gateway, which runs after the end-to-end stack is gone). Override AILP_TEST_REDIS_DB to run
# two suites side by side on one Redis.
REDIS_DB_BASE = int(os.environ.get("AILP_TEST_REDIS_DB", "11"))
INTEGRATION_REDIS_DB = REDIS_DB_BASE
PRIVATE_REDIS_DB = REDIS_DB_BASE + 1
SCRATCH_REDIS_DB = REDIS_DB_BASE + 2
SECURITY_REDIS_DB = REDIS_DB_BASE + 3
GATEWAY_REDIS_DB = REDIS_DB_BASE + 4


def redis_url(db: int) -> str:
    base = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{db}"))


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
