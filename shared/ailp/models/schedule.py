"""Pending automatic work: a learner whose analytics should be recomputed soon, and batch runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt


class AnalyticsSchedule(Base):
    """At most one row per learner: new activity asks for a recomputation at `due_at`.

    Posting sessions or responses inserts the row if it is missing (ON CONFLICT DO NOTHING), so
    many posts within the delay coalesce into one analytics job, created by the sweeper.
    """

    __tablename__ = "analytics_schedules"
    __table_args__ = (Index("ix_analytics_schedules_due", "due_at"),)

    learner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    requested_at: Mapped[CreatedAt]


class BatchRun(Base):
    """A recomputation of every learner's analytics through the queue; resumable."""

    __tablename__ = "batch_runs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    submitted: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    last_learner_id: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    started_at: Mapped[CreatedAt]
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
