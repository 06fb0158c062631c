"""Spaced review with FSRS (the `fsrs` package): when each concept is next due.

Each answer is one review of the concept's card, in time order: a wrong answer rates "again", a
right one "good". Fuzzing is off so that the same answers always give the same schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fsrs import Card, Rating, Scheduler

_scheduler = Scheduler(enable_fuzzing=False)


def next_review_at(answers: Iterable[tuple[datetime, bool]]) -> datetime | None:
    """When the concept is next due, after reviewing `answers` (oldest first); None if none."""
    card: Card | None = None
    for answered_at, correct in answers:
        card, _ = _scheduler.review_card(
            card or Card(), Rating.Good if correct else Rating.Again, review_datetime=answered_at
        )
    return card.due if card is not None else None
