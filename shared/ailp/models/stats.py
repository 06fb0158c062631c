"""Rollups behind the admin dashboard, kept up to date by triggers (migration 0008).

`GET /api/admin/stats` must stay fast with millions of rows, so it reads these small tables
instead of aggregating the big ones; only the part of its window that starts mid-hour (or
mid-day, for concepts) is read from the big tables, through their `created_at` indexes.
Triggers keep the rollups equal to the tables they summarise (inserts, deletes, and the job
updates that matter); see `docs/architecture.md`. Rows are spread over `shard`s (the writing
backend's pid modulo 8) so that concurrent writers rarely wait for each other's row lock.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Float, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base


class AdminHourlyStats(Base):
    """Per UTC hour of the rows' `created_at`: what the dashboard sums over its window."""

    __tablename__ = "admin_hourly_stats"

    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    new_users: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    sessions: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    completion_sum: Mapped[float] = mapped_column(Float, nullable=False, server_default="0")
    completion_count: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    content_openai: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    content_cache: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    content_fallback: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    content_other: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    cost_usd: Mapped[float] = mapped_column(Float, nullable=False, server_default="0")
    # Jobs by the hour they were created: failed now, started, and their total wait.
    jobs_failed: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    jobs_started: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    wait_seconds: Mapped[float] = mapped_column(Float, nullable=False, server_default="0")


class AdminDailyConcepts(Base):
    """Content pieces per UTC day and normalised concept (the dashboard's top concepts)."""

    __tablename__ = "admin_daily_concepts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    concept_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    concept: Mapped[str] = mapped_column(String(200), nullable=False)
    requests: Mapped[int] = mapped_column(BigInteger, nullable=False)


class UserLastActive(Base):
    """Each user's latest job or study session: active users are a count over 100k rows."""

    __tablename__ = "user_last_active"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_active_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
