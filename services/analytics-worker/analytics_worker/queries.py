"""SQL that aggregates a learner's activity in the database (never row-by-row in Python)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from analytics_worker.formulas import RECENT_DAYS, ConceptAnswers, SessionAggregates

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


_ANSWER_HISTORY = text(
    """
    SELECT concept, correct, answered_at
    FROM exercise_responses
    WHERE learner_id = :learner_id AND answered_at <= :as_of
    ORDER BY concept, answered_at, id
    """
)


def answer_history(session: Session, *, learner_id: int, as_of: datetime) -> list[Any]:
    """Every answer up to `as_of`, grouped by concept, oldest first within a concept."""
    return list(
        session.execute(_ANSWER_HISTORY, {"learner_id": learner_id, "as_of": as_of}).tuples()
    )
