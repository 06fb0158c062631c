"""SQL that aggregates a learner's activity in the database (never row-by-row in Python)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ailp.db.rows import Executor
from ailp.models import LearnerConceptState
from analytics_worker import review
from analytics_worker.formulas import RECENT_DAYS, ConceptAnswers, SessionAggregates
from analytics_worker.learner_model import Answers, ConceptState

_SESSIONS = text(
    """
    SELECT count(*) AS sessions,
           avg(duration_minutes)::float8 AS avg_duration,
           avg(completion_rate) AS avg_completion,
           coalesce(sum(exercises_count), 0) AS exercises,
           avg(performance_score) FILTER (WHERE session_start >= :recent_start) AS recent,
           avg(performance_score) FILTER (WHERE session_start < :recent_start) AS historical
    FROM learning_sessions
    WHERE learner_id = :learner_id AND session_start >= :start AND session_start < :as_of
    """
)

_ANSWERS = text(
    """
    SELECT concept, count(*) AS total, count(*) FILTER (WHERE NOT correct) AS incorrect
    FROM exercise_responses
    WHERE learner_id = :learner_id AND answered_at >= :start AND answered_at < :as_of
    GROUP BY concept
    HAVING count(*) FILTER (WHERE NOT correct) > 0
    """
)


def session_aggregates(
    session: Session, *, learner_id: int, as_of: datetime, days: int
) -> SessionAggregates:
    row = session.execute(
        _SESSIONS,
        {
            "learner_id": learner_id,
            "start": as_of - timedelta(days=days),
            "as_of": as_of,
            "recent_start": as_of - timedelta(days=RECENT_DAYS),
        },
    ).one()
    return SessionAggregates(
        sessions=row.sessions,
        avg_duration_minutes=row.avg_duration,
        avg_completion_rate=row.avg_completion,
        exercises=int(row.exercises),
        recent_performance=row.recent,
        historical_performance=row.historical,
    )


def wrong_answers_by_concept(
    session: Session, *, learner_id: int, as_of: datetime, days: int
) -> list[ConceptAnswers]:
    """Per concept with at least one wrong answer in the window: totals and wrong answers."""
    rows = session.execute(
        _ANSWERS,
        {"learner_id": learner_id, "start": as_of - timedelta(days=days), "as_of": as_of},
    ).all()
    return [ConceptAnswers(row.concept, row.total, row.incorrect) for row in rows]


_FOLDED_COUNTS = text(
    """
    SELECT concept, count(*) AS folded, max(id) AS through_id
    FROM exercise_responses
    WHERE learner_id = :learner_id AND id <= :after
    GROUP BY concept
    """
)

_ANSWERS_SINCE = text(
    """
    SELECT concept,
           array_agg(correct ORDER BY answered_at, id) AS correct,
           array_agg(answered_at ORDER BY answered_at, id) AS answered_at,
           max(id) AS through_id
    FROM exercise_responses
    WHERE learner_id = :learner_id AND id > :after
    GROUP BY concept
    """
)

_HISTORIES = text(
    """
    SELECT concept,
           array_agg(correct ORDER BY answered_at, id) AS correct,
           array_agg(answered_at ORDER BY answered_at, id) AS answered_at,
           max(id) AS through_id
    FROM exercise_responses
    WHERE learner_id = :learner_id AND concept = ANY(:concepts)
      AND (CAST(:up_to AS timestamptz) IS NULL OR answered_at <= :up_to)
    GROUP BY concept
    """
)


@dataclass(frozen=True, slots=True)
class ConceptDelta:
    """One concept's answers newer than the watermark, and how many older ones exist."""

    folded: int
    new: Answers | None
    through_id: int


def load_states(session: Session, *, learner_id: int) -> dict[str, ConceptState]:
    rows = session.execute(
        select(LearnerConceptState).where(LearnerConceptState.learner_id == learner_id)
    ).scalars()
    return {
        row.concept: ConceptState(
            concept=row.concept,
            attempts=row.attempts,
            correct=row.correct,
            log_odds=row.log_odds,
            card=review.load(row.card),
            last_answered_at=row.last_answered_at,
            through_id=row.through_id,
            params_version=row.params_version,
        )
        for row in rows
    }


