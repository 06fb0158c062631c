"""Closed sets of values stored as text (checked by the database and by the wire schemas)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    user = "user"
    admin = "admin"


class ExperienceLevel(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


class LearningStyle(StrEnum):
    visual = "visual"
    auditory = "auditory"
    reading = "reading"
    kinesthetic = "kinesthetic"


class JobKind(StrEnum):
    content = "content"
    analytics = "analytics"


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    canceled = "canceled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({JobStatus.succeeded, JobStatus.failed, JobStatus.canceled})


class ContentType(StrEnum):
    lesson = "lesson"
    quiz = "quiz"
    exercise = "exercise"


class ContentSource(StrEnum):
    openai = "openai"
    cache = "cache"
    fallback = "fallback"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)
