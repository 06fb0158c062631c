"""Statements every job runs, sent straight to the executor's psycopg2 connection.

SQLAlchemy's execution layer (parameter processing, an execution context, result metadata built
from the cursor's description, row objects) costs a small statement more CPU than the round trip
itself: 157 against 58 us for a one-row lookup on this project's machines, and a content job runs
about ten of them. A `DirectStatement` is written like any `text()` statement (`:name`
parameters) and compiled once to psycopg2's form; `run` executes it on the connection the
executor already holds, inside whatever transaction it is in (a session's, `transaction()`'s,
or none on an autocommit connection), and returns named-tuple rows, so callers read
`row.column` as before. Parameters reach psycopg2 as they are: JSON goes as text with a cast in
the SQL. Errors are raised as SQLAlchemy's, and a dropped connection is invalidated, exactly as
SQLAlchemy's own execution does, so `is_unavailable` and the pool behave the same.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import psycopg2  # type: ignore[import-untyped]
from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import psycopg2 as pg_psycopg2
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ailp.db.rows import Executor

_DIALECT = pg_psycopg2.dialect()


class DirectStatement:
    def __init__(self, sql: str) -> None:
        self.text = text(sql)  # the statement as SQLAlchemy knows it (for reading, and tests)
        self.sql = str(self.text.compile(dialect=_DIALECT))  # :name -> %(name)s, % -> %%
        self._row_types: dict[tuple[str, ...], Callable[[Iterable[Any]], Any]] = {}

    def row_maker(self, names: tuple[str, ...]) -> Callable[[Iterable[Any]], Any]:
        """Builds rows of these columns (a named tuple type per result shape, made once)."""
        make = self._row_types.get(names)
        if make is None:
            make = self._row_types[names] = namedtuple("Row", names)._make  # type: ignore[attr-defined]
        return make


def run(
    executor: Executor, statement: DirectStatement, params: Mapping[str, Any] | None = None
) -> list[Any]:
    """Execute `statement` on `executor`'s connection; its rows (none for a statement without
    a result), each a named tuple."""
    connection: Connection = executor.connection() if isinstance(executor, Session) else executor
    dbapi_connection: Any = connection.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement.sql, params if params is not None else {})  # always formatted
        if cursor.description is None:
            return []
        make = statement.row_maker(tuple(column.name for column in cursor.description))
        return [make(values) for values in cursor.fetchall()]
    except psycopg2.Error as exc:
        raise _as_sqlalchemy_error(connection, statement, params, exc, cursor) from exc
    finally:
        cursor.close()


def _as_sqlalchemy_error(
    connection: Connection,
    statement: DirectStatement,
    params: Mapping[str, Any] | None,
    exc: psycopg2.Error,
    cursor: Any,
) -> Exception:
    dialect = connection.dialect
    disconnect = dialect.is_disconnect(exc, connection.connection.dbapi_connection, cursor)
    if disconnect:
        connection.invalidate(exc)  # the pool replaces it, as after SQLAlchemy's own statements
    return DBAPIError.instance(
        statement.sql,
        params,
        exc,
        psycopg2.Error,
        hide_parameters=connection.engine.hide_parameters,
        connection_invalidated=disconnect,
        dialect=dialect,
    )
