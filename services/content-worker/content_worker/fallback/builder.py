"""The offline builder: a complete content piece without the AI model."""

from __future__ import annotations

from content_worker.domain import ContentRequest, FallbackReason, GeneratedPiece
from content_worker.fallback.curated import build_curated
from content_worker.fallback.draft import Draft, exercise_dicts
from content_worker.fallback.generic import build_generic
from content_worker.fallback.library import find_concept
from content_worker.fallback.profile import profile_of


def build_offline(request: ContentRequest, reason: FallbackReason) -> GeneratedPiece:
    """A lesson, quiz or exercise set for the request, written offline and deterministically.

    A concept in the curated library gets a piece written from its entry; any other concept
    gets a generic study guide built from its name, the learner's level and learning style.
    """
    profile = profile_of(request)
    entry = find_concept(request.concept)
    draft: Draft = build_curated(entry, profile) if entry is not None else build_generic(profile)
    return GeneratedPiece(
        title=draft.title,
        content=draft.content,
        examples=list(draft.examples),
        exercises=exercise_dicts(draft.questions, request.concept),
        source="fallback",
        model=None,
        input_tokens=0,
        output_tokens=0,
        cost_usd=0.0,
        notice=reason.notice,
        extra={
            "fallback_reason": reason.value,
            "library_concept": draft.library_concept,
            "content_type": profile.content_type,
            "experience_level": profile.level,
            "learning_style": profile.style,
        },
    )
