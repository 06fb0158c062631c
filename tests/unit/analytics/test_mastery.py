"""BKT against hand-computed sequences (API.md's exact formulas and default parameters)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics_worker.mastery import BktParameters, is_mastered, p_mastery, update


def _by_hand(
    p: float, correct: bool, init_slip: float = 0.1, guess: float = 0.2, transit: float = 0.15
) -> float:
    if correct:
        posterior = p * (1 - init_slip) / (p * (1 - init_slip) + (1 - p) * guess)
    else:
        posterior = p * init_slip / (p * init_slip + (1 - p) * (1 - guess))
    return posterior + (1 - posterior) * transit


def test_one_correct_answer() -> None:
    # P0 = 0.25; posterior = 0.225 / (0.225 + 0.15) = 0.6; then 0.6 + 0.4 · 0.15 = 0.66
    assert update(0.25, True) == pytest.approx(0.66)


def test_one_wrong_answer() -> None:
    # posterior = 0.025 / (0.025 + 0.6) = 0.04; then 0.04 + 0.96 · 0.15 = 0.184
    assert update(0.25, False) == pytest.approx(0.184)


def test_a_hand_computed_sequence() -> None:
    # right, right, wrong, right
    expected = [0.66, 0.912688821752266, 0.631501968873055, 0.902430448064578]
    p = 0.25
    for correct, value in zip([True, True, False, True], expected, strict=True):
        p = update(p, correct)
        assert p == pytest.approx(value, abs=1e-12)
    assert p_mastery([True, True, False, True]) == pytest.approx(expected[-1], abs=1e-12)


def test_no_answers_is_the_prior() -> None:
    assert p_mastery([]) == 0.25


def test_mastery_threshold() -> None:
    assert not is_mastered(0.9499999)
    assert is_mastered(0.95)
    assert is_mastered(p_mastery([True] * 4))
    assert not is_mastered(p_mastery([True, True]))


def test_custom_parameters() -> None:
    params = BktParameters(p_init=0.5, p_transit=0.0, guess=0.25, slip=0.05)
    assert update(0.5, True, params) == pytest.approx(0.5 * 0.95 / (0.5 * 0.95 + 0.5 * 0.25))


@given(st.lists(st.booleans(), max_size=60))
def test_matches_the_formula_step_by_step(answers: list[bool]) -> None:
    p = 0.25
    for correct in answers:
        p = _by_hand(p, correct)
    assert p_mastery(answers) == pytest.approx(p, abs=1e-12)
    assert 0 < p_mastery(answers) < 1


@given(st.lists(st.booleans(), max_size=30))
def test_a_right_answer_never_lowers_mastery(answers: list[bool]) -> None:
    before = p_mastery(answers)
    assert p_mastery([*answers, True]) >= before
    assert p_mastery([*answers, False]) <= p_mastery([*answers, True])
