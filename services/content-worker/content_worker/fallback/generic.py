"""A complete study guide for a concept the curated library does not cover.

Built only from the concept's name and the learner's profile: what to learn, a step-by-step
plan, self-check questions with answers and a week-by-week practice plan.
"""

from __future__ import annotations

from content_worker.fallback.draft import Draft, Question
from content_worker.fallback.generic_questions import (
    check_understanding,
    first_step,
    quiz_questions,
    self_checks,
)
from content_worker.fallback.levels import Level, level_of
from content_worker.fallback.profile import Profile, practice_medium
from content_worker.fallback.sections import (
    document,
    gaps_section,
    goal_sentence,
    intro_line,
    section,
)
from content_worker.fallback.styles import Style, fill, study_tips, style_of, style_task
from content_worker.fallback.text import bullets, numbered, table

_BASE_TOPICS = (
    ("Core vocabulary", "the handful of terms every explanation of {topic} uses"),
    ("Purpose", "the problem solved by {topic}, who needs it and what happens without it"),
    ("How it works", "the main parts or steps of {topic} and the order they come in"),
    ("First examples", "two or three simple, complete examples you can reproduce yourself"),
    ("Common pitfalls", "the mistakes people typically make with {topic} and how to notice them"),
)
_APPLIED_TOPICS = (
    ("Applying it", "using {topic} in realistic tasks in {niche}, from start to finish"),
    (
        "Connections",
        "the links between {topic} and neighbouring ideas, and when an alternative fits better",
    ),
)
_EXPERT_TOPICS = (
    ("Edge cases and limits", "where {topic} stops working well or behaves unexpectedly"),
    (
        "Trade-offs and current practice",
        "how experts choose, combine and debate approaches to {topic}",
    ),
)

_WEEKS: dict[str, tuple[tuple[str, str], ...]] = {
    "beginner": (
        (
            "Vocabulary and purpose",
            "build a glossary and write one paragraph on why {topic} exists",
        ),
        ("How it works", "study the main parts or steps and reproduce two simple examples"),
        ("Practice", "three practice sessions; keep a log of every mistake and its fix"),
        ("Review and apply", "answer the self-checks, do one small real task, teach it back"),
    ),
    "intermediate": (
        ("Audit and refresh", "list what you know, check it against a reference, fill the gaps"),
        ("Apply", "use {topic} in realistic tasks and log every mistake with its cause"),
        ("Connect and review", "compare {topic} with related ideas; redo the tasks you missed"),
    ),
    "advanced": (
        ("Edge cases and trade-offs", "read primary sources and collect where {topic} breaks down"),
        ("Teach and build", "write a short explainer or build something that stretches {topic}"),
    ),
}

_WEEKLY_ACTIVITY = {
    "visual": "update your concept map of {topic}",
    "auditory": "explain the week's material aloud and record it",
    "reading": "write a half-page summary in your notes",
    "kinesthetic": "finish with a hands-on task {medium}",
}

_SELF_TEST = {
    "visual": "sketch the part as a diagram from memory",
    "auditory": "explain the part aloud as if teaching it",
    "reading": "write a five-sentence summary of the part",
    "kinesthetic": "try the part out in a small hands-on task {medium}",
}

_STUDY_MISTAKES = (
    "Collecting resources instead of working properly through one good one.",
    "Re-reading until the material feels familiar: familiarity is not the same as being able "
    "to use it.",
    "Skipping the vocabulary, then getting lost in explanations that rely on it.",
    "Practising only what already feels easy, and never timing or testing yourself.",
)


def _sub_topics(profile: Profile) -> list[tuple[str, str]]:
    topics = list(_BASE_TOPICS)
    if profile.level in ("intermediate", "advanced"):
        topics += _APPLIED_TOPICS
    if profile.level == "advanced":
        topics += _EXPERT_TOPICS
    return [
        (name, text.replace("{topic}", profile.topic).replace("{niche}", profile.niche_label))
        for name, text in topics
    ]


def _what_to_learn(profile: Profile) -> str:
    items = [f"**{name}** — {text}." for name, text in _sub_topics(profile)]
    return (
        f"Break {profile.topic} into these parts and learn them in order; each one is a "
        f"session or two of focused study.\n\n{numbered(items)}"
    )


