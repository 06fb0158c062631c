"""Generated learning content (lessons, quizzes, exercises)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt, check_in
from ailp.models.enums import ContentSource, ContentType, values


class Content(Base):
    __tablename__ = "content"
    __table_args__ = (
        CheckConstraint(check_in("content_type", values(ContentType)), name="content_type"),
        CheckConstraint(check_in("source", values(ContentSource)), name="source"),
        Index("ix_content_learner_created", "learner_id", "created_at", "id"),
        Index("ix_content_created", "created_at"),
        # Cache look-ups: the newest model-written piece for an identical request (the key holds
        # the audience, so a private piece's key is its owner's alone).
        Index(
            "ix_content_cache_key",
            "cache_key",
            "created_at",
            postgresql_where=text("source = 'openai'"),
        ),
        # Fallback look-ups, part one: shared AI pieces for a concept and type, any user.
        Index(
            "ix_content_shared_concept",
            "concept_key",
            "content_type",
            postgresql_where=text("source = 'openai' AND shared"),
        ),
        # Fallback look-ups, part two: the user's own pieces (also serves the cascade from users).
        Index("ix_content_owner_concept", "owner_user_id", "concept_key", "content_type"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    # Exactly one content row per job, however often the job's task is delivered.
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="SET NULL"), unique=True
    )
    concept: Mapped[str] = mapped_column(String(200), nullable=False)
    concept_key: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(16), nullable=False)
    experience_level: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    examples: Mapped[list[Any]] = mapped_column(JSONB, nullable=False, server_default="[]")
    exercises: Mapped[list[Any]] = mapped_column(JSONB, nullable=False, server_default="[]")
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    model: Mapped[str | None] = mapped_column(String(100))
    prompt_version: Mapped[str] = mapped_column(String(32), nullable=False)
    input_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    output_tokens: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    cost_usd: Mapped[float] = mapped_column(Float, nullable=False, server_default="0")
    notice: Mapped[str | None] = mapped_column(Text)
    cache_key: Mapped[str] = mapped_column(String(64), nullable=False)
    # Who may see the piece (content_worker.privacy): a shared piece came from a prompt without
    # private fields and may be served to anyone asking the identical request; any other piece
    # is served to its owner only. Forgetting to set `shared` keeps a piece private.
    owner_user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    shared: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    created_at: Mapped[CreatedAt]
