from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Identity, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt, check_in
from ailp.models.enums import Role, values


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(check_in("role", values(Role)), name="role"),
        # Usernames and e-mail addresses are unique regardless of case.
        Index("uq_users_username_lower", text("lower(username)"), unique=True),
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
        Index("ix_users_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), nullable=False)
    email: Mapped[str] = mapped_column(String(120), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, server_default=Role.user.value)
    created_at: Mapped[CreatedAt]
    # The per-user job submission limit (GCRA): the theoretical arrival time of the next job.
    # Kept on the user's row so that the limit is decided in the statement that inserts the job.
    job_submission_tat: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
