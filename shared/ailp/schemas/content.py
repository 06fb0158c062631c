"""The content model: one set of classes from the model's answer to the API.

A piece (lesson, quiz or exercise set) is a title, a Markdown body, examples and exercises. The
content worker validates the model's answer with `OUTPUT_MODELS` (one per content type, made of
`ExerciseItem`s); the stored row and the API hold `Exercise`s (the same fields plus `concept`)
inside a `ContentOut`, which every piece passes when its job's result is made, whoever wrote it
(the model, the cache or the offline builder, whose pieces a test also runs through
`OUTPUT_MODELS`). Every rule lives here once:

* What the validators enforce is also what the model is told: each field's `description` states
  its limits, and `content_worker.output.strict_schema` sends those descriptions along (OpenAI's
  strict dialect keeps descriptions but drops `maxLength`, `minItems` and the like).
* What can be repaired without changing the meaning is normalised instead of refused, so a paid
  answer is not thrown away for a cosmetic slip: whitespace is stripped, an id longer than
  `ID_MAX` is cut, empty or repeated ids are derived from the position, blank choices and blank
  examples are dropped, case variants of one choice are merged (keeping the answer's spelling),
  an answer that differs from one choice only in case or spacing takes that choice's spelling,
  choices beyond `CHOICES_MAX` are dropped (never the answer), and a title is cut at `TITLE_MAX`.
* What is wrong is still refused: an answer that is none of its choices, too few choices or
  exercises, a quiz question without choices, an open exercise with choices, an empty field, an
  empty Markdown section.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ailp.models.enums import ContentSource, ContentType

# --- limits (each one is stated in a description below) ---------------------------------------

ID_MAX = 40
TITLE_MAX = 300
CHOICES_MIN, CHOICES_MAX = 2, 6
MIN_EXAMPLES = 1
MIN_EXERCISES: dict[str, int] = {"lesson": 1, "quiz": 3, "exercise": 2}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ItemId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ID_MAX)]

_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)

# --- descriptions: what the model is told, and what the API documents -------------------------

ID_DESCRIPTION = (
    "A short, non-empty identifier of this exercise, unique within the piece: at most "
    f"{ID_MAX} characters (for example q1, q2, ...)."
)
PROMPT_DESCRIPTION = "The question or task, as the learner reads it. Non-empty."
CHOICES_DESCRIPTION = (
    f"The options of a multiple-choice question: {CHOICES_MIN} to {CHOICES_MAX} distinct choices "
    "(not differing only in case), each a non-empty string."
)
OPEN_CHOICES_DESCRIPTION = (
    f"null for an open question; for a multiple-choice question {CHOICES_MIN} to {CHOICES_MAX} "
    "distinct choices (not differing only in case), each a non-empty string."
)
PRACTICE_CHOICES_DESCRIPTION = "Always null: practice exercises are open tasks."
ANSWER_DESCRIPTION = (
    "The correct answer. For a multiple-choice question it must be exactly one of the choices; "
    "for an open question, a model answer. Non-empty."
)
EXPLANATION_DESCRIPTION = "Why the answer is right, in one to three sentences. Non-empty."
CONCEPT_DESCRIPTION = "The concept this exercise practises, exactly as the learner asked for it."
TITLE_DESCRIPTION = f"The piece's title: non-empty, at most {TITLE_MAX} characters."
CONTENT_DESCRIPTION = (
    "The body, in Markdown. Non-empty; every heading (#, ##, ...) must be followed by some text "
    "before the next heading: no empty sections."
)
EXAMPLES_DESCRIPTION = f"Worked examples: at least {MIN_EXAMPLES}, each a non-empty string."


def exercises_description(content_type: str) -> str:
    kind = {
        "lesson": "Questions that check the lesson, multiple-choice or open",
        "quiz": "Multiple-choice questions",
        "exercise": "Open, hands-on practice tasks",
    }[content_type]
    minimum = MIN_EXERCISES[content_type]
    return f"{kind}: at least {minimum} item{'s' if minimum > 1 else ''}, no two with the same id."


# --- normalisation ---------------------------------------------------------------------------


def _key(text: str) -> str:
    """Two choices are the same choice when this is equal: case and spacing do not count."""
    return " ".join(text.casefold().split())


def _clean_id(value: Any) -> Any:
    return value.strip()[:ID_MAX].strip() if isinstance(value, str) else value


def _clean_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _clean_choices(choices: list[Any], answer: Any) -> tuple[list[Any], Any]:
    """Blank choices dropped, case variants merged, the answer spelled as its choice, at most
    CHOICES_MAX choices (the answer always kept). Anything not a string is left for the
    validation to refuse."""
    if not all(isinstance(choice, str) for choice in choices):
        return choices, answer
    answer = answer.strip() if isinstance(answer, str) else answer
    merged: dict[str, str] = {}
    for choice in (c.strip() for c in choices):
        if not choice:
            continue
        key = _key(choice)
        if key not in merged or choice == answer:
            merged[key] = choice
    cleaned = list(merged.values())
    if isinstance(answer, str) and answer not in cleaned:
        answer = merged.get(_key(answer), answer)
    if len(cleaned) > CHOICES_MAX:
        keep = [choice for choice in cleaned if choice != answer][: CHOICES_MAX - 1]
        cleaned = [choice for choice in cleaned if choice == answer or choice in keep]
    return cleaned, answer


def _derive_ids(items: list[Any]) -> list[Any]:
    """Each item's id cleaned; an empty or repeated one replaced by one derived from its
    position (q1, q2, ...), so that ids are unique."""
    cleaned = [_clean_id(item.get("id")) if isinstance(item, dict) else None for item in items]
    taken = {value for value in cleaned if isinstance(value, str) and value}
    seen: set[str] = set()
    result = []
    for position, (item, value) in enumerate(zip(items, cleaned, strict=True), start=1):
        if not isinstance(item, dict) or not isinstance(value, str):
            result.append(item)
            continue
        if not value or value in seen:
            base, number = f"q{position}", 1
            value = base
            while value in taken or value in seen:
                number += 1
                value = f"{base}-{number}"
        seen.add(value)
        result.append({**item, "id": value})
    return result


# --- exercises -------------------------------------------------------------------------------


class ExerciseFields(BaseModel):
    """The fields of one question or task, as the model writes it (no `concept`: the worker
    adds it). Their constraints are pydantic-core's; the rules in Python are `ExerciseItem`'s."""

    model_config = ConfigDict(extra="ignore")

    id: ItemId = Field(description=ID_DESCRIPTION)
    prompt: Text = Field(description=PROMPT_DESCRIPTION)
    choices: Annotated[list[Text], Field(min_length=CHOICES_MIN, max_length=CHOICES_MAX)] | None = (
        Field(description=OPEN_CHOICES_DESCRIPTION)
    )
    answer: Text = Field(description=ANSWER_DESCRIPTION)
    explanation: Text = Field(description=EXPLANATION_DESCRIPTION)


class ExerciseItem(ExerciseFields):
    """One item of the model's answer: normalised, then checked beyond its fields."""

    # An empty choice list means an open question where open questions are allowed.
    open_allowed: ClassVar[bool] = True

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = {**data, "id": _clean_id(data.get("id")), "answer": _clean_text(data.get("answer"))}
        choices = data.get("choices")
        if isinstance(choices, list):
            choices, data["answer"] = _clean_choices(choices, data["answer"])
            data["choices"] = None if not choices and cls.open_allowed else choices
        return data

    @model_validator(mode="after")
    def _answer_is_a_choice(self) -> ExerciseItem:
        if self.choices is not None:
            if len({_key(choice) for choice in self.choices}) != len(self.choices):
                raise ValueError(f"item {self.id}: choices must be distinct")
            if self.answer not in self.choices:
                raise ValueError(
                    f"item {self.id}: the answer {self.answer!r} is not one of its choices"
                )
        return self


