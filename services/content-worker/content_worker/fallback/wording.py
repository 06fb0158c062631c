"""The offline builder's wording: data files in `texts/`, validated here at load.

Every sentence a learner reads in an offline piece comes from `texts/*.json` (the curated concepts
come from `library/*.json`); the builders only choose and assemble. Each file is checked against
the pydantic models below when it is first used, and a JSON Schema generated from the same models
is committed beside it (`texts/<file>.schema.json`, named by the file's `$schema`) so that an
editor checks the wording as it is written. After changing a model, regenerate the schemas:

    uv run python -m content_worker.fallback

Templates name the values they are filled with in braces, such as `{topic}`; a template may only
name the placeholders in `PLACEHOLDERS`, and a typo fails at load, not in front of a learner.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from content_worker.fallback.text import has_forbidden_words

_PACKAGE = "content_worker.fallback"
_DIRECTORY = "texts"

# Every value a template may name.
PLACEHOLDERS = frozenset(
    {
        "activity",
        "answer",
        "count",
        "example",
        "first_ideas",
        "focus",
        "goal",
        "goals",
        "gap",
        "gaps",
        "ideas",
        "key_point",
        "kind",
        "label",
        "medium",
        "minutes",
        "mistake",
        "n",
        "name",
        "niche",
        "pace",
        "passing",
        "prefers",
        "prompt",
        "quarter",
        "reader",
        "rest",
        "self_test",
        "style",
        "summary",
        "target",
        "task",
        "tasks",
        "text",
        "topic",
        "week",
        "weeks",
        "what",
        "when",
    }
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _check_template(text: str) -> str:
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - PLACEHOLDERS)
    if unknown:
        raise ValueError(f"unknown placeholder(s) {', '.join(unknown)} in {text!r}")
    if has_forbidden_words(text):
        raise ValueError(f"unfinished-content marker in {text!r}")
    if not text.strip():
        raise ValueError("a template must not be blank")
    return text


Template = Annotated[str, AfterValidator(_check_template)]
Templates = Annotated[tuple[Template, ...], Field(min_length=1)]


def render(template: str, **values: object) -> str:
    """The template with each `{name}` replaced by `values[name]`, in one pass (a value that
    itself contains braces is left as it is)."""
    return _format_string(template).format_map(values)


@cache
def _format_string(template: str) -> str:
    """The template as a `str.format` string: its placeholders kept, every other brace doubled
    (templates come from the data files: few, so each is converted once)."""
    parts = _PLACEHOLDER.split(template)
    return "".join(
        f"{{{part}}}" if index % 2 else part.replace("{", "{{").replace("}", "}}")
        for index, part in enumerate(parts)
    )


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _File(_Data):
    schema_: str | None = Field(
        default=None, alias="$schema", description="The JSON Schema this file follows."
    )


class QuestionText(_Data):
    """An open question: what the learner is asked, a model answer and why."""

    prompt: Template
    answer: Template
    explanation: Template


class ChoiceText(QuestionText):
    """A multiple-choice question: the answer and the wrong choices (placed around it)."""

    wrong: Annotated[tuple[Template, ...], Field(min_length=2, max_length=4)]


# --- levels.json ---------------------------------------------------------------------------


class Level(_Data):
    """How depth, pace and difficulty change with the learner's experience level."""

    label: Template = Field(description='In titles: "Beginner".')
    reader: Template = Field(description='Who the piece is written for: "a beginner".')
    lesson_intro: Template = Field(description="{topic} is filled in.")
    quiz_intro: Template = Field(description="{topic} is filled in.")
    exercise_intro: Template = Field(description="{topic} is filled in.")
    pace: Template = Field(description="How to work through exercises.")
    session_minutes: int = Field(ge=8, le=120, description="One study session of a plan.")
    next_step: Template = Field(description="{topic} is filled in.")


class Levels(_File):
    beginner: Level
    intermediate: Level
    advanced: Level

    def of(self, name: str) -> Level:
        level: Level = getattr(self, name)
        return level


# --- styles.json ---------------------------------------------------------------------------


