"""Markdown sections shared by curated pieces and generic study guides."""

from __future__ import annotations

from content_worker.fallback.levels import Level
from content_worker.fallback.library import find_concept
from content_worker.fallback.profile import Profile
from content_worker.fallback.styles import Style, fill
from content_worker.fallback.text import bullets, first_sentence


def section(heading: str, body: str) -> str:
    return f"## {heading}\n\n{body.strip()}"


def document(title: str, intro: str, sections: list[str]) -> str:
    return "\n\n".join([f"# {title}", intro.strip(), *sections]) + "\n"


def intro_line(profile: Profile, level: Level, style: Style) -> str:
    line = f"_Written for {level.reader} in {profile.niche_label} who {style.prefers}._"
    if profile.goals:
        line += f" Your goal: “{profile.goals}”."
    return line


def goal_sentence(profile: Profile, topic: str) -> str:
    """How the topic serves the learner's niche and goal."""
    if profile.goals:
        return (
            f"For your goal — “{profile.goals}” — it pays to learn {topic} well: it is the kind "
            f"of building block that keeps coming back in {profile.niche_label}."
        )
    return (
        f"In {profile.niche_label}, {topic} is a building block that later topics rely on, so "
        f"time spent on it now pays off repeatedly."
    )


def gaps_section(profile: Profile, style: Style, topic: str, medium: str) -> str | None:
    """A "revisit" section for the learner's weakest concepts, or None if there are none."""
    if not profile.gaps:
        return None
    lines = []
    for gap in profile.gaps:
        entry = find_concept(gap)
        if entry is not None:
            lines.append(f"**{entry.name}** — {first_sentence(entry.summary)}")
        else:
            lines.append(f"**{gap}** — review your notes and redo one practice question.")
    body = (
        "Your recent results show these concepts need another look. Spend ten minutes on each "
        f"before (or right after) this piece, most urgent first:\n\n{bullets(lines)}\n\n"
        + fill(style.revisit_tip, topic, medium)
    )
    return section("Revisit your weak spots", body)
