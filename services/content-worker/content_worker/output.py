"""What the model must return: one pydantic model per content type, sent as a strict JSON schema.

The schema sent to the model only carries structure (OpenAI's strict mode rejects many
constraint keywords); the pydantic models then enforce the rest: non-empty fields, distinct
choices, a quiz answer that is one of its choices, no empty Markdown sections.
"""

from __future__ import annotations

import copy
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ItemId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]

_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Item(_Strict):
    id: ItemId
    prompt: Text
    choices: list[Text] | None
    answer: Text
    explanation: Text

    def _check_choices(self) -> None:
        if self.choices is None:
            return
        if not 2 <= len(self.choices) <= 6:
            raise ValueError(f"item {self.id}: needs 2–6 choices, got {len(self.choices)}")
        if len({choice.casefold() for choice in self.choices}) != len(self.choices):
            raise ValueError(f"item {self.id}: choices must be distinct")
        if self.answer not in self.choices:
            raise ValueError(
                f"item {self.id}: the answer {self.answer!r} is not one of its choices"
            )


class LessonItem(_Item):
    @model_validator(mode="after")
    def _valid(self) -> LessonItem:
        self._check_choices()
        return self


class QuizItem(_Item):
    choices: list[Text]

    @model_validator(mode="after")
    def _valid(self) -> QuizItem:
        self._check_choices()
        return self


class PracticeItem(_Item):
    choices: None = None


class _Piece(_Strict):
    title: Text = Field(max_length=300)
    content: Text
    examples: list[Text] = Field(min_length=1)

    def _check_common(self, items: list[_Item]) -> None:
        ids = [item.id for item in items]
        if len(set(ids)) != len(ids):
            raise ValueError("exercise ids must be unique")
        _check_sections(self.content)


class LessonOutput(_Piece):
    exercises: list[LessonItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> LessonOutput:
        self._check_common(list(self.exercises))
        return self


class QuizOutput(_Piece):
    exercises: list[QuizItem] = Field(min_length=3)

    @model_validator(mode="after")
    def _valid(self) -> QuizOutput:
        self._check_common(list(self.exercises))
        return self


class ExerciseOutput(_Piece):
    exercises: list[PracticeItem] = Field(min_length=2)

    @model_validator(mode="after")
    def _valid(self) -> ExerciseOutput:
        self._check_common(list(self.exercises))
        return self


OUTPUT_MODELS: dict[str, type[_Piece]] = {
    "lesson": LessonOutput,
    "quiz": QuizOutput,
    "exercise": ExerciseOutput,
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


# --- the schema sent to the model ----------------------------------------------------------------

_UNSUPPORTED = {
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "format",
    "default",
    "title",
}


def response_format(content_type: str) -> dict[str, Any]:
    """`response_format` for Chat Completions: a strict JSON schema for the content type."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": f"ailp_{content_type}",
            "strict": True,
            "schema": strict_schema(OUTPUT_MODELS[content_type]),
        },
    }


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in OpenAI's strict dialect: every property required, no extras,
    `$defs` inlined, unsupported constraint keywords removed."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return _strictify(schema, definitions)


def _strictify(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strictify(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        return _strictify(copy.deepcopy(target), definitions)
    result = {
        key: _strictify(value, definitions)
        for key, value in node.items()
        if key not in _UNSUPPORTED and key not in ("description", "properties")
    }
    if "properties" in node:  # property names are data, not keywords: keep every one
        result["properties"] = {
            name: _strictify(value, definitions) for name, value in node["properties"].items()
        }
    if result.get("type") == "object" or "properties" in result:
        result["type"] = "object"
        result["additionalProperties"] = False
        result["required"] = list(result.get("properties", {}))
    return result
