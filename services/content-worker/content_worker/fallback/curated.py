"""Lessons, quizzes and exercises written from a curated library entry."""

from __future__ import annotations

from collections.abc import Callable

from content_worker.fallback import wording
from content_worker.fallback.draft import Draft, Question
from content_worker.fallback.library import Concept, CuratedQuizItem, CuratedTask, find_concept
from content_worker.fallback.profile import Profile, practice_medium
from content_worker.fallback.sections import (
    document,
    gaps_section,
    goal_sentence,
    intro_line,
    section,
)
from content_worker.fallback.styles import fill, key_ideas_block, study_tips, style_task
from content_worker.fallback.text import bullets, first_sentence, numbered, place_answer, table
from content_worker.fallback.wording import Level, Style, render


def build_curated(entry: Concept, profile: Profile) -> Draft:
    builders: dict[str, Callable[[Concept, Profile], Draft]] = {
        "lesson": _lesson,
        "quiz": _quiz,
        "exercise": _exercise,
    }
    return builders[profile.content_type](entry, profile)


# --- questions ---------------------------------------------------------------------------


def _choice_question(item: CuratedQuizItem) -> Question:
    """The quiz item with its answer moved to a stable, prompt-dependent position.

    Authors tend to put answers in the same slot; spreading them keeps learners from
    guessing by position, while the distractors keep their authored order.
    """
    distractors = [choice for choice in item.choices if choice != item.answer]
    choices = place_answer(item.answer, distractors, item.prompt)
    return Question(item.prompt, item.answer, item.explanation, choices)


def _open_question(item: CuratedTask) -> Question:
    return Question(item.prompt, item.answer, item.explanation)


def _spot_the_mistake(entry: Concept, which: int) -> Question:
    mistake = entry.common_mistakes[which % len(entry.common_mistakes)]
    correct = entry.key_points[which : which + 3]
    if len(correct) < 3:
        correct = entry.key_points[:3]
    text = wording.curated().mistake_question
    return Question(
        prompt=render(text.first_prompt if which == 0 else text.other_prompt, name=entry.name),
        answer=mistake,
        explanation=render(text.explanation, name=entry.name),
        choices=place_answer(mistake, correct, f"{entry.name}:mistake:{which}"),
    )


def _medium(entry: Concept, profile: Profile) -> str:
    return practice_medium(f"{entry.niche} {profile.niche}")


def _style_task(entry: Concept, profile: Profile, style: Style) -> Question:
    summary = render(
        wording.curated().style_task_summary,
        summary=entry.summary,
        mistake=entry.common_mistakes[0],
    )
    return style_task(
        style, entry.name, entry.key_points, summary, entry.examples[0], _medium(entry, profile)
    )


def _transfer_task(entry: Concept, profile: Profile) -> Question:
    text = wording.curated()
    values = {
        "niche": profile.niche_label,
        "name": entry.name,
        "goal": render(text.transfer_goal, goals=profile.goals) if profile.goals else "",
        "key_point": entry.key_points[0],
        "mistake": entry.common_mistakes[0],
    }
    task = text.transfer_task
    return Question(
        prompt=render(task.prompt, **values),
        answer=render(task.answer, **values),
        explanation=render(task.explanation, **values),
    )


def _quiz_questions(entry: Concept, level: str) -> list[Question]:
    items = [_choice_question(item) for item in entry.quiz]
    if level == "beginner":
        return items[:5]
    if level == "intermediate":
        return [*items, _spot_the_mistake(entry, 0)]
    return [*reversed(items), _spot_the_mistake(entry, 0), _spot_the_mistake(entry, 1)]


def _lesson_questions(entry: Concept, profile: Profile, style: Style) -> list[Question]:
    quiz, practice = entry.quiz, entry.exercises
    if profile.level == "beginner":
        choices, open_item = (quiz[0], quiz[1]), practice[0]
    elif profile.level == "intermediate":
        choices, open_item = (quiz[2], quiz[3]), practice[1]
    else:
        choices, open_item = (quiz[-1], quiz[-2]), practice[-1]
    return [
        *(_choice_question(item) for item in choices),
        _open_question(open_item),
        _style_task(entry, profile, style),
    ]


def _exercise_questions(entry: Concept, profile: Profile, style: Style) -> list[Question]:
    items = [_open_question(item) for item in entry.exercises]
    if profile.level == "beginner":
        return [*items, _style_task(entry, profile, style)]
    if profile.level == "intermediate":
        return [*items, _style_task(entry, profile, style), _transfer_task(entry, profile)]
    return [*reversed(items), _transfer_task(entry, profile), _style_task(entry, profile, style)]


# --- sections ----------------------------------------------------------------------------


def _key_ideas(entry: Concept, level: str) -> tuple[str, ...]:
    return entry.key_points[:4] if level == "beginner" else entry.key_points