def _plan_steps(profile: Profile, level: Level) -> list[str]:
    topic, minutes = profile.topic, level.session_minutes
    first = {
        "beginner": f"Get the big picture ({minutes} minutes): read one beginner-friendly "
        f"overview of {topic} from a trusted source — a textbook chapter, official "
        f"documentation or a well-reviewed course.",
        "intermediate": f"Audit yourself ({minutes} minutes): write down everything you can say "
        f"about {topic}, then compare it with an authoritative reference and mark the gaps.",
        "advanced": f"Find the frontier ({minutes} minutes): list the questions about {topic} "
        f"you cannot answer confidently, and find a primary source for each.",
    }[profile.level]
    target = (
        f"your goal (“{profile.goals}”)" if profile.goals else f"your work in {profile.niche_label}"
    )
    return [
        first,
        "Build your vocabulary: a glossary of the 8–12 terms that keep appearing, each with a "
        "definition and an example in your own words.",
        f"Study one part from “What to learn” per session of about {minutes} minutes, in order. "
        f"End each session by writing three questions on it and answering them without notes.",
        "Work through worked examples: reproduce each without looking, then change one detail "
        "and predict the result before checking.",
        "Answer the self-check questions and go back to any part where your answer was thin.",
        f"Apply it: use {topic} in one small, real task connected to {target}.",
        "Review on a spaced schedule — 1, 3 and 7 days after first learning each part.",
    ]


