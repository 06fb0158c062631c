"""The offline builder's output, pinned: a grid of requests renders to exactly the same bytes.

Moving the fallback's prose between code and data files must not change one character a learner
reads. If a change to the wording is intended, update `GOLDEN` (and say why in the commit).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator

from ailp.schemas.content import OUTPUT_MODELS, Exercise
from content_worker.domain import ContentRequest, FallbackReason, GeneratedPiece
from content_worker.fallback import build_offline

TYPES = ("lesson", "quiz", "exercise", "Quiz", "podcast")
LEVELS = ("beginner", "intermediate", "advanced", "expert")
STYLES = ("visual", "auditory", "reading", "kinesthetic", "musical")
NICHES = ("data", "languages", "tech_career", "software-dev", "cooking", "")
CONCEPTS = (
    "SQL joins",
    "  Docker ",
    "ser vs estar",
    "p-value",
    "Kubernetes operators",
    "Underwater | basket weaving",
    "???",
)
PROFILES = (
    (None, ()),
    ("land a data job", ("Window functions", "Docker", "sql joins", "Cooking rice", "a", "b", "c")),
)

GOLDEN = "4f5c623387495627df5082e37220186819c1ddf2e3a3a3beab3c92467f8724e1"


def _pieces() -> Iterator[GeneratedPiece]:
    grid = itertools.product(TYPES, LEVELS, STYLES, NICHES, CONCEPTS, PROFILES)
    for content_type, level, style, niche, concept, (goals, gaps) in grid:
        request = ContentRequest(
            concept=concept,
            content_type=content_type,
            experience_level=level,
            learning_style=style,
            niche=niche,
            user_id=1,
            goals=goals,
            knowledge_gaps=gaps,
        )
        yield build_offline(request, FallbackReason.no_api_key)


def _render() -> str:
    digest = hashlib.sha256()
    for piece in _pieces():
        rendered = {
            "title": piece.title,
            "content": piece.content,
            "examples": piece.examples,
            "exercises": piece.exercises,
            "notice": piece.notice,
            "extra": piece.extra,
        }
        digest.update(json.dumps(rendered, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def test_the_fallback_renders_exactly_as_before() -> None:
    assert _render() == GOLDEN


def test_the_fallbacks_pieces_pass_the_content_model_unchanged() -> None:
    """The offline builder writes what a model must: its pieces pass the content type's output
    model (every rule, normalising included) without a change, and serve as `Exercise`s."""
    for piece in _pieces():
        content_type = piece.extra["content_type"]
        items = [{k: v for k, v in e.items() if k != "concept"} for e in piece.exercises]
        checked = OUTPUT_MODELS[content_type].model_validate(
            {
                "title": piece.title,
                "content": piece.content,
                "examples": piece.examples,
                "exercises": items,
            }
        )
        assert [item.model_dump() for item in checked.exercises] == items
        assert checked.title == piece.title and checked.examples == piece.examples
        for exercise in piece.exercises:
            assert Exercise.model_validate(exercise).model_dump() == exercise
