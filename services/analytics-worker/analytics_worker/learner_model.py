"""Per-concept mastery (BKT) and review schedule (FSRS), kept incrementally.

A `ConceptState` is the result of folding every answer of one concept, in time order, into the
BKT probability and the FSRS card. Jobs continue from the stored states with the answers that
arrived since; a concept is replayed from its first answer only when an answer arrived out of
time order (or when the result is asked for an `as_of` before its latest answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import Card

from analytics_worker import mastery, review


@dataclass(frozen=True, slots=True)
class Answers:
    """One concept's answers, oldest first (as aggregated by the database)."""

    concept: str
    correct: Sequence[bool]
    answered_at: Sequence[datetime]
    through_id: int  # the newest answer's id


@dataclass(frozen=True, slots=True)
class ConceptState:
    concept: str
    attempts: int
    correct: int
    p_mastery: float
    card: Card
    last_answered_at: datetime
    through_id: int


def fold(state: ConceptState | None, answers: Answers) -> ConceptState:
    """Continue `state` (None: start from the prior) with newer `answers`."""
    if not answers.correct:
        assert state is not None
        return state
    p = state.p_mastery if state else mastery.DEFAULT_PARAMETERS.p_init
    card = state.card if state else review.new_card(answers.answered_at[0])
    for correct, answered_at in zip(answers.correct, answers.answered_at, strict=True):
        p = mastery.update(p, correct)
        card = review.review(card, answered_at, correct)
    return ConceptState(
        concept=answers.concept,
        attempts=(state.attempts if state else 0) + len(answers.correct),
        correct=(state.correct if state else 0) + sum(answers.correct),
        p_mastery=p,
        card=card,
        last_answered_at=answers.answered_at[-1],
        through_id=max(answers.through_id, state.through_id if state else 0),
    )


def needs_replay(state: ConceptState | None, new: Answers) -> bool:
    """True when `new` cannot simply be appended (no state yet, or an answer older than it)."""
    return state is None or min(new.answered_at) < state.last_answered_at


def entry(state: ConceptState) -> dict[str, Any]:
    """The API's mastery entry (datetimes not yet serialized)."""
    return {
        "concept": state.concept,
        "p_mastery": state.p_mastery,
        "mastered": mastery.is_mastered(state.p_mastery),
        "attempts": state.attempts,
        "correct": state.correct,
        "last_answered_at": state.last_answered_at,
        "next_review_at": state.card.due,
    }


def refresh(
    states: dict[str, ConceptState],
    deltas: dict[str, Any],
    replay: dict[str, Answers],
) -> tuple[dict[str, ConceptState], list[ConceptState]]:
    """Bring every concept's state up to date.

    `deltas` (per concept: `folded` count, `new` answers, `through_id`) come from
    `queries.answers_since`; `replay` holds whole histories for the concepts that
    `concepts_to_replay` named. Returns all current states and the ones that changed.
    """
    current: dict[str, ConceptState] = {}
    changed: list[ConceptState] = []
    for concept, delta in deltas.items():
        state = states.get(concept)
        if concept in replay:
            state = fold(None, replay[concept])
            changed.append(state)
        elif delta.new is not None:
            state = fold(state, delta.new)
            changed.append(state)
        if state is not None:
            current[concept] = state
    return current, changed


def concepts_to_replay(states: dict[str, ConceptState], deltas: dict[str, Any]) -> list[str]:
    """Concepts whose stored state cannot simply be continued."""
    replay = []
    for concept, delta in deltas.items():
        state = states.get(concept)
        if state is None:
            stale = delta.folded > 0  # answers below the watermark that were never folded
        else:
            # A count mismatch means answers committed late (below the watermark) or removed.
            stale = delta.folded != state.attempts or (
                delta.new is not None and needs_replay(state, delta.new)
            )
        if stale:
            replay.append(concept)
    return replay
