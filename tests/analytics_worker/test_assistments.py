"""The fit on real students: the ASSISTments 2009 training split shipped in data/.

The test holds students out itself (five folds), fits on the others, and judges the fitted
parameters with the analytics worker's own mastery code (not the fit's evaluation) on the
held-out students' answers: next-answer AUC at least 0.80, well above the defaults.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ailp.learner_model.answers import read_dkt
from ailp.learner_model.fitting import FitOptions, fit
from analytics_worker.mastery import DEFAULT_PARAMETERS, BktParameters, log_odds, probability
from analytics_worker.mastery import steps_for as bkt_steps

FOLDS = 5
DATA = Path(__file__).resolve().parents[2] / "data" / "assistments2009" / "builder_train.csv"


def _predictions(
    learner: np.ndarray, concept: np.ndarray, correct: np.ndarray, params: list[BktParameters]
) -> np.ndarray:
    """P(correct) before each answer, by the worker's exact BKT, per (learner, concept)."""
    state: dict[tuple[int, int], float] = {}
    out = np.empty(correct.size)
    for i, (who, what, ok) in enumerate(zip(learner.tolist(), concept.tolist(), correct.tolist(), strict=True)):  # fmt: skip
        p_set = params[what]
        value = state.get((who, what), log_odds(p_set.p_init))
        p = probability(value)
        out[i] = p * (1 - p_set.slip) + (1 - p) * p_set.guess
        state[(who, what)] = bkt_steps(p_set).update(value, ok)
    return out


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(scores.size)
    sorted_scores = scores[order]
    start = 0
    while start < scores.size:  # average ranks over ties
        end = start
        while end + 1 < scores.size and sorted_scores[end + 1] == sorted_scores[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    positives = labels.sum()
    negatives = labels.size - positives
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def test_fitted_model_beats_the_defaults_on_held_out_students() -> None:
    # Five-fold cross-validation over students: each student's answers are predicted by
    # parameters fitted without them; the AUC is pooled over all answers. (Single 20 % splits
    # range from 0.79 to 0.84 here: a few students with long histories weigh a lot.)
    log = read_dkt(DATA)
    assert log.answers == 407_967 and len(log.concepts) == 123 and len(log.learner_keys) == 3_361
    options = FitOptions(held_out_share=0.0)  # the production defaults otherwise
    fitted_p, default_p = np.empty(log.answers), np.empty(log.answers)
    slowest = 0.0
    for fold in range(FOLDS):
        held = (log.learner % FOLDS) == fold
        started = time.perf_counter()
        result = fit(log.subset(~held), options, source="test")
        slowest = max(slowest, time.perf_counter() - started)
        assert result.evaluation.held_out_answers == 0  # it saw none of this fold's students
        assert len(result.parameters) >= 90
        fitted = [result.parameters.get(name, DEFAULT_PARAMETERS) for name in log.concepts]
        defaults = [DEFAULT_PARAMETERS] * len(log.concepts)
        learner, concept, correct = log.learner[held], log.concept[held], log.correct[held]
        fitted_p[held] = _predictions(learner, concept, correct, fitted)
        default_p[held] = _predictions(learner, concept, correct, defaults)
    auc, baseline = _auc(log.correct, fitted_p), _auc(log.correct, default_p)
    print(f"slowest fold {slowest:.1f} s; cross-validated AUC {auc:.4f}, defaults {baseline:.4f}")
    assert auc >= 0.80
    assert auc > baseline + 0.05
    assert slowest < 60


def test_the_fits_own_evaluation_agrees() -> None:
    log = read_dkt(DATA)
    result = fit(log, FitOptions(held_out_share=0.2, restarts=1, max_iterations=20), source="t")
    evaluation = result.evaluation
    assert evaluation.auc is not None and evaluation.baseline_auc is not None
    assert evaluation.auc >= 0.80 and evaluation.auc > evaluation.baseline_auc
    assert 0.15 < evaluation.held_out_answers / log.answers < 0.25
