"""Structured output: the strict schema sent to the model, the checks beyond it, and the harmless
deviations that are normalised instead of costing a paid answer."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ailp.schemas.content import ID_MAX, TITLE_MAX, Exercise
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
    assert practice_item["properties"]["choices"]["type"] == "null"
    assert "anyOf" not in practice_item["properties"]["choices"]


def test_a_valid_quiz_passes() -> None:
    OUTPUT_MODELS["quiz"].model_validate(_piece([_item(1), _item(2), _item(3)]))


@pytest.mark.parametrize(
    ("items", "content", "message"),
    [
        ([_item(1), _item(2), _item(3, answer="Z")], None, "not one of its choices"),
        ([_item(1), _item(2), _item(3, choices=["B", "b "], answer="B")], None, "at least 2"),
        ([_item(1), _item(2), _item(3, choices=["B", "", " "], answer="B")], None, "at least 2"),
        ([_item(1), _item(2), _item(3, choices=None)], None, "valid list"),
        ([_item(1), _item(2)], None, "at least 3"),
        ([_item(1), _item(2), _item(3, prompt=" ")], None, "at least 1 character"),
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


def test_the_same_answer_is_used_whatever_the_call() -> None:
    assert response_format("quiz") is response_format("quiz")  # computed once


# --- what the validators enforce, the model is told -----------------------------------------

# Rules that no JSON Schema keyword carries, and the words that state each in the description
# of the field it concerns.
CUSTOM_RULES = {
    ("exercises", "items", "choices"): ("distinct",),
    ("exercises", "items", "answer"): ("exactly one of the choices",),
    ("exercises",): ("same id",),
    ("content",): ("no empty sections",),
}
_CONSTRAINTS = ("minLength", "maxLength", "minItems", "maxItems")


def _resolve(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        return definitions[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _limits(node: Any, definitions: dict[str, Any]) -> list[tuple[str, int]]:
    """The constraint keywords in one property's schema (its array items and nullable
    variants included, nested objects' properties not)."""
    node = _resolve(node, definitions)
    if not isinstance(node, dict) or "properties" in node:
        return []
    found = [(key, node[key]) for key in _CONSTRAINTS if key in node]
    for child in [node.get("items"), *node.get("anyOf", [])]:
        found += _limits(child, definitions)
    return found


