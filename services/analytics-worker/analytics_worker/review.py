"""Spaced review with FSRS (the `fsrs` package): when each concept is next due.

FSRS models memory between days, so a concept gets at most one review per UTC day, rated by that
day's first answer to it ("again" when wrong, "good" when right); later answers the same day are
practice, not reviews. Otherwise the schedule followed how many exercises a session had (an
80 %-right learner: stability 9.8 days with one answer per session, under half a day with three).
Fuzzing is off so that the same answers always give the same schedule. fsrs wants aware UTC
datetimes; every answer time is converted first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
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
    return _Card(card_id=0, due=first_review.astimezone(UTC))


def review(card: Card, answered_at: datetime, correct: bool) -> Card:
    reviewed, _ = _scheduler.review_card(
        card, Rating.Good if correct else Rating.Again, review_datetime=answered_at.astimezone(UTC)
    )
    return reviewed


def review_day(card: Card) -> date | None:
    """The UTC day of the card's last review (None before the first)."""
    last: datetime | None = card.last_review
    return last.astimezone(UTC).date() if last is not None else None


def review_answers(
    card: Card | None, answers: Iterable[tuple[datetime, bool]]
) -> tuple[Card | None, int]:
    """Continue `card` (None: a new one) with answers oldest first; the first answer of each UTC
    day not yet reviewed is that day's review. Returns the card and how many reviews it got."""
    last_day = review_day(card) if card is not None else None
    reviews = 0
    for answered_at, correct in answers:
        moment = answered_at.astimezone(UTC)
        day = moment.date()
        if day == last_day:
            continue
        card = review(card if card is not None else new_card(moment), moment, correct)
        last_day = day
        reviews += 1
    return card, reviews


def next_review_at(answers: Iterable[tuple[datetime, bool]]) -> datetime | None:
    """When the concept is next due, after `answers` (oldest first); None if none."""
    card, _ = review_answers(None, answers)
    return card.due if card is not None else None


def dump(card: Card) -> dict[str, Any]:
    return dict(card.to_dict())


def load(data: dict[str, Any]) -> Card:
    card = object.__new__(_Card)
    card.__dict__.update(Card.from_dict(data).__dict__)  # type: ignore[arg-type]
    return card
