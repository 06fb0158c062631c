"""Who may see a piece: the one rule that decides whether a request's prompt carries private
fields, and so whether the piece written from it may be shared with other users.

Private: the learner's goals, knowledge gaps and mastery (derived from their answers), and a
niche that is not on the public list below (the niche is free text: "Project Falcon at Acme"
is as private as a goal). Not private: the concept (the contract shares pieces by concept),
the content type, the level and the style (choices from fixed lists), and a public niche.
A piece is shared only when its request has no private field at all; otherwise it belongs to
the user who asked, and the cache and the fallback find it for that user only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from content_worker.domain import ContentRequest

# Niches that name a field, not a person: the ones the platform itself suggests (the offline
# library and the web app's hints) and common fields of study. A niche typed any other way stays
# private; adding one here shares every goal-less request for it across users.
PUBLIC_NICHES = frozenset(
    {
        "ai",
        "business",
        "cloud",
        "data",
        "data_science",
        "design",
        "devops",
        "finance",
        "languages",
        "marketing",
        "math",
        "mathematics",
        "ml",
        "machine_learning",
        "mobile_dev",
        "programming",
        "science",
        "security",
        "software_engineering",
        "tech_career",
        "web_dev",
        "writing",
    }
)

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def public_niche(niche: str) -> str | None:
    """The niche's public spelling ("Web Dev" → "web_dev") when it is on the public list."""
    words = _NOT_ALPHANUMERIC.sub("_", unicodedata.normalize("NFKC", niche).casefold())
    key = words.strip("_")
    return key if key in PUBLIC_NICHES else None


def private_fields(request: ContentRequest) -> tuple[str, ...]:
    """The names of the request's fields that carry private data into the prompt."""
    present = {
        "goals": bool(request.goals and request.goals.strip()),
        "knowledge_gaps": bool(request.knowledge_gaps),
        "concept_mastery": request.concept_mastery is not None,
        "niche": public_niche(request.niche) is None,
    }
    return tuple(name for name, private in present.items() if private)


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a piece may be shown to: everyone asking the identical shareable request, or only
    `user_id`, the user who asked."""

    user_id: int
    shared: bool

    @property
    def scope(self) -> str:
        """The audience as part of the cache key: one key space per user for private pieces."""
        return "shared" if self.shared else f"user:{self.user_id}"


def audience_of(request: ContentRequest) -> Audience:
    return Audience(user_id=request.user_id, shared=not private_fields(request))
