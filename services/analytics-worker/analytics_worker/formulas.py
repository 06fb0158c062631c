"""The analytics formulas of the HTTP contract (docs/api.md, Analytics), as pure functions over
plain aggregated values.

The SQL in `queries.py` aggregates rows in the database; these functions only combine the
aggregates, so they are easy to test against hand-computed cases. Floats are not rounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DIFFICULTY_WEIGHT = {"beginner": 1.0, "intermediate": 1.5, "advanced": 2.0}
RECENT_DAYS = 7


@dataclass(frozen=True, slots=True)
class SessionAggregates:
    """What the velocity formula needs from the sessions of one window."""

    sessions: int
    avg_duration_minutes: float | None  # mean over sessions that have a duration
    avg_completion_rate: float | None  # mean over sessions that have a completion rate
    exercises: int  # Σ len(exercises_completed)
    recent_performance: float | None  # mean performance_score, session_start ≥ as_of - 7 d
    historical_performance: float | None  # the same over the rest of the window


@dataclass(frozen=True, slots=True)
class ConceptAnswers:
    concept: str
    total: int
    incorrect: int


def trend(recent: float | None, historical: float | None) -> str:
    if recent is None or historical is None:
        return "insufficient_data"
    if recent > historical * 1.1:
        return "improving"
    if recent < historical * 0.9:
        return "declining"
    return "stable"


def velocity(aggregates: SessionAggregates, days: int) -> dict[str, object]:
    n = aggregates.sessions
    if n == 0:
        return {
            "sessions": 0,
            "sessions_per_week": 0.0,
            "avg_session_duration": 0.0,
            "avg_completion_rate": 0.0,
            "exercises_per_session": 0.0,
            "velocity_score": 0.0,
            # docs/api.md: "with n = 0 every figure is 0" (with sessions, a part of the window without
            # scored sessions has no mean: null).
            "recent_performance": 0.0,
            "historical_performance": 0.0,
            "trend": "insufficient_data",
        }
    sessions_per_week = n / (days / 7)
    avg_duration = aggregates.avg_duration_minutes or 0.0
    avg_completion = aggregates.avg_completion_rate or 0.0
    exercises_per_session = aggregates.exercises / n
    score = (
        sessions_per_week * 0.3
        + (avg_duration / 60) * 0.2
        + avg_completion * 0.3
        + exercises_per_session * 0.2
    )
    return {
        "sessions": n,
        "sessions_per_week": sessions_per_week,
        "avg_session_duration": avg_duration,
        "avg_completion_rate": avg_completion,
        "exercises_per_session": exercises_per_session,
        "velocity_score": score,
        "recent_performance": aggregates.recent_performance,
        "historical_performance": aggregates.historical_performance,
        "trend": trend(aggregates.recent_performance, aggregates.historical_performance),
    }


def severity(error_rate: float) -> str:
    if error_rate > 0.7:
        return "high"
    if error_rate > 0.4:
        return "medium"
    return "low"


def knowledge_gaps(answers: list[ConceptAnswers], experience_level: str) -> list[dict[str, object]]:
    """Every concept answered wrongly at least once, most urgent first."""
    weight = DIFFICULTY_WEIGHT[experience_level]
    gaps = []
    for concept in answers:
        if concept.total <= 0 or concept.incorrect <= 0:
            continue
        error_rate = concept.incorrect / concept.total
        gaps.append(
            {
                "concept": concept.concept,
                "total": concept.total,
                "incorrect": concept.incorrect,
                "error_rate": error_rate,
                "priority_score": error_rate * weight * math.log(concept.total + 1),
                "severity": severity(error_rate),
            }
        )
    gaps.sort(key=lambda gap: (-float(gap["priority_score"]), str(gap["concept"])))  # type: ignore[arg-type]
    return gaps
