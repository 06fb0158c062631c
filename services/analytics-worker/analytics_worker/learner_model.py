"""Per-concept mastery (BKT) and review schedule (FSRS), kept incrementally.

A `ConceptState` is the result of folding every answer of one concept, in time order, into the
BKT log-odds and the FSRS card (whose last review says which UTC day was last reviewed, so later
answers that day are not reviews). Jobs continue from the stored states with the answers that
arrived since; a concept is replayed from its first answer only when an answer arrived out of
time order, when the concept's parameters changed (a new fitted version), or when the result is
asked for an `as_of` before its latest answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsrs import Card

from analytics_worker import mastery, review
from analytics_worker.parameters import ConceptParameters

ParametersOf = Callable[[str], ConceptParameters]  # a concept's current parameters


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
    log_odds: float  # of P(mastered): carried instead of P, which saturates at 1.0
    card: Card
    last_answered_at: datetime
    through_id: int
    params_version: int | None  # the fitted version whose parameters were used; None: defaults

    @property
    def p_mastery(self) -> float:
        return mastery.probability(self.log_odds)


def fold(state: ConceptState | None, answers: Answers, params: ConceptParameters) -> ConceptState:
    """Continue `state` (None: start from the prior) with newer `answers`.

    `state` must have been folded with the same `params` (see `concepts_to_replay`).
    """
    if not answers.correct:
        assert state is not None
        return state
    steps = mastery.steps_for(params.values)
    value = state.log_odds if state else mastery.log_odds(params.values.p_init)
    for correct in answers.correct:
        value = steps.update(value, correct)
    card, _ = review.review_answers(
        state.card if state else None, zip(answers.answered_at, answers.correct, strict=True)
    )
    assert card is not None
    return ConceptState(
        concept=answers.concept,
        attempts=(state.attempts if state else 0) + len(answers.correct),
        correct=(state.correct if state else 0) + sum(answers.correct),
        log_odds=value,
        card=card,
        last_answered_at=answers.answered_at[-1],
        through_id=max(answers.through_id, state.through_id if state else 0),
        params_version=params.version,
    )


def needs_replay(state: ConceptState | None, new: Answers) -> bool:
    """True when `new` cannot simply be appended (no state yet, or an answer older than it)."""
    return state is None or min(new.answered_at) < state.last_answered_at


def entry(state: ConceptState) -> dict[str, Any]:
    """The API's mastery entry (datetimes not yet serialized)."""
    p = state.p_mastery
    return {
        "concept": state.concept,
        "p_mastery": p,
        "mastered": mastery.is_mastered(p),
        "attempts": state.attempts,
        "correct": state.correct,
        "last_answered_at": state.last_answered_at,
        "next_review_at": state.card.due,
        "params": "default" if state.params_version is None else "fitted",
    }


def refresh(
    states: dict[str, ConceptState],
    deltas: dict[str, Any],
    replay: dict[str, Answers],
    params: ParametersOf,
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
            state = fold(None, replay[concept], params(concept))
            changed.append(state)
        elif delta.new is not None:
            state = fold(state, delta.new, params(concept))
            changed.append(state)
        if state is not None:
            current[concept] = state
    return current, changed


def concepts_to_replay(
    states: dict[str, ConceptState], deltas: dict[str, Any], params: ParametersOf
) -> list[str]:
    """Concepts whose stored state cannot simply be continued."""
    replay = []
    for concept, delta in deltas.items():
        state = states.get(concept)
        if state is None:
            stale = delta.folded > 0  # answers below the watermark that were never folded
        else:
            # A count mismatch means answers committed late (below the watermark) or removed;
            # a state folded with other parameters (a newer fit) is recomputed with the current.
            stale = (
                delta.folded != state.attempts
                or state.params_version != params(concept).version
                or (delta.new is not None and needs_replay(state, delta.new))
            )
        if stale:
            replay.append(concept)
    return replay
