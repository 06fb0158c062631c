"""A generated content piece as the API serves it (job result and `GET /api/content/{id}`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ailp.models.enums import ContentSource, ContentType


class Exercise(BaseModel):
    id: str
    prompt: str
    choices: list[str] | None = None
    answer: str
    explanation: str
    concept: str


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class ContentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "content_id": "0b7c1a52-6f7e-4a2b-9d8e-2f1f5c3d9a10",
                    "learner_id": 1,
                    "concept": "SQL joins",
                    "content_type": "lesson",
                    "title": "SQL joins for data analysts",
                    "content": "## Why joins matter\n...",
                    "examples": ["SELECT ... FROM orders JOIN customers ..."],
                    "exercises": [
                        {
                            "id": "ex1",
                            "prompt": "Which join keeps unmatched rows from the left table?",
                            "choices": ["INNER JOIN", "LEFT JOIN", "CROSS JOIN"],
                            "answer": "LEFT JOIN",
                            "explanation": "A LEFT JOIN keeps every left row.",
                            "concept": "SQL joins",
                        }
                    ],
                    "source": "openai",
                    "model": "gpt-4o-mini",
                    "prompt_version": "v2",
                    "usage": {"input_tokens": 420, "output_tokens": 900, "cost_usd": 0.00060},
                    "notice": None,
                    "created_at": "2026-11-28T10:00:00Z",
                }
            ]
        }
    )

    content_id: uuid.UUID
    learner_id: int
    concept: str
    content_type: ContentType
    title: str
    content: str = Field(description="The body, in Markdown.")
    examples: list[Any]
    exercises: list[Exercise]
    source: ContentSource
    model: str | None
    prompt_version: str
    usage: Usage
    notice: str | None = Field(
        description="Set when the piece is not fresh model output: why AI generation was unavailable."
    )
    created_at: datetime