def _key_ideas_section(entry: Concept, profile: Profile, style: Style) -> str:
    body = key_ideas_block(style, entry.name, _key_ideas(entry, profile.level))
    notes = entry.advanced_notes
    deeper = wording.curated().going_deeper
    if profile.level == "intermediate" and notes:
        body += f"\n\n{deeper}\n\n" + bullets(notes[:1])
    elif profile.level == "advanced" and notes:
        body += f"\n\n{deeper}\n\n" + bullets(notes)
    return section(wording.curated().lesson.key_ideas, body)


def _examples_section(entry: Concept, profile: Profile, style: Style) -> str:
    text = wording.curated().examples
    lead = render(style.examples_lead, medium=_medium(entry, profile))
    if profile.level == "beginner":
        lead = text.beginner_lead + lead
    if style.name == "visual":
        rows = [(str(n), example) for n, example in enumerate(entry.examples, start=1)]
        body = table(text.headers, rows)
    else:
        body = numbered(entry.examples)
    return section(text.heading, f"{lead}\n\n{body}")


def _next_steps(entry: Concept, profile: Profile, level: Level) -> str:
    text = wording.curated().next_steps
    steps = [fill(level.next_step, entry.name, "")]
    for name in entry.related[:3]:
        related = find_concept(name)
        if related is not None:
            steps.append(
                render(text.related, name=related.name, summary=first_sentence(related.summary))
            )
    if profile.goals:
        steps.append(render(text.goal, goals=profile.goals, name=entry.name))
    return section(text.heading, bullets(steps))


def _title(entry: Concept, level: Level, content_type: str) -> str:
    text = wording.curated()
    kind = getattr(text.kinds, content_type)
    return render(text.title, name=entry.name, label=level.label, kind=kind)


def _level_and_style(profile: Profile) -> tuple[Level, Style]:
    return wording.levels().of(profile.level), wording.styles().of(profile.style)


def _lesson(entry: Concept, profile: Profile) -> Draft:
    level, style = _level_and_style(profile)
    text = wording.curated().lesson
    medium = _medium(entry, profile)
    questions = _lesson_questions(entry, profile, style)
    what = entry.summary
    if profile.level == "beginner":
        what += text.beginner_note
    sections = [
        section(text.what_it_is, what),
        section(
            text.why_it_matters, f"{entry.why_it_matters} {goal_sentence(profile, entry.name)}"
        ),
        _key_ideas_section(entry, profile, style),
        _examples_section(entry, profile, style),
        section(text.common_mistakes, bullets(entry.common_mistakes)),
        section(
            render(text.how_to_study, style=style.name),
            bullets(study_tips(style, profile.level, entry.name, medium)),
        ),
        gaps_section(profile, style, entry.name, medium),
        section(
            text.check_heading,
            render(text.check, count=len(questions)) + fill(style.quiz_tip, entry.name, medium),
        ),
        _next_steps(entry, profile, level),
    ]
    intro = intro_line(profile, level, style) + "\n\n" + fill(level.lesson_intro, entry.name, "")
    title = _title(entry, level, "lesson")
    return Draft(
        title=title,
        content=document(title, intro, [s for s in sections if s]),
        examples=entry.examples,
        questions=tuple(questions),
        library_concept=entry.name,
    )


def _quiz(entry: Concept, profile: Profile) -> Draft:
    level, style = _level_and_style(profile)
    text = wording.curated().quiz
    medium = _medium(entry, profile)
    questions = _quiz_questions(entry, profile.level)
    count = len(questions)
    intro = (
        intro_line(profile, level, style)
        + render(text.intro, count=count, name=entry.name)
        + fill(level.quiz_intro, entry.name, "")
    )
    sections = [
        section(text.refresher, f"{entry.summary}\n\n{bullets(entry.key_points[:3])}"),
        section(text.how_heading, fill(style.quiz_tip, entry.name, medium) + text.how),
        section(text.after_heading, render(text.after, passing=count - 1, name=entry.name)),
        gaps_section(profile, style, entry.name, medium),
    ]
    title = _title(entry, level, "quiz")
    return Draft(
        title=title,
        content=document(title, intro, [s for s in sections if s]),
        examples=entry.examples,
        questions=tuple(questions),
        library_concept=entry.name,
    )


def _exercise(entry: Concept, profile: Profile) -> Draft:
    level, style = _level_and_style(profile)
    text = wording.curated().exercise
    medium = _medium(entry, profile)
    questions = _exercise_questions(entry, profile, style)
    intro = (
        intro_line(profile, level, style)
        + render(text.intro, count=len(questions), name=entry.name)
        + fill(level.exercise_intro, entry.name, "")
    )
    sections = [
        section(text.practise, entry.summary),
        section(text.how, bullets([level.pace, fill(style.exercise_tip, entry.name, medium)])),
        section(
            text.reference, key_ideas_block(style, entry.name, _key_ideas(entry, profile.level))
        ),
        section(text.examples, numbered(entry.examples)),
        section(text.watch_out, bullets(entry.common_mistakes)),
        section(text.check_heading, text.check),
        gaps_section(profile, style, entry.name, medium),
    ]
    title = _title(entry, level, "exercise")
    return Draft(
        title=title,
        content=document(title, intro, [s for s in sections if s]),
        examples=entry.examples,
        questions=tuple(questions),
        library_concept=entry.name,
    )
