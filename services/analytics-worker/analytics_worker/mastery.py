"""Bayesian Knowledge Tracing with forgetting (the HTTP contract, docs/api.md, exact):
P(mastered) after each answer.

With P₀ = p_init: after a correct answer P' = P(1−slip) / (P(1−slip) + (1−P)·guess); after a
wrong one P' = P·slip / (P·slip + (1−P)(1−guess)); then P ← P'·(1−p_forget) + (1−P')·p_transit.

The state is carried as log-odds L = ln(P / (1−P)), not as P: in floating point P reaches 1.0
after about 24 right answers and then no wrong answer can lower it, and 1 − P loses its digits
long before that. In log-odds both steps are sums of logarithms of positive numbers:

* evidence: L ← L + ln((1−slip)/guess) after a right answer, L + ln(slip/(1−guess)) after a wrong one;
* transition: odds' = (odds·(1−p_forget) + p_transit) / (odds·p_forget + (1−p_transit)), i.e.
  L ← logaddexp(L + ln(1−p_forget), ln p_transit) − logaddexp(L + ln p_forget, ln(1−p_transit)).

Nothing cancels, so the result follows exact arithmetic to a few ulps of L per answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ailp.learner_model.params import DEFAULT_PARAMETERS, BktParameters

MASTERED_AT = 0.95

__all__ = [
    "DEFAULT_PARAMETERS",
    "MASTERED_AT",
    "BktParameters",
    "Steps",
    "final_log_odds",
    "is_mastered",
    "log_odds",
    "p_mastery",
    "probability",
    "steps_for",
    "update",
    "update_log_odds",
]


@dataclass(frozen=True, slots=True)
class Steps:
    """The logarithms one update needs, computed once per parameter set (`steps_for`)."""

    right: float
    wrong: float
    ln_stay: float  # ln(1 − p_forget)
    ln_learn: float  # ln p_transit
    ln_forget: float  # ln p_forget
    ln_not_learn: float  # ln(1 − p_transit)

    def update(self, value: float, correct: bool) -> float:
        """One answer in log-odds: the evidence, then learning or forgetting."""
        value += self.right if correct else self.wrong
        return _logaddexp(value + self.ln_stay, self.ln_learn) - _logaddexp(
            value + self.ln_forget, self.ln_not_learn
        )


def _ln(x: float) -> float:
    return math.log(x) if x > 0 else -math.inf


@lru_cache(maxsize=4096)
def steps_for(params: BktParameters) -> Steps:
    return Steps(
        right=_ln(1 - params.slip) - _ln(params.guess),
        wrong=_ln(params.slip) - _ln(1 - params.guess),
        ln_stay=_ln(1 - params.p_forget),
        ln_learn=_ln(params.p_transit),
        ln_forget=_ln(params.p_forget),
        ln_not_learn=_ln(1 - params.p_transit),
    )


def _logaddexp(a: float, b: float) -> float:
    """ln(eᵃ + eᵇ) without overflow; either may be −inf (a zero probability)."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


def log_odds(p: float) -> float:
    return _ln(p) - _ln(1 - p)


def probability(log_odds_value: float) -> float:
    """P from its log-odds (the logistic function, without overflow)."""
    if log_odds_value >= 0:
        return 1.0 / (1.0 + math.exp(-log_odds_value))
    odds = math.exp(log_odds_value)
    return odds / (1.0 + odds)


def update_log_odds(
    value: float, correct: bool, params: BktParameters = DEFAULT_PARAMETERS
) -> float:
    """One answer in log-odds: the evidence, then learning or forgetting."""
    return steps_for(params).update(value, correct)


def update(p: float, correct: bool, params: BktParameters = DEFAULT_PARAMETERS) -> float:
    """One answer from a probability (convenience; long histories should stay in log-odds)."""
    return probability(update_log_odds(log_odds(p), correct, params))


def final_log_odds(answers: Iterable[bool], params: BktParameters = DEFAULT_PARAMETERS) -> float:
    steps = steps_for(params)
    value = log_odds(params.p_init)
    for correct in answers:
        value = steps.update(value, correct)
    return value


def p_mastery(answers: Iterable[bool], params: BktParameters = DEFAULT_PARAMETERS) -> float:
    """P(mastered) after the answers, in the order given (oldest first)."""
    return probability(final_log_odds(answers, params))


def is_mastered(p: float) -> bool:
    return p >= MASTERED_AT
