"""The curated concept library shipped inside the worker: load, validate and look up.

The library is a set of JSON files in the `library/` directory next to this module, one per
niche: `{"niche": "...", "concepts": [entry, ...]}`. Each entry is validated by the pydantic
model `Concept`; the rules that span entries (unique names and aliases, related concepts that
exist) are checked here too. `library/library.schema.json`, generated from `LibraryFile`, is the
JSON Schema each file names in `$schema`, for editors (`python -m content_worker.fallback`
regenerates it). The files are read with importlib.resources, so they work from a source checkout
and from an installed wheel alike, and they are loaded once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from content_worker.domain import normalize_concept
from content_worker.fallback.text import has_forbidden_words, sentences
from content_worker.fallback.wording import as_text, schema_of

_PACKAGE = "content_worker.fallback"
_DIRECTORY = "library"

MIN_KEY_POINTS = 4
MIN_EXAMPLES = 2
MIN_MISTAKES = 2
MIN_QUIZ = 5
MIN_EXERCISES = 3
CHOICES_RANGE = (3, 5)
SUMMARY_SENTENCES = (2, 4)


class LibraryError(RuntimeError):
    """The shipped library breaks its rules (a packaging or authoring bug)."""


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must be a non-empty string")
    if value != value.strip():
        raise ValueError("has leading or trailing whitespace")
    if has_forbidden_words(value):
        raise ValueError("contains an unfinished-content marker")
    return value


def _distinct(values: tuple[str, ...]) -> tuple[str, ...]:
    if len({value.casefold() for value in values}) != len(values):
        raise ValueError("has duplicate items")
    return values


def _distinct_prompts(items: tuple[Any, ...]) -> tuple[Any, ...]:
    seen: set[str] = set()
    for position, item in enumerate(items):
        if item.prompt.casefold() in seen:
            raise ValueError(f"item {position} repeats an earlier prompt")
        seen.add(item.prompt.casefold())
    return items


Text = Annotated[str, AfterValidator(_text)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CuratedQuizItem(_Entry):
    """An authored quiz question; the offline builder places its answer among the choices."""

    prompt: Text
    choices: Annotated[
        tuple[Text, ...], Field(min_length=CHOICES_RANGE[0], max_length=CHOICES_RANGE[1])
    ] = Field(description="3 to 5 distinct choices; the answer is one of them.")
    answer: Text
    explanation: Text

    @model_validator(mode="after")
    def _answer_is_a_choice(self) -> CuratedQuizItem:
        if len({" ".join(c.casefold().split()) for c in self.choices}) != len(self.choices):
            raise ValueError("choices are not distinct")
        if self.answer not in self.choices:
            raise ValueError("answer is not one of its choices")
        return self


class CuratedTask(_Entry):
    """An authored open exercise with its model answer."""

    prompt: Text
    answer: Text
    explanation: Text


class Concept(_Entry):
    """One curated concept. Quiz items and exercises are ordered from easiest to hardest."""

    name: Text
    aliases: Annotated[tuple[Text, ...], AfterValidator(_distinct)] = Field(
        description="Other names it is asked for by."
    )
    niche: Text = Field(description="The niche of the file it is in.")
    summary: Text = Field(description="2 to 4 sentences.")
    why_it_matters: Text
    key_points: Annotated[
        tuple[Text, ...], Field(min_length=MIN_KEY_POINTS), AfterValidator(_distinct)
    ]
    examples: Annotated[tuple[Text, ...], Field(min_length=MIN_EXAMPLES), AfterValidator(_distinct)]
    common_mistakes: Annotated[
        tuple[Text, ...], Field(min_length=MIN_MISTAKES), AfterValidator(_distinct)
    ]
    quiz: Annotated[
        tuple[CuratedQuizItem, ...], Field(min_length=MIN_QUIZ), AfterValidator(_distinct_prompts)
    ]
    exercises: Annotated[
        tuple[CuratedTask, ...],
        Field(min_length=MIN_EXERCISES),
        AfterValidator(_distinct_prompts),
    ]
    advanced_notes: Annotated[tuple[Text, ...], Field(min_length=1), AfterValidator(_distinct)] = ()
    related: Annotated[tuple[Text, ...], Field(min_length=1), AfterValidator(_distinct)] = Field(
        default=(), description="Names of other entries."
    )

    @model_validator(mode="after")
    def _valid(self) -> Concept:
        if not normalize_concept(self.name):
            raise ValueError("name normalizes to an empty key")
        count = len(sentences(self.summary))
        low, high = SUMMARY_SENTENCES
        if not low <= count <= high:
            raise ValueError(f"summary has {count} sentences, expected {low}-{high}")
        return self


class LibraryFile(BaseModel):
    """One niche's file of the curated library."""

    model_config = ConfigDict(extra="forbid")

    schema_: str | None = Field(
        default=None, alias="$schema", description="The JSON Schema this file follows."
    )
    niche: Text
    concepts: Annotated[list[Concept], Field(min_length=1)]


# --- loading -----------------------------------------------------------------------------


@cache
def _raw_files() -> tuple[tuple[str, Any], ...]:
    """(file name, parsed JSON) for every library file, sorted by name."""
    root = resources.files(_PACKAGE).joinpath(_DIRECTORY)
    files = sorted(
        (
            item
            for item in root.iterdir()
            if item.name.endswith(".json") and not item.name.endswith(".schema.json")
        ),
        key=lambda item: item.name,
    )
    return tuple((item.name, json.loads(item.read_text(encoding="utf-8"))) for item in files)


