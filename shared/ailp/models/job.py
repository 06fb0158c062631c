"""The job row: the single source of truth for every asynchronous piece of work."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt, check_in
from ailp.models.enums import JobKind, JobStatus, values


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(check_in("kind", values(JobKind)), name="kind"),
        CheckConstraint(check_in("status", values(JobStatus)), name="status"),
        # The caller's job list, newest first, and its keyset cursor.
        Index("ix_jobs_user_created", "user_id", "created_at", "id"),
        Index("ix_jobs_learner_created", "learner_id", "created_at"),
        # The sweeper and the per-user queued-job limit only look at unfinished jobs.
        Index(
            "ix_jobs_unfinished",
            "status",
            "kind",
            "created_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        # The sweeper's two scans: queued jobs by when their doorbell last rang, running jobs by
        # when their lease ends.
        Index(
            "ix_jobs_queued_published",
            "published_at",
            postgresql_where=text("status = 'queued'"),
        ),
        Index(
            "ix_jobs_running_lease",
            "lease_expires_at",
            postgresql_where=text("status = 'running'"),
        ),
        Index(
            "ix_jobs_user_unfinished",
            "user_id",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
        Index("ix_jobs_created", "created_at"),
        # Retention (ailp.jobs.retention) deletes finished jobs oldest first.
        Index(
            "ix_jobs_finished",
            "finished_at",
            postgresql_where=text("status IN ('succeeded', 'failed', 'canceled')"),
        ),
        Index("ix_jobs_batch", "batch_id", "status", postgresql_where=text("batch_id IS NOT NULL")),
        Index(
            "uq_jobs_user_idempotency_key",
            "user_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    learner_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="3")
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    result_url: Mapped[str | None] = mapped_column(String(255))
    # Set for jobs submitted by a batch recomputation (`ailp recompute-analytics`).
    batch_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("batch_runs.id", ondelete="SET NULL")
    )
    # Set when the job was in a batch whose worker died: from then on it runs alone, so that a
    # job that kills its worker cannot take the rest of a batch down with it.
    isolated: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    # A random token per claim: only the current claimant may heartbeat or finish the job.
    claim_token: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    worker: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[CreatedAt]
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
