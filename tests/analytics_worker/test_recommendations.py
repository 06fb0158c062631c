"""Recommendations: gaps first (high/medium), then due reviews, then unmastered; each concept once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics_worker.recommendations import recommend

AS_OF = datetime(2026, 6, 1, tzinfo=UTC)


def _m(concept: str, p: float, due_in_days: float | None) -> dict:
    return {
        "concept": concept,
        "p_mastery": p,
        "mastered": p >= 0.95,
        "next_review_at": None if due_in_days is None else AS_OF + timedelta(days=due_in_days),
    }


def test_order_and_reasons() -> None:
    gaps = [
        {"concept": "joins", "severity": "high"},
        {"concept": "indexes", "severity": "medium"},
        {"concept": "views", "severity": "low"},  # low gaps are not a reason on their own
    ]
    mastery = [
        _m("joins", 0.3, -1),
        _m("views", 0.97, -3),  # mastered but due: review
        _m("ctes", 0.96, -1),  # mastered, due later than views
        _m("triggers", 0.97, 5),  # mastered, not due: not recommended
        _m("indexes", 0.5, 2),
        _m("grouping", 0.6, 1),  # not due, not mastered
        _m("windows", 0.2, 3),
    ]
    recommendations = recommend(gaps, mastery, AS_OF)
    assert [(r["concept"], r["reason"]) for r in recommendations] == [
        ("joins", "knowledge_gap"),
        ("indexes", "knowledge_gap"),
        ("views", "review_due"),
        ("ctes", "review_due"),
        ("windows", "not_mastered"),
        ("grouping", "not_mastered"),
    ]
    assert [r["priority"] for r in recommendations] == [1, 2, 3, 4, 5, 6]


def test_due_exactly_at_as_of_counts_as_due() -> None:
    assert recommend([], [_m("x", 0.99, 0)], AS_OF) == [
        {"concept": "x", "reason": "review_due", "priority": 1}
    ]


def test_nothing_to_recommend() -> None:
    assert recommend([], [_m("x", 0.99, 10)], AS_OF) == []