class LessonItem(ExerciseItem):
    """A lesson's question: multiple-choice or open."""


class QuizItem(ExerciseItem):
    open_allowed: ClassVar[bool] = False

    choices: Annotated[list[Text], Field(min_length=CHOICES_MIN, max_length=CHOICES_MAX)] = Field(
        description=CHOICES_DESCRIPTION
    )


class PracticeItem(ExerciseItem):
    choices: None = Field(default=None, description=PRACTICE_CHOICES_DESCRIPTION)


class Exercise(ExerciseFields):
    """An exercise as stored and served: the model's item plus the concept it practises.

    Its items were normalised and checked when they were written (a model's answer by
    `OUTPUT_MODELS`; the offline builder's pieces pass the same checks in its tests; the cache
    copies either), so only the fields' constraints run here: the gateway serves pages of these.
    """

    concept: str = Field(description=CONCEPT_DESCRIPTION)


# --- what the model returns, per content type -------------------------------------------------


class PieceOutput(BaseModel):
    """A piece as the model writes it; the subclasses fix the kind of exercises."""

    model_config = ConfigDict(extra="ignore")
    content_type: ClassVar[str]

    title: Annotated[str, StringConstraints(min_length=1, max_length=TITLE_MAX)] = Field(
        description=TITLE_DESCRIPTION
    )
    content: Text = Field(description=CONTENT_DESCRIPTION)
    examples: list[Text] = Field(min_length=MIN_EXAMPLES, description=EXAMPLES_DESCRIPTION)
    exercises: Sequence[ExerciseItem]

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        title = data.get("title")
        if isinstance(title, str):
            data["title"] = title.strip()[:TITLE_MAX].strip()
        examples = data.get("examples")
        if isinstance(examples, list):
            data["examples"] = [e for e in examples if not isinstance(e, str) or e.strip()]
        exercises = data.get("exercises")
        if isinstance(exercises, list):
            data["exercises"] = _derive_ids(exercises)
        return data

    @model_validator(mode="after")
    def _valid(self) -> PieceOutput:
        _check_sections(self.content)
        return self


