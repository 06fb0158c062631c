"""Parameter versions in PostgreSQL: write a fit, read the newest one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ailp.db.rows import table_of
from ailp.learner_model.params import BktParameters
from ailp.models import LearnerModelConceptParams, LearnerModelVersion


@dataclass(frozen=True, slots=True)
class FittedConcept:
    concept: str
    params: BktParameters
    responses: int
    log_likelihood: float


@dataclass(frozen=True, slots=True)
class NewVersion:
    source: str
    learners: int
    answers: int
    duration_seconds: float
    evaluation: dict[str, Any]
    settings: dict[str, Any]
    concepts: list[FittedConcept]


def save_version(session: Session, version: NewVersion) -> tuple[int, datetime]:
    """Store a fit as the newest version (in the caller's transaction); its id and fitted_at."""
    row = session.execute(
        insert(LearnerModelVersion)
        .values(
            source=version.source[:300],
            learners=version.learners,
            answers=version.answers,
            duration_seconds=version.duration_seconds,
            evaluation=version.evaluation,
            settings=version.settings,
        )
        .returning(LearnerModelVersion.id, LearnerModelVersion.fitted_at)
    ).one()
    if version.concepts:
        session.execute(
            insert(table_of(LearnerModelConceptParams)),
            [
                {
                    "version_id": row.id,
                    "concept": fitted.concept,
                    "p_init": fitted.params.p_init,
                    "p_transit": fitted.params.p_transit,
                    "p_forget": fitted.params.p_forget,
                    "guess": fitted.params.guess,
                    "slip": fitted.params.slip,
                    "responses": fitted.responses,
                    "log_likelihood": fitted.log_likelihood,
                }
                for fitted in version.concepts
            ],
        )
    return row.id, row.fitted_at


def newest_version_id(session: Session) -> int | None:
    return session.scalar(
        select(LearnerModelVersion.id).order_by(LearnerModelVersion.id.desc()).limit(1)
    )


def newest_fitted_at(session: Session) -> datetime | None:
    return session.scalar(
        select(LearnerModelVersion.fitted_at).order_by(LearnerModelVersion.id.desc()).limit(1)
    )


def concept_parameters(session: Session, version_id: int) -> Mapping[str, BktParameters]:
    rows = session.execute(
        select(
            LearnerModelConceptParams.concept,
            LearnerModelConceptParams.p_init,
            LearnerModelConceptParams.p_transit,
            LearnerModelConceptParams.guess,
            LearnerModelConceptParams.slip,
            LearnerModelConceptParams.p_forget,
        ).where(LearnerModelConceptParams.version_id == version_id)
    )
    return {
        row.concept: BktParameters(
            p_init=row.p_init,
            p_transit=row.p_transit,
            guess=row.guess,
            slip=row.slip,
            p_forget=row.p_forget,
        )
        for row in rows
    }
