"""Alembic environment: the URL comes from ailp's settings, the target schema from its models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

import ailp.models  # noqa: F401  (registers every table on Base.metadata)
from ailp.config import get_settings
from ailp.db.base import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().sqlalchemy_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


# Two replicas migrating at once (e.g. scaled containers) wait for each other. A session-level
# lock, not a transaction-level one: a migration that builds an index CONCURRENTLY commits in the
# middle of the run (`autocommit_block`), which would release a transaction's lock.
_MIGRATION_LOCK = 727001


def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
        connection.commit()
        try:
            context.configure(connection=connection, target_metadata=target_metadata)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
