from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from ailp.models.enums import ExperienceLevel, LearningStyle
from gateway.validation import Goals, Niche

_EXAMPLE: dict[str, Any] = {
    "target_niche": "tech_career",
    "experience_level": "beginner",
    "preferred_learning_style": "visual",
    "learning_goals": "Land a junior data analyst role within six months.",
}


class LearnerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    target_niche: Niche = Field(description="The field the learner studies, e.g. `tech_career`.")
    experience_level: ExperienceLevel
    preferred_learning_style: LearningStyle
    learning_goals: Goals | None = None


class LearnerUpdate(BaseModel):
    """Only the fields sent are changed; `learning_goals: null` clears the goals."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"experience_level": "intermediate"}]}
    )

    # None only stands for "not sent": these three may be left out but not set to null (the
    # service refuses a null), so the document does not offer null for them.
    target_niche: Niche | SkipJsonSchema[None] = None
    experience_level: ExperienceLevel | SkipJsonSchema[None] = None
    preferred_learning_style: LearningStyle | SkipJsonSchema[None] = None
    learning_goals: Goals | None = None


class LearnerOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "user_id": 1,
                    **_EXAMPLE,
                    "knowledge_state": {},
                    "engagement_metrics": {},
                    "created_at": "2026-11-28T10:00:00Z",
                }
            ]
        }
    )

    id: int
    user_id: int
    target_niche: str
    experience_level: ExperienceLevel
    preferred_learning_style: LearningStyle
    learning_goals: str | None
    knowledge_state: dict[str, Any] = Field(description="Maintained by the analytics worker.")
    engagement_metrics: dict[str, Any] = Field(description="Maintained by the analytics worker.")
    created_at: datetime
