"""Study sessions and exercise responses as clients send and receive them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)

from gateway.validation import (
    MAX_JSON_DEPTH,
    ONE_LINE_PATTERN,
    STORABLE_TEXT_PATTERN,
    SUPPORTED_YEARS_PATTERN,
    BigId,
    Concept,
    StrictFloat,
    StrictInt,
    UtcDatetime,
    storable_json,
)

# Free-form JSON as `storable_json` accepts it, for the OpenAPI document (a component of its
# own, as it is recursive; `gateway.openapi` adds it).
STORABLE_JSON_REF = {"$ref": "#/components/schemas/StorableJson"}
STORABLE_JSON: dict[str, Any] = {
    "description": f"Any JSON value nested at most {MAX_JSON_DEPTH} levels deep, whose numbers "
    "fit in 64 bits and whose strings and keys hold no NUL and no unpaired surrogate.",
    "anyOf": [
        {"type": "string", "pattern": STORABLE_TEXT_PATTERN},
        {"type": "number", "minimum": -(2**63), "maximum": 2**63 - 1},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": STORABLE_JSON_REF},
        {
            "type": "object",
            "propertyNames": {"pattern": STORABLE_TEXT_PATTERN},
            "additionalProperties": STORABLE_JSON_REF,
        },
    ],
}
# An exercise item: free-form, but one with a string `concept` and a boolean `correct` is also an
# answer, so its concept follows the concept rules and its `answered_at` is a timestamp.
_EXERCISE_ITEM: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": STORABLE_TEXT_PATTERN},
    "additionalProperties": STORABLE_JSON_REF,
    "if": {
        "required": ["concept", "correct"],
        "properties": {"concept": {"type": "string"}, "correct": {"type": "boolean"}},
    },
    "then": {
        "properties": {
            "concept": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "pattern": ONE_LINE_PATTERN,
            },
            "answered_at": {
                "anyOf": [
                    {"type": "null"},
                    {"type": "string", "format": "date-time", "pattern": SUPPORTED_YEARS_PATTERN},
                ]
            },
        }
    },
}

Score = Annotated[StrictFloat, Field(ge=0, le=1)]
FreeJson = Annotated[
    list[Any],
    AfterValidator(storable_json),
    WithJsonSchema({"type": "array", "items": STORABLE_JSON_REF, "maxItems": 1000}),
]
ExerciseItems = Annotated[
    list[dict[str, Any]],
    AfterValidator(storable_json),
    WithJsonSchema({"type": "array", "items": _EXERCISE_ITEM, "maxItems": 1000}),
]

_concept = TypeAdapter(Concept)
_timestamp = TypeAdapter(UtcDatetime)


class SessionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "session_start": "2026-11-28T09:00:00Z",
                    "session_end": "2026-11-28T09:45:00Z",
                    "content_accessed": ["0b7c1a52-6f7e-4a2b-9d8e-2f1f5c3d9a10"],
                    "exercises_completed": [
                        {"concept": "SQL joins", "correct": True},
                        {"concept": "SQL window functions", "correct": False},
                    ],
                    "completion_rate": 0.8,
                    "performance_score": 0.7,
                }
            ]
        },
    )

    session_start: UtcDatetime
    session_end: UtcDatetime | None = None
    duration_minutes: StrictInt | None = Field(
        default=None,
        ge=0,
        le=100_000,
        description="Defaults to session_end - session_start in whole minutes.",
    )
    content_accessed: FreeJson = Field(default_factory=list, max_length=1000)
    exercises_completed: ExerciseItems = Field(
        default_factory=list,
        max_length=1000,
        description="Items with `concept` (string) and `correct` (bool), optionally `answered_at`, "
        "are also stored as exercise responses (answered_at defaults to session_end, else "
        "session_start).",
    )
    completion_rate: Score | None = None
    performance_score: Score | None = None
    _answers: list[tuple[str, bool, datetime]] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> SessionCreate:
        if self.session_end is not None:
            if self.session_end < self.session_start:
                raise ValueError("session_end must not be before session_start")
            if self.duration_minutes is None:
                seconds = (self.session_end - self.session_start).total_seconds()
                self.duration_minutes = min(int(seconds // 60), 100_000)
        self._answers = self._exercise_answers()
        return self

    @property
    def answers(self) -> list[tuple[str, bool, datetime]]:
        """The exercise items that are also answers: (concept, correct, answered_at)."""
        return self._answers

    def _exercise_answers(self) -> list[tuple[str, bool, datetime]]:
        default_time = self.session_end or self.session_start
        answers = []
        for index, item in enumerate(self.exercises_completed):
            concept, correct = item.get("concept"), item.get("correct")
            if not isinstance(concept, str) or not isinstance(correct, bool):
                continue
            try:
                clean = _concept.validate_python(concept)
                raw_time = item.get("answered_at")
                answered_at = (
                    default_time if raw_time is None else _timestamp.validate_python(raw_time)
                )
            except ValueError as exc:
                raise ValueError(f"exercises_completed[{index}]: {exc}") from exc
            if raw_time is not None:  # stored as given, but in UTC like every timestamp
                item["answered_at"] = answered_at.isoformat().replace("+00:00", "Z")
            answers.append((clean, correct, answered_at))
        return answers


class SessionOut(BaseModel):
    id: int
    learner_id: int
    session_start: datetime
    session_end: datetime | None
    duration_minutes: int | None
    content_accessed: list[Any]
    exercises_completed: list[Any]
    completion_rate: float | None
    performance_score: float | None
    created_at: datetime


class ResponseItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concept: Concept
    correct: StrictBool
    answered_at: UtcDatetime | None = Field(default=None, description="Defaults to now.")
    content_id: uuid.UUID | None = None
    session_id: BigId | None = None


class ResponsesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "responses": [
                        {"concept": "SQL joins", "correct": True},
                        {
                            "concept": "SQL joins",
                            "correct": False,
                            "answered_at": "2026-11-28T09:30:00+01:00",
                        },
                    ]
                }
            ]
        },
    )

    responses: list[ResponseItem] = Field(min_length=1, max_length=1000)


class StoredOut(BaseModel):
    stored: int
