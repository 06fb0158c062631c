"""FSRS review scheduling: later after each success, sooner after failure; deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics_worker.review import next_review_at

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def _answers(
    pattern: list[bool], every: timedelta = timedelta(days=1)
) -> list[tuple[datetime, bool]]:
    return [(START + every * index, correct) for index, correct in enumerate(pattern)]


def test_no_answers_no_review() -> None:
    assert next_review_at([]) is None


def test_always_right_is_due_later_than_always_wrong() -> None:
    right = next_review_at(_answers([True] * 6))
    wrong = next_review_at(_answers([False] * 6))
    assert right is not None and wrong is not None
    assert right > wrong


def test_each_success_pushes_the_review_further() -> None:
    dues = [next_review_at(_answers([True] * n)) for n in range(1, 7)]
    intervals = [
        due - (START + timedelta(days=n - 1)) for n, due in enumerate(dues, start=1) if due
    ]
    assert intervals == sorted(intervals)
    assert intervals[-1] > intervals[0]


def test_a_failure_brings_the_review_closer() -> None:
    history = _answers([True] * 5)
    after_success = next_review_at([*history, (START + timedelta(days=5), True)])
    after_failure = next_review_at([*history, (START + timedelta(days=5), False)])
    assert after_success is not None and after_failure is not None
    assert after_failure < after_success


def test_same_answers_same_schedule() -> None:
    history = _answers([True, False, True, True])
    assert next_review_at(history) == next_review_at(list(history))
