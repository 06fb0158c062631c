"""One fit: split learners, fit the concepts that have enough answers, evaluate, describe.

A share of learners (by a hash of their key, so the same learners every time) is held out: the
parameters are fitted on the others' answers and judged on the held-out learners' answers
against the default parameters (`baseline_*`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np

from ailp.learner_model import em
from ailp.learner_model.answers import AnswerLog
from ailp.learner_model.evaluation import Evaluation, evaluate
from ailp.learner_model.params import DEFAULT_PARAMETERS, BktParameters
from ailp.learner_model.sequences import layout
from ailp.learner_model.store import FittedConcept, NewVersion


@dataclass(frozen=True)
class FitOptions:
    min_responses: int = 200
    held_out_share: float = 0.2
    restarts: int = 4
    max_iterations: int = 50
    tolerance: float = 1e-5
    seed: int = 12

    def as_json(self) -> dict[str, float | int]:
        return {
            "min_responses": self.min_responses,
            "held_out_share": self.held_out_share,
            "restarts": self.restarts,
            "max_iterations": self.max_iterations,
            "tolerance": self.tolerance,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class FitResult:
    version: NewVersion
    evaluation: Evaluation
    iterations: int
    parameters: dict[str, BktParameters]  # fitted concepts only


def is_held_out(learner_key: str, share: float) -> bool:
    """Whether a learner is kept out of fitting: a stable hash of its key below `share`."""
    digest = hashlib.sha256(learner_key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64 < share


def fit(log: AnswerLog, options: FitOptions, *, source: str) -> FitResult:
    started = time.perf_counter()
    held_learner = np.fromiter(
        (is_held_out(key, options.held_out_share) for key in log.learner_keys),
        dtype=np.bool_,
        count=len(log.learner_keys),
    )
    held = held_learner[log.learner] if log.answers else np.zeros(0, dtype=np.bool_)
    training = log.subset(~held)
    responses = np.bincount(training.concept, minlength=len(log.concepts))
    eligible = responses >= options.min_responses
    fitted_log = training.subset(eligible[training.concept])

    fitted_params = em.ParameterArrays.of([[DEFAULT_PARAMETERS] for _ in log.concepts])
    log_likelihood = np.zeros(len(log.concepts))
    iterations = 0
    if fitted_log.answers:
        result = em.fit(
            layout(fitted_log),
            restarts=options.restarts,
            max_iterations=options.max_iterations,
            tolerance=options.tolerance,
            seed=options.seed,
        )
        iterations = result.iterations
        for name in em.NAMES:
            values = getattr(fitted_params, name)
            values[eligible] = getattr(result.params, name)[eligible]
        log_likelihood = result.log_likelihood

    defaults = em.ParameterArrays.of([[DEFAULT_PARAMETERS] for _ in log.concepts])
    held_out = log.subset(held)
    evaluation = evaluate(
        layout(held_out),
        fitted_params,
        defaults,
        learners=int(np.unique(held_out.learner).size),
    )
    concepts = [
        FittedConcept(
            concept=log.concepts[c],
            params=fitted_params.column(c, 0),
            responses=int(responses[c]),
            log_likelihood=float(log_likelihood[c]),
        )
        for c in sorted(np.flatnonzero(eligible).tolist(), key=lambda c: log.concepts[c])
    ]
    parameters = {fitted.concept: fitted.params for fitted in concepts}
    version = NewVersion(
        source=source,
        learners=len(log.learner_keys),
        answers=log.answers,
        duration_seconds=time.perf_counter() - started,
        evaluation=evaluation.as_json(),
        settings={**options.as_json(), "iterations": iterations},
        concepts=concepts,
    )
    return FitResult(version, evaluation, iterations, parameters)
