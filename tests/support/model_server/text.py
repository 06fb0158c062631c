"""Readable text about a concept, for the fields of a synthesised answer."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any


def squashed_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def capitalized(text: str) -> str:
    """``text`` with its first letter upper-cased (for concepts that start a sentence)."""
    return text[:1].upper() + text[1:]


def markdown_body(concept: str, index: int = 0) -> str:
    part = f" (part {index + 1})" if index else ""
    return (
        f"## What is {concept}?{part}\n\n"
        f"{capitalized(concept)} is an idea you will meet again and again. At its core it gives you a "
        f"precise way to describe a problem and a repeatable method for solving it.\n\n"
        f"## Why {concept} matters\n\n"
        f"Understanding {concept} helps you reason about real situations instead of "
        f"memorising rules, and it connects new material to what you already know.\n\n"
        f"## A worked example\n\n"
        f"Start with a small, concrete case. Apply {concept} step by step, check each "
        f"intermediate result, and compare the outcome with what you expected.\n\n"
        f"## Key takeaways\n\n"
        f"- {capitalized(concept)} is easiest to learn through small, concrete examples.\n"
        f"- Explain {concept} in your own words to check your understanding.\n"
        f"- Practise with exercises that slowly increase in difficulty."
    )


_QUESTIONS = (
    "Which statement best describes {c}?",
    "When would you apply {c} in practice?",
    "What is a common mistake when working with {c}?",
    "How does {c} connect to what you already know?",
)
_CORRECT_CHOICE = "{C} gives a precise, repeatable way to reason about the problem"
_DISTRACTORS = (
    "{C} only matters in rare edge cases",
    "{C} is just another name for memorising rules",
    "{C} has no practical use outside exams",
    "{C} removes the need to check your work",
)
_LEVELS = ("beginner", "intermediate", "advanced")


def _numbered(text: str, index: int) -> str:
    return text if index == 0 else f"{text} ({index + 1})"


def _matches(key: str, words: Iterable[str]) -> bool:
    return any(key == w or key.endswith(w) for w in words)


def field_text(name: str, concept: str, index: int = 0) -> str:
    """Readable text for a string field, chosen from the field's name."""
    key, c = squashed_key(name), concept
    if key == "id" or name.lower().endswith("_id") or name.endswith("Id"):
        return f"q{index + 1}"
    if _matches(key, ("concept", "topic", "skill", "subject")):
        return c
    if _matches(key, ("title", "heading", "headline", "name")):
        return _numbered(f"Understanding {c}", index)
    if _matches(key, ("prompt", "question", "stem", "task", "instruction", "instructions")):
        suffix = "" if index < len(_QUESTIONS) else f" ({index + 1})"
        return _QUESTIONS[index % len(_QUESTIONS)].format(c=c) + suffix
    if _matches(key, ("explanation", "rationale", "feedback", "reasoning", "solution")):
        return (
            f"This is correct because {c} gives a precise, repeatable way to reason about "
            f"the problem; the other options describe common misconceptions about {c}."
        )
    if _matches(key, ("answer",)):
        return _CORRECT_CHOICE.format(C=capitalized(c))
    if _matches(key, ("examples", "example")):
        return (
            f"Example {index + 1}: applying {c} to a small, concrete case and checking the result."
        )
    if _matches(key, ("choices", "options", "distractors")):
        return _numbered(f"Option about {c}", index)
    if _matches(key, ("summary", "description", "overview", "abstract", "intro", "introduction")):
        return f"A short, practical introduction to {c} with examples and exercises."
    if _matches(key, ("hint", "hints", "tip", "tips")):
        return _numbered(f"Think about what {c} is trying to achieve before you answer.", index)
    if _matches(key, ("keypoints", "takeaways", "objectives", "goals", "points")):
        return _numbered(f"Explain the main idea of {c} in your own words.", index)
    if _matches(key, ("difficulty", "level")):
        return _LEVELS[index % len(_LEVELS)]
    if _matches(key, ("language", "lang", "locale")):
        return "en"
    if _matches(key, ("code", "snippet")):
        return f"# {c}: example {index + 1}\nresult = apply(step_by_step=True)"
    if key == "text" or _matches(key, ("content", "body", "markdown", "lesson", "article")):
        return markdown_body(c, index)
    words = " ".join(re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").split())
    label = words[:1].upper() + words[1:] if words else "Details"
    return _numbered(f"{label} about {c}", index)


def choice_texts(concept: str, count: int, correct_at: int) -> list[str]:
    """``count`` distinct multiple-choice options with the correct one at ``correct_at``."""
    distractors = [d.format(C=capitalized(concept)) for d in _DISTRACTORS]
    texts: list[str] = []
    for position in range(count):
        if position == correct_at:
            texts.append(_CORRECT_CHOICE.format(C=capitalized(concept)))
        elif distractors:
            texts.append(distractors.pop(0))
        else:
            texts.append(
                f"{capitalized(concept)} is unrelated to the question (option {position + 1})"
            )
    return texts


FORMATS: dict[str, Any] = {
    "date-time": lambda i: f"2026-01-{i % 28 + 1:02d}T12:00:00Z",
    "date": lambda i: f"2026-01-{i % 28 + 1:02d}",
    "time": lambda i: f"12:{i % 60:02d}:00",
    "uuid": lambda i: str(uuid.UUID(int=i + 1)),
    "email": lambda i: f"learner{i + 1}@example.com",
    "uri": lambda i: f"https://example.com/resource/{i + 1}",
    "url": lambda i: f"https://example.com/resource/{i + 1}",
}


def fit_length(text: str, schema: Mapping[str, Any], filler: str = "x") -> str:
    """Pad/cut ``text`` to satisfy ``minLength``/``maxLength``."""
    low = int(schema.get("minLength", 0))
    high = schema.get("maxLength")
    if len(text) < low:
        text += (" " + filler * low)[: low - len(text)]
    if high is not None and len(text) > int(high):
        cut = text[: int(high)]
        text = cut.rstrip() if len(cut.rstrip()) >= low else cut
    return text


def distinct(values: list[str], schema: Mapping[str, Any]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for position, value in enumerate(values):
        candidate = value
        if candidate in seen:
            candidate = fit_length(f"{position + 1}", schema, filler=str(position % 10))
        seen.add(candidate)
        result.append(candidate)
    return result
