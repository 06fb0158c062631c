"""Computed analytics snapshots, one per analytics job."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt


class AnalyticsResult(Base):
    __tablename__ = "analytics_results"
    __table_args__ = (Index("ix_analytics_results_learner_computed", "learner_id", "computed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="SET NULL"), unique=True
    )
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    window_days: Mapped[int] = mapped_column(Integer, nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    computed_at: Mapped[CreatedAt]


class LearnerConceptState(Base):
    """The learner model of one concept, folded over all of its answers so far.

    Analytics jobs continue from this state with the answers that arrived since (`through_id`
    is the newest answer folded in), so a learner with 100,000 answers is not replayed from the
    start on every job. An answer that arrives out of time order, or new fitted parameters for
    the concept, make that concept be replayed.
    """

    __tablename__ = "learner_concept_states"

    learner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    concept: Mapped[str] = mapped_column(String(200), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    correct: Mapped[int] = mapped_column(Integer, nullable=False)
    p_mastery: Mapped[float] = mapped_column(Float, nullable=False)
    # What the model continues from: P saturates at 1.0 in floating point, its log-odds do not.
    log_odds: Mapped[float] = mapped_column(Float, nullable=False)
    # The learner_model_versions id whose parameters were used (NULL: the defaults); a state
    # folded with other parameters than the concept's current ones is replayed.
    params_version: Mapped[int | None] = mapped_column(Integer)
    card: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    last_answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    through_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[CreatedAt]
