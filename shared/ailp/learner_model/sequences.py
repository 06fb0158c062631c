"""Answer sequences laid out for vectorised passes over time.

A sequence is one learner's answers to one concept, in order. Sequences are ranked longest
first and the answers stored time-major: step t holds the t-th answer of every sequence longer
than t, in rank order, so the sequences still going at step t are exactly ranks 0..n_t−1 and one
slice per step serves all of them at once (no padding). A pass over the data is then one short
loop over steps with numpy operations across sequences (and across parameter sets).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ailp.learner_model.answers import AnswerLog

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Sequences:
    concept_of_rank: IntArray  # (sequences,) the concept of each ranked sequence
    active: IntArray  # (steps,) n_t: sequences with more than t answers
    offsets: IntArray  # (steps + 1,) where step t's answers start in the time-major arrays
    correct: npt.NDArray[np.bool_]  # (answers,) time-major
    concept: IntArray  # (answers,) the concept of each answer, time-major
    rank: IntArray  # (answers,) the rank of each answer's sequence, time-major
    has_next: npt.NDArray[np.bool_]  # (answers,) the sequence goes on after this answer
    concepts: int  # how many concept numbers there are (concept indices are below it)

    @property
    def sequences(self) -> int:
        return int(self.concept_of_rank.size)

    @property
    def steps(self) -> int:
        return int(self.active.size)

    @property
    def answers(self) -> int:
        return int(self.correct.size)

    def step(self, t: int) -> tuple[int, int, int]:
        """Step t's slice of the time-major arrays and how many sequences it covers."""
        start = int(self.offsets[t])
        count = int(self.active[t])
        return start, start + count, count

    def per_concept(self, values: FloatArray) -> FloatArray:
        """Sums of per-answer `values` ((answers,) or (answers, k)) by concept: (concepts, k)."""
        values = values.reshape(self.answers, -1)
        columns = values.shape[1]
        sums = np.bincount(
            self._cells(columns), weights=values.ravel(), minlength=self.concepts * columns
        )
        return sums.reshape(self.concepts, columns).astype(np.float64, copy=False)

    def _cells(self, columns: int) -> IntArray:
        """bincount's index for (answers, columns) values: concept · columns + column."""
        cells = self._cell_cache.get(columns)
        if cells is None:
            cells = (self.concept[:, None] * columns + np.arange(columns)).ravel()
            self._cell_cache[columns] = cells
        return cells

    @cached_property
    def _cell_cache(self) -> dict[int, IntArray]:
        return {}

    @cached_property
    def counts(self) -> Counts:
        """Per concept, as (concepts, 1) arrays: sequences, answers, right answers, and answers
        that a later answer of the same sequence follows."""
        ones = np.ones(self.answers)
        first = int(self.active[0]) if self.steps else 0
        return Counts(
            sequences=sum_by(self.concept[:first], ones[:first], self.concepts),
            answers=self.per_concept(ones),
            right=self.per_concept(self.correct.astype(np.float64)),
            going=self.per_concept(self.has_next.astype(np.float64)),
        )


@dataclass(frozen=True)
class Counts:
    sequences: FloatArray
    answers: FloatArray
    right: FloatArray
    going: FloatArray


def sum_by(group: IntArray, values: FloatArray, groups: int) -> FloatArray:
    """Column sums of `values` ((n,) or (n, k)) by `group` (n,): a (groups, k) array."""
    values = values.reshape(group.size, -1)
    columns = values.shape[1]
    index = (group[:, None] * columns + np.arange(columns)).ravel()
    sums = np.bincount(index, weights=values.ravel(), minlength=groups * columns)
    return sums.reshape(groups, columns).astype(np.float64, copy=False)


def layout(log: AnswerLog) -> Sequences:
    """The time-major layout of `log`'s (learner, concept) sequences."""
    concepts = len(log.concepts)
    if log.answers == 0:
        empty, none = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_)
        start = np.zeros(1, dtype=np.int64)
        return Sequences(empty, empty, start, none, empty, empty, none, concepts)
    pair = log.learner * max(concepts, 1) + log.concept
    keys, sequence = np.unique(pair, return_inverse=True)
    sequence = sequence.astype(np.int64)
    lengths = np.bincount(sequence, minlength=keys.size)
    # The position of each answer within its sequence (answers keep their order in the log).
    by_sequence = np.argsort(sequence, kind="stable")
    starts = np.cumsum(lengths) - lengths
    position = np.empty(log.answers, dtype=np.int64)
    position[by_sequence] = np.arange(log.answers) - starts[sequence[by_sequence]]

    ranked = np.argsort(-lengths, kind="stable")  # rank → sequence
    rank_of = np.empty_like(ranked)
    rank_of[ranked] = np.arange(ranked.size)
    order = np.argsort(position * keys.size + rank_of[sequence], kind="stable")

    steps = int(lengths.max())
    ended_by = np.cumsum(np.bincount(lengths, minlength=steps + 1))  # sequences of length ≤ t
    active = keys.size - ended_by[:steps]
    offsets = np.concatenate([[0], np.cumsum(active)]).astype(np.int64)
    concept_of_sequence = keys % max(concepts, 1)
    return Sequences(
        concept_of_rank=concept_of_sequence[ranked].astype(np.int64),
        active=active.astype(np.int64),
        offsets=offsets,
        correct=log.correct[order],
        concept=log.concept[order],
        rank=rank_of[sequence[order]],
        has_next=(position[order] < lengths[sequence[order]] - 1),
        concepts=concepts,
    )
