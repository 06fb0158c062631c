"""The offline builder's wording as data: validated at load, with JSON Schemas kept current."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from content_worker.fallback import library, wording

TEXTS = resources.files("content_worker.fallback").joinpath("texts")


def _data(name: str) -> Any:
    return json.loads(TEXTS.joinpath(f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(wording.FILES))
def test_every_wording_file_is_valid(name: str) -> None:
    wording.FILES[name].model_validate(_data(name))


@pytest.mark.parametrize("name", sorted(wording.FILES))
def test_the_committed_json_schema_is_current(name: str) -> None:
    committed = TEXTS.joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == wording.schema_text(name), (
        f"texts/{name}.schema.json is stale: run `uv run python -m content_worker.fallback`"
    )


@pytest.mark.parametrize("name", sorted(wording.FILES))
def test_each_file_names_its_schema_and_follows_it(name: str) -> None:
    data = _data(name)
    assert data["$schema"] == f"./{name}.schema.json"
    jsonschema.validate(data, wording.json_schema(name))


def test_the_loaded_wording_is_the_files() -> None:
    assert wording.levels().of("beginner").label == _data("levels")["beginner"]["label"]
    assert [style.name for style in wording.styles().all()] == [
        "visual",
        "auditory",
        "reading",
        "kinesthetic",
    ]


def _broken(edit: Any) -> dict[str, Any]:
    data = copy.deepcopy(_data("levels"))
    edit(data)
    return data


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["beginner"].update(next_step="Quiz {topc} soon."), "unknown placeholder"),
        (lambda d: d["beginner"].update(pace="TODO: write the pace"), "unfinished"),
        (lambda d: d["beginner"].update(pace="  "), "blank"),
        (lambda d: d["beginner"].pop("reader"), "Field required"),
        (lambda d: d["beginner"].update(colour="blue"), "Extra inputs"),
        (lambda d: d.pop("advanced"), "Field required"),
        (lambda d: d["beginner"].update(session_minutes=2), "greater than or equal"),
    ],
)
def test_broken_wording_is_refused_at_load(edit: Any, expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        wording.Levels.model_validate(_broken(edit))


def test_render_fills_in_one_pass() -> None:
    assert wording.render("{topic} in {niche}", topic="{niche}", niche="data") == "{niche} in data"
    with pytest.raises(KeyError):
        wording.render("{topic}", niche="data")


# --- the curated library's files follow the same rules ------------------------------------------

LIBRARY = resources.files("content_worker.fallback").joinpath("library")


def test_the_committed_library_schema_is_current() -> None:
    committed = LIBRARY.joinpath("library.schema.json").read_text(encoding="utf-8")
    assert committed == library.schema_text(), (
        "library/library.schema.json is stale: run `uv run python -m content_worker.fallback`"
    )


@pytest.mark.parametrize("name", ["data.json", "languages.json", "tech_career.json"])
def test_each_library_file_names_its_schema_and_follows_it(name: str) -> None:
    data = json.loads(LIBRARY.joinpath(name).read_text(encoding="utf-8"))
    assert data["$schema"] == "./library.schema.json"
    schema = json.loads(LIBRARY.joinpath("library.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    library.LibraryFile.model_validate(data)