class Style(_Data):
    """How the offline content adapts to one learning style. {topic} and {medium} are filled
    in wherever they appear."""

    name: str
    prefers: Template = Field(description='"learns best from diagrams, tables and pictures"')
    activity: Template = Field(description="The style's signature activity.")
    tips: Templates
    beginner_tip: Template
    advanced_tip: Template
    quiz_tip: Template
    exercise_tip: Template
    revisit_tip: Template
    key_ideas_note: Template | None = Field(description="Said after a list of key ideas.")
    examples_lead: Template = Field(description="Said before a curated piece's examples.")
    weekly_activity: Template = Field(description="Ends each week of a practice plan.")
    self_test: Template = Field(description="How a study session's self-test is done.")
    task: QuestionText = Field(
        description="The style's own open exercise: {topic}, {ideas} (the first four key ideas), "
        "{first_ideas} (the first two), {summary}, {example} and {medium} are filled in."
    )


class Styles(_File):
    visual: Style
    auditory: Style
    reading: Style
    kinesthetic: Style

    def of(self, name: str) -> Style:
        style: Style = getattr(self, name)
        return style

    def all(self) -> tuple[Style, ...]:
        return (self.visual, self.auditory, self.reading, self.kinesthetic)


# --- common.json ---------------------------------------------------------------------------


class PracticeMedium(_Data):
    words: Annotated[tuple[str, ...], Field(min_length=1)] = Field(
        description="A niche containing any of these (case-folded) practises in this medium."
    )
    medium: Template


class GapsText(_Data):
    heading: Template
    lead: Template
    known: Template
    unknown: Template


class Common(_File):
    """The profile's words and the parts every offline piece shares."""

    no_topic: Template
    no_niche: Template
    niche_labels: dict[str, str]
    practice_media: tuple[PracticeMedium, ...] = Field(description="The first match wins.")
    default_medium: Template
    intro_line: Template
    intro_goal: Template
    goal_sentence: Template
    no_goal_sentence: Template
    gaps: GapsText
    key_ideas_headers: tuple[Template, Template]
    at_a_glance: Template


# --- curated.json ---------------------------------------------------------------------------


class MistakeQuestion(_Data):
    first_prompt: Template
    other_prompt: Template
    explanation: Template


class CuratedExamples(_Data):
    heading: Template
    beginner_lead: Template
    headers: tuple[Template, Template]


class NextSteps(_Data):
    heading: Template
    related: Template
    goal: Template


class CuratedLesson(_Data):
    what_it_is: Template
    beginner_note: Template
    why_it_matters: Template
    key_ideas: Template
    common_mistakes: Template
    how_to_study: Template
    check_heading: Template
    check: Template


class CuratedQuiz(_Data):
    intro: Template
    refresher: Template
    how_heading: Template
    how: Template
    after_heading: Template
    after: Template


class CuratedExercise(_Data):
    intro: Template
    practise: Template
    how: Template
    reference: Template
    examples: Template
    watch_out: Template
    check_heading: Template
    check: Template


class Kinds(_Data):
    lesson: Template
    quiz: Template
    exercise: Template


class Curated(_File):
    """Lessons, quizzes and exercises written from a curated library entry."""

    title: Template
    kinds: Kinds
    mistake_question: MistakeQuestion
    style_task_summary: Template
    transfer_goal: Template
    transfer_task: QuestionText
    going_deeper: Template
    examples: CuratedExamples
    next_steps: NextSteps
    lesson: CuratedLesson
    quiz: CuratedQuiz
    exercise: CuratedExercise


# --- generic.json ---------------------------------------------------------------------------


class SubTopic(_Data):
    name: Template
    text: Template


class SubTopics(_Data):
    base: tuple[SubTopic, ...]
    applied: tuple[SubTopic, ...]
    expert: tuple[SubTopic, ...]


class WhatToLearn(_Data):
    heading: Template
    lead: Template
    item: Template


class PerLevel(_Data):
    beginner: Template
    intermediate: Template
    advanced: Template


class Plan(_Data):
    first_step: PerLevel
    steps: Templates


class SessionRow(_Data):
    when: Template
    what: Template


