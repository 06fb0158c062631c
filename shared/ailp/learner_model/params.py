"""BKT parameters of one concept, their defaults and the bounds a fit must respect."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BktParameters:
    """P(known) before the first answer, P(unknown → known) and P(known → unknown) after each
    answer, P(right | unknown) and P(wrong | known)."""

    p_init: float = 0.25
    p_transit: float = 0.15
    guess: float = 0.2
    slip: float = 0.1
    p_forget: float = 0.0


DEFAULT_PARAMETERS = BktParameters()


@dataclass(frozen=True, slots=True)
class Bounds:
    low: float
    high: float


# Guess and slip stay below 0.5 so that "known" always means "more likely right" (otherwise the
# two states can swap meaning and mastery would rise with wrong answers). The floors keep every
# answer possible in every state, so no single answer has likelihood zero.
BOUNDS: dict[str, Bounds] = {
    "p_init": Bounds(0.001, 0.999),
    "p_transit": Bounds(0.001, 0.999),
    "p_forget": Bounds(0.0, 0.5),
    "guess": Bounds(0.01, 0.45),
    "slip": Bounds(0.01, 0.45),
}
