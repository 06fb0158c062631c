"""Alembic environment: the URL comes from ailp's settings, the target schema from its models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

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


def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            # Two replicas migrating at once (e.g. scaled containers) wait for each other.
            context.execute("SELECT pg_advisory_xact_lock(727001)")
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