def answers_since(session: Session, *, learner_id: int, after: int) -> dict[str, ConceptDelta]:
    """Per concept: answers with id > `after` (time order) and the count of the others."""
    parameters = {"learner_id": learner_id, "after": after}
    deltas: dict[str, ConceptDelta] = {}
    if after > 0:
        for row in session.execute(_FOLDED_COUNTS, parameters):
            deltas[row.concept] = ConceptDelta(
                folded=row.folded, new=None, through_id=row.through_id
            )
    for row in session.execute(_ANSWERS_SINCE, parameters):
        folded = deltas[row.concept].folded if row.concept in deltas else 0
        new = Answers(row.concept, row.correct, row.answered_at, row.through_id)
        deltas[row.concept] = ConceptDelta(folded=folded, new=new, through_id=row.through_id)
    return deltas


def histories(
    session: Session, *, learner_id: int, concepts: list[str], up_to: datetime | None = None
) -> dict[str, Answers]:
    """Whole answer histories of `concepts` (optionally only up to `up_to`), oldest first."""
    if not concepts:
        return {}
    rows = session.execute(
        _HISTORIES, {"learner_id": learner_id, "concepts": concepts, "up_to": up_to}
    ).all()
    return {
        row.concept: Answers(row.concept, row.correct, row.answered_at, row.through_id)
        for row in rows
    }


def save_states_many(session: Executor, states: list[tuple[int, ConceptState]]) -> None:
    """Upsert (learner id, state) pairs in batched statements; never replace a newer state.

    Each (learner, concept) may appear once: the caller keeps the newest.
    """
    if not states:
        return
    session.execute(
        _UPSERT_STATE,
        [
            {
                "learner_id": learner_id,
                "concept": state.concept,
                "attempts": state.attempts,
                "correct": state.correct,
                "p_mastery": state.p_mastery,
                "log_odds": state.log_odds,
                "params_version": state.params_version,
                "card": review.dump(state.card),
                "last_answered_at": state.last_answered_at,
                "through_id": state.through_id,
            }
            for learner_id, state in states
        ],
    )


_UPDATE_LEARNERS = text(
    """
    UPDATE learners SET
        engagement_metrics = CAST(latest.engagement_metrics AS jsonb),
        knowledge_state = CAST(latest.knowledge_state AS jsonb),
        updated_at = now()
    FROM unnest(
        CAST(:ids AS bigint[]),
        CAST(:metrics AS text[]),
        CAST(:states AS text[]),
        CAST(:as_of AS timestamptz[])
    ) AS latest(id, engagement_metrics, knowledge_state, as_of)
    WHERE learners.id = latest.id
      -- a result for an earlier as_of (asked for the past, or a resumed batch run) is stored,
      -- but does not replace the learner's current figures
      AND coalesce(
          CAST(learners.engagement_metrics ->> 'as_of' AS timestamptz), '-infinity'
      ) <= latest.as_of
    """
)


def update_learners(
    session: Executor, figures: dict[int, tuple[datetime, dict[str, Any], dict[str, Any]]]
) -> None:
    """Set many learners' engagement_metrics and knowledge_state (as of a time) in one statement,
    unless a learner's stored figures are newer. Rows are locked in id order (no deadlocks
    between batches that share learners)."""
    ids = sorted(figures)
    session.execute(
        _UPDATE_LEARNERS,
        {
            "ids": ids,
            "metrics": [orjson.dumps(figures[i][1]).decode() for i in ids],
            "states": [orjson.dumps(figures[i][2]).decode() for i in ids],
            "as_of": [figures[i][0] for i in ids],
        },
    )


def _upsert_state_statement() -> Any:
    # One statement compiled once and cached; SQLAlchemy's "insertmanyvalues" sends the rows of
    # an executemany in batched multi-row INSERTs.
    statement = insert(LearnerConceptState)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["learner_id", "concept"],
        set_={
            "attempts": excluded.attempts,
            "correct": excluded.correct,
            "p_mastery": excluded.p_mastery,
            "log_odds": excluded.log_odds,
            "params_version": excluded.params_version,
            "card": excluded.card,
            "last_answered_at": excluded.last_answered_at,
            "through_id": excluded.through_id,
            "updated_at": func.now(),
        },
        where=LearnerConceptState.through_id <= excluded.through_id,
    )


_UPSERT_STATE = _upsert_state_statement()
