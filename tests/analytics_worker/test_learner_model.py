"""Incremental learner model: folding new answers equals replaying everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics_worker import learner_model
from analytics_worker.learner_model import Answers, ConceptState, concepts_to_replay, entry
from analytics_worker.mastery import BktParameters, p_mastery
from analytics_worker.parameters import DEFAULT, ParameterSet
from analytics_worker.review import next_review_at

FITTED = BktParameters(p_init=0.4, p_transit=0.1, guess=0.25, slip=0.15, p_forget=0.03)
NO_FIT = ParameterSet()


def fold(state: ConceptState | None, answers: Answers) -> ConceptState:
    return learner_model.fold(state, answers, DEFAULT)


def refresh(states, deltas, replay):  # type: ignore[no-untyped-def]
    return learner_model.refresh(states, deltas, replay, NO_FIT)


T = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Delta:
    folded: int
    new: Answers | None
    through_id: int


def _answers(concept: str, pattern: list[bool], start: int = 0, first_id: int = 1) -> Answers:
    times = [T + timedelta(days=start + i) for i in range(len(pattern))]
    return Answers(concept, pattern, times, first_id + len(pattern) - 1)


def test_entry_from_scratch() -> None:
    state = fold(None, _answers("joins", [True, False, True]))
    result = entry(state)
    assert result["attempts"] == 3 and result["correct"] == 2
    assert result["p_mastery"] == pytest.approx(p_mastery([True, False, True]))
    assert result["last_answered_at"] == T + timedelta(days=2)
    assert result["next_review_at"] == next_review_at(
        [(T + timedelta(days=i), ok) for i, ok in enumerate([True, False, True])]
    )
    assert state.through_id == 3
    assert result["params"] == "default"


@given(st.lists(st.booleans(), min_size=2, max_size=40), st.integers(1, 39))
def test_folding_in_two_steps_equals_one_replay(pattern: list[bool], cut: int) -> None:
    cut = min(cut, len(pattern) - 1)
    whole = fold(None, _answers("c", pattern))
    first = fold(None, _answers("c", pattern[:cut]))
    continued = fold(first, _answers("c", pattern[cut:], start=cut, first_id=cut + 1))
    assert entry(continued) == entry(whole)
    assert continued.through_id == whole.through_id


def test_which_concepts_must_be_replayed() -> None:
    known = fold(None, _answers("known", [True, True]))
    states = {"known": known, "late": fold(None, _answers("late", [True]))}
    deltas = {
        "known": Delta(2, _answers("known", [False], start=5, first_id=10), 10),  # appended
        "late": Delta(2, None, 4),  # one answer committed below the watermark: count differs
        "fresh": Delta(0, _answers("fresh", [True]), 11),  # new concept: nothing to replay
        "orphan": Delta(3, None, 3),  # folded answers but no state
        "older": Delta(0, None, 0),
    }
    states["older"] = fold(None, _answers("older", [True], start=9))
    deltas["older"] = Delta(1, _answers("older", [False], start=1, first_id=20), 20)  # out of order
    assert sorted(concepts_to_replay(states, deltas, NO_FIT)) == ["late", "older", "orphan"]


def test_refresh_applies_replays_and_appends() -> None:
    known = fold(None, _answers("known", [True]))
    deltas = {
        "known": Delta(1, _answers("known", [False], start=3, first_id=5), 5),
        "new": Delta(0, _answers("new", [True, True], first_id=6), 7),
    }
    current, changed = refresh({"known": known}, deltas, {})
    assert current["known"].attempts == 2 and current["new"].attempts == 2
    assert {state.concept for state in changed} == {"known", "new"}
    unchanged, none = refresh(current, {"known": Delta(2, None, 5), "new": Delta(2, None, 7)}, {})
    assert none == [] and unchanged == current


def test_fitted_parameters_are_used_and_named() -> None:
    pattern = [True, False, True, True, True, False, True]
    params = ParameterSet(7, {"joins": FITTED})
    state = learner_model.fold(None, _answers("joins", pattern), params("joins"))
    result = entry(state)
    assert result["params"] == "fitted" and state.params_version == 7
    assert result["p_mastery"] == pytest.approx(p_mastery(pattern, FITTED), abs=1e-12)
    assert result["p_mastery"] != pytest.approx(p_mastery(pattern), abs=1e-3)
    assert params("other") is DEFAULT


def test_a_new_version_replays_the_concepts_it_changes() -> None:
    states = {
        "fitted": fold(None, _answers("fitted", [True, True])),
        "unchanged": fold(None, _answers("unchanged", [True], first_id=3)),
    }
    deltas = {"fitted": Delta(2, None, 2), "unchanged": Delta(1, None, 3)}
    newer = ParameterSet(2, {"fitted": FITTED})
    assert concepts_to_replay(states, deltas, newer) == ["fitted"]
    replayed = learner_model.fold(None, _answers("fitted", [True, True]), newer("fitted"))
    assert concepts_to_replay({**states, "fitted": replayed}, deltas, newer) == []
    # A concept that a later version no longer fits goes back to the defaults.
    assert concepts_to_replay({**states, "fitted": replayed}, deltas, NO_FIT) == ["fitted"]


def test_later_answers_of_a_reviewed_day_are_not_reviews_when_continuing() -> None:
    morning = Answers("c", [True], [T], 1)
    evening = Answers("c", [False, True], [T + timedelta(hours=6), T + timedelta(days=2)], 3)
    continued = fold(fold(None, morning), evening)
    whole = fold(
        None, Answers("c", [True, False, True], [*morning.answered_at, *evening.answered_at], 3)
    )
    assert entry(continued) == entry(whole)
    assert continued.card.due == next_review_at([(T, True), (T + timedelta(days=2), True)])
