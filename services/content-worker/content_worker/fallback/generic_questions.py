"""Self-check questions (with answers) for a concept the library does not cover.

They test how well the learner studies the concept, not facts about it, so every answer is
true whatever the concept is.
"""

from __future__ import annotations

from content_worker.fallback.draft import Question
from content_worker.fallback.profile import Profile
from content_worker.fallback.styles import STYLES, fill
from content_worker.fallback.text import join_words, place_answer

_FIRST_STEP: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "beginner": (
        "You are new to {topic}. Which first step is most effective?",
        "Learn the core vocabulary and work through one simple, complete example",
        (
            "Start with the most advanced material so the basics feel easy later",
            "Memorise a long list of facts before trying any example",
            "Skip the definitions and start a large project straight away",
        ),
        "Vocabulary plus one complete example gives you a frame that everything else attaches "
        "to; advanced material and big projects overload a beginner.",
    ),
    "intermediate": (
        "You know the basics of {topic}. Which next step builds skill fastest?",
        "Apply it to realistic problems and review every mistake you make",
        (
            "Re-read introductory material until it feels completely familiar",
            "Collect more resources before doing any more practice",
            "Only practise the problems you can already solve easily",
        ),
        "Past the basics, skill grows from applying the idea and learning from specific "
        "errors; re-reading and easy problems feel productive but add little.",
    ),
    "advanced": (
        "You are experienced with {topic}. Which activity deepens your expertise most?",
        "Study edge cases and trade-offs, and explain them to others or in writing",
        (
            "Repeat beginner exercises to get faster at them",
            "Avoid sources that disagree with what you already know",
            "Focus on memorising more terminology",
        ),
        "Expertise lives in the edge cases and trade-offs; explaining them exposes the limits "
        "of your understanding. Repetition and memorisation plateau quickly.",
    ),
}


def _choice(key: str, prompt: str, answer: str, wrong: tuple[str, ...], why: str) -> Question:
    return Question(prompt, answer, why, place_answer(answer, wrong, key))


def first_step(profile: Profile) -> Question:
    prompt, answer, wrong, why = _FIRST_STEP[profile.level]
    return _choice(f"{profile.topic}:first", fill(prompt, profile.topic, ""), answer, wrong, why)


def check_understanding(profile: Profile) -> Question:
    return _choice(
        f"{profile.topic}:check",
        f"Which is the most reliable way to check that you really understand {profile.topic}?",
        "Explain it in your own words and answer questions about it without notes",
        (
            "Re-read your notes until they look familiar",
            "Highlight the most important sentences in your reading",
            "Watch one more video about it",
        ),
        "Retrieving and explaining without support (active recall) shows what you can actually "
        "do; familiarity from re-reading or highlighting is easily mistaken for understanding.",
    )


def _spacing(profile: Profile) -> Question:
    return _choice(
        f"{profile.topic}:spacing",
        f"How should you schedule your reviews of {profile.topic}?",
        "Short reviews spread over growing intervals, such as 1, 3 and 7 days after learning",
        (
            "One long session the night before you need it",
            "Only when you notice that you have forgotten something",
            "Once, at the very end of the course, covering everything",
        ),
        "Spaced repetition: each review just before you would forget strengthens memory far "
        "more than the same time spent cramming in one block.",
    )


def _style_match(profile: Profile) -> Question:
    activities = {name: fill(style.activity, profile.topic, "") for name, style in STYLES.items()}
    answer = activities[profile.style]
    wrong = tuple(text for name, text in activities.items() if name != profile.style)
    return _choice(
        f"{profile.topic}:style",
        f"Which activity best matches the {profile.style} learning style you prefer?",
        answer,
        wrong,
        f"{answer} is the {profile.style} way in; the other options suit the other styles. "
        f"Mixing in other styles now and then still helps you remember.",
    )


def _stuck(profile: Profile) -> Question:
    return _choice(
        f"{profile.topic}:stuck",
        f"You keep getting the same kind of practice problem on {profile.topic} wrong. "
        f"What is the most useful next step?",
        "Find the exact step where your reasoning goes wrong, fix it, then retry a similar problem",
        (
            "Move on to a new topic and come back much later",
            "Memorise the answer to that particular problem",
            "Re-read the whole chapter from the beginning",
        ),
        "Pinpointing the failing step targets the real gap; a memorised answer or a full "
        "re-read does not fix the reasoning that broke.",
    )


