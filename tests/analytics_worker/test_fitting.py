"""The learner-model fit: layout, forward–backward EM, evaluation and the file readers."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

from ailp.learner_model import em
from ailp.learner_model.answers import AnswerFileError, AnswerLog, read_csv, read_dkt
from ailp.learner_model.evaluation import auc, calibration, predict
from ailp.learner_model.fitting import FitOptions, fit, is_held_out
from ailp.learner_model.params import BOUNDS, DEFAULT_PARAMETERS, BktParameters
from ailp.learner_model.sequences import layout
from analytics_worker.mastery import log_odds, probability, steps_for


def _log(sequences: list[tuple[int, int, list[bool]]], concepts: int) -> AnswerLog:
    """(learner, concept, answers) triples, answers interleaved across sequences like a real
    log (order within each sequence kept)."""
    rows = [(i, learner, concept, ok) for learner, concept, answers in sequences
            for i, ok in enumerate(answers)]  # fmt: skip
    rows.sort(key=lambda row: (row[0], row[1]))
    learners = max(learner for learner, _, _ in sequences) + 1
    return AnswerLog(
        np.array([row[1] for row in rows], dtype=np.int64),
        np.array([row[2] for row in rows], dtype=np.int64),
        np.array([row[3] for row in rows], dtype=np.bool_),
        [str(n) for n in range(learners)],
        [f"c{n}" for n in range(concepts)],
    )


def _simulate(params: BktParameters, length: int, rng: random.Random) -> list[bool]:
    known = rng.random() < params.p_init
    answers = []
    for _ in range(length):
        answers.append(rng.random() < (1 - params.slip if known else params.guess))
        known = rng.random() >= params.p_forget if known else rng.random() < params.p_transit
    return answers


def _likelihood_by_hand(answers: list[bool], params: BktParameters) -> float:
    p, total = params.p_init, 0.0
    for correct in answers:
        right = p * (1 - params.slip) + (1 - p) * params.guess
        total += math.log(right if correct else 1 - right)
        known = p * ((1 - params.slip) if correct else params.slip)
        posterior = known / (right if correct else 1 - right)
        p = posterior * (1 - params.p_forget) + (1 - posterior) * params.p_transit
    return total


def test_layout_is_time_major_longest_first() -> None:
    log = _log([(0, 0, [True, False, True]), (1, 0, [False]), (0, 1, [True, True])], 2)
    data = layout(log)
    assert data.sequences == 3 and data.steps == 3
    assert data.active.tolist() == [3, 2, 1]
    assert data.concept_of_rank.tolist() == [0, 1, 0]
    # step 0: first answers of ranks 0, 1, 2; step 1: ranks 0, 1; step 2: rank 0
    assert data.correct.tolist() == [True, True, False, False, True, True]
    assert data.has_next.tolist() == [True, True, False, True, False, False]


def test_forward_likelihood_matches_the_formula_by_hand() -> None:
    rng = random.Random(3)
    params = [BktParameters(0.3, 0.2, 0.15, 0.1, 0.05), BktParameters(0.6, 0.05, 0.3, 0.2, 0.0)]
    sequences = [(n, n % 2, _simulate(params[n % 2], rng.randint(1, 40), rng)) for n in range(50)]
    data = layout(_log(sequences, 2))
    _, log_likelihood = em.forward(data, em.ParameterArrays.of([[p] for p in params]))
    for concept in (0, 1):
        by_hand = sum(
            _likelihood_by_hand(answers, params[concept])
            for _, c, answers in sequences
            if c == concept
        )
        assert log_likelihood[concept, 0] == pytest.approx(by_hand, rel=1e-12)


def test_em_never_lowers_the_likelihood() -> None:
    rng = random.Random(5)
    truth = BktParameters(0.35, 0.12, 0.2, 0.1, 0.04)
    data = layout(_log([(n, 0, _simulate(truth, rng.randint(2, 30), rng)) for n in range(300)], 1))
    params = em.starting_points(1, 3, seed=1)
    previous = np.full((1, 3), -np.inf)
    for _ in range(25):
        likelihood, params = em._iteration(data, params)
        assert np.all(likelihood >= previous - 1e-9)
        previous = likelihood


def test_em_recovers_the_parameters_it_simulated() -> None:
    rng = random.Random(7)
    truth = [BktParameters(0.3, 0.15, 0.2, 0.1, 0.05), BktParameters(0.1, 0.3, 0.25, 0.05, 0.1)]
    sequences = [(n, n % 2, _simulate(truth[n % 2], 25, rng)) for n in range(4000)]
    result = em.fit(layout(_log(sequences, 2)), restarts=3, max_iterations=200, tolerance=1e-8)
    for concept, expected in enumerate(truth):
        fitted = result.params.column(concept, 0)
        for name in em.NAMES:
            assert getattr(fitted, name) == pytest.approx(getattr(expected, name), abs=0.04), (
                concept,
                name,
            )


def test_fitted_parameters_stay_within_bounds() -> None:
    # Answers that are right exactly when a coin says so: nothing to learn; the fit must still
    # keep guess and slip below 0.5 and every parameter in its bounds.
    rng = random.Random(9)
    sequences = [(n, 0, [rng.random() < 0.5 for _ in range(20)]) for n in range(200)]
    fitted = em.fit(layout(_log(sequences, 1)), restarts=4).params.column(0, 0)
    for name in em.NAMES:
        bounds = BOUNDS[name]
        assert bounds.low <= getattr(fitted, name) <= bounds.high
    assert fitted.guess < 0.5 and fitted.slip < 0.5


def test_predictions_are_the_workers_mastery_before_each_answer() -> None:
    # Including 600 right answers in a row, where a probability would have saturated.
    rng = random.Random(11)
    fitted = BktParameters(0.4, 0.1, 0.25, 0.15, 0.03)
    sequences = [
        (0, 0, [True] * 600 + [False] * 400),
        (1, 1, [rng.random() < 0.7 for _ in range(50)]),
    ]
    data = layout(_log(sequences, 2))
    predicted = predict(data, em.ParameterArrays.of([[DEFAULT_PARAMETERS], [fitted]]))[:, 0]
    for rank, (_, concept, answers) in enumerate(sequences):
        params = [DEFAULT_PARAMETERS, fitted][concept]
        steps, value = steps_for(params), log_odds(params.p_init)
        for t, correct in enumerate(answers):
            p = probability(value)
            expected = p * (1 - params.slip) + (1 - p) * params.guess
            assert predicted[data.offsets[t] + rank] == pytest.approx(expected, abs=1e-9)
            value = steps.update(value, correct)


def test_auc_counts_pairs_and_ties() -> None:
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 5, 300).astype(float) / 4
    labels = rng.random(300) < 0.3 + 0.4 * scores
    positives, negatives = scores[labels], scores[~labels]
    pairs = (positives[:, None] > negatives[None, :]).sum() + 0.5 * (
        positives[:, None] == negatives[None, :]
    ).sum()
    assert auc(labels, scores) == pytest.approx(pairs / (positives.size * negatives.size))
    assert auc(np.ones(3, dtype=bool), np.array([0.1, 0.2, 0.3])) is None


def test_calibration_bins() -> None:
    predicted = np.array([0.05, 0.07, 0.55, 1.0])
    bins = calibration(np.array([False, True, True, True]), predicted)
    assert len(bins) == 10
    assert bins[0]["answers"] == 2 and bins[0]["observed"] == 0.5
    assert bins[0]["predicted"] == pytest.approx(0.06)
    assert bins[9]["answers"] == 1 and bins[3]["observed"] is None


def test_held_out_learners_are_a_stable_share() -> None:
    keys = [str(n) for n in range(20_000)]
    held = [is_held_out(key, 0.2) for key in keys]
    assert 0.18 < sum(held) / len(held) < 0.22
    assert held == [is_held_out(key, 0.2) for key in keys]
    assert not any(is_held_out(key, 0.0) for key in keys[:100])


def test_fit_keeps_defaults_below_the_minimum_and_beats_them_where_it_fits() -> None:
    rng = random.Random(13)
    truth = BktParameters(0.2, 0.25, 0.3, 0.08, 0.02)
    sequences = [(n, 0, _simulate(truth, 30, rng)) for n in range(600)]
    sequences += [(n, 1, _simulate(truth, 2, rng)) for n in range(30)]  # 60 answers: too few
    result = fit(_log(sequences, 2), FitOptions(min_responses=200), source="test")
    assert set(result.parameters) == {"c0"}
    assert [c.concept for c in result.version.concepts] == ["c0"]
    assert result.version.concepts[0].responses < 600 * 30  # held-out learners are not fitted on
    evaluation = result.evaluation
    assert evaluation.held_out_learners > 60 and evaluation.auc is not None
    assert evaluation.baseline_auc is not None and evaluation.auc > evaluation.baseline_auc
    assert evaluation.log_loss is not None and evaluation.baseline_log_loss is not None
    assert evaluation.log_loss < evaluation.baseline_log_loss
    assert sum(b["answers"] for b in evaluation.calibration) == evaluation.held_out_answers


def test_read_dkt_with_and_without_trailing_commas(tmp_path: Path) -> None:
    path = tmp_path / "dkt.csv"
    path.write_text("3\n7,7,9,\n1,0,1,\n\n2\n9,9\n0,0\n")
    log = read_dkt(path)
    assert log.learner_keys == ["1", "2"] and log.concepts == ["7", "9"]
    assert log.learner.tolist() == [0, 0, 0, 1, 1]
    assert log.concept.tolist() == [0, 0, 1, 1, 1]
    assert log.correct.tolist() == [True, False, True, False, False]


@pytest.mark.parametrize(
    ("text", "message"),
    [("2\n7,7\n1\n", "2 answers but 2 concept ids and 1 flags"), ("2\n7,7\n1,2\n", "not 0 or 1")],
)
def test_read_dkt_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(AnswerFileError, match=message):
        read_dkt(path)


def test_read_csv_orders_by_time(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "learner,concept,correct,answered_at\n"
        "ada,joins,1,2026-01-02T10:00:00Z\n"
        "ada,joins,0,2026-01-01T10:00:00+02:00\n"
        "bob,joins,true,2026-01-01T09:00:00\n"
    )
    log = read_csv(path)
    assert [log.learner_keys[i] for i in log.learner] == ["ada", "bob", "ada"]
    assert log.correct.tolist() == [False, True, True]
    path.write_text("who,concept,correct,answered_at\n")
    with pytest.raises(AnswerFileError, match="header"):
        read_csv(path)
