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


class AnalyticsOut(BaseModel):
    learner_id: int
    as_of: datetime
    window_days: int
    velocity: Velocity
    knowledge_gaps: list[KnowledgeGap]
    computed_at: datetime
