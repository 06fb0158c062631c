"""The analytics formulas against hand-computed cases and properties (docs/api.md, exact)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics_worker.formulas import (
    ConceptAnswers,
    SessionAggregates,
    knowledge_gaps,
    severity,
    trend,
    velocity,
)


def _aggregates(**overrides: object) -> SessionAggregates:
    values: dict[str, object] = {
        "sessions": 4,
        "avg_duration_minutes": 45.0,
        "avg_completion_rate": 0.75,
        "exercises": 6,
        "recent_performance": 0.8,
        "historical_performance": 0.6,
    }
    values.update(overrides)
    return SessionAggregates(**values)  # type: ignore[arg-type]


def test_velocity_hand_computed() -> None:
    result = velocity(_aggregates(), days=14)
    # 4 sessions in 2 weeks = 2/week; 45 min; 0.75 completion; 1.5 exercises/session.
    assert result["sessions_per_week"] == 2.0
    assert result["avg_session_duration"] == 45.0
    assert result["exercises_per_session"] == 1.5
    assert result["velocity_score"] == pytest.approx(
        2.0 * 0.3 + 0.75 * 0.2 + 0.75 * 0.3 + 1.5 * 0.2
    )
    assert result["trend"] == "improving"  # 0.8 > 0.6 · 1.1


def test_velocity_with_no_sessions_is_all_zero() -> None:
    result = velocity(
        _aggregates(
            sessions=0,
            avg_duration_minutes=None,
            avg_completion_rate=None,
            exercises=0,
            recent_performance=None,
            historical_performance=None,
        ),
        30,
    )
    figures = {key: value for key, value in result.items() if key != "trend"}
    assert figures and all(value == 0 for value in figures.values()), figures
    assert result["trend"] == "insufficient_data"


def test_missing_completion_rates_count_as_zero_in_the_score() -> None:
    result = velocity(_aggregates(avg_completion_rate=None), days=7)
    assert result["avg_completion_rate"] == 0.0


@pytest.mark.parametrize(
    ("recent", "historical", "expected"),
    [
        (0.8, 0.6, "improving"),
        (0.66, 0.6, "stable"),  # exactly 1.1 × is not "improving"
        (0.661, 0.6, "improving"),
        (0.54, 0.6, "stable"),  # exactly 0.9 × is not "declining"
        (0.539, 0.6, "declining"),
        (None, 0.6, "insufficient_data"),
        (0.6, None, "insufficient_data"),
        (0.0, 0.0, "stable"),
    ],
)
def test_trend_thresholds(recent: float | None, historical: float | None, expected: str) -> None:
    assert trend(recent, historical) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(0.71, "high"), (0.7, "medium"), (0.41, "medium"), (0.4, "low"), (0.1, "low")],
)
def test_severity_boundaries(rate: float, expected: str) -> None:
    assert severity(rate) == expected


def test_gaps_hand_computed_and_sorted() -> None:
    gaps = knowledge_gaps(
        [
            ConceptAnswers("b-concept", total=4, incorrect=2),
            ConceptAnswers("a-concept", total=4, incorrect=2),
            ConceptAnswers("always right", total=9, incorrect=0),
            ConceptAnswers("hard", total=1, incorrect=1),
        ],
        "advanced",
    )
    assert [gap["concept"] for gap in gaps] == ["a-concept", "b-concept", "hard"]
    first = gaps[0]
    assert first["error_rate"] == 0.5
    assert first["priority_score"] == pytest.approx(0.5 * 2.0 * math.log(5))
    assert first["severity"] == "medium"
    assert gaps[2]["priority_score"] == pytest.approx(1.0 * 2.0 * math.log(2))
    assert gaps[2]["severity"] == "high"


@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=5), st.integers(1, 500), st.integers(0, 500)),
        max_size=30,
        unique_by=lambda item: item[0],
    ),
    st.sampled_from(["beginner", "intermediate", "advanced"]),
)
def test_gaps_properties(rows: list[tuple[str, int, int]], level: str) -> None:
    answers = [ConceptAnswers(c, total, min(wrong, total)) for c, total, wrong in rows]
    gaps = knowledge_gaps(answers, level)
    assert {g["concept"] for g in gaps} == {a.concept for a in answers if a.incorrect > 0}
    keys = [(-g["priority_score"], g["concept"]) for g in gaps]
    assert keys == sorted(keys)
    for gap in gaps:
        assert 0 < gap["error_rate"] <= 1
        assert gap["priority_score"] > 0


@given(
    st.integers(0, 10_000),
    st.integers(1, 365),
    st.floats(0, 100_000, allow_nan=False),
    st.floats(0, 1),
    st.integers(0, 100_000),
)
def test_velocity_score_is_the_weighted_sum(
    n: int, days: int, duration: float, completion: float, exercises: int
) -> None:
    result = velocity(
        _aggregates(
            sessions=n,
            avg_duration_minutes=duration,
            avg_completion_rate=completion,
            exercises=exercises,
        ),
        days,
    )
    if n == 0:
        assert result["velocity_score"] == 0
        return
    expected = (n / (days / 7)) * 0.3 + duration / 60 * 0.2 + completion * 0.3 + exercises / n * 0.2
    assert result["velocity_score"] == pytest.approx(expected)
