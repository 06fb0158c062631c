"""What the learner model says about a learner, turned into a content request.

The one place that decides what of the learner's profile and learner model reaches the prompt
(and the offline builder): level, style, niche, goals, the weakest concepts (knowledge gaps
first, then the least mastered) and the mastery of the requested concept. A public niche is
passed in its public spelling, so that a shareable prompt holds nothing the user typed but the
concept (see `content_worker.privacy`).
"""

from __future__ import annotations

from typing import Any, Protocol

from ailp.db.direct import DirectStatement, run
from ailp.db.rows import Executor
from content_worker.domain import ContentRequest, normalize_concept
from content_worker.privacy import public_niche

MAX_WEAK_CONCEPTS = 5


class LearnerProfile(Protocol):
    """What a content request takes from a learner (a `Learner` row has all of it)."""

    user_id: int
    experience_level: str
    preferred_learning_style: str
    target_niche: str
    learning_goals: str | None
    knowledge_state: dict[str, Any] | None


# Only the columns a request needs, without the ORM's identity map: read once per job.
_PROFILE = DirectStatement(
    "SELECT user_id, experience_level, preferred_learning_style, target_niche, learning_goals, "
    "knowledge_state FROM learners WHERE id = :id"
)


def load_profile(session: Executor, learner_id: int) -> LearnerProfile | None:
    rows = run(session, _PROFILE, {"id": learner_id})
    return rows[0] if rows else None  # a named tuple with the protocol's attributes


def content_request(params: dict[str, Any], learner: LearnerProfile) -> ContentRequest:
    state = learner.knowledge_state or {}
    concept = str(params["concept"])
    concepts: dict[str, dict[str, Any]] = state.get("concepts") or {}
    return ContentRequest(
        concept=concept,
        content_type=str(params["content_type"]),
        experience_level=learner.experience_level,
        learning_style=learner.preferred_learning_style,
        niche=public_niche(learner.target_niche) or learner.target_niche,
        user_id=learner.user_id,
        goals=learner.learning_goals if (learner.learning_goals or "").strip() else None,
        knowledge_gaps=_weak_concepts(state.get("top_gaps") or [], concepts, exclude=concept),
        concept_mastery=_mastery_of(concept, concepts),
    )


def _weak_concepts(
    gaps: list[dict[str, Any]], concepts: dict[str, dict[str, Any]], *, exclude: str
) -> tuple[str, ...]:
    """Knowledge gaps in priority order, then unmastered concepts, least mastered first."""
    excluded = normalize_concept(exclude)
    ordered = [str(gap["concept"]) for gap in gaps if "concept" in gap]
    unmastered = sorted(
        (item.get("p_mastery", 1.0), name)
        for name, item in concepts.items()
        if not item.get("mastered", False)
    )
    ordered += [name for _, name in unmastered]
    weak: list[str] = []
    for name in ordered:
        if normalize_concept(name) != excluded and name not in weak:
            weak.append(name)
        if len(weak) == MAX_WEAK_CONCEPTS:
            break
    return tuple(weak)


def _mastery_of(concept: str, concepts: dict[str, dict[str, Any]]) -> float | None:
    key = normalize_concept(concept)
    for name, item in concepts.items():
        if normalize_concept(name) == key and isinstance(item.get("p_mastery"), int | float):
            return float(item["p_mastery"])
    return None
