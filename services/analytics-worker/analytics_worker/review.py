"""Spaced review with FSRS (the `fsrs` package): when each concept is next due.

Each answer is one review of the concept's card, in time order: a wrong answer rates "again", a
right one "good". Fuzzing is off so that the same answers always give the same schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

_scheduler = Scheduler(enable_fuzzing=False)


class _Card(Card):
    """fsrs copies the card on every review with `copy.copy` (about a third of a review's cost
    through `__reduce_ex__`); a plain attribute copy gives the same card, faster."""

    def __copy__(self) -> _Card:
        clone = object.__new__(_Card)
        clone.__dict__.update(self.__dict__)
        return clone


def new_card(first_review: datetime) -> Card:
    # An explicit id: without one, fsrs stamps the clock and sleeps 1 ms to keep ids unique.
    return _Card(card_id=0, due=first_review)


def review(card: Card, answered_at: datetime, correct: bool) -> Card:
    reviewed, _ = _scheduler.review_card(
        card, Rating.Good if correct else Rating.Again, review_datetime=answered_at
    )
    return reviewed


def next_review_at(answers: Iterable[tuple[datetime, bool]]) -> datetime | None:
    """When the concept is next due, after reviewing `answers` (oldest first); None if none."""
    card: Card | None = None
    for answered_at, correct in answers:
        card = review(card or new_card(answered_at), answered_at, correct)
    return card.due if card is not None else None


def dump(card: Card) -> dict[str, Any]:
    return dict(card.to_dict())


def load(data: dict[str, Any]) -> Card:
    card = object.__new__(_Card)
    card.__dict__.update(Card.from_dict(data).__dict__)  # type: ignore[arg-type]
    return card
