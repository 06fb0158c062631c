"""How depth, pace and difficulty change with the learner's experience level."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Level:
    label: str  # "Beginner"
    reader: str  # "a beginner"
    lesson_intro: str  # "{topic}" is filled in
    quiz_intro: str
    exercise_intro: str
    pace: str  # how to work through exercises
    plan_weeks: int  # length of a generic practice plan
    session_minutes: int
    next_step: str  # "{topic}" is filled in


LEVELS: dict[str, Level] = {
    "beginner": Level(
        label="Beginner",
        reader="a beginner",
        lesson_intro=(
            "This lesson starts from zero. Every idea is explained in plain words, one step at "
            "a time, with small examples you can check yourself."
        ),
        quiz_intro="The questions start with the basics and build up gently.",
        exercise_intro=("The exercises start small and build on each other, so do them in order."),
        pace=(
            "Do the exercises in order. If you get stuck for more than five minutes, re-read the "
            "key points above, then try again before reading the model answer."
        ),
        plan_weeks=4,
        session_minutes=20,
        next_step=(
            "Take a short quiz on {topic} in two or three days to check what stayed with you, "
            "then practise with the exercises."
        ),
    ),
    "intermediate": Level(
        label="Intermediate",
        reader="an intermediate learner",
        lesson_intro=(
            "This lesson assumes you know the basics. It focuses on using {topic} correctly in "
            "real work and on the mistakes that still catch people with some experience."
        ),
        quiz_intro=(
            "The questions go beyond definitions: they test whether you can apply {topic} and "
            "spot mistakes."
        ),
        exercise_intro=(
            "The exercises ask you to apply {topic} to realistic situations, not just recall it."
        ),
        pace=(
            "Give each exercise a real attempt before reading the model answer, and write down "
            "why your answer differs when it does."
        ),
        plan_weeks=3,
        session_minutes=30,
        next_step=(
            "Use {topic} in one real task this week, then move on to the advanced material: edge "
            "cases, trade-offs and the links between {topic} and related ideas."
        ),
    ),
    "advanced": Level(
        label="Advanced",
        reader="an advanced learner",
        lesson_intro=(
            "This lesson moves quickly over the basics and concentrates on subtleties, edge "
            "cases and trade-offs in {topic}."
        ),
        quiz_intro=(
            "The hardest questions come first; aim to justify each answer, not just pick it."
        ),
        exercise_intro=(
            "The exercises are ordered hardest first and end with applying {topic} to your own work."
        ),
        pace=(
            "Time-box each exercise, answer as if explaining to a colleague, and compare your "
            "reasoning (not just your result) with the model answer."
        ),
        plan_weeks=2,
        session_minutes=45,
        next_step=(
            "Teach {topic} to someone else or write a short explainer on its trade-offs; "
            "explaining edge cases is the fastest way to find the limits of your understanding."
        ),
    ),
}


def level_of(name: str) -> Level:
    return LEVELS[name]