def _goal(profile: Profile) -> Question:
    target = (
        f"your goal (“{profile.goals}”)" if profile.goals else f"your work in {profile.niche_label}"
    )
    return _choice(
        f"{profile.topic}:goal",
        f"What is the best way to connect {profile.topic} to {target}?",
        f"Pick one small real task from it and use {profile.topic} in that task this week",
        (
            "Wait until you have mastered every detail before using it",
            "Study it in isolation now and connect it to real work later",
            "Choose the biggest project you can think of as your first application",
        ),
        "A small, real application soon after learning makes the idea stick and shows you "
        "which parts you have not yet understood.",
    )


def _gaps(profile: Profile) -> Question | None:
    if not profile.gaps:
        return None
    return _choice(
        f"{profile.topic}:gaps",
        f"Your results show weak spots in {join_words(list(profile.gaps))}. How should you "
        f"handle them while learning {profile.topic}?",
        f"Review them briefly first, then keep practising them alongside {profile.topic}",
        (
            "Ignore them: learning new topics will fix old gaps automatically",
            f"Stop learning {profile.topic} until the weak spots are perfect",
            "Only revisit them right before an exam",
        ),
        "New topics often build on earlier ones, so a short review first prevents confusion, "
        "and mixing old and new practice keeps both fresh.",
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
    topic, niche = profile.topic, profile.niche_label
    checks = [
        Question(
            f"Define {topic} in one or two sentences, in your own words, without using the "
            f"name “{topic}” itself.",
            f"A strong definition has three parts: the kind of thing it is, what it does or "
            f"means, and why it is useful. Template: “{topic}: a … that … so that …”.",
            "Defining without the name proves you understand the idea, not just the label. If "
            "you cannot fill in all three parts, revisit Core vocabulary and Purpose.",
        ),
        Question(
            f"What problem is solved by {topic}? Describe one situation in {niche} where you "
            f"would use it.",
            f"A good answer names a specific problem (not just “it is useful”), says what would "
            f"go wrong or be harder without {topic}, and describes a concrete situation — a "
            f"task, project or conversation — where you would reach for it.",
            "Knowing the problem an idea solves is what lets you recognise when to use it.",
        ),
        Question(
            f"Give one example and one non-example of {topic}, and name the feature that "
            f"separates them.",
            f"A good pair looks alike on the surface but differs in exactly the feature that "
            f"makes something count as {topic}. If you cannot name that feature, revisit How "
            f"it works.",
            "Contrasting cases sharpen the boundary of a concept much faster than more examples "
            "of the same kind.",
        ),
    ]
    checks.append(_LEVEL_CHECK[profile.level](topic))
    return checks


_LEVEL_CHECK = {
    "beginner": lambda topic: Question(
        f"List three terms you need in order to talk about {topic} and define each in one line.",
        "Any three central terms from your glossary are right if each definition is accurate "
        "and in your own words; check each one against your trusted source.",
        "A beginner's first barrier is vocabulary. Any term you had to look up goes on a "
        "flashcard for tomorrow.",
    ),
    "intermediate": lambda topic: Question(
        f"What mistake do people commonly make with {topic}, and how would you catch it early?",
        "A strong answer names a specific mistake (from your sources or your own practice), "
        "explains why it happens, and gives a concrete check that catches it: a test, a "
        "review step or a rule of thumb.",
        "Knowing the typical failure and its early warning sign is what separates using an "
        "idea from merely knowing it.",
    ),
    "advanced": lambda topic: Question(
        f"Where does {topic} stop working well? Describe one limitation or trade-off and the "
        f"alternative you would choose there.",
        f"A strong answer names a specific condition where {topic} is a poor fit, explains why "
        f"(cost, accuracy, complexity or context), and names the alternative you would choose "
        f"and what it costs in return.",
        "Expert judgement is knowing when not to use an idea; being able to argue the "
        "trade-off shows real depth.",
    ),
}
