"""Statements sent straight to psycopg2 (`ailp.db.direct`) behave as SQLAlchemy's own: rows by
column name, the executor's transaction, SQLAlchemy's errors, and a dropped connection replaced."""

from __future__ import annotations

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ailp.db import engine as db_engine
from ailp.db.direct import DirectStatement, run
from tests.ailp.db.test_engine import database_url  # noqa: F401 (fixture)

_SETUP = "CREATE TABLE kept (n int PRIMARY KEY, note jsonb)"
_INSERT = DirectStatement("INSERT INTO kept VALUES (:n, CAST(:note AS jsonb)) RETURNING n, note")
_COUNT = DirectStatement("SELECT count(*) AS rows, 100 % 7 AS remainder FROM kept")


def test_rows_come_back_by_column_name_and_inside_the_callers_transaction(
    database_url: str,  # noqa: F811
) -> None:
    with db_engine.autocommit_connection() as connection:
        connection.execute(text(_SETUP))
    with pytest.raises(RuntimeError), db_engine.transaction() as connection:
        (row,) = run(connection, _INSERT, {"n": 1, "note": '{"a": [1, 2]}'})
        assert (row.n, row.note) == (1, {"a": [1, 2]})
        raise RuntimeError("rolled back")
    with db_engine.autocommit_connection() as connection:
        (count,) = run(connection, _COUNT)
        assert (count.rows, count.remainder) == (0, 2)  # the insert went with its transaction
        assert run(connection, DirectStatement("DELETE FROM kept")) == []


def test_errors_are_sqlalchemys_and_a_dropped_connection_is_replaced(
    database_url: str,  # noqa: F811
) -> None:
    with db_engine.autocommit_connection() as connection:
        connection.execute(text(_SETUP))
        run(connection, _INSERT, {"n": 1, "note": "{}"})
        with pytest.raises(IntegrityError):
            run(connection, _INSERT, {"n": 1, "note": "{}"})
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with psycopg2.connect(database_url) as other, other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (backend,))
        with pytest.raises(Exception) as dropped:
            run(connection, _COUNT)
    assert db_engine.is_unavailable(dropped.value)
    with db_engine.autocommit_connection() as connection:  # the pool opened a new one
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != backend
        assert run(connection, _COUNT)[0].rows == 1
