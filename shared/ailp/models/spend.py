"""Model spend, kept in PostgreSQL so that losing Redis data never resets a day's budget.

A call reserves its worst-case cost before it is made (a `ModelReservation`, counted in the day's
`reserved_micro`) and settles to its real cost afterwards (`spent_micro`). Amounts are integer
micro-dollars. A reservation whose worker died is never settled: once it expires its worst case is
counted as spent, so a crash can only make the platform spend less than its budget, never more.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt


class ModelSpendDay(Base):
    """The whole platform's spend of one UTC day (`OPENAI_DAILY_BUDGET_USD`)."""

    __tablename__ = "model_spend_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    spent_micro: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    reserved_micro: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    # When a model call last finished (re-seeds the shared rate limits after Redis lost them).
    last_call_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserModelSpendDay(Base):
    """One user's spend of one UTC day (`OPENAI_USER_DAILY_BUDGET_USD`)."""

    __tablename__ = "user_model_spend_days"
    __table_args__ = (Index("ix_user_model_spend_days_day_spent", "day", "spent_micro"),)

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    spent_micro: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    reserved_micro: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")


class ModelReservation(Base):
    """One model call's worst-case cost while it is in flight."""

    __tablename__ = "model_reservations"
    __table_args__ = (Index("ix_model_reservations_expires", "expires_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    # SET NULL: a user deleted mid-call still leaves the platform's reservation to settle.
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    micro: Mapped[int] = mapped_column(BigInteger, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_at: Mapped[CreatedAt]
