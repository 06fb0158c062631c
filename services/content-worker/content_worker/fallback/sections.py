"""Markdown sections shared by curated pieces and generic study guides."""

from __future__ import annotations

from content_worker.fallback import wording
from content_worker.fallback.library import find_concept
from content_worker.fallback.profile import Profile
from content_worker.fallback.styles import fill
from content_worker.fallback.text import bullets, first_sentence
from content_worker.fallback.wording import Level, Style, render


def section(heading: str, body: str) -> str:
    return f"## {heading}\n\n{body.strip()}"


def document(title: str, intro: str, sections: list[str]) -> str:
    return "\n\n".join([f"# {title}", intro.strip(), *sections]) + "\n"


def intro_line(profile: Profile, level: Level, style: Style) -> str:
    common = wording.common()
    line = render(
        common.intro_line, reader=level.reader, niche=profile.niche_label, prefers=style.prefers
    )
    if profile.goals:
        line += render(common.intro_goal, goals=profile.goals)
    return line


def goal_sentence(profile: Profile, topic: str) -> str:
    """How the topic serves the learner's niche and goal."""
    common = wording.common()
    if profile.goals:
        return render(
            common.goal_sentence, goals=profile.goals, topic=topic, niche=profile.niche_label
        )
    return render(common.no_goal_sentence, topic=topic, niche=profile.niche_label)


def gaps_section(profile: Profile, style: Style, topic: str, medium: str) -> str | None:
    """A "revisit" section for the learner's weakest concepts, or None if there are none."""
    if not profile.gaps:
        return None
    text = wording.common().gaps
    lines = []
    for gap in profile.gaps:
        entry = find_concept(gap)
        if entry is not None:
            lines.append(render(text.known, name=entry.name, summary=first_sentence(entry.summary)))
        else:
            lines.append(render(text.unknown, gap=gap))
    body = f"{text.lead}\n\n{bullets(lines)}\n\n" + fill(style.revisit_tip, topic, medium)
    return section(text.heading, body)
