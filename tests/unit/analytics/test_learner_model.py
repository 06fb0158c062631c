"""Per-concept mastery entries from an answer history grouped by concept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics_worker.learner_model import concept_mastery
from analytics_worker.mastery import p_mastery

T = datetime(2026, 3, 1, tzinfo=UTC)


def test_entries_per_concept() -> None:
    history = [
        ("b", True, T),
        ("b", False, T + timedelta(days=1)),
        ("a", True, T + timedelta(hours=1)),
    ]
    history.sort(key=lambda row: (row[0], row[2]))
    entries = concept_mastery(history)
    assert [e["concept"] for e in entries] == ["a", "b"]
    b = entries[1]
    assert b["attempts"] == 2 and b["correct"] == 1
    assert b["p_mastery"] == pytest.approx(p_mastery([True, False]))
    assert b["last_answered_at"] == T + timedelta(days=1)
    assert b["next_review_at"] > b["last_answered_at"]
    assert entries[0]["mastered"] is False
