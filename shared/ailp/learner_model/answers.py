"""Answer histories to fit from: the platform's responses, a DKT file or a CSV export.

Every source becomes an `AnswerLog`: one row per answer, in time order within each learner and
concept, with learners and concepts numbered.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.orm import Session

CSV_HEADER = ("learner", "concept", "correct", "answered_at")
_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"0", "false", "f", "no", "n"})


class AnswerFileError(ValueError):
    """The file is not in the format it was said to be in (the message says where)."""


@dataclass(frozen=True)
class AnswerLog:
    """Answers in time order within each (learner, concept); arrays of equal length."""

    learner: npt.NDArray[np.int64]  # index into learner_keys
    concept: npt.NDArray[np.int64]  # index into concepts
    correct: npt.NDArray[np.bool_]
    learner_keys: list[str]  # stable identities (the held-out split hashes them)
    concepts: list[str]

    @property
    def answers(self) -> int:
        return int(self.correct.size)

    def subset(self, keep: npt.NDArray[np.bool_]) -> AnswerLog:
        """The answers where `keep` is true (numbering unchanged)."""
        return AnswerLog(
            self.learner[keep],
            self.concept[keep],
            self.correct[keep],
            self.learner_keys,
            self.concepts,
        )


class _Numbering:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []

    def __call__(self, name: str) -> int:
        number = self.index.get(name)
        if number is None:
            number = self.index[name] = len(self.names)
            self.names.append(name)
        return number


def _log(
    learners: _Numbering,
    concepts: _Numbering,
    learner: Iterable[int],
    concept: Iterable[int],
    correct: Iterable[bool],
) -> AnswerLog:
    return AnswerLog(
        np.fromiter(learner, dtype=np.int64),
        np.fromiter(concept, dtype=np.int64),
        np.fromiter(correct, dtype=np.bool_),
        learners.names,
        concepts.names,
    )


def _fields(line: str) -> list[str]:
    """Comma-separated values; a trailing comma (common in DKT files) ends the line."""
    values = [value.strip() for value in line.strip().split(",")]
    if values and values[-1] == "":
        values.pop()
    return values


def read_dkt(path: Path) -> AnswerLog:
    """The DKT format: per learner three lines — the number of answers n; n concept (skill)
    ids; n flags 1/0 — answers in the order given. Learners are numbered by their position."""
    learners, concepts = _Numbering(), _Numbering()
    learner: list[int] = []
    concept: list[int] = []
    correct: list[bool] = []
    lines = _nonblank(path)
    for count_line, (line_number, count_text) in enumerate(lines, start=1):
        try:
            count = int(count_text.strip().rstrip(","))
            ids_line, ids = next(lines)
            flags_line, flags = next(lines)
        except (ValueError, StopIteration) as exc:
            raise AnswerFileError(
                f"{path}:{line_number}: expected the number of answers of learner {count_line} "
                "followed by a line of concept ids and a line of 0/1 flags"
            ) from exc
        skill_ids, answer_flags = _fields(ids), _fields(flags)
        if len(skill_ids) != count or len(answer_flags) != count:
            raise AnswerFileError(
                f"{path}:{ids_line}-{flags_line}: learner {count_line} has {count} answers but "
                f"{len(skill_ids)} concept ids and {len(answer_flags)} flags"
            )
        number = learners(str(count_line))
        for skill, flag in zip(skill_ids, answer_flags, strict=True):
            if flag not in ("0", "1"):
                raise AnswerFileError(f"{path}:{flags_line}: flag {flag!r} is not 0 or 1")
            learner.append(number)
            concept.append(concepts(skill))
            correct.append(flag == "1")
    return _log(learners, concepts, learner, concept, correct)


def _nonblank(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield number, line


def read_csv(path: Path) -> AnswerLog:
    """A CSV export with the header learner,concept,correct,answered_at (ISO 8601; a time
    without an offset is UTC). Answers are put in answered_at order (file order breaks ties)."""
    learners, concepts = _Numbering(), _Numbering()
    learner: list[int] = []
    concept: list[int] = []
    correct: list[bool] = []
    moments: list[float] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(field.strip().lower() for field in next(reader, ()))
        if header != CSV_HEADER:
            raise AnswerFileError(f"{path}:1: the header must be {','.join(CSV_HEADER)}")
        for line_number, row in enumerate(reader, start=2):
            if not row or not any(field.strip() for field in row):
                continue
            if len(row) != len(CSV_HEADER):
                raise AnswerFileError(f"{path}:{line_number}: expected 4 fields, got {len(row)}")
            flag = row[2].strip().lower()
            if flag not in _TRUE and flag not in _FALSE:
                raise AnswerFileError(f"{path}:{line_number}: correct {row[2]!r} is not 1/0")
            try:
                moment = datetime.fromisoformat(row[3].strip().replace("Z", "+00:00"))
            except ValueError as exc:
                raise AnswerFileError(
                    f"{path}:{line_number}: answered_at {row[3]!r} is not an ISO 8601 time"
                ) from exc
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            learner.append(learners(row[0].strip()))
            concept.append(concepts(row[1].strip()))
            correct.append(flag in _TRUE)
            moments.append(moment.timestamp())
    log = _log(learners, concepts, learner, concept, correct)
    order = np.argsort(np.asarray(moments, dtype=np.float64), kind="stable")
    return AnswerLog(
        log.learner[order], log.concept[order], log.correct[order], log.learner_keys, log.concepts
    )


_PLATFORM_ANSWERS = text(
    "SELECT learner_id, concept, correct FROM exercise_responses ORDER BY answered_at, id"
)


def read_platform(session: Session, batch: int = 50_000) -> AnswerLog:
    """Every response on the platform, in (answered_at, id) order, streamed in batches."""
    learners, concepts = _Numbering(), _Numbering()
    learner: list[int] = []
    concept: list[int] = []
    correct: list[bool] = []
    result = session.connection().execution_options(stream_results=True, yield_per=batch)
    for row in result.execute(_PLATFORM_ANSWERS):
        learner.append(learners(str(row.learner_id)))
        concept.append(concepts(row.concept))
        correct.append(row.correct)
    return _log(learners, concepts, learner, concept, correct)