class LessonOutput(PieceOutput):
    content_type: ClassVar[str] = "lesson"
    exercises: list[LessonItem] = Field(
        min_length=MIN_EXERCISES["lesson"], description=exercises_description("lesson")
    )


class QuizOutput(PieceOutput):
    content_type: ClassVar[str] = "quiz"
    exercises: list[QuizItem] = Field(
        min_length=MIN_EXERCISES["quiz"], description=exercises_description("quiz")
    )


class ExerciseOutput(PieceOutput):
    content_type: ClassVar[str] = "exercise"
    exercises: list[PracticeItem] = Field(
        min_length=MIN_EXERCISES["exercise"], description=exercises_description("exercise")
    )


OUTPUT_MODELS: dict[str, type[PieceOutput]] = {
    model.content_type: model for model in (LessonOutput, QuizOutput, ExerciseOutput)
}


def _check_sections(markdown: str) -> None:
    """Every Markdown heading must be followed by some text before the next heading."""
    headings = list(_HEADING.finditer(markdown))
    for current, following in zip(headings, [*headings[1:], None], strict=True):
        line_end = markdown.find("\n", current.start())
        body_end = following.start() if following else len(markdown)
        if line_end == -1 or not markdown[line_end:body_end].strip():
            title = markdown[current.start() : line_end if line_end != -1 else None].strip()
            raise ValueError(f"the section {title!r} is empty")


# --- what the API serves ---------------------------------------------------------------------


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class ContentOut(BaseModel):
    """A generated content piece as the API serves it (job result and `GET /api/content/{id}`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "content_id": "0b7c1a52-6f7e-4a2b-9d8e-2f1f5c3d9a10",
                    "learner_id": 1,
                    "concept": "SQL joins",
                    "content_type": "lesson",
                    "title": "SQL joins for data analysts",
                    "content": "## Why joins matter\n...",
                    "examples": ["SELECT ... FROM orders JOIN customers ..."],
                    "exercises": [
                        {
                            "id": "ex1",
                            "prompt": "Which join keeps unmatched rows from the left table?",
                            "choices": ["INNER JOIN", "LEFT JOIN", "CROSS JOIN"],
                            "answer": "LEFT JOIN",
                            "explanation": "A LEFT JOIN keeps every left row.",
                            "concept": "SQL joins",
                        }
                    ],
                    "source": "openai",
                    "model": "gpt-4o-mini",
                    "prompt_version": "v2",
                    "usage": {"input_tokens": 420, "output_tokens": 900, "cost_usd": 0.00060},
                    "notice": None,
                    "created_at": "2026-11-28T10:00:00Z",
                }
            ]
        }
    )

    content_id: uuid.UUID
    learner_id: int
    concept: str
    content_type: ContentType
    title: str
    content: str = Field(description="The body, in Markdown.")
    examples: list[str] = Field(description="Worked examples.")
    exercises: list[Exercise] = Field(
        description="Questions (with choices: multiple-choice) and tasks (choices null: open)."
    )
    source: ContentSource
    model: str | None
    prompt_version: str
    usage: Usage
    notice: str | None = Field(
        description="Set when the piece is not fresh model output: why AI generation was unavailable."
    )
    created_at: datetime
