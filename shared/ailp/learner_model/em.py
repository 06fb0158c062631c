"""Maximum-likelihood BKT with forgetting, per concept, by expectation–maximisation.

The model is a two-state hidden Markov chain per (learner, concept) sequence: unknown/known,
P(known) before the first answer p_init, unknown → known with p_transit and known → unknown
with p_forget after each answer, P(right | unknown) = guess, P(right | known) = 1 − slip.

Every concept and every random restart is fitted at once: parameters are (concepts, restarts)
arrays, each pass is one loop over time steps (see `sequences`) with numpy operations across all
sequences and restarts, and the expected counts are summed per concept with `bincount`. Concepts
do not interact, so this is the same as fitting each on its own, and the restart with the best
likelihood is kept per concept. The M-step clips each parameter to `params.BOUNDS`; each
parameter's expected log-likelihood is concave in it, so the clipped value is still the best
within the bounds and the likelihood never decreases.

pyBKT (the usual library) crashes on numpy 2; this is also much faster (one pass serves every
concept and restart).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ailp.learner_model.params import BOUNDS, DEFAULT_PARAMETERS, BktParameters
from ailp.learner_model.sequences import FloatArray, Sequences, sum_by

NAMES = ("p_init", "p_transit", "p_forget", "guess", "slip")
# Where random restarts start (restart 0 starts from the defaults with some forgetting: a
# p_forget of exactly 0 is a fixed point of EM and would never move).
_START_RANGES = {
    "p_init": (0.05, 0.9),
    "p_transit": (0.02, 0.4),
    "p_forget": (0.01, 0.3),
    "guess": (0.05, 0.4),
    "slip": (0.05, 0.4),
}


@dataclass
class ParameterArrays:
    """One value per concept and restart (or per concept and column) of each parameter."""

    p_init: FloatArray
    p_transit: FloatArray
    p_forget: FloatArray
    guess: FloatArray
    slip: FloatArray

    def column(self, concept: int, column: int) -> BktParameters:
        return BktParameters(
            p_init=float(self.p_init[concept, column]),
            p_transit=float(self.p_transit[concept, column]),
            guess=float(self.guess[concept, column]),
            slip=float(self.slip[concept, column]),
            p_forget=float(self.p_forget[concept, column]),
        )

    @classmethod
    def of(cls, columns: list[list[BktParameters]]) -> ParameterArrays:
        """From per-concept lists of parameter sets (one per column)."""
        return cls(
            *(
                np.array([[getattr(p, name) for p in row] for row in columns], dtype=np.float64)
                for name in NAMES
            )
        )


@dataclass(frozen=True)
class EmResult:
    params: ParameterArrays  # (concepts, 1): the best restart of each concept
    log_likelihood: FloatArray  # (concepts,)
    iterations: int


def starting_points(concepts: int, restarts: int, seed: int) -> ParameterArrays:
    rng = np.random.default_rng(seed)
    arrays = {}
    for name in NAMES:
        low, high = _START_RANGES[name]
        values = rng.uniform(low, high, size=(concepts, restarts))
        values[:, 0] = getattr(DEFAULT_PARAMETERS, name)
        arrays[name] = values
    arrays["p_forget"][:, 0] = 0.05
    return ParameterArrays(**arrays)


def fit(
    data: Sequences,
    *,
    restarts: int = 4,
    max_iterations: int = 50,
    tolerance: float = 1e-5,
    seed: int = 12,
) -> EmResult:
    """Fit every concept of `data`; stop when no concept's log-likelihood per answer improves
    by more than `tolerance` in an iteration (or after `max_iterations`)."""
    params = starting_points(data.concepts, restarts, seed)
    answers_per_concept = np.maximum(np.bincount(data.concept, minlength=data.concepts), 1)
    previous = np.full((data.concepts, restarts), -np.inf)
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (reported below)
        log_likelihood, params = _iteration(data, params)
        gain = (log_likelihood - previous) / answers_per_concept[:, None]
        previous = log_likelihood
        if np.all(gain < tolerance):
            break
    final = forward(data, params)[1]
    best = np.argmax(final, axis=1)
    rows = np.arange(data.concepts)
    chosen = ParameterArrays(*(getattr(params, name)[rows, best][:, None] for name in NAMES))
    return EmResult(chosen, final[rows, best], iterations)


@dataclass(frozen=True)
class _Emissions:
    if_known: FloatArray  # P(this answer | known), per answer and column
    if_unknown: FloatArray  # P(this answer | unknown)


def _emissions(data: Sequences, params: ParameterArrays) -> _Emissions:
    # A table per (concept, answer) and one gather each, rather than per-answer arithmetic.
    known = np.stack([params.slip, 1.0 - params.slip], axis=1)  # (concepts, wrong/right, k)
    unknown = np.stack([1.0 - params.guess, params.guess], axis=1)
    cell = data.concept * 2 + data.correct
    columns = params.slip.shape[1]
    return _Emissions(known.reshape(-1, columns)[cell], unknown.reshape(-1, columns)[cell])


def forward(data: Sequences, params: ParameterArrays) -> tuple[FloatArray, FloatArray]:
    """Filtered P(known | answers so far) after each answer, and each concept's log-likelihood."""
    posterior, scale = _forward(data, params, _emissions(data, params))
    return posterior, data.per_concept(np.log(scale))


