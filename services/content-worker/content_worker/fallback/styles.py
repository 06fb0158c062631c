"""How the offline content adapts to the learner's preferred learning style."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from content_worker.fallback.draft import Question
from content_worker.fallback.text import bullets, shorten, table, tree


@dataclass(frozen=True, slots=True)
class Style:
    name: str
    prefers: str  # "learns best from diagrams, tables and pictures"
    activity: str  # the style's signature activity; "{topic}" is filled in
    tips: tuple[str, ...]  # "{topic}" and "{medium}" are filled in
    beginner_tip: str
    advanced_tip: str
    quiz_tip: str
    exercise_tip: str
    revisit_tip: str


STYLES: dict[str, Style] = {
    "visual": Style(
        name="visual",
        prefers="learns best from diagrams, tables and pictures",
        activity="Drawing a diagram that shows how the parts of {topic} connect",
        tips=(
            "Sketch a one-page concept map: write {topic} in the middle and draw one branch per "
            "key idea, with an arrow wherever one idea depends on another.",
            "Turn worked examples into a two-column table (situation → result) and highlight "
            "the detail that changes the result.",
            "Use colour consistently: one colour for definitions, one for rules, one for mistakes.",
            "The next day, redraw your sketch from memory, compare it with this piece and add "
            "what you missed in a different colour.",
        ),
        beginner_tip="Keep diagrams simple: boxes and arrows, five boxes at most.",
        advanced_tip=(
            "Add the edge cases and trade-offs to your diagram as annotations at the points "
            "where the simple picture breaks down."
        ),
        quiz_tip=(
            "Before answering, picture the diagram or table of {topic} in your head; for each "
            "wrong answer, sketch the idea it missed."
        ),
        exercise_tip=(
            "Start each exercise with a quick sketch (a table, a flow of steps or boxes and "
            "arrows) before writing the answer."
        ),
        revisit_tip="Draw a small diagram for each one showing how it links to {topic}.",
    ),
    "auditory": Style(
        name="auditory",
        prefers="learns best by listening, speaking and discussing",
        activity="Explaining {topic} aloud and discussing it with a study partner",
        tips=(
            "Read the main points aloud, then close the page and explain {topic} out loud in "
            "under two minutes.",
            "Teach it back: explain {topic} to a friend, a study partner or a voice recorder, "
            "then listen back for the points you skipped or hesitated on.",
            "Discuss the common mistakes with someone: for each one, say why it happens and "
            "how you would avoid it.",
            "Record yourself reading examples and listen to the recording during a walk or "
            "commute; pause it and predict what comes next.",
        ),
        beginner_tip="Say new terms aloud several times until they feel familiar in your mouth.",
        advanced_tip=(
            "Debate the trade-offs with a peer: argue for one approach, then switch sides."
        ),
        quiz_tip=(
            "Read each question aloud and say your reasoning before choosing; after the quiz, "
            "explain every missed answer out loud."
        ),
        exercise_tip=(
            "Talk through each exercise out loud before you write your answer, as if a "
            "colleague were listening."
        ),
        revisit_tip="Explain each one aloud in a single sentence and say how it connects to {topic}.",
    ),
    "reading": Style(
        name="reading",
        prefers="learns best from reading and writing",
        activity="Writing a structured summary of {topic} in your own words",
        tips=(
            "Take Cornell-style notes: key ideas in the main column, your own questions in the "
            "margin, and a three-sentence summary at the bottom.",
            "Write a summary of {topic} in five sentences or fewer, in your own words.",
            "Reading plan: read this piece once quickly, once slowly while taking notes, and "
            "two days later re-read only your notes and summary.",
            "Keep a running glossary: every new term with a one-line definition and an example.",
        ),
        beginner_tip="Rewrite each key idea as a full sentence in your own words before moving on.",
        advanced_tip=(
            "Read a primary source (official documentation, a reference grammar or a textbook "
            "chapter) and annotate where it adds nuance to this piece."
        ),
        quiz_tip=(
            "Read every choice to the end before answering, and write one line explaining "
            "each answer you got wrong."
        ),
        exercise_tip="Write your full answer down before comparing it with the model answer.",
        revisit_tip="Re-read your notes on each one and write a two-line summary linking it to {topic}.",
    ),
    "kinesthetic": Style(
        name="kinesthetic",
        prefers="learns best by doing, building and trying things",
        activity="Building or trying something hands-on that uses {topic}",
        tips=(
            "Learn by doing: work through each worked example yourself {medium} before reading "
            "its explanation.",
            "Change one thing at a time in an example and predict the result before you check it.",
            "Make physical flashcards, one key idea per card, and sort them into 'know it' and "
            "'not yet' piles; repeat with the 'not yet' pile.",
            "Study in short active bursts of about 25 minutes, each ending with a small "
            "hands-on task, and move around between bursts.",
        ),
        beginner_tip="Copy each example exactly first, then change it once you have it working.",
        advanced_tip=(
            "Build something slightly too hard for you that depends on {topic}; the places "
            "where it breaks show you what to learn next."
        ),
        quiz_tip=(
            "Keep scrap paper at hand (or work {medium}) and try out each question before "
            "choosing an answer."
        ),
        exercise_tip="Do each exercise for real, {medium}, rather than only thinking it through.",
        revisit_tip="Do one quick hands-on task for each one before you continue with {topic}.",
    ),
}


def style_of(name: str) -> Style:
    return STYLES[name]


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
    if style.name == "visual":
        rows = [(str(number), idea) for number, idea in enumerate(ideas, start=1)]
        return (
            table(("#", "Key idea"), rows)
            + "\n\nAt a glance:\n\n"
            + tree(topic, [f"{n}. {idea}" for n, idea in enumerate(ideas, start=1)])
        )
    if style.name == "auditory":
        return bullets(ideas) + "\n\nRead these aloud once, then say them again without looking."
    if style.name == "kinesthetic":
        return (
            bullets(ideas)
            + "\n\nCopy each idea onto its own card so you can sort and shuffle them."
        )
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
    shown = _idea_list(ideas[:4])
    if style.name == "visual":
        return Question(
            prompt=(
                f"Sketch it: draw a diagram (boxes and arrows, or a table) showing how the main "
                f"ideas of {topic} fit together. Then compare it with the model answer."
            ),
            answer=(
                f"A complete sketch puts {topic} at the centre and connects it to: "
                f"{shown}. Arrows show which idea depends on which, and every box "
                f"has a short label you could explain."
            ),
            explanation=(
                "Drawing forces you to decide how the ideas relate. Anything you could not place "
                "on the diagram is a gap to review."
            ),
        )
    if style.name == "auditory":
        return Question(
            prompt=(
                f"Explain it aloud: without looking, explain {topic} out loud in about two "
                f"minutes as if teaching a friend. Record yourself if you can, then compare."
            ),
            answer=(f"A complete spoken explanation of {topic} covers: {shown}."),
            explanation=(
                "Teaching back shows what you cannot yet put into words. Where you paused or "
                "skipped something, re-read that part and explain it again."
            ),
        )
    if style.name == "reading":
        return Question(
            prompt=(
                f"Write a summary: in three to five sentences of your own, summarise {topic} "
                f"and name one mistake to avoid."
            ),
            answer=summary,
            explanation=(
                "Compare your summary with this model. If yours misses one of its points, add it "
                "in your own words rather than copying."
            ),
        )
    return Question(
        prompt=(
            f"Try it yourself: work through this example {medium} without copying the "
            f"solution, then change one detail and predict the new result before you check it. "
            f"Example: {example}"
        ),
        answer=(
            f"Your version should reach the same result as the example. For your variation, "
            f"you should be able to say in advance what changes and why, using: "
            f"{_idea_list(ideas[:2])}."
        ),
        explanation=(
            "Doing it and then changing one thing turns a read example into a skill. If your "
            "prediction was wrong, that difference is exactly what to study next."
        ),
    )
