"""The offline builder and its curated library: complete, adapted, deterministic pieces."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from importlib import resources
from typing import Any

import pytest

from content_worker.domain import ContentRequest, FallbackReason, GeneratedPiece
from content_worker.fallback import build_offline, find_concept, load_library, validate_library
from content_worker.fallback.library import plural_variant, validate_documents

TYPES = ("lesson", "quiz", "exercise")
LEVELS = ("beginner", "intermediate", "advanced")
STYLES = ("visual", "auditory", "reading", "kinesthetic")
EXERCISE_KEYS = {"id", "prompt", "choices", "answer", "explanation", "concept"}
FORBIDDEN = re.compile(r"todo|lorem|placeholder", re.IGNORECASE)

# One curated concept per niche (asked for with different spellings) and one unknown concept.
CONCEPTS = (
    ("tech_career", "  Docker "),
    ("data", "SQL JOINS!"),
    ("languages", "ser vs estar"),
    ("tech_career", "Kubernetes operators"),
)

STYLE_WORDS = {
    "visual": ("diagram", "sketch", "table", "| "),
    "auditory": ("aloud", "out loud", "discuss", "listen"),
    "reading": ("notes", "summary", "summarise", "read"),
    "kinesthetic": ("hands-on", "try", "build", "do each"),
}


def _request(
    concept: str,
    content_type: str = "lesson",
    level: str = "intermediate",
    style: str = "reading",
    niche: str = "data",
    goals: str | None = None,
    gaps: tuple[str, ...] = (),
) -> ContentRequest:
    return ContentRequest(
        concept=concept,
        content_type=content_type,
        experience_level=level,
        learning_style=style,
        niche=niche,
        user_id=1,
        goals=goals,
        knowledge_gaps=gaps,
    )


def _texts(piece: GeneratedPiece) -> list[str]:
    texts = [piece.title, piece.content, *piece.examples]
    for exercise in piece.exercises:
        texts += [exercise["prompt"], exercise["answer"], exercise["explanation"]]
        texts += exercise["choices"] or []
    return texts


def assert_complete(piece: GeneratedPiece, request: ContentRequest, reason: FallbackReason) -> None:
    """Every rule a fallback piece must meet, whatever was asked for."""
    assert piece.source == "fallback"
    assert piece.model is None
    assert piece.notice == reason.notice
    assert (piece.input_tokens, piece.output_tokens, piece.cost_usd) == (0, 0, 0.0)

    assert piece.title.strip()
    assert piece.content.strip()
    assert piece.content.count("\n## ") >= 3, "content needs several ## sections"

    assert isinstance(piece.examples, list) and len(piece.examples) >= 2
    assert all(isinstance(example, str) and example.strip() for example in piece.examples)

    assert isinstance(piece.exercises, list)
    ids = [exercise["id"] for exercise in piece.exercises]
    assert len(ids) == len(set(ids))
    for exercise in piece.exercises:
        assert set(exercise) == EXERCISE_KEYS
        assert exercise["concept"] == request.concept
        for key in ("id", "prompt", "answer", "explanation"):
            assert isinstance(exercise[key], str) and exercise[key].strip(), key
        choices = exercise["choices"]
        if choices is not None:
            assert 3 <= len(choices) <= 5
            assert len({choice.casefold() for choice in choices}) == len(choices)
            assert exercise["answer"] in choices

    kinds = {exercise["choices"] is None for exercise in piece.exercises}
    if request.content_type == "lesson":
        assert len(piece.exercises) >= 3
        assert kinds == {True, False}, "a lesson mixes multiple-choice and open questions"
    elif request.content_type == "quiz":
        assert len(piece.exercises) >= 5
        assert kinds == {False}, "a quiz is all multiple-choice"
    else:
        assert len(piece.exercises) >= 3
        assert kinds == {True}, "exercises are open, hands-on tasks"

    for text in _texts(piece):
        assert not FORBIDDEN.search(text), text
    assert request.experience_level.capitalize() in piece.title
    words = STYLE_WORDS[request.learning_style]
    everything = " ".join(_texts(piece)).casefold()
    assert any(word in everything for word in words), request.learning_style
    json.dumps(piece.exercises)  # the piece is storable as JSON


# --- the library -------------------------------------------------------------------------


def test_library_is_valid_and_large_enough() -> None:
    assert validate_library() == []
    concepts = load_library()
    per_niche = Counter(concept.niche for concept in concepts)
    assert len(concepts) >= 60
    assert len(per_niche) >= 3
    assert all(count >= 15 for count in per_niche.values()), per_niche


def test_library_ships_as_package_data() -> None:
    root = resources.files("content_worker.fallback").joinpath("library")
    names = sorted(item.name for item in root.iterdir() if item.name.endswith(".json"))
    assert {"tech_career.json", "data.json", "languages.json"} <= set(names)


def test_every_entry_has_rich_content() -> None:
    for concept in load_library():
        assert len(concept.key_points) >= 4, concept.name
        assert len(concept.examples) >= 2, concept.name
        assert len(concept.common_mistakes) >= 2, concept.name
        assert len(concept.quiz) >= 5, concept.name
        assert len(concept.exercises) >= 3, concept.name
        for item in concept.quiz:
            assert item.answer in item.choices
            assert 3 <= len(item.choices) <= 5


def _valid_documents() -> list[tuple[str, Any]]:
    root = resources.files("content_worker.fallback").joinpath("library")
    return [
        (name, json.loads(root.joinpath(name).read_text(encoding="utf-8")))
        for name in ("data.json", "languages.json", "tech_career.json")
    ]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda entry: entry["quiz"][0].update(answer="not a choice"), "not one of its choices"),
        (
            lambda entry: entry["quiz"][0]["choices"].append(entry["quiz"][0]["choices"][0]),
            "distinct",
        ),
        (lambda entry: entry["quiz"][0].update(choices=["only", "two"]), "3-5 choices"),
        (lambda entry: entry.update(quiz=entry["quiz"][:2]), "at least 5"),
        (lambda entry: entry.update(key_points=entry["key_points"][:1]), "at least 4"),
        (lambda entry: entry.update(summary="  "), "non-empty"),
        (lambda entry: entry["examples"].append("TODO write an example"), "unfinished"),
        (lambda entry: entry.update(aliases=["Docker"]), "already used"),
        (lambda entry: entry.update(surprise="field"), "unknown field"),
        (lambda entry: entry.pop("exercises"), "missing field"),
        (lambda entry: entry.update(related=["No such concept"]), "not a library entry"),
    ],
)
def test_validation_reports_broken_entries(breakage: Any, expected: str) -> None:
    documents = copy.deepcopy(_valid_documents())
    assert validate_documents(documents) == []
    data = dict(documents)["data.json"]
    breakage(data["concepts"][0])
    problems = validate_documents(documents)
    assert any(expected in problem for problem in problems), problems


# --- lookup ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "name"),
    [
        ("SQL joins", "SQL joins"),
        ("  sql   JOINS!! ", "SQL joins"),
        ("(Sql Joins)", "SQL joins"),
        ("inner join", "SQL joins"),  # alias
        ("sql join", "SQL joins"),  # alias
        ("LEFT JOIN.", "SQL joins"),  # alias, edge punctuation
        ("big o", "Big-O notation"),
        ("Time Complexity", "Big-O notation"),
        ("ci/cd", "CI/CD"),
        ("p-value", "P-values"),
        ("Bayes theorem", "Bayes' theorem"),
        ("Ser VS Estar?", "Spanish ser vs estar"),
        ("passé composé", "French passé composé"),
        ("hiragana", "Japanese hiragana"),
    ],
)
def test_lookup_matches_names_and_aliases(asked: str, name: str) -> None:
    found = find_concept(asked)
    assert found is not None and found.name == name


@pytest.mark.parametrize(
    ("asked", "name"),
    [
        ("hash table", "Hash tables"),  # trailing plural "s" dropped from the entry name
        ("docker container", "Docker"),  # alias "docker containers"
        ("Confidence Intervals", "Confidence intervals"),  # alias "confidence interval" + s
        ("data structure", "Data structures"),
    ],
)
def test_lookup_ignores_a_trailing_plural_s(asked: str, name: str) -> None:
    found = find_concept(asked)
    assert found is not None and found.name == name


def test_plural_variant_is_simple_and_safe() -> None:
    assert plural_variant("joins") == "join"
    assert plural_variant("join") == "joins"
    assert plural_variant("class") == "classs"  # never strips "ss"
    assert plural_variant("os") == "oss"  # too short to strip


@pytest.mark.parametrize(
    "asked", ["quantum chromodynamics", "", "   ", "sql joins tutorial", "joins in sql", "sqljoins"]
)
def test_lookup_does_no_fuzzy_matching(asked: str) -> None:
    assert find_concept(asked) is None


def test_curated_entry_is_used_for_a_known_concept() -> None:
    entry = find_concept("SQL joins")
    assert entry is not None
    piece = build_offline(_request("  sql   JOINS! ", "lesson"), FallbackReason.no_api_key)
    assert piece.extra["library_concept"] == "SQL joins"
    assert piece.title.startswith("SQL joins")
    assert entry.summary in piece.content
    assert all(key_point in piece.content for key_point in entry.key_points)


# --- pieces: every type x style x level ----------------------------------------------------


@pytest.mark.parametrize(("niche", "concept"), CONCEPTS)
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("content_type", TYPES)
def test_every_combination_gives_a_complete_piece(
    niche: str, concept: str, style: str, level: str, content_type: str
) -> None:
    request = _request(concept, content_type, level, style, niche, goals="get a better job")
    piece = build_offline(request, FallbackReason.model_error)
    assert_complete(piece, request, FallbackReason.model_error)
    assert "get a better job" in piece.content


@pytest.mark.parametrize("content_type", TYPES)
def test_every_library_entry_builds_every_type(content_type: str) -> None:
    for concept in load_library():
        request = _request(concept.name, content_type, "advanced", "kinesthetic", concept.niche)
        piece = build_offline(request, FallbackReason.invalid_output)
        assert_complete(piece, request, FallbackReason.invalid_output)
        assert piece.extra["library_concept"] == concept.name


@pytest.mark.parametrize("level", LEVELS)
def test_lesson_has_the_explanation_sections(level: str) -> None:
    piece = build_offline(_request("Linear regression", "lesson", level), FallbackReason.no_api_key)
    for heading in (
        "What it is",
        "Why it matters",
        "Key ideas",
        "Worked examples",
        "Common mistakes",
        "How to study this as a reading learner",
        "Check your understanding",
        "Next steps",
    ):
        assert f"## {heading}" in piece.content, heading


def test_quiz_difficulty_follows_the_level() -> None:
    entry = find_concept("Big-O notation")
    assert entry is not None
    pieces = {
        level: build_offline(_request("Big-O notation", "quiz", level), FallbackReason.no_api_key)
        for level in LEVELS
    }
    assert pieces["beginner"].exercises[0]["prompt"] == entry.quiz[0].prompt
    assert pieces["advanced"].exercises[0]["prompt"] == entry.quiz[-1].prompt
    counts = [len(pieces[level].exercises) for level in LEVELS]
    assert counts == sorted(counts) and counts[0] < counts[-1]


def test_quiz_answers_are_not_always_in_the_same_position() -> None:
    positions: Counter[int] = Counter()
    for name in ("Git basics", "Standard deviation", "German cases", "HTTP", "P-values"):
        piece = build_offline(_request(name, "quiz", "intermediate"), FallbackReason.no_api_key)
        positions.update(ex["choices"].index(ex["answer"]) for ex in piece.exercises)
    assert len(positions) >= 3, positions
    assert max(positions.values()) <= sum(positions.values()) // 2, positions


def test_advanced_lessons_go_deeper_than_beginner_ones() -> None:
    entry = find_concept("Docker")
    assert entry is not None and entry.advanced_notes
    beginner = build_offline(_request("Docker", "lesson", "beginner"), FallbackReason.no_api_key)
    advanced = build_offline(_request("Docker", "lesson", "advanced"), FallbackReason.no_api_key)
    assert all(note in advanced.content for note in entry.advanced_notes)
    assert not any(note in beginner.content for note in entry.advanced_notes)


def test_visual_learners_get_tables_and_diagrams() -> None:
    piece = build_offline(_request("Docker", "lesson", style="visual"), FallbackReason.no_api_key)
    assert "| # | Key idea |" in piece.content
    assert "```text" in piece.content and "├──" in piece.content
    assert any(exercise["prompt"].startswith("Sketch it") for exercise in piece.exercises)


def test_knowledge_gaps_are_revisited() -> None:
    request = _request("A/B testing", gaps=("P-values", "Survival analysis", "A/B testing"))
    piece = build_offline(request, FallbackReason.no_api_key)
    assert "## Revisit your weak spots" in piece.content
    assert "**P-values**" in piece.content and "Survival analysis" in piece.content
    revisit = piece.content.split("## Revisit your weak spots")[1].split("\n## ")[0]
    assert "A/B testing**" not in revisit  # the concept itself is not its own gap
    without = build_offline(_request("A/B testing"), FallbackReason.no_api_key)
    assert "Revisit your weak spots" not in without.content


def test_niche_is_mentioned() -> None:
    piece = build_offline(
        _request("Docker", niche="tech_career", goals=None), FallbackReason.no_api_key
    )
    assert "tech careers" in piece.content


# --- unknown concepts: a generic study guide ----------------------------------------------


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("content_type", TYPES)
def test_unknown_concept_gets_a_complete_study_guide(
    content_type: str, level: str, style: str
) -> None:
    request = _request("Medieval Latin palaeography", content_type, level, style, "history")
    piece = build_offline(request, FallbackReason.budget_exhausted)
    assert_complete(piece, request, FallbackReason.budget_exhausted)
    assert piece.extra["library_concept"] is None
    assert "Medieval Latin palaeography" in piece.title
    assert "## What to learn" in piece.content
    assert "## Practice plan" in piece.content
    assert "Week 1" in piece.content
    if content_type == "lesson":
        assert "## Step-by-step plan" in piece.content
        assert "## Self-check questions (with answers)" in piece.content
        assert piece.content.count("*Answer:*") >= 3


def test_unknown_quiz_asks_about_effective_study() -> None:
    piece = build_offline(
        _request("Origami", "quiz", "beginner", "visual", "crafts"), FallbackReason.rate_limited
    )
    first = piece.exercises[0]
    assert "new to Origami" in first["prompt"]
    assert first["answer"] in first["choices"]
    assert "vocabulary" in first["answer"]
    positions = {exercise["choices"].index(exercise["answer"]) for exercise in piece.exercises}
    assert len(positions) > 1, "answers are not always in the same position"


def test_odd_inputs_still_give_a_complete_piece() -> None:
    request = ContentRequest(
        concept="???",
        content_type="Quiz",
        experience_level="expert",
        learning_style="musical",
        niche="",
        user_id=1,
    )
    piece = build_offline(request, FallbackReason.no_api_key)
    assert piece.extra["content_type"] == "quiz"
    assert piece.extra["experience_level"] == "intermediate"
    assert piece.extra["learning_style"] == "reading"
    assert len(piece.exercises) >= 5
    assert all(exercise["answer"] in exercise["choices"] for exercise in piece.exercises)


# --- notice and determinism ---------------------------------------------------------------


@pytest.mark.parametrize("reason", list(FallbackReason))
def test_notice_matches_the_reason(reason: FallbackReason) -> None:
    for concept in ("Docker", "Underwater basket weaving"):
        piece = build_offline(_request(concept), reason)
        assert piece.notice == reason.notice
        assert piece.source == "fallback"
        assert piece.extra["fallback_reason"] == reason.value


@pytest.mark.parametrize("concept", ["Docker", "Spanish subjunctive", "Underwater basket weaving"])
@pytest.mark.parametrize("content_type", TYPES)
def test_building_is_deterministic(concept: str, content_type: str) -> None:
    request = _request(concept, content_type, "beginner", "auditory", "languages", "travel", ("x",))
    first = build_offline(request, FallbackReason.no_api_key)
    second = build_offline(request, FallbackReason.no_api_key)
    assert first == second
    assert json.dumps(first.exercises) == json.dumps(second.exercises)
