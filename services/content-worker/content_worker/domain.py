"""The content worker's vocabulary: what is asked for and what is produced."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class ContentRequest:
    """Everything that shapes a piece of content: the ask, who asks, and the learner's profile.

    Which of these fields are private, and so who may see the piece, is decided in
    `content_worker.privacy`.
    """

    concept: str
    content_type: str  # lesson | quiz | exercise
    experience_level: str  # beginner | intermediate | advanced
    learning_style: str  # visual | auditory | reading | kinesthetic
    niche: str
    user_id: int  # the user who asks (the learner's owner)
    goals: str | None = None
    # The learner's weakest concepts, most urgent first (from the analytics worker).
    knowledge_gaps: tuple[str, ...] = ()
    # P(mastered) of the requested concept by the learner model, when it has been answered.
    concept_mastery: float | None = None


@dataclass(slots=True)
class GeneratedPiece:
    """A complete content piece, whoever wrote it (the model, the cache or the offline builder)."""

    title: str
    content: str  # Markdown
    examples: list[Any]
    # Each one an `ailp.schemas.content.Exercise`, dumped (the form it is stored and served in).
    exercises: list[dict[str, Any]]
    source: str  # openai | cache | fallback
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    notice: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # False when the text is a copy of an earlier piece that belongs to one user: it stays theirs.
    shareable: bool = True


class ModelUnavailable(Exception):
    """The model cannot be used for this request now; serve fallback content for `reason`."""

    def __init__(self, reason: FallbackReason, detail: str, *, notice: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        # What the learner reads; the reason's standard sentence unless this case says more.
        self.notice = notice or reason.notice


class FallbackReason(StrEnum):
    """Why the model was not used; each has a plain sentence for the learner."""

    no_api_key = "no_api_key"
    budget_exhausted = "budget_exhausted"
    rate_limited = "rate_limited"
    quota_exhausted = "quota_exhausted"
    model_rejected = "model_rejected"
    model_error = "model_error"
    invalid_output = "invalid_output"
    limiter_unavailable = "limiter_unavailable"
    user_allowance_exhausted = "user_allowance_exhausted"
    deadline = "deadline"

    @property
    def notice(self) -> str:
        return _NOTICES[self]


_NOTICES: dict[FallbackReason, str] = {
    FallbackReason.no_api_key: (
        "AI generation is unavailable: this platform has no AI model configured. "
        "This piece was prepared offline for your concept, level and learning style."
    ),
    FallbackReason.budget_exhausted: (
        "AI generation is paused for today: the platform's daily AI budget has been reached. "
        "It resumes after midnight UTC. This piece was prepared offline for you."
    ),
    FallbackReason.rate_limited: (
        "AI generation is busy right now: the AI service's rate limit was reached. "
        "This piece was prepared offline; ask again later for an AI-written version."
    ),
    FallbackReason.model_error: (
        "AI generation is unavailable: the AI service did not answer after several tries. "
        "This piece was prepared offline; ask again later for an AI-written version."
    ),
    FallbackReason.quota_exhausted: (
        "AI generation is unavailable: the platform's AI account has used up its quota. "
        "This piece was prepared offline; ask again later for an AI-written version."
    ),
    FallbackReason.model_rejected: (
        "AI generation is unavailable: the AI service refused the platform's request. "
        "This piece was prepared offline; ask again later for an AI-written version."
    ),
    FallbackReason.invalid_output: (
        "AI generation did not produce usable content this time, so this piece was prepared "
        "offline. Ask again later for an AI-written version."
    ),
    FallbackReason.user_allowance_exhausted: (
        "Your daily AI allowance is used up, so AI generation is paused for you until midnight "
        "UTC. This piece was prepared offline for you."
    ),
    FallbackReason.deadline: (
        "AI generation took too long this time, so this piece was prepared offline. Ask again "
        "later for an AI-written version."
    ),
    FallbackReason.limiter_unavailable: (
        "AI generation is unavailable: the service that shares the AI limits is unreachable. "
        "This piece was prepared offline; ask again later for an AI-written version."
    ),
}


def normalize_concept(concept: str) -> str:
    """The concept as a lookup key: NFKC, case-folded, single spaces, no edge punctuation.

    "  SQL   Joins! " and "sql joins" name the same concept.
    """
    text = unicodedata.normalize("NFKC", concept).casefold()
    text = " ".join(text.split())
    return text.strip(_EDGE_PUNCTUATION)[:200] or text[:200]


_EDGE_PUNCTUATION = " \t.,;:!?\"'`()[]{}<>-_/\\|*~"


def allowance_notice(renews_at: datetime) -> str:
    """The user-allowance notice with the moment it renews (the next UTC midnight)."""
    moment = renews_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Your daily AI allowance is used up until {moment}, so AI generation is paused for you "
        "until then. This piece was prepared offline for you."
    )
