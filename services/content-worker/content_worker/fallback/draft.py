"""What the offline builders produce before it becomes a GeneratedPiece.

A `Question` is a draft: it has no id and no concept yet. `exercise_dicts` turns the drafts into
the content model's exercises (`ailp.schemas.content.Exercise`, dumped), the same shape a
model-written piece has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Question:
    """One exercise or quiz question; `choices` is None for an open question."""

    prompt: str
    answer: str
    explanation: str
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A complete offline piece: title, Markdown body, examples and questions."""

    title: str
    content: str
    examples: tuple[str, ...]
    questions: tuple[Question, ...]
    library_concept: str | None  # the curated entry's name, None for a generic guide


def exercise_dicts(questions: Sequence[Question], concept: str) -> list[dict[str, Any]]:
    """The questions as the content model's exercises (`Exercise`, dumped), ids q1, q2, ...

    Built as plain dicts, not validated here: the piece's `ContentOut` validates them when the
    job's result is made, and a test renders a grid of pieces through `Exercise` to show that
    they pass it unchanged."""
    return [
        {
            "id": f"q{number}",
            "prompt": question.prompt,
            "choices": list(question.choices) if question.choices is not None else None,
            "answer": question.answer,
            "explanation": question.explanation,
            "concept": concept,
        }
        for number, question in enumerate(questions, start=1)
    ]
