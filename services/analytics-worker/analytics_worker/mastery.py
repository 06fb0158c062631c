"""Bayesian Knowledge Tracing (API.md, exact): P(mastered) of one concept after each answer.

With P₀ = p_init: after a correct answer P' = P(1−slip) / (P(1−slip) + (1−P)·guess); after a
wrong one P' = P·slip / (P·slip + (1−P)(1−guess)); then P ← P' + (1−P')·p_transit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MASTERED_AT = 0.95


@dataclass(frozen=True, slots=True)
class BktParameters:
    p_init: float = 0.25
    p_transit: float = 0.15
    guess: float = 0.2
    slip: float = 0.1


DEFAULT_PARAMETERS = BktParameters()


def update(p: float, correct: bool, params: BktParameters = DEFAULT_PARAMETERS) -> float:
    """One answer: the posterior given the evidence, then the chance of learning from it."""
    if correct:
        known = p * (1 - params.slip)
        posterior = known / (known + (1 - p) * params.guess)
    else:
        known = p * params.slip
        posterior = known / (known + (1 - p) * (1 - params.guess))
    return posterior + (1 - posterior) * params.p_transit


def p_mastery(answers: Iterable[bool], params: BktParameters = DEFAULT_PARAMETERS) -> float:
    """P(mastered) after the answers, in the order given (oldest first)."""
    p = params.p_init
    for correct in answers:
        p = update(p, correct, params)
    return p


def is_mastered(p: float) -> bool:
    return p >= MASTERED_AT
