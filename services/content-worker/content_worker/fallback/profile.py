"""The learner's request, cleaned into the values the offline builders write from."""

from __future__ import annotations

from dataclasses import dataclass

from ailp.models.enums import ContentType, ExperienceLevel, LearningStyle
from content_worker.domain import ContentRequest, normalize_concept
from content_worker.fallback import wording

CONTENT_TYPES = tuple(ContentType)
LEVELS = tuple(ExperienceLevel)
STYLES = tuple(LearningStyle)

_MAX_GAPS = 5


@dataclass(frozen=True, slots=True)
class Profile:
    concept: str  # exactly as requested (each exercise's "concept")
    topic: str  # the concept as a display name
    content_type: str  # one of CONTENT_TYPES
    level: str  # one of LEVELS
    style: str  # one of STYLES
    niche: str  # as requested
    niche_label: str  # readable niche, e.g. "tech careers"
    goals: str | None
    gaps: tuple[str, ...]  # other concepts to revisit, most urgent first


def _choice(value: str, allowed: tuple[str, ...], default: str) -> str:
    value = value.strip().casefold()
    return value if value in allowed else default


def display_name(concept: str) -> str:
    """The requested concept as a title: single spaces, at most 120 characters."""
    text = " ".join(concept.split())[:120].strip()
    return text or wording.common().no_topic


def niche_label(niche: str) -> str:
    key = niche.strip().casefold()
    labels = wording.common().niche_labels
    if key in labels:
        return labels[key]
    text = " ".join(key.replace("_", " ").replace("-", " ").split())
    return text or wording.common().no_niche


def _gaps(concept: str, gaps: tuple[str, ...]) -> tuple[str, ...]:
    seen = {normalize_concept(concept)}
    kept: list[str] = []
    for gap in gaps:
        key = normalize_concept(gap)
        if key and key not in seen:
            seen.add(key)
            kept.append(display_name(gap))
    return tuple(kept[:_MAX_GAPS])


def profile_of(request: ContentRequest) -> Profile:
    goals = " ".join((request.goals or "").split())[:300].rstrip(" .")
    return Profile(
        concept=request.concept,
        topic=display_name(request.concept),
        content_type=_choice(request.content_type, CONTENT_TYPES, "lesson"),
        level=_choice(request.experience_level, LEVELS, "intermediate"),
        style=_choice(request.learning_style, STYLES, "reading"),
        niche=request.niche,
        niche_label=niche_label(request.niche),
        goals=goals or None,
        gaps=_gaps(request.concept, request.knowledge_gaps),
    )


def practice_medium(niche: str) -> str:
    """Where a hands-on learner in this niche practises, as a phrase after "work it through"."""
    key = niche.casefold()
    common = wording.common()
    for rule in common.practice_media:
        if any(word in key for word in rule.words):
            return rule.medium
    return common.default_medium
