from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt, JsonObject, check_in
from ailp.models.enums import ExperienceLevel, LearningStyle, values


class Learner(Base):
    """A learning profile; a user has at most one per niche."""

    __tablename__ = "learners"
    __table_args__ = (
        CheckConstraint(check_in("experience_level", values(ExperienceLevel)), name="level"),
        CheckConstraint(check_in("preferred_learning_style", values(LearningStyle)), name="style"),
        UniqueConstraint("user_id", "target_niche", name="uq_learners_user_id_target_niche"),
        Index("ix_learners_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    target_niche: Mapped[str] = mapped_column(String(50), nullable=False)
    experience_level: Mapped[str] = mapped_column(String(16), nullable=False)
    preferred_learning_style: Mapped[str] = mapped_column(String(16), nullable=False)
    learning_goals: Mapped[str | None] = mapped_column(Text)
    knowledge_state: Mapped[JsonObject]
    engagement_metrics: Mapped[JsonObject]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
