"""BKT with forgetting against exact rational arithmetic (docs/api.md's formula, no saturation)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics_worker.mastery import (
    BktParameters,
    is_mastered,
    log_odds,
    p_mastery,
    probability,
    update,
)

DEFAULTS = BktParameters()


def _exact(answers: list[bool], params: BktParameters = DEFAULTS) -> Fraction:
    """The contract's formula in exact rational arithmetic (the parameters as the floats they are)."""
    slip, guess = Fraction(params.slip), Fraction(params.guess)
    transit, forget = Fraction(params.p_transit), Fraction(params.p_forget)
    p = Fraction(params.p_init)
    for correct in answers:
        if correct:
            posterior = p * (1 - slip) / (p * (1 - slip) + (1 - p) * guess)
        else:
            posterior = p * slip / (p * slip + (1 - p) * (1 - guess))
        p = posterior * (1 - forget) + (1 - posterior) * transit
    return p


def _close(answers: list[bool], params: BktParameters = DEFAULTS) -> None:
    assert abs(p_mastery(answers, params) - float(_exact(answers, params))) <= 1e-9


def test_one_correct_answer() -> None:
    # P0 = 0.25; posterior = 0.225 / (0.225 + 0.15) = 0.6; then 0.6 + 0.4 · 0.15 = 0.66
    assert update(0.25, True) == pytest.approx(0.66, abs=1e-12)


def test_one_wrong_answer() -> None:
    # posterior = 0.025 / (0.025 + 0.6) = 0.04; then 0.04 + 0.96 · 0.15 = 0.184
    assert update(0.25, False) == pytest.approx(0.184, abs=1e-12)


def test_a_hand_computed_sequence() -> None:
    # right, right, wrong, right
    expected = [0.66, 0.912688821752266, 0.631501968873055, 0.902430448064578]
    p = 0.25
    for correct, value in zip([True, True, False, True], expected, strict=True):
        p = update(p, correct)
        assert p == pytest.approx(value, abs=1e-12)
    assert p_mastery([True, True, False, True]) == pytest.approx(expected[-1], abs=1e-12)


def test_no_answers_is_the_prior() -> None:
    assert p_mastery([]) == pytest.approx(0.25, abs=1e-15)


def test_mastery_threshold() -> None:
    assert not is_mastered(0.9499999)
    assert is_mastered(0.95)
    assert is_mastered(p_mastery([True] * 4))
    assert not is_mastered(p_mastery([True, True]))


def test_custom_parameters() -> None:
    params = BktParameters(p_init=0.5, p_transit=0.0, guess=0.25, slip=0.05)
    assert update(0.5, True, params) == pytest.approx(0.5 * 0.95 / (0.5 * 0.95 + 0.5 * 0.25))


def test_no_saturation_thirty_right_then_twenty_eight_wrong() -> None:
    # The contract: 30 right answers then 28 wrong ones give 0.178, not mastered.
    answers = [True] * 30 + [False] * 28
    assert p_mastery(answers) == pytest.approx(0.178, abs=5e-4)
    assert not is_mastered(p_mastery(answers))
    _close(answers)


def test_no_saturation_twenty_five_right_then_twenty_wrong() -> None:
    # In floating point P was exactly 1.0 after 24 right answers and stayed there (issue 12).
    answers = [True] * 25 + [False] * 20
    assert p_mastery(answers) == pytest.approx(0.914, abs=5e-4)
    _close(answers)


def test_a_thousand_right_answers_are_undone_by_enough_wrong_ones() -> None:
    # Exact reference with 60 significant digits and both P and 1 − P carried (no cancellation).
    answers = [True] * 1000 + [False] * 1200
    with localcontext() as context:
        context.prec = 60
        # The parameters as the floats they are, like Fraction(0.1) in `_exact`.
        p, q = Decimal.from_float(0.25), Decimal.from_float(0.75)
        slip, guess = Decimal.from_float(0.1), Decimal.from_float(0.2)
        transit = Decimal.from_float(0.15)
        for correct in answers:
            known, unknown = (p * (1 - slip), q * guess) if correct else (p * slip, q * (1 - guess))
            total = known + unknown
            p, q = known / total + unknown / total * transit, unknown / total * (1 - transit)
        assert abs(p_mastery(answers) - float(p)) <= 1e-9
    assert p_mastery(answers) < 0.5


def test_forgetting_lowers_mastery_between_answers() -> None:
    forgetful = BktParameters(p_init=0.3, p_transit=0.1, guess=0.2, slip=0.1, p_forget=0.05)
    answers = [True] * 40
    assert p_mastery(answers, forgetful) < p_mastery(answers)
    # With forgetting P stays below its fixed point (1 − f)/(1 − f + f) < 1.
    assert p_mastery(answers, forgetful) < 1.0
    _close(answers, forgetful)


def test_log_odds_round_trip() -> None:
    for p in (1e-12, 0.25, 0.5, 0.95, 1 - 1e-12):
        assert probability(log_odds(p)) == pytest.approx(p, rel=1e-12)
    assert probability(800.0) == 1.0 and probability(-800.0) == 0.0


parameters = st.builds(
    BktParameters,
    p_init=st.floats(0.001, 0.999),
    p_transit=st.floats(0.001, 0.999),
    guess=st.floats(0.01, 0.45),
    slip=st.floats(0.01, 0.45),
    p_forget=st.one_of(st.just(0.0), st.floats(0.0, 0.5)),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), max_size=300), parameters)
def test_matches_exact_arithmetic_over_any_history(
    answers: list[bool], params: BktParameters
) -> None:
    _close(answers, params)


@settings(deadline=None)
@given(st.integers(0, 200), st.integers(0, 200))
def test_runs_of_right_then_wrong_match_exact_arithmetic(right: int, wrong: int) -> None:
    _close([True] * right + [False] * wrong)


@given(st.lists(st.booleans(), max_size=200))
def test_a_probability_in_the_closed_unit_interval(answers: list[bool]) -> None:
    # Not `< 1`: after enough right answers the float nearest the exact value is 1.0.
    assert 0.0 < p_mastery(answers) <= 1.0


@given(st.lists(st.booleans(), max_size=30))
def test_a_right_answer_never_lowers_mastery(answers: list[bool]) -> None:
    before = p_mastery(answers)
    assert p_mastery([*answers, True]) >= before
    assert p_mastery([*answers, False]) <= p_mastery([*answers, True])
