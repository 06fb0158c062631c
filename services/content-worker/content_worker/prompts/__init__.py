"""Versioned prompt templates. Change the wording → add a new version folder and bump
`PROMPT_VERSION`: it is part of the cache key and of every result."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from string import Template

from content_worker.domain import ContentRequest

PROMPT_VERSION = "v1"

_GAPS = (
    "The learner struggles with: {gaps}. Where it fits naturally, connect the material to these "
    "weak spots and include one item that revisits them."
)
_MASTERY = {
    "low": "The learner model rates this concept as barely known yet: start from the fundamentals.",
    "mid": "The learner already knows the basics of this concept: consolidate and apply them.",
    "high": "The learner has nearly mastered this concept: go deeper (edge cases, transfer).",
}


def _mastery_instruction(p: float | None) -> str:
    if p is None:
        return ""
    return _MASTERY["low" if p < 0.4 else "mid" if p < 0.8 else "high"]


@cache
def _template(version: str, name: str) -> str:
    return resources.files(__package__).joinpath(version, f"{name}.txt").read_text("utf-8")


def build_messages(request: ContentRequest, version: str = PROMPT_VERSION) -> list[dict[str, str]]:
    """System and user messages. The learner's data travels as JSON, never spliced as prose."""
    data = {
        "concept": request.concept,
        "content_type": request.content_type,
        "experience_level": request.experience_level,
        "learning_style": request.learning_style,
        "niche": request.niche,
        "goals": request.goals,
        "knowledge_gaps": list(request.knowledge_gaps),
        "mastery_of_this_concept": request.concept_mastery,
    }
    gaps = _GAPS.format(gaps=json.dumps(list(request.knowledge_gaps), ensure_ascii=False))
    # "<" and ">" are escaped so that no value can close the <learner_request> tag early.
    request_json = (
        json.dumps(data, ensure_ascii=False, indent=2)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
    )
    user = Template(_template(version, request.content_type)).substitute(
        request_json=request_json,
        gaps_instruction="\n".join(
            part
            for part in (
                gaps if request.knowledge_gaps else "",
                _mastery_instruction(request.concept_mastery),
            )
            if part
        ),
    )
    return [
        {"role": "system", "content": _template(version, "system")},
        {"role": "user", "content": user},
    ]
