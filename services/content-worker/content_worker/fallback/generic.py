"""A complete study guide for a concept the curated library does not cover.

Built only from the concept's name and the learner's profile: what to learn, a step-by-step
plan, self-check questions with answers and a week-by-week practice plan. The words are in
`texts/generic.json`.
"""

from __future__ import annotations

from content_worker.fallback import wording
from content_worker.fallback.draft import Draft, Question
from content_worker.fallback.generic_questions import (
    check_understanding,
    first_step,
    quiz_questions,
    self_checks,
    target,
)
from content_worker.fallback.profile import Profile, practice_medium
from content_worker.fallback.sections import (
    document,
    gaps_section,
    goal_sentence,
    intro_line,
    section,
)
from content_worker.fallback.styles import fill, study_tips, style_task
from content_worker.fallback.text import bullets, numbered, table
from content_worker.fallback.wording import Level, QuestionText, Style, render


def _sub_topics(profile: Profile) -> list[tuple[str, str]]:
    parts = wording.generic().sub_topics
    topics = list(parts.base)
    if profile.level in ("intermediate", "advanced"):
        topics += parts.applied
    if profile.level == "advanced":
        topics += parts.expert
    return [
        (
            topic.name,
            topic.text.replace("{topic}", profile.topic).replace("{niche}", profile.niche_label),
        )
        for topic in topics
    ]


def _what_to_learn(profile: Profile) -> str:
    text = wording.generic().what_to_learn
    items = [render(text.item, name=name, text=about) for name, about in _sub_topics(profile)]
    return f"{render(text.lead, topic=profile.topic)}\n\n{numbered(items)}"


def _plan_steps(profile: Profile, level: Level) -> list[str]:
    plan = wording.generic().plan
    values = {"topic": profile.topic, "minutes": level.session_minutes, "target": target(profile)}
    first = render(getattr(plan.first_step, profile.level), **values)
    return [first, *(render(step, **values) for step in plan.steps)]


def _study_session(style: Style, level: Level, medium: str) -> str:
    text = wording.generic().study_session
    minutes = level.session_minutes
    quarter = max(minutes // 4, 5)
    values = {
        "minutes": minutes,
        "quarter": quarter,
        "rest": minutes - quarter,
        "self_test": fill(style.self_test, "", medium),
    }
    rows = [(render(row.when, **values), render(row.what, **values)) for row in text.rows]
    if style.name == "visual":
        body = table(text.headers, rows)
    else:
        body = bullets(render(text.bullet, when=when, what=what) for when, what in rows)
    return f"{text.lead}\n\n{body}\n\n{text.closing}"


def _practice_plan(profile: Profile, style: Style, level: Level, medium: str) -> str:
    text = wording.generic().practice_plan
    activity = fill(style.weekly_activity, profile.topic, medium)
    weeks = [
        (
            render(text.week, n=n),
            week.focus,
            _capitalised(
                render(
                    text.activities, task=fill(week.task, profile.topic, medium), activity=activity
                )
            ),
        )
        for n, week in enumerate(getattr(text.weeks, profile.level), start=1)
    ]
    lead = render(text.lead, weeks=len(weeks), minutes=level.session_minutes)
    if style.name == "visual":
        body = table(text.headers, weeks)
    else:
        body = bullets(
            render(text.bullet, week=week, focus=focus, tasks=tasks) for week, focus, tasks in weeks
        )
    return f"{lead}\n\n{body}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _examples(topic: str) -> tuple[str, ...]:
    return tuple(render(example, topic=topic) for example in wording.generic().examples)


def _style_task(profile: Profile, style: Style, medium: str) -> Question:
    text = wording.generic().style_task
    topic = profile.topic
    summary = render(text.summary, topic=topic)
    example = render(text.example, topic=topic)
    return style_task(style, topic, text.ideas, summary, example, medium)


def _question(text: QuestionText, **values: str) -> Question:
    return Question(
        render(text.prompt, **values),
        render(text.answer, **values),
        render(text.explanation, **values),
    )


def _hands_on(profile: Profile, style: Style, medium: str) -> list[Question]:
    text = wording.generic()
    topic = profile.topic
    tasks = [_question(task, topic=topic, medium=medium) for task in text.hands_on]
    tasks.append(_style_task(profile, style, medium))
    if profile.level != "beginner":
        goal = render(text.apply_goal, goals=profile.goals) if profile.goals else ""
        tasks.append(_question(text.apply, niche=profile.niche_label, goal=goal, topic=topic))
    if profile.level == "advanced":
        tasks.append(_question(text.compare, topic=topic))
    return tasks


def _self_check_block(questions: list[Question]) -> str:
    template = wording.generic().self_check
    return "\n\n".join(
        render(template, n=n, prompt=q.prompt, answer=q.answer)
        for n, q in enumerate(questions, start=1)
    )


def build_generic(profile: Profile) -> Draft:
    level, style = wording.levels().of(profile.level), wording.styles().of(profile.style)
    text = wording.generic()
    medium = practice_medium(profile.niche)
    topic = profile.topic
    what_to_learn = section(text.what_to_learn.heading, _what_to_learn(profile))
    practice_plan = section(
        text.practice_plan.heading, _practice_plan(profile, style, level, medium)
    )
    if profile.content_type == "quiz":
        title = render(text.quiz.title, topic=topic, label=level.label)
        questions = quiz_questions(profile)
        intro = render(text.quiz.intro, count=len(questions), topic=topic)
        sections = [
            what_to_learn,
            section(text.quiz.how_heading, fill(style.quiz_tip, topic, medium) + text.quiz.how),
            practice_plan,
        ]
    elif profile.content_type == "exercise":
        title = render(text.exercise.title, topic=topic, label=level.label)
        questions = _hands_on(profile, style, medium)
        intro = render(text.exercise.intro, count=len(questions), topic=topic, pace=level.pace)
        sections = [
            what_to_learn,
            section(text.exercise.how, bullets(_plan_steps(profile, level)[:4])),
            practice_plan,
            section(
                text.exercise.check_heading,
                text.exercise.check + fill(style.exercise_tip, topic, medium),
            ),
        ]
    else:
        lesson = text.lesson
        title = render(lesson.title, topic=topic, label=level.label)
        checks = self_checks(profile)
        questions = [first_step(profile), check_understanding(profile), checks[0]]
        questions.append(_style_task(profile, style, medium))
        intro = render(lesson.intro, topic=topic)
        sections = [
            section(lesson.why, goal_sentence(profile, topic)),
            what_to_learn,
            section(lesson.plan, numbered(_plan_steps(profile, level))),
            section(lesson.session, _study_session(style, level, medium)),
            section(lesson.mistakes, bullets(text.study_mistakes)),
            section(
                render(lesson.how_to_study, style=style.name),
                bullets(study_tips(style, profile.level, topic, medium)),
            ),
            section(lesson.checks, _self_check_block(checks)),
            practice_plan,
            section(lesson.next, fill(level.next_step, topic, "")),
        ]
    gaps = gaps_section(profile, style, topic, medium)
    if gaps is not None:
        sections.insert(len(sections) - 1, gaps)
    intro = intro_line(profile, level, style) + "\n\n" + intro
    return Draft(
        title=title,
        content=document(title, intro, sections),
        examples=_examples(topic),
        questions=tuple(questions),
        library_concept=None,
    )
