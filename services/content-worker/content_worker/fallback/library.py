"""The curated concept library shipped inside the worker: load, validate and look up.

The library is a set of JSON files in the `library/` directory next to this module, one per
niche: `{"niche": "...", "concepts": [entry, ...]}`. It is read with importlib.resources, so
it works from a source checkout and from an installed wheel alike, and it is loaded once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from content_worker.domain import normalize_concept
from content_worker.fallback.text import has_forbidden_words, sentences

_PACKAGE = "content_worker.fallback"
_DIRECTORY = "library"

MIN_KEY_POINTS = 4
MIN_EXAMPLES = 2
MIN_MISTAKES = 2
MIN_QUIZ = 5
MIN_EXERCISES = 3
CHOICES_RANGE = (3, 5)
SUMMARY_SENTENCES = (2, 4)

_REQUIRED = (
    "name",
    "aliases",
    "niche",
    "summary",
    "why_it_matters",
    "key_points",
    "examples",
    "common_mistakes",
    "quiz",
    "exercises",
)
_OPTIONAL = ("advanced_notes", "related")
_QUIZ_KEYS = ("prompt", "choices", "answer", "explanation")
_EXERCISE_KEYS = ("prompt", "answer", "explanation")


class LibraryError(RuntimeError):
    """The shipped library breaks its rules (a packaging or authoring bug)."""


@dataclass(frozen=True, slots=True)
class QuizItem:
    prompt: str
    choices: tuple[str, ...]
    answer: str
    explanation: str


@dataclass(frozen=True, slots=True)
class PracticeItem:
    prompt: str
    answer: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Concept:
    """One curated concept. Quiz items and exercises are ordered from easiest to hardest."""

    name: str
    aliases: tuple[str, ...]
    niche: str
    summary: str
    why_it_matters: str
    key_points: tuple[str, ...]
    examples: tuple[str, ...]
    common_mistakes: tuple[str, ...]
    quiz: tuple[QuizItem, ...]
    exercises: tuple[PracticeItem, ...]
    advanced_notes: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


# --- loading -----------------------------------------------------------------------------


@cache
def _raw_files() -> tuple[tuple[str, Any], ...]:
    """(file name, parsed JSON) for every library file, sorted by name."""
    root = resources.files(_PACKAGE).joinpath(_DIRECTORY)
    files = sorted(
        (item for item in root.iterdir() if item.name.endswith(".json")),
        key=lambda item: item.name,
    )
    return tuple((item.name, json.loads(item.read_text(encoding="utf-8"))) for item in files)


def _concept(raw: Mapping[str, Any]) -> Concept:
    return Concept(
        name=raw["name"],
        aliases=tuple(raw["aliases"]),
        niche=raw["niche"],
        summary=raw["summary"],
        why_it_matters=raw["why_it_matters"],
        key_points=tuple(raw["key_points"]),
        examples=tuple(raw["examples"]),
        common_mistakes=tuple(raw["common_mistakes"]),
        quiz=tuple(
            QuizItem(
                prompt=item["prompt"],
                choices=tuple(item["choices"]),
                answer=item["answer"],
                explanation=item["explanation"],
            )
            for item in raw["quiz"]
        ),
        exercises=tuple(
            PracticeItem(
                prompt=item["prompt"], answer=item["answer"], explanation=item["explanation"]
            )
            for item in raw["exercises"]
        ),
        advanced_notes=tuple(raw.get("advanced_notes", ())),
        related=tuple(raw.get("related", ())),
    )


@cache
def load_library() -> tuple[Concept, ...]:
    """Every curated concept, validated; raises LibraryError if the library is broken."""
    problems = validate_library()
    if problems:
        raise LibraryError("content library is invalid:\n" + "\n".join(problems))
    return tuple(_concept(entry) for _, document in _raw_files() for entry in document["concepts"])


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
        if not isinstance(document, Mapping) or set(document) != {"niche", "concepts"}:
            problems.append(f"{file_name}: must be an object with exactly 'niche' and 'concepts'")
            continue
        niche, entries = document["niche"], document["concepts"]
        if not _is_text(niche):
            problems.append(f"{file_name}: 'niche' must be a non-empty string")
        if not isinstance(entries, list) or not entries:
            problems.append(f"{file_name}: 'concepts' must be a non-empty list")
            continue
        for position, entry in enumerate(entries):
            where = f"{file_name}[{position}]"
            if isinstance(entry, Mapping) and _is_text(entry.get("name")):
                where = f"{file_name}: {entry['name']}"
            entry_problems = _entry_problems(entry, niche)
            problems.extend(f"{where}: {problem}" for problem in entry_problems)
            if entry_problems:
                continue
            names.add(normalize_concept(entry["name"]))
            related.extend((where, name) for name in entry.get("related", ()))
            for key in dict.fromkeys(
                normalize_concept(text) for text in (entry["name"], *entry["aliases"])
            ):
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


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _text_problems(field: str, value: Any) -> list[str]:
    if not _is_text(value):
        return [f"{field} must be a non-empty string"]
    if value != value.strip():
        return [f"{field} has leading or trailing whitespace"]
    if has_forbidden_words(value):
        return [f"{field} contains an unfinished-content marker"]
    return []


def _list_problems(field: str, value: Any, minimum: int) -> list[str]:
    if not isinstance(value, list) or len(value) < minimum:
        return [f"{field} must be a list of at least {minimum} item(s)"]
    problems = [p for i, item in enumerate(value) for p in _text_problems(f"{field}[{i}]", item)]
    if not problems and len({item.casefold() for item in value}) != len(value):
        problems.append(f"{field} has duplicate items")
    return problems


def _entry_problems(entry: Any, niche: Any) -> list[str]:
    if not isinstance(entry, Mapping):
        return ["entry must be an object"]
    problems = [f"missing field {key!r}" for key in _REQUIRED if key not in entry]
    problems += [f"unknown field {key!r}" for key in entry if key not in _REQUIRED + _OPTIONAL]
    if problems:
        return problems
    for field in ("name", "niche", "summary", "why_it_matters"):
        problems += _text_problems(field, entry[field])
    if not problems and not normalize_concept(entry["name"]):
        problems.append("name normalizes to an empty key")
    if entry["niche"] != niche:
        problems.append(f"niche {entry['niche']!r} differs from the file's niche {niche!r}")
    if _is_text(entry["summary"]):
        count = len(sentences(entry["summary"]))
        low, high = SUMMARY_SENTENCES
        if not low <= count <= high:
            problems.append(f"summary has {count} sentences, expected {low}-{high}")
    problems += _list_problems("aliases", entry["aliases"], 0)
    problems += _list_problems("key_points", entry["key_points"], MIN_KEY_POINTS)
    problems += _list_problems("examples", entry["examples"], MIN_EXAMPLES)
    problems += _list_problems("common_mistakes", entry["common_mistakes"], MIN_MISTAKES)
    if "advanced_notes" in entry:
        problems += _list_problems("advanced_notes", entry["advanced_notes"], 1)
    if "related" in entry:
        problems += _list_problems("related", entry["related"], 1)
    problems += _items_problems("quiz", entry["quiz"], MIN_QUIZ, _QUIZ_KEYS)
    problems += _items_problems("exercises", entry["exercises"], MIN_EXERCISES, _EXERCISE_KEYS)
    return problems


def _items_problems(field: str, items: Any, minimum: int, keys: tuple[str, ...]) -> list[str]:
    if not isinstance(items, list) or len(items) < minimum:
        return [f"{field} must be a list of at least {minimum} items"]
    problems: list[str] = []
    prompts: set[str] = set()
    for position, item in enumerate(items):
        where = f"{field}[{position}]"
        if not isinstance(item, Mapping) or set(item) != set(keys):
            problems.append(f"{where} must have exactly the keys {', '.join(keys)}")
            continue
        for key in keys:
            if key != "choices":
                problems += _text_problems(f"{where}.{key}", item[key])
        if _is_text(item["prompt"]):
            if item["prompt"].casefold() in prompts:
                problems.append(f"{where} repeats an earlier prompt")
            prompts.add(item["prompt"].casefold())
        if "choices" in keys:
            problems += _choices_problems(where, item["choices"], item["answer"])
    return problems


def _choices_problems(where: str, choices: Any, answer: Any) -> list[str]:
    low, high = CHOICES_RANGE
    if not isinstance(choices, list) or not low <= len(choices) <= high:
        return [f"{where}.choices must be a list of {low}-{high} choices"]
    problems = [
        p for i, c in enumerate(choices) for p in _text_problems(f"{where}.choices[{i}]", c)
    ]
    if problems:
        return problems
    if len({" ".join(choice.casefold().split()) for choice in choices}) != len(choices):
        problems.append(f"{where}.choices are not distinct")
    if answer not in choices:
        problems.append(f"{where}.answer is not one of its choices")
    return problems
