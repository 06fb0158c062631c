"""Self-check questions (with answers) for a concept the library does not cover.

They test how well the learner studies the concept, not facts about it, so every answer is
true whatever the concept is. The words are in `texts/questions.json`.
"""

from __future__ import annotations

from content_worker.fallback import wording
from content_worker.fallback.draft import Question
from content_worker.fallback.profile import Profile
from content_worker.fallback.styles import fill
from content_worker.fallback.text import join_words, place_answer
from content_worker.fallback.wording import ChoiceText, QuestionText, render


def _choice(key: str, text: ChoiceText, *, prompt: str | None = None, **values: str) -> Question:
    """The question with its answer placed among the wrong choices at a position that depends
    on `key` (the topic and which question it is)."""
    answer = render(text.answer, **values)
    wrong = tuple(render(choice, **values) for choice in text.wrong)
    return Question(
        render(text.prompt, **values) if prompt is None else prompt,
        answer,
        render(text.explanation, **values),
        place_answer(answer, wrong, key),
    )


def _open(text: QuestionText, **values: str) -> Question:
    return Question(
        render(text.prompt, **values),
        render(text.answer, **values),
        render(text.explanation, **values),
    )


def target(profile: Profile) -> str:
    """What the learner applies the topic to: their goal, or their work in their niche."""
    text = wording.generic()
    if profile.goals:
        return render(text.target_goal, goals=profile.goals)
    return render(text.target_niche, niche=profile.niche_label)


def first_step(profile: Profile) -> Question:
    text: ChoiceText = getattr(wording.questions().first_step, profile.level)
    # Filled like the level's and style's texts: {topic}, then {medium} (none here).
    prompt = fill(text.prompt, profile.topic, "")
    return _choice(f"{profile.topic}:first", text, prompt=prompt, topic=profile.topic)


def check_understanding(profile: Profile) -> Question:
    return _choice(f"{profile.topic}:check", wording.questions().check, topic=profile.topic)


def _spacing(profile: Profile) -> Question:
    return _choice(f"{profile.topic}:spacing", wording.questions().spacing, topic=profile.topic)


def _style_match(profile: Profile) -> Question:
    styles = wording.styles().all()
    activities = {style.name: fill(style.activity, profile.topic, "") for style in styles}
    answer = activities[profile.style]
    wrong = tuple(text for name, text in activities.items() if name != profile.style)
    text = wording.questions().style_match
    return Question(
        render(text.prompt, style=profile.style),
        answer,
        render(text.explanation, answer=answer, style=profile.style),
        place_answer(answer, wrong, f"{profile.topic}:style"),
    )


def _stuck(profile: Profile) -> Question:
    return _choice(f"{profile.topic}:stuck", wording.questions().stuck, topic=profile.topic)


def _goal(profile: Profile) -> Question:
    return _choice(
        f"{profile.topic}:goal",
        wording.questions().goal,
        topic=profile.topic,
        target=target(profile),
    )


def _gaps(profile: Profile) -> Question | None:
    if not profile.gaps:
        return None
    return _choice(
        f"{profile.topic}:gaps",
        wording.questions().gaps,
        gaps=join_words(list(profile.gaps)),
        topic=profile.topic,
    )


def quiz_questions(profile: Profile) -> list[Question]:
    questions = [
        first_step(profile),
        check_understanding(profile),
        _spacing(profile),
        _style_match(profile),
        _stuck(profile),
        _goal(profile),
    ]
    gaps = _gaps(profile)
    return [*questions, gaps] if gaps is not None else questions


def self_checks(profile: Profile) -> list[Question]:
    """Open self-check questions whose answers say what a strong answer contains."""
    text = wording.questions()
    values = {"topic": profile.topic, "niche": profile.niche_label}
    checks = [_open(check, **values) for check in text.self_checks]
    checks.append(_open(getattr(text.level_check, profile.level), **values))
    return checks
