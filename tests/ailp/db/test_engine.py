"""The workers' connections (`ailp.db.engine`) against a real PostgreSQL: an autocommit
connection commits each statement on its own and sends nothing else, and the pooled connection
it used goes back to plain transactions."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import pytest
from sqlalchemy import text

from ailp.config import get_settings
from ailp.db import engine as db_engine
from tests.support.database import create_database, drop_database


@pytest.fixture
def database_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = create_database("ailp_engine")
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    db_engine.dispose_engine()
    db_engine.set_pool_size(1)  # every block below gets the same pooled connection
    try:
        yield url
    finally:
        db_engine.dispose_engine()
        db_engine.set_pool_size(0)
        get_settings.cache_clear()
        drop_database(url)


def _last_statement(url: str, backend: int) -> str:
    with psycopg2.connect(url) as observer, observer.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", (backend,))
        return str(cursor.fetchone()[0])


def test_an_autocommit_connection_sends_its_statements_and_nothing_else(database_url: str) -> None:
    """SQLAlchemy's AUTOCOMMIT isolation level reset itself at every check-in (but a fresh
    connection's first) with a `SET default_transaction_isolation` round trip: four per
    content job."""
    for block in range(3):
        with db_engine.autocommit_connection() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            if block == 0:
                connection.execute(text("CREATE TABLE kept (n int)"))
            connection.execute(text(f"INSERT INTO kept VALUES ({block})"))
            with psycopg2.connect(database_url) as observer, observer.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM kept")  # committed before the block ends
                assert cursor.fetchone() == (block + 1,)
        assert _last_statement(database_url, backend) == f"INSERT INTO kept VALUES ({block})"


def test_the_connection_goes_back_to_transactions_after_autocommit(database_url: str) -> None:
    with db_engine.autocommit_connection() as connection:
        connection.execute(text("CREATE TABLE kept (n int)"))
        first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with pytest.raises(RuntimeError), db_engine.transaction() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() == first
        connection.execute(text("INSERT INTO kept VALUES (1)"))
        raise RuntimeError("rolled back")
    with db_engine.autocommit_connection() as connection:
        assert connection.execute(text("SELECT count(*) FROM kept")).scalar_one() == 0