class StudySession(_Data):
    lead: Template
    headers: tuple[Template, Template]
    bullet: Template
    rows: tuple[SessionRow, SessionRow, SessionRow]
    closing: Template


class Week(_Data):
    focus: Template
    task: Template


class Weeks(_Data):
    beginner: Annotated[tuple[Week, ...], Field(min_length=1)]
    intermediate: Annotated[tuple[Week, ...], Field(min_length=1)]
    advanced: Annotated[tuple[Week, ...], Field(min_length=1)]


class PracticePlan(_Data):
    heading: Template
    lead: Template
    week: Template
    activities: Template
    headers: tuple[Template, Template, Template]
    bullet: Template
    weeks: Weeks


class GenericStyleTask(_Data):
    ideas: Templates
    summary: Template
    example: Template


class GenericQuiz(_Data):
    title: Template
    intro: Template
    how_heading: Template
    how: Template


class GenericExercise(_Data):
    title: Template
    intro: Template
    how: Template
    check_heading: Template
    check: Template


class GenericLesson(_Data):
    title: Template
    intro: Template
    why: Template
    plan: Template
    session: Template
    mistakes: Template
    how_to_study: Template
    checks: Template
    next: Template


class Generic(_File):
    """A study guide for a concept the curated library does not cover."""

    target_goal: Template
    target_niche: Template
    sub_topics: SubTopics
    what_to_learn: WhatToLearn
    plan: Plan
    study_session: StudySession
    practice_plan: PracticePlan
    study_mistakes: Templates
    examples: Templates
    style_task: GenericStyleTask
    hands_on: Annotated[tuple[QuestionText, ...], Field(min_length=1)]
    apply_goal: Template
    apply: QuestionText
    compare: QuestionText
    self_check: Template
    quiz: GenericQuiz
    exercise: GenericExercise
    lesson: GenericLesson


# --- questions.json ---------------------------------------------------------------------------


class FirstStep(_Data):
    beginner: ChoiceText
    intermediate: ChoiceText
    advanced: ChoiceText


class StyleMatch(_Data):
    prompt: Template
    explanation: Template


class LevelCheck(_Data):
    beginner: QuestionText
    intermediate: QuestionText
    advanced: QuestionText


class Questions(_File):
    """Self-check questions for a concept the library does not cover: they test how well the
    learner studies the concept, not facts about it, so every answer is true whatever it is."""

    first_step: FirstStep
    check: ChoiceText
    spacing: ChoiceText
    style_match: StyleMatch
    stuck: ChoiceText
    goal: ChoiceText
    gaps: ChoiceText
    self_checks: Annotated[tuple[QuestionText, ...], Field(min_length=1)]
    level_check: LevelCheck


FILES: dict[str, type[_File]] = {
    "common": Common,
    "curated": Curated,
    "generic": Generic,
    "levels": Levels,
    "questions": Questions,
    "styles": Styles,
}


def _read(name: str) -> Any:
    root = resources.files(_PACKAGE).joinpath(_DIRECTORY)
    return json.loads(root.joinpath(f"{name}.json").read_text(encoding="utf-8"))


@cache
def _load(name: str) -> Any:
    return FILES[name].model_validate(_read(name))


def common() -> Common:
    loaded: Common = _load("common")
    return loaded


def curated() -> Curated:
    loaded: Curated = _load("curated")
    return loaded


def generic() -> Generic:
    loaded: Generic = _load("generic")
    return loaded


def levels() -> Levels:
    loaded: Levels = _load("levels")
    return loaded


def questions() -> Questions:
    loaded: Questions = _load("questions")
    return loaded


def styles() -> Styles:
    loaded: Styles = _load("styles")
    return loaded


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema committed as `texts/<name>.schema.json`."""
    return schema_of(FILES[name])


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """A file model's JSON Schema, as committed beside the files it describes."""
    schema = model.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text(name: str) -> str:
    return as_text(json_schema(name))


def as_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas() -> list[Path]:
    """Write every wording file's JSON Schema beside it (run after changing a model)."""
    directory = Path(__file__).parent / _DIRECTORY
    written = []
    for name in FILES:
        path = directory / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
