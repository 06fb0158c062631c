"""How well parameters predict answers they were not fitted on.

Next-answer prediction, as the HTTP contract (docs/api.md) defines it: before each answer, P(correct) =
P·(1−slip) + (1−P)·guess with P the BKT estimate from the earlier answers of that learner and
concept. The filter runs in log-odds exactly like the analytics worker
(`analytics_worker.mastery`), so the figures describe the model the platform serves,
saturation-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ailp.learner_model.em import ParameterArrays
from ailp.learner_model.sequences import FloatArray, Sequences

CALIBRATION_BINS = 10
_EPSILON = 1e-15


def predict(data: Sequences, params: ParameterArrays) -> FloatArray:
    """P(correct) before each answer (time-major, one column per parameter set in `params`)."""
    concept, by_rank = data.concept, data.concept_of_rank
    with np.errstate(divide="ignore"):
        # Log-odds evidence of each answer, and the transition's logarithms (−inf for a zero).
        right = np.log1p(-params.slip) - np.log(params.guess)
        wrong = np.log(params.slip) - np.log1p(-params.guess)
        ln_stay, ln_forget = np.log1p(-params.p_forget), np.log(params.p_forget)
        ln_learn, ln_not_learn = np.log(params.p_transit), np.log1p(-params.p_transit)
        value = np.log(params.p_init) - np.log1p(-params.p_init)
    evidence = np.where(data.correct[:, None], right[concept], wrong[concept])
    guess, sure = params.guess[concept], 1.0 - params.slip[concept] - params.guess[concept]
    stay, forget = ln_stay[by_rank], ln_forget[by_rank]
    learn, not_learn = ln_learn[by_rank], ln_not_learn[by_rank]
    log_odds = value[by_rank].copy()
    known = np.empty((data.answers, params.p_init.shape[1]))
    for t in range(data.steps):
        start, end, n = data.step(t)
        current = log_odds[:n]
        known[start:end] = current
        current = current + evidence[start:end]
        log_odds[:n] = np.logaddexp(current + stay[:n], learn[:n]) - np.logaddexp(
            current + forget[:n], not_learn[:n]
        )
    with np.errstate(over="ignore"):
        p_known = 1.0 / (1.0 + np.exp(-known))
    return guess + p_known * sure


def auc(correct: np.ndarray, predicted: FloatArray) -> float | None:
    """Area under the ROC curve (ties count half); None when one class is missing."""
    positives = int(correct.sum())
    negatives = correct.size - positives
    if positives == 0 or negatives == 0:
        return None
    _, inverse, counts = np.unique(predicted, return_inverse=True, return_counts=True)
    # The average rank of each distinct value (1-based), so tied predictions share their rank.
    upper = np.cumsum(counts)
    average_rank = upper - (counts - 1) / 2.0
    rank_sum = float(average_rank[inverse][correct].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def log_loss(correct: np.ndarray, predicted: FloatArray) -> float | None:
    if correct.size == 0:
        return None
    p = np.clip(predicted, _EPSILON, 1.0 - _EPSILON)
    return float(-np.mean(np.where(correct, np.log(p), np.log1p(-p))))


def calibration(correct: np.ndarray, predicted: FloatArray) -> list[dict[str, Any]]:
    """Ten bins of predicted P(correct) (0–0.1, …, 0.9–1): answers, mean predicted, observed."""
    index = np.minimum((predicted * CALIBRATION_BINS).astype(np.int64), CALIBRATION_BINS - 1)
    counts = np.bincount(index, minlength=CALIBRATION_BINS)
    predicted_sum = np.bincount(index, weights=predicted, minlength=CALIBRATION_BINS)
    right_sum = np.bincount(index, weights=correct.astype(np.float64), minlength=CALIBRATION_BINS)
    return [
        {
            "lower": b / CALIBRATION_BINS,
            "upper": (b + 1) / CALIBRATION_BINS,
            "answers": int(counts[b]),
            "predicted": float(predicted_sum[b] / counts[b]) if counts[b] else None,
            "observed": float(right_sum[b] / counts[b]) if counts[b] else None,
        }
        for b in range(CALIBRATION_BINS)
    ]


@dataclass(frozen=True)
class Evaluation:
    auc: float | None
    log_loss: float | None
    held_out_answers: int
    held_out_learners: int
    baseline_auc: float | None
    baseline_log_loss: float | None
    calibration: list[dict[str, Any]]
    baseline_calibration: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "auc": self.auc,
            "log_loss": self.log_loss,
            "held_out_answers": self.held_out_answers,
            "baseline_auc": self.baseline_auc,
            "baseline_log_loss": self.baseline_log_loss,
            "held_out_learners": self.held_out_learners,
            "calibration": self.calibration,
            "baseline_calibration": self.baseline_calibration,
        }


def evaluate(
    data: Sequences, fitted: ParameterArrays, baseline: ParameterArrays, learners: int
) -> Evaluation:
    """`fitted` against `baseline` (both (concepts, 1)) on every answer of `data`."""
    both = ParameterArrays(
        *(
            np.concatenate([getattr(fitted, name), getattr(baseline, name)], axis=1)
            for name in ("p_init", "p_transit", "p_forget", "guess", "slip")
        )
    )
    predicted = predict(data, both)
    correct = data.correct
    return Evaluation(
        auc=auc(correct, predicted[:, 0]),
        log_loss=log_loss(correct, predicted[:, 0]),
        held_out_answers=data.answers,
        held_out_learners=learners,
        baseline_auc=auc(correct, predicted[:, 1]),
        baseline_log_loss=log_loss(correct, predicted[:, 1]),
        calibration=calibration(correct, predicted[:, 0]),
        baseline_calibration=calibration(correct, predicted[:, 1]),
    )
