"""How the offline content adapts to the learner's preferred learning style (the words are in
`texts/styles.json`)."""

from __future__ import annotations

from collections.abc import Sequence

from content_worker.fallback import wording
from content_worker.fallback.draft import Question
from content_worker.fallback.text import bullets, shorten, table, tree
from content_worker.fallback.wording import Style, render


def fill(text: str, topic: str, medium: str) -> str:
    return text.replace("{topic}", topic).replace("{medium}", medium)


def study_tips(style: Style, level: str, topic: str, medium: str) -> list[str]:
    tips = [fill(tip, topic, medium) for tip in style.tips]
    if level == "beginner":
        tips.insert(0, fill(style.beginner_tip, topic, medium))
    elif level == "advanced":
        tips.append(fill(style.advanced_tip, topic, medium))
    return tips


def key_ideas_block(style: Style, topic: str, ideas: Sequence[str]) -> str:
    """The key ideas: a table and a tree diagram for visual learners, bullets otherwise."""
    common = wording.common()
    if style.name == "visual":
        rows = [(str(number), idea) for number, idea in enumerate(ideas, start=1)]
        return (
            table(common.key_ideas_headers, rows)
            + f"\n\n{common.at_a_glance}\n\n"
            + tree(topic, [f"{n}. {idea}" for n, idea in enumerate(ideas, start=1)])
        )
    if style.key_ideas_note is not None:
        return bullets(ideas) + "\n\n" + style.key_ideas_note
    return bullets(ideas)


def _idea_list(ideas: Sequence[str]) -> str:
    """Ideas as one inline list: "(1) first idea; (2) second idea"."""
    return "; ".join(
        f"({number}) {shorten(idea, 100).rstrip('.')}" for number, idea in enumerate(ideas, start=1)
    )


def style_task(
    style: Style, topic: str, ideas: Sequence[str], summary: str, example: str, medium: str
) -> Question:
    """One open exercise in the learner's style, with a model answer built from the ideas."""
    values = {
        "topic": topic,
        "ideas": _idea_list(ideas[:4]),
        "first_ideas": _idea_list(ideas[:2]),
        "summary": summary,
        "example": example,
        "medium": medium,
    }
    task = style.task
    return Question(
        prompt=render(task.prompt, **values),
        answer=render(task.answer, **values),
        explanation=render(task.explanation, **values),
    )
