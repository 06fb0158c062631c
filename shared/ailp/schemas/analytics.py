"""Analytics results as the API serves them (job result and `GET /api/learners/{id}/analytics`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Trend = Literal["improving", "stable", "declining", "insufficient_data"]
Severity = Literal["high", "medium", "low"]


class Velocity(BaseModel):
    sessions: int = Field(description="n, the number of sessions in the window")
    sessions_per_week: float
    avg_session_duration: float = Field(description="minutes")
    avg_completion_rate: float
    exercises_per_session: float
    velocity_score: float
    recent_performance: float | None
    historical_performance: float | None
    trend: Trend


class KnowledgeGap(BaseModel):
    concept: str
    total: int
    incorrect: int
    error_rate: float
    priority_score: float
    severity: Severity


class ConceptMastery(BaseModel):
    concept: str
    p_mastery: float = Field(
        description="Bayesian Knowledge Tracing (with forgetting) estimate that the concept is "
        "mastered, exact to 1e-9"
    )
    mastered: bool = Field(description="p_mastery ≥ 0.95")
    attempts: int
    correct: int
    last_answered_at: datetime
    next_review_at: datetime | None = Field(
        description="When FSRS schedules the next review (one review per concept per UTC day, "
        "rated by that day's first answer)"
    )
    params: Literal["default", "fitted"] = Field(
        # Results stored before fitted parameters existed have no such field: they used these.
        default="default",
        description="Whether p_mastery used the newest fitted parameters of this concept or the "
        "defaults (p_init 0.25, p_transit 0.15, guess 0.2, slip 0.1, p_forget 0)",
    )


class Recommendation(BaseModel):
    concept: str
    reason: Literal["knowledge_gap", "review_due", "not_mastered"]
    priority: int = Field(description="1 is the first thing to study")


class AnalyticsOut(BaseModel):
    learner_id: int
    as_of: datetime
    window_days: int
    velocity: Velocity
    knowledge_gaps: list[KnowledgeGap]
    mastery: list[ConceptMastery] = Field(
        default_factory=list, description="Per concept answered up to as_of, sorted by concept"
    )
    recommendations: list[Recommendation] = Field(default_factory=list, description="Best first")
    computed_at: datetime
