"""Lessons, quizzes and exercises written from a curated library entry."""

from __future__ import annotations

from collections.abc import Callable

from content_worker.fallback.draft import Draft, Question
from content_worker.fallback.levels import Level, level_of
from content_worker.fallback.library import Concept, PracticeItem, QuizItem, find_concept
from content_worker.fallback.profile import Profile, practice_medium
from content_worker.fallback.sections import (
    document,
    gaps_section,
    goal_sentence,
    intro_line,
    section,
)
from content_worker.fallback.styles import (
    Style,
    fill,
    key_ideas_block,
    study_tips,
    style_of,
    style_task,
)
from content_worker.fallback.text import bullets, first_sentence, numbered, place_answer, table


def build_curated(entry: Concept, profile: Profile) -> Draft:
    builders: dict[str, Callable[[Concept, Profile], Draft]] = {
        "lesson": _lesson,
        "quiz": _quiz,
        "exercise": _exercise,
    }
    return builders[profile.content_type](entry, profile)


# --- questions ---------------------------------------------------------------------------


def _choice_question(item: QuizItem) -> Question:
    """The quiz item with its answer moved to a stable, prompt-dependent position.

    Authors tend to put answers in the same slot; spreading them keeps learners from
    guessing by position, while the distractors keep their authored order.
    """
    distractors = [choice for choice in item.choices if choice != item.answer]
    choices = place_answer(item.answer, distractors, item.prompt)
    return Question(item.prompt, item.answer, item.explanation, choices)


def _open_question(item: PracticeItem) -> Question:
    return Question(item.prompt, item.answer, item.explanation)


def _spot_the_mistake(entry: Concept, which: int) -> Question:
    mistake = entry.common_mistakes[which % len(entry.common_mistakes)]
    correct = entry.key_points[which : which + 3]
    if len(correct) < 3:
        correct = entry.key_points[:3]
    if which == 0:
        prompt = f"Which of these describes a common mistake with {entry.name}, not a correct idea?"
    else:
        prompt = f"Spot the pitfall: which of these statements about {entry.name} is a mistake?"
    return Question(
        prompt=prompt,
        answer=mistake,
        explanation=(
            f"This is a well-known pitfall with {entry.name}. The other options are key ideas "
            f"of {entry.name} that hold true."
        ),
        choices=place_answer(mistake, correct, f"{entry.name}:mistake:{which}"),
    )


def _medium(entry: Concept, profile: Profile) -> str:
    return practice_medium(f"{entry.niche} {profile.niche}")


def _style_task(entry: Concept, profile: Profile, style: Style) -> Question:
    summary = f"{entry.summary} One mistake to avoid: {entry.common_mistakes[0]}"
    return style_task(
        style, entry.name, entry.key_points, summary, entry.examples[0], _medium(entry, profile)
    )


