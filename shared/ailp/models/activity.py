"""What a learner did: study sessions and individual exercise answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt


class LearningSession(Base):
    __tablename__ = "learning_sessions"
    __table_args__ = (
        CheckConstraint(
            "session_end IS NULL OR session_end >= session_start", name="end_after_start"
        ),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes >= 0", name="duration"),
        CheckConstraint(
            "completion_rate IS NULL OR completion_rate BETWEEN 0 AND 1", name="completion"
        ),
        CheckConstraint(
            "performance_score IS NULL OR performance_score BETWEEN 0 AND 1", name="performance"
        ),
        # Newest-first listing and the analytics window both walk this index.
        Index("ix_learning_sessions_learner_start", "learner_id", "session_start", "id"),
        # Platform-wide counts for the admin dashboard.
        Index("ix_learning_sessions_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    session_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    session_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    content_accessed: Mapped[list[Any]] = mapped_column(JSONB, nullable=False, server_default="[]")
    exercises_completed: Mapped[list[Any]] = mapped_column(
        JSONB, nullable=False, server_default="[]"
    )
    # len(exercises_completed), kept so that velocity aggregates without unpacking JSON.
    exercises_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    completion_rate: Mapped[float | None] = mapped_column(Float)
    performance_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[CreatedAt]


class ExerciseResponse(Base):
    __tablename__ = "exercise_responses"
    __table_args__ = (
        Index("ix_exercise_responses_learner_answered", "learner_id", "answered_at"),
        Index("ix_exercise_responses_learner_concept", "learner_id", "concept", "answered_at"),
        # The learner model's watermark: answers since an id, and per-concept counts below it
        # (an index-only scan).
        Index(
            "ix_exercise_responses_learner_id", "learner_id", "id", postgresql_include=["concept"]
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    concept: Mapped[str] = mapped_column(String(200), nullable=False)
    correct: Mapped[bool] = mapped_column(Boolean, nullable=False)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("content.id", ondelete="SET NULL")
    )
    session_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("learning_sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[CreatedAt]
