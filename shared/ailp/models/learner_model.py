"""Fitted learner-model parameters: one row per fit (a version), one row per fitted concept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ailp.db.base import Base
from ailp.models._types import CreatedAt


class LearnerModelVersion(Base):
    """One fit. The analytics worker uses the newest (highest id); older ones stay for history.

    `evaluation` holds the held-out figures: auc, log_loss, held_out_answers, baseline_auc (the
    default parameters on the same answers), baseline_log_loss, held_out_learners and the ten
    calibration bins the operator page draws.
    """

    __tablename__ = "learner_model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fitted_at: Mapped[CreatedAt]
    source: Mapped[str] = mapped_column(String(300), nullable=False)
    learners: Mapped[int] = mapped_column(Integer, nullable=False)
    answers: Mapped[int] = mapped_column(Integer, nullable=False)
    duration_seconds: Mapped[float] = mapped_column(Float, nullable=False)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


class LearnerModelConceptParams(Base):
    """The BKT parameters one version fitted for one concept (concepts absent use defaults)."""

    __tablename__ = "learner_model_concept_params"

    version_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("learner_model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    concept: Mapped[str] = mapped_column(String(200), primary_key=True)
    p_init: Mapped[float] = mapped_column(Float, nullable=False)
    p_transit: Mapped[float] = mapped_column(Float, nullable=False)
    p_forget: Mapped[float] = mapped_column(Float, nullable=False)
    guess: Mapped[float] = mapped_column(Float, nullable=False)
    slip: Mapped[float] = mapped_column(Float, nullable=False)
    responses: Mapped[int] = mapped_column(Integer, nullable=False)
    log_likelihood: Mapped[float] = mapped_column(Float, nullable=False)