def _transfer_task(entry: Concept, profile: Profile) -> Question:
    goal = f" — ideally one linked to your goal, “{profile.goals}”" if profile.goals else ""
    return Question(
        prompt=(
            f"Apply it to your own work: describe a real situation in {profile.niche_label} "
            f"where {entry.name} matters{goal}. Say which idea from this piece applies and "
            f"which mistake you will avoid."
        ),
        answer=(
            f"A strong answer is concrete (a named task, project, dataset or conversation), "
            f"applies at least one key idea — for example: “{entry.key_points[0]}” — and names "
            f"a mistake to avoid, such as: “{entry.common_mistakes[0]}”."
        ),
        explanation=(
            f"Moving {entry.name} into your own context is what makes it stick, and it shows "
            f"you can use the idea rather than only recognise it."
        ),
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
    if profile.level == "intermediate" and notes:
        body += "\n\n### Going deeper\n\n" + bullets(notes[:1])
    elif profile.level == "advanced" and notes:
        body += "\n\n### Going deeper\n\n" + bullets(notes)
    return section("Key ideas", body)


def _examples_section(entry: Concept, profile: Profile, style: Style) -> str:
    lead = {
        "visual": "Look for the pattern across the rows: what changes, and what stays the same?",
        "auditory": "Read each example aloud and say in one sentence why it works.",
        "reading": "Copy the example that surprises you most into your notes, with a one-line why.",
        "kinesthetic": f"Reproduce each example {_medium(entry, profile)} before reading on.",
    }[style.name]
    if profile.level == "beginner":
        lead = "Go slowly: predict each result before you read it through. " + lead
    if style.name == "visual":
        rows = [(str(n), example) for n, example in enumerate(entry.examples, start=1)]
        body = table(("#", "Example"), rows)
    else:
        body = numbered(entry.examples)
    return section("Worked examples", f"{lead}\n\n{body}")


def _next_steps(entry: Concept, profile: Profile, level: Level) -> str:
    steps = [fill(level.next_step, entry.name, "")]
    for name in entry.related[:3]:
        related = find_concept(name)
        if related is not None:
            steps.append(f"Continue with **{related.name}**: {first_sentence(related.summary)}")
    if profile.goals:
        steps.append(f"Link it to your goal (“{profile.goals}”): use {entry.name} once this week.")
    return section("Next steps", bullets(steps))


def _title(entry: Concept, level: Level, kind: str) -> str:
    return f"{entry.name}: {level.label} {kind}"


def _lesson(entry: Concept, profile: Profile) -> Draft:
    level, style = level_of(profile.level), style_of(profile.style)
    medium = _medium(entry, profile)
    questions = _lesson_questions(entry, profile, style)
    what = entry.summary
    if profile.level == "beginner":
        what += (
            "\n\nNew here? Read the key ideas one at a time, then try the first worked example "
            "before moving on."
        )
    sections = [
        section("What it is", what),
        section("Why it matters", f"{entry.why_it_matters} {goal_sentence(profile, entry.name)}"),
        _key_ideas_section(entry, profile, style),
        _examples_section(entry, profile, style),
        section("Common mistakes", bullets(entry.common_mistakes)),
        section(
            f"How to study this as a {style.name} learner",
            bullets(study_tips(style, profile.level, entry.name, medium)),
        ),
        gaps_section(profile, style, entry.name, medium),
        section(
            "Check your understanding",
            f"Answer the {len(questions)} questions that come with this lesson without looking "
            f"back, then compare with the model answers and explanations. "
            + fill(style.quiz_tip, entry.name, medium),
        ),
        _next_steps(entry, profile, level),
    ]
    intro = intro_line(profile, level, style) + "\n\n" + fill(level.lesson_intro, entry.name, "")
    return Draft(
        title=_title(entry, level, "lesson"),
        content=document(_title(entry, level, "lesson"), intro, [s for s in sections if s]),
        examples=entry.examples,
        questions=tuple(questions),
        library_concept=entry.name,
    )


def _quiz(entry: Concept, profile: Profile) -> Draft:
    level, style = level_of(profile.level), style_of(profile.style)
    medium = _medium(entry, profile)
    questions = _quiz_questions(entry, profile.level)
    count = len(questions)
    intro = (
        intro_line(profile, level, style)
        + f"\n\n{count} multiple-choice questions on {entry.name}. "
        + fill(level.quiz_intro, entry.name, "")
    )
    sections = [
        section("Quick refresher", f"{entry.summary}\n\n{bullets(entry.key_points[:3])}"),
        section(
            "How to take this quiz",
            fill(style.quiz_tip, entry.name, medium)
            + " Commit to an answer before reading the explanation, and read the explanation "
            "for every question, including the ones you got right.",
        ),
        section(
            "After the quiz",
            f"{count - 1} or more correct: move on to the exercises on {entry.name}. Fewer than "
            f"that: re-read the key ideas and the explanations of the questions you missed, then "
            f"retake the quiz in two days.",
        ),
        gaps_section(profile, style, entry.name, medium),
    ]
    return Draft(
        title=_title(entry, level, "quiz"),
        content=document(_title(entry, level, "quiz"), intro, [s for s in sections if s]),
        examples=entry.examples,
        questions=tuple(questions),
        library_concept=entry.name,
    )


def _exercise(entry: Concept, profile: Profile) -> Draft:
    level, style = level_of(profile.level), style_of(profile.style)
    medium = _medium(entry, profile)
    questions = _exercise_questions(entry, profile, style)
    intro = (
        intro_line(profile, level, style)
        + f"\n\n{len(questions)} hands-on exercises on {entry.name}. "
        + fill(level.exercise_intro, entry.name, "")
    )
    sections = [
        section("What you will practise", entry.summary),
        section(
            "How to work through them",
            bullets([level.pace, fill(style.exercise_tip, entry.name, medium)]),
        ),
        section(
            "Quick reference", key_ideas_block(style, entry.name, _key_ideas(entry, profile.level))
        ),
        section("Examples to model your answers on", numbered(entry.examples)),
        section("Watch out for", bullets(entry.common_mistakes)),
        section(
            "Check your work",
            "Every exercise comes with a model answer and an explanation. Your answer does not "
            "have to match word for word: it is right if it reaches the same result for the "
            "same reasons. Redo any exercise you missed tomorrow, without looking.",
        ),
        gaps_section(profile, style, entry.name, medium),
    ]
    return Draft(
        title=_title(entry, level, "practice exercises"),
        content=document(
            _title(entry, level, "practice exercises"), intro, [s for s in sections if s]
        ),
        examples=entry.examples,
        questions=tuple(questions),
        library_concept=entry.name,
    )