def _forward(
    data: Sequences, params: ParameterArrays, emissions: _Emissions
) -> tuple[FloatArray, FloatArray]:
    columns = params.p_init.shape[1]
    by_rank = data.concept_of_rank
    known = params.p_init[by_rank].copy()  # P(known) before the current answer, per sequence
    unknown = 1.0 - known
    stay, forget = 1.0 - params.p_forget[by_rank], params.p_forget[by_rank]
    learn, not_learn = params.p_transit[by_rank], 1.0 - params.p_transit[by_rank]
    posterior = np.empty((data.answers, columns))
    scale = np.empty((data.answers, columns))
    for t in range(data.steps):
        start, end, n = data.step(t)
        joint_known = known[:n] * emissions.if_known[start:end]
        joint_unknown = unknown[:n] * emissions.if_unknown[start:end]
        total = joint_known + joint_unknown
        after_known = joint_known / total
        after_unknown = joint_unknown / total
        posterior[start:end] = after_known
        scale[start:end] = total
        # Both halves as sums of non-negative terms: nothing cancels, P and 1 − P stay exact.
        known[:n] = after_known * stay[:n] + after_unknown * learn[:n]
        unknown[:n] = after_known * forget[:n] + after_unknown * not_learn[:n]
    return posterior, scale


def _iteration(data: Sequences, params: ParameterArrays) -> tuple[FloatArray, ParameterArrays]:
    """One E-step (forward–backward) and M-step; the log-likelihood of the incoming `params`."""
    emissions = _emissions(data, params)
    posterior, scale = _forward(data, params, emissions)
    columns = params.p_init.shape[1]
    by_rank = data.concept_of_rank
    stay, forget = 1.0 - params.p_forget[by_rank], params.p_forget[by_rank]
    learn, not_learn = params.p_transit[by_rank], 1.0 - params.p_transit[by_rank]
    # e_s(o_t) / c_t: what the backward pass multiplies beta_t by, per answer.
    scaled_known = emissions.if_known / scale
    scaled_unknown = emissions.if_unknown / scale
    del emissions

    # Scaled backward pass: beta_t(s) = Σ_s' A(s, s') e_s'(o_{t+1}) beta_{t+1}(s') / c_{t+1};
    # toward_s at t holds e_s(o_{t+1}) beta_{t+1}(s) / c_{t+1} (0 after a sequence's last answer).
    beta_known = np.ones((data.answers, columns))
    beta_unknown = np.ones((data.answers, columns))
    toward_known = np.zeros((data.answers, columns))
    toward_unknown = np.zeros((data.answers, columns))
    for t in range(data.steps - 2, -1, -1):
        start = int(data.offsets[t])
        following, _, going_on = data.step(t + 1)
        nxt = slice(following, following + going_on)
        here = slice(start, start + going_on)
        w_known = scaled_known[nxt] * beta_known[nxt]
        w_unknown = scaled_unknown[nxt] * beta_unknown[nxt]
        toward_known[here] = w_known
        toward_unknown[here] = w_unknown
        beta_known[here] = stay[:going_on] * w_known + forget[:going_on] * w_unknown
        beta_unknown[here] = learn[:going_on] * w_known + not_learn[:going_on] * w_unknown

    # Expected counts per concept. P(unknown at t | all) = 1 − P(known at t | all), so the
    # unknown state's sums are the answer counts minus the known state's; p_transit and
    # p_forget are constant within a concept and multiply the sums afterwards.
    known = posterior * beta_known  # P(known at t | all answers of the sequence)
    learned = data.per_concept((1.0 - posterior) * toward_known) * params.p_transit
    forgot = data.per_concept(posterior * toward_unknown) * params.p_forget
    known_sum = data.per_concept(known)
    known_going = data.per_concept(known * data.has_next[:, None])
    known_right = data.per_concept(known * data.correct[:, None])
    counts = data.counts

    first = int(data.active[0]) if data.steps else 0  # every sequence's first answer
    first_concept = data.concept[:first]
    sums = {
        "p_init": (sum_by(first_concept, known[:first], data.concepts), counts.sequences),
        "p_transit": (learned, counts.going - known_going),
        "p_forget": (forgot, known_going),
        "guess": (counts.right - known_right, counts.answers - known_sum),
        "slip": (known_sum - known_right, known_sum),
    }
    updated = {}
    for name, (numerator, denominator) in sums.items():
        old = getattr(params, name)
        with np.errstate(invalid="ignore", divide="ignore"):
            # Denominators below 1e-9 expected answers carry no information: keep the value.
            value = np.where(denominator > 1e-9, numerator / denominator, old)
        bounds = BOUNDS[name]
        updated[name] = np.clip(value, bounds.low, bounds.high)
    log_likelihood = data.per_concept(np.log(scale))
    return log_likelihood, ParameterArrays(**updated)
