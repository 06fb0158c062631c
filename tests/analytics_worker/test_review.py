"""FSRS review scheduling: one review per concept per UTC day, rated by its first answer; later
after each success, sooner after failure; deterministic."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from analytics_worker.review import next_review_at, review_answers

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


def _card(answers: list[tuple[datetime, bool]]):  # type: ignore[no-untyped-def]
    card, _ = review_answers(None, answers)
    assert card is not None
    return card


def test_several_answers_a_day_are_one_review_rated_by_the_first() -> None:
    # An 80 %-right learner, one session every two days. With one review per answer the card's
    # stability followed the number of exercises per session (9.8 days against under 0.5).
    rng = random.Random(15)
    days = [START + timedelta(days=2 * i) for i in range(30)]
    firsts = [rng.random() < 0.8 for _ in days]
    firsts[-1] = True
    one_per_session = [(day, ok) for day, ok in zip(days, firsts, strict=True)]
    many_per_session = [
        (day + timedelta(minutes=5 * k), ok if k == 0 else rng.random() < 0.8)
        for day, ok in zip(days, firsts, strict=True)
        for k in range(rng.randint(3, 6))
    ]
    single, busy = _card(one_per_session), _card(many_per_session)
    assert busy.stability == single.stability
    assert busy.difficulty == single.difficulty
    assert busy.due == single.due
    assert single.stability > 5  # days: a learner who is mostly right is reviewed rarely
    assert review_answers(None, many_per_session)[1] == len(days)


def test_days_are_utc_days_whatever_the_offset_of_the_timestamps() -> None:
    paris = timezone(timedelta(hours=2))
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    same_utc_day = datetime(2026, 3, 2, 1, 45, tzinfo=paris)  # 23:45 UTC on 1 March
    next_utc_day = datetime(2026, 3, 2, 2, 30, tzinfo=paris)  # 00:30 UTC on 2 March
    assert review_answers(None, [(late, True), (same_utc_day, False)])[1] == 1
    assert review_answers(None, [(late, True), (next_utc_day, False)])[1] == 2
    # fsrs refuses datetimes that are not UTC: every time is converted first.
    card = _card([(same_utc_day, True)])
    assert card.last_review == same_utc_day and card.last_review.tzinfo == UTC


def test_continuing_a_card_skips_answers_of_the_day_already_reviewed() -> None:
    morning, evening = START, START + timedelta(hours=8)
    tomorrow = START + timedelta(days=1)
    card = _card([(morning, True)])
    continued, reviews = review_answers(card, [(evening, False), (tomorrow, True)])
    assert reviews == 1
    assert continued == _card([(morning, True), (evening, False), (tomorrow, True)])