def _properties(
    node: Any, definitions: dict[str, Any], path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    """(path, schema) of every property, arrays' items as an "items" step."""
    node = _resolve(node, definitions)
    if not isinstance(node, dict):
        return []
    found = []
    for name, child in node.get("properties", {}).items():
        found.append(((*path, name), child))
        found += _properties(child, definitions, (*path, name))
    if "items" in node:
        found += _properties(node["items"], definitions, (*path, "items"))
    for variant in node.get("anyOf", []):
        found += _properties(variant, definitions, path)
    return found


def _sent(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = schema
    for step in path:
        node = node["items"] if step == "items" else node["properties"][step]
    return node


def _stated(limit: tuple[str, int], description: str) -> bool:
    keyword, value = limit
    if keyword == "minLength" and value == 1:
        return "non-empty" in description.casefold()
    return re.search(rf"\b{value}\b", description) is not None


@pytest.mark.parametrize("content_type", ["lesson", "quiz", "exercise"])
def test_every_limit_the_validators_enforce_is_stated_to_the_model(content_type: str) -> None:
    model: type[BaseModel] = OUTPUT_MODELS[content_type]
    full = model.model_json_schema()
    definitions = full.get("$defs", {})
    sent = response_format(content_type)["json_schema"]["schema"]
    checked = 0
    for path, node in _properties(full, definitions):
        description = _sent(sent, path).get("description", "")
        for limit in _limits(node, definitions):
            assert _stated(limit, description), (content_type, path, limit, description)
            checked += 1
        always_null = _sent(sent, path).get("type") == "null"  # no choices to be distinct
        for words in () if always_null else CUSTOM_RULES.get(path, ()):
            assert words in description, (content_type, path, words, description)
            checked += 1
    assert checked >= 12


def test_the_limits_stated_are_the_ones_enforced() -> None:
    described = _sent(response_format("quiz")["json_schema"]["schema"], ("exercises",))
    assert "at least 3 items" in described["description"]
    with pytest.raises(ValidationError, match="at least 3"):
        OUTPUT_MODELS["quiz"].model_validate(_piece([_item(1), _item(2)]))


# --- harmless deviations are normalised ------------------------------------------------------


def test_an_id_longer_than_the_limit_is_cut_not_refused() -> None:
    long_id = "x" * (ID_MAX + 1)
    piece = OUTPUT_MODELS["quiz"].model_validate(_piece([_item(1, id=long_id), _item(2), _item(3)]))
    assert piece.exercises[0].id == "x" * ID_MAX


def test_empty_and_repeated_ids_are_derived_from_the_position() -> None:
    long_a, long_b = "same-prefix-" + "a" * 40, "same-prefix-" + "a" * 40 + "b"
    items = [_item(1), _item(1), _item(3, id="  "), _item(4, id=long_a), _item(5, id=long_b)]
    piece = OUTPUT_MODELS["quiz"].model_validate(_piece(items))
    ids = [item.id for item in piece.exercises]
    assert ids == ["q1", "q2", "q3", long_a[:ID_MAX], "q5"]
    # A derived id never takes one that a later item already uses.
    piece = OUTPUT_MODELS["quiz"].model_validate(_piece([_item(2), _item(2), _item(2, id="q2-2")]))
    assert [item.id for item in piece.exercises] == ["q2", "q2-3", "q2-2"]


def test_whitespace_is_stripped() -> None:
    piece = OUTPUT_MODELS["quiz"].model_validate(
        _piece(
            [
                _item(1, id=" q1 ", prompt=" Q? ", choices=[" A", "B "], answer=" B "),
                _item(2),
                _item(3),
            ]
        )
    )
    first = piece.exercises[0]
    assert (first.id, first.prompt, first.choices, first.answer) == ("q1", "Q?", ["A", "B"], "B")


def test_case_variants_of_a_choice_are_merged_keeping_the_answer() -> None:
    item = _item(3, choices=["A", "b", "B", "C"], answer="B")
    piece = OUTPUT_MODELS["quiz"].model_validate(_piece([_item(1), _item(2), item]))
    assert piece.exercises[2].choices == ["A", "B", "C"]
    assert piece.exercises[2].answer == "B"
    item = _item(3, choices=["left  join", "Left Join", "INNER JOIN"], answer="Inner join")
    piece = OUTPUT_MODELS["quiz"].model_validate(_piece([_item(1), _item(2), item]))
    assert piece.exercises[2].choices == ["left  join", "INNER JOIN"]
    assert piece.exercises[2].answer == "INNER JOIN"  # spelled as its choice


def test_choices_above_the_maximum_are_dropped_never_the_answer() -> None:
    choices = [f"C{n}" for n in range(1, 9)]
    item = _item(3, choices=choices, answer="C8")
    piece = OUTPUT_MODELS["quiz"].model_validate(_piece([_item(1), _item(2), item]))
    assert piece.exercises[2].choices == ["C1", "C2", "C3", "C4", "C5", "C8"]


def test_blank_choices_and_examples_are_dropped_and_a_long_title_cut() -> None:
    data = _piece([_item(1, choices=["A", " ", "B"]), _item(2), _item(3)])
    data["examples"] = ["", "SELECT 1", "  "]
    data["title"] = "T" * (TITLE_MAX + 5)
    piece = OUTPUT_MODELS["quiz"].model_validate(data)
    assert piece.exercises[0].choices == ["A", "B"]
    assert piece.examples == ["SELECT 1"]
    assert piece.title == "T" * TITLE_MAX
    data["examples"] = [" "]
    with pytest.raises(ValidationError, match="at least 1"):
        OUTPUT_MODELS["quiz"].model_validate(data)


def test_an_empty_choice_list_is_an_open_question_where_those_are_allowed() -> None:
    lesson = OUTPUT_MODELS["lesson"].model_validate(_piece([_item(1, choices=[], answer="free")]))
    assert lesson.exercises[0].choices is None
    practice = OUTPUT_MODELS["exercise"].model_validate(
        _piece([_item(1, choices=[]), _item(2, choices=None)])
    )
    assert practice.exercises[0].choices is None


def test_normalising_a_valid_piece_changes_nothing() -> None:
    data = _piece([_item(1), _item(2, choices=["x", "B", "z"]), _item(3)])
    piece = OUTPUT_MODELS["quiz"].model_validate(data)
    assert piece.model_dump() == data
    again = OUTPUT_MODELS["quiz"].model_validate(piece.model_dump())
    assert again == piece


def test_the_served_exercise_is_the_models_item_plus_its_concept() -> None:
    piece = OUTPUT_MODELS["quiz"].model_validate(_piece([_item(1), _item(2), _item(3)]))
    stored = [{**item.model_dump(), "concept": "SQL joins"} for item in piece.exercises]
    assert [Exercise.model_validate(item).model_dump() for item in stored] == stored


def test_a_reply_with_a_41_character_id_is_content_not_a_repair() -> None:
    """The worker's parse of a model reply (what decides on the repair call) keeps the piece."""
    from content_worker.model_client import ModelAnswer
    from content_worker.service import _parse

    reply = _piece([_item(1, id="x" * (ID_MAX + 1)), _item(2), _item(3)])
    answer = ModelAnswer(
        content=json.dumps(reply),
        refusal=None,
        finish_reason="stop",
        model="gpt-test",
        input_tokens=100,
        output_tokens=200,
        headers={},
    )
    output = _parse(answer, "quiz")
    assert [item.id for item in output.exercises] == ["x" * ID_MAX, "q2", "q3"]