@cache
def load_library() -> tuple[Concept, ...]:
    """Every curated concept, validated; raises LibraryError if the library is broken."""
    problems = validate_library()
    if problems:
        raise LibraryError("content library is invalid:\n" + "\n".join(problems))
    return tuple(
        Concept.model_validate(entry)
        for _, document in _raw_files()
        for entry in document["concepts"]
    )


def schema_text() -> str:
    """The JSON Schema committed as `library/library.schema.json`."""
    return as_text(schema_of(LibraryFile))


def write_schema() -> Path:
    path = Path(__file__).parent / _DIRECTORY / "library.schema.json"
    path.write_text(schema_text(), encoding="utf-8")
    return path


# --- lookup ------------------------------------------------------------------------------


def lookup_keys(concept: Concept) -> tuple[str, ...]:
    """The normalized keys a concept is found by: its name and its aliases."""
    return tuple(dict.fromkeys(normalize_concept(key) for key in (concept.name, *concept.aliases)))


def plural_variant(key: str) -> str:
    """The key with a trailing plural "s" dropped, or with one added ("joins" <-> "join")."""
    if key.endswith("s") and not key.endswith("ss") and len(key) > 3:
        return key[:-1]
    return key + "s"


@cache
def _index() -> dict[str, Concept]:
    return {key: concept for concept in load_library() for key in lookup_keys(concept)}


def find_concept(concept: str) -> Concept | None:
    """The curated entry for a requested concept, or None.

    Matches the normalized request against each entry's normalized name and aliases; if that
    fails, tries the request with a trailing plural "s" dropped (or added).
    """
    key = normalize_concept(concept)
    if not key:
        return None
    index = _index()
    found = index.get(key)
    if found is None:
        found = index.get(plural_variant(key))
    return found


# --- validation --------------------------------------------------------------------------


def validate_library() -> list[str]:
    """Every rule the shipped library breaks, as readable problems; [] when it is valid."""
    return validate_documents(_raw_files())


def validate_documents(documents: Sequence[tuple[str, Any]]) -> list[str]:
    """The problems in (file name, parsed JSON) library documents; [] when they are valid."""
    problems: list[str] = []
    owners: dict[str, str] = {}  # normalized key -> "file: name"
    names: set[str] = set()
    related: list[tuple[str, str]] = []  # (where, related name)
    for file_name, document in documents:
        if not isinstance(document, Mapping) or set(document) - {"$schema"} != {
            "niche",
            "concepts",
        }:
            problems.append(f"{file_name}: must be an object with exactly 'niche' and 'concepts'")
            continue
        niche, entries = document["niche"], document["concepts"]
        if not isinstance(niche, str) or not niche.strip():
            problems.append(f"{file_name}: 'niche' must be a non-empty string")
        if not isinstance(entries, list) or not entries:
            problems.append(f"{file_name}: 'concepts' must be a non-empty list")
            continue
        for position, raw in enumerate(entries):
            where = f"{file_name}[{position}]"
            if (
                isinstance(raw, Mapping)
                and isinstance(raw.get("name"), str)
                and raw["name"].strip()
            ):
                where = f"{file_name}: {raw['name']}"
            entry, entry_problems = _entry(raw, niche)
            problems.extend(f"{where}: {problem}" for problem in entry_problems)
            if entry is None:
                continue
            names.add(normalize_concept(entry.name))
            related.extend((where, name) for name in entry.related)
            for key in lookup_keys(entry):
                if key in owners:
                    problems.append(f"{where}: name or alias {key!r} already used by {owners[key]}")
                else:
                    owners[key] = where
    for key, owner in owners.items():
        other = owners.get(plural_variant(key))
        if other is not None and other != owner:
            problems.append(f"{owner}: key {key!r} is a plural variant of a key of {other}")
    for where, name in related:
        if normalize_concept(name) not in names:
            problems.append(f"{where}: related concept {name!r} is not a library entry name")
    return problems


def _entry(raw: Any, niche: Any) -> tuple[Concept | None, list[str]]:
    """The entry validated, or None and its problems in words."""
    try:
        entry = Concept.model_validate(raw)
    except ValidationError as exc:
        return None, [_problem(error) for error in exc.errors()]
    if entry.niche != niche:
        return None, [f"niche {entry.niche!r} differs from the file's niche {niche!r}"]
    return entry, []


def _field(location: Sequence[int | str]) -> str:
    """("quiz", 0, "choices") -> "quiz[0].choices"."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _problem(error: Any) -> str:
    """One pydantic error as the library's authors read it."""
    location, kind = tuple(error["loc"]), error["type"]
    field = _field(location)
    context = error.get("ctx") or {}
    if kind == "missing":
        return f"missing field {field!r}"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}"
    if location and location[-1] == "choices" and kind in ("too_short", "too_long", "tuple_type"):
        low, high = CHOICES_RANGE
        return f"{field} must be a list of {low}-{high} choices"
    if kind == "too_short":
        minimum = context.get("min_length")
        return f"{field} must be a list of at least {minimum} item{'s' if minimum != 1 else ''}"
    if kind == "string_type":
        return f"{field} must be a non-empty string"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{field} {message}" if field else message
