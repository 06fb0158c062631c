"""Small typed helpers over SQLAlchemy results."""

from __future__ import annotations

from typing import Any, TypeAlias, cast

from sqlalchemy import Connection, CursorResult, Executable, Table
from sqlalchemy.orm import Session

# Where a function only runs statements: a session, or a plain connection (the content worker's
# hot path uses autocommit connections, which skip the session's unit-of-work bookkeeping).
Executor: TypeAlias = Session | Connection


def affected_rows(session: Executor, statement: Executable) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed.

    `Session.execute` is typed as returning a plain `Result`; for DML it is a `CursorResult`,
    which is what carries `rowcount`.
    """
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def table_of(model: type[Any]) -> Table:
    """A mapped class's `Table` (typed as such; `__table__` is typed as any `FromClause`)."""
    return cast(Table, model.__table__)
