"""The Alembic migrations and the ORM models describe the same schema, and downgrade cleanly."""

from __future__ import annotations

from alembic import command

from ailp.db.migrate import alembic_config, downgrade, upgrade
from tests.support.database import create_database, drop_database


def test_models_match_migrations_and_round_trip() -> None:
    url = create_database("ailp_migrations")
    driver_url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
    try:
        command.check(alembic_config(driver_url))  # raises if autogenerate would find changes
        downgrade(driver_url, "base")
        upgrade(driver_url)
        command.check(alembic_config(driver_url))
    finally:
        drop_database(url)
