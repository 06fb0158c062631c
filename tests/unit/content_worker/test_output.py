"""Structured output: the strict schema sent to the model and the checks beyond it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from content_worker.output import OUTPUT_MODELS, response_format, strict_schema


def _item(i: int, **overrides: Any) -> dict[str, Any]:
    return {
        "id": f"q{i}",
        "prompt": f"Question {i}?",
        "choices": ["A", "B", "C"],
        "answer": "B",
        "explanation": "Because B.",
        **overrides,
    }


def _piece(
    items: list[dict[str, Any]], content: str = "## Idea\nText.\n\n## Use\nMore text."
) -> dict[str, Any]:
    return {"title": "SQL joins", "content": content, "examples": ["SELECT 1"], "exercises": items}


def _walk(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


@pytest.mark.parametrize("content_type", ["lesson", "quiz", "exercise"])
def test_schema_is_in_openais_strict_dialect(content_type: str) -> None:
    fmt = response_format(content_type)
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert set(schema["properties"]) == {"title", "content", "examples", "exercises"}
    for node in _walk(schema):
        assert "$ref" not in node and "minLength" not in node and "minItems" not in node
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
            assert sorted(node["required"]) == sorted(node["properties"])


def test_quiz_requires_choices_and_exercise_forbids_them() -> None:
    quiz_item = strict_schema(OUTPUT_MODELS["quiz"])["properties"]["exercises"]["items"]
    assert quiz_item["properties"]["choices"]["type"] == "array"
    practice_item = strict_schema(OUTPUT_MODELS["exercise"])["properties"]["exercises"]["items"]
    assert practice_item["properties"]["choices"] == {"type": "null"}


def test_a_valid_quiz_passes() -> None:
    OUTPUT_MODELS["quiz"].model_validate(_piece([_item(1), _item(2), _item(3)]))


@pytest.mark.parametrize(
    ("items", "content", "message"),
    [
        ([_item(1), _item(2), _item(3, answer="Z")], None, "not one of its choices"),
        ([_item(1), _item(2), _item(3, choices=["A", "a", "B"])], None, "distinct"),
        ([_item(1), _item(1), _item(3)], None, "unique"),
        ([_item(1), _item(2)], None, "at least 3"),
        ([_item(1), _item(2), _item(3, explanation="  ")], None, "at least 1 character"),
        ([_item(1), _item(2), _item(3)], "## Empty\n\n## Next\ntext", "is empty"),
        ([_item(1), _item(2), _item(3)], "Intro\n\n## Trailing", "is empty"),
    ],
)
def test_wrong_quizzes_are_rejected(
    items: list[dict[str, Any]], content: str | None, message: str
) -> None:
    piece = _piece(items) if content is None else _piece(items, content)
    with pytest.raises(ValidationError, match=message):
        OUTPUT_MODELS["quiz"].model_validate(piece)


def test_practice_exercises_have_no_choices() -> None:
    items = [_item(1, choices=None), _item(2, choices=None)]
    OUTPUT_MODELS["exercise"].model_validate(_piece(items))
    with pytest.raises(ValidationError):
        OUTPUT_MODELS["exercise"].model_validate(_piece([_item(1), _item(2)]))


def test_lessons_mix_open_and_multiple_choice_items() -> None:
    OUTPUT_MODELS["lesson"].model_validate(
        _piece([_item(1), _item(2, choices=None, answer="free text")])
    )