def _study_session(style: Style, level: Level, medium: str) -> str:
    minutes = level.session_minutes
    quarter = max(minutes // 4, 5)
    rows = [
        (f"0–{quarter} min", "Warm up: write what you already know about the part, without notes."),
        (
            f"{quarter}–{minutes - quarter} min",
            "Study one source on that part and take notes in your own words.",
        ),
        (
            f"{minutes - quarter}–{minutes} min",
            "Close everything and test yourself: "
            + fill(_SELF_TEST[style.name], "", medium)
            + ", then write three questions with answers.",
        ),
    ]
    if style.name == "visual":
        body = table(("Time", "What you do"), rows)
    else:
        body = bullets(f"**{when}:** {what}" for when, what in rows)
    return (
        f"One study session on a single part of the topic looks like this:\n\n{body}\n\n"
        "The final self-test is the most important step: what you can recall without help is "
        "what you have actually learned."
    )


def _practice_plan(profile: Profile, style: Style, level: Level, medium: str) -> str:
    activity = fill(_WEEKLY_ACTIVITY[style.name], profile.topic, medium)
    weeks = [
        (f"Week {n}", focus, _capitalised(f"{fill(task, profile.topic, medium)}; {activity}."))
        for n, (focus, task) in enumerate(_WEEKS[profile.level], start=1)
    ]
    lead = f"{len(weeks)} weeks, three sessions of about {level.session_minutes} minutes a week:"
    if style.name == "visual":
        body = table(("Week", "Focus", "Activities"), weeks)
    else:
        body = bullets(f"**{week} — {focus}:** {tasks}" for week, focus, tasks in weeks)
    return f"{lead}\n\n{body}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _examples(topic: str) -> tuple[str, ...]:
    return (
        f"Definition template: “{topic}: a … that … so that …”. Fill it in after your first "
        f"session and sharpen it after your last.",
        f"Example and non-example: write one case that clearly belongs to {topic} and one that looks "
        f"similar but is not, then name the feature that separates them.",
        f"Self-test card: front — “What problem is solved by {topic}?”; back — your one-sentence "
        f"answer, checked against a trusted source.",
    )


def _style_task(profile: Profile, style: Style, medium: str) -> Question:
    topic = profile.topic
    ideas = (
        "its core vocabulary",
        "the problem it solves",
        "how its main parts work",
        "one mistake to avoid",
    )
    summary = (
        f"A model summary covers, in your own words: what {topic} means, the problem it solves, "
        f"how its main parts work, one short example and one mistake to avoid."
    )
    example = (
        f"pick one simple, complete worked example of {topic} from a trusted textbook, course "
        f"or official documentation."
    )
    return style_task(style, topic, ideas, summary, example, medium)


def _hands_on(profile: Profile, style: Style, medium: str) -> list[Question]:
    topic = profile.topic
    tasks = [
        Question(
            f"Build a glossary: list 8–12 key terms of {topic}, each with a one-line definition "
            f"in your own words and a short example.",
            "A useful glossary uses the format “term — definition — example”, covers the terms "
            "that appear in almost every explanation of the topic, and has each definition "
            "checked against a trusted source.",
            "Vocabulary is the base layer: explanations become much easier to follow once the "
            "terms are yours.",
        ),
        Question(
            f"Work through one complete worked example of {topic} from a trusted source, then "
            f"close it and reproduce it from memory {medium}.",
            "Your reproduction reaches the same result with every step justified. Mark each step "
            "you had to look up: those steps are what to practise next.",
            "Reproducing from memory turns passive reading into active recall, which is what "
            "builds lasting skill.",
        ),
        Question(
            f"Write five self-test questions about {topic} with answers, then answer them again "
            f"two days later without notes.",
            "Good self-test questions ask why and how, not only what; at least two should need "
            "an example in the answer. On the second attempt, any question you miss goes into "
            "your next session.",
            "Spaced self-testing is one of the most reliable ways to remember what you study.",
        ),
        _style_task(profile, style, medium),
    ]
    if profile.level != "beginner":
        goal = f" towards your goal (“{profile.goals}”)" if profile.goals else ""
        tasks.append(
            Question(
                f"Apply it: choose one small, real task in {profile.niche_label}{goal} and use "
                f"{topic} in it. Write down what you did, what worked and what you would change.",
                "A strong write-up names the task, the exact part of the topic you used, one "
                "thing that went wrong or surprised you, and what you would do differently.",
                "Using an idea in a real setting shows which parts you understand and which "
                "you only recognise.",
            )
        )
    if profile.level == "advanced":
        tasks.append(
            Question(
                f"Compare {topic} with one alternative approach: when would you choose each, "
                f"and what does each cost?",
                "A strong comparison states the situation each option suits, at least two "
                "criteria (such as cost, accuracy, speed, complexity or risk) and a clear "
                "recommendation for a concrete case.",
                "Weighing alternatives is the core of expert judgement.",
            )
        )
    return tasks


def _self_check_block(questions: list[Question]) -> str:
    return "\n\n".join(
        f"**Q{n}. {q.prompt}**\n\n*Answer:* {q.answer}" for n, q in enumerate(questions, start=1)
    )


def build_generic(profile: Profile) -> Draft:
    level, style = level_of(profile.level), style_of(profile.style)
    medium = practice_medium(profile.niche)
    topic = profile.topic
    if profile.content_type == "quiz":
        title = f"{topic}: {level.label} study-skills quiz"
        questions = quiz_questions(profile)
        intro = (
            f"{len(questions)} multiple-choice questions on how to learn {topic} effectively at "
            f"your level: where to start, how to check your understanding and how to practise."
        )
        sections = [
            section("What to learn", _what_to_learn(profile)),
            section(
                "How to take this quiz",
                fill(style.quiz_tip, topic, medium) + " Read each explanation afterwards: each "
                "one is a study technique you can use straight away.",
            ),
            section("Practice plan", _practice_plan(profile, style, level, medium)),
        ]
    elif profile.content_type == "exercise":
        title = f"{topic}: {level.label} practice plan and exercises"
        questions = _hands_on(profile, style, medium)
        intro = (
            f"{len(questions)} hands-on exercises that take you through {topic} step by step, "
            f"each with a model answer. {level.pace}"
        )
        sections = [
            section("What to learn", _what_to_learn(profile)),
            section("How to work through the exercises", bullets(_plan_steps(profile, level)[:4])),
            section("Practice plan", _practice_plan(profile, style, level, medium)),
            section(
                "Check your work",
                "Each exercise has a model answer describing what a strong answer contains. "
                "Compare yours point by point and redo anything that falls short in two days. "
                + fill(style.exercise_tip, topic, medium),
            ),
        ]
    else:
        title = f"{topic}: {level.label} study guide"
        checks = self_checks(profile)
        questions = [first_step(profile), check_understanding(profile), checks[0]]
        questions.append(_style_task(profile, style, medium))
        intro = (
            f"A structured guide to learning {topic}: what to learn, a step-by-step plan, "
            f"self-check questions with answers and a practice plan, all matched to your level "
            f"and learning style."
        )
        sections = [
            section("Why it matters", goal_sentence(profile, topic)),
            section("What to learn", _what_to_learn(profile)),
            section("Step-by-step plan", numbered(_plan_steps(profile, level))),
            section("A worked study session", _study_session(style, level, medium)),
            section("Common mistakes when learning something new", bullets(_STUDY_MISTAKES)),
            section(
                f"How to study this as a {style.name} learner",
                bullets(study_tips(style, profile.level, topic, medium)),
            ),
            section("Self-check questions (with answers)", _self_check_block(checks)),
            section("Practice plan", _practice_plan(profile, style, level, medium)),
            section("Next steps", fill(level.next_step, topic, "")),
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
