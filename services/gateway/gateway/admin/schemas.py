from __future__ import annotations

from pydantic import BaseModel, Field


class ContentStats(BaseModel):
    generated: int = Field(description="Content pieces stored in the window")
    by_source: dict[str, int] = Field(description="openai, cache, fallback")
    ai_success_rate: float = Field(description="(openai + cache) / generated; 0 when none")
    fallback_rate: float
    cost_usd: float = Field(description="Model spend in the window")
    cost_usd_today: float = Field(description="Model spend of the current UTC day")
    budget_usd_today: float = Field(description="OPENAI_DAILY_BUDGET_USD")


class ConceptRequests(BaseModel):
    concept: str
    requests: int


class JobStats(BaseModel):
    queued: int
    running: int
    failed: int = Field(description="Jobs that failed in the window")
    avg_wait_seconds: float = Field(
        description="Mean time from creation to start, jobs started in the window"
    )


class TopSpender(BaseModel):
    user_id: int
    username: str
    cost_usd_today: float = Field(description="Model spend of this user in the current UTC day")
    in_flight_usd: float = Field(description="Worst-case cost of this user's calls in flight")
    allowance_usd: float = Field(description="OPENAI_USER_DAILY_BUDGET_USD")


class AdminStats(BaseModel):
    window_days: int
    users_total: int
    new_users: int
    active_users_daily: int = Field(
        description="Users with a study session or a job in the last 24 h"
    )
    active_users_monthly: int = Field(description="… in the last 30 days")
    sessions: int = Field(description="Study sessions logged in the window")
    avg_completion_rate: float
    content: ContentStats
    top_concepts: list[ConceptRequests]
    top_spenders: list[TopSpender] = Field(
        description="The users who spent most model budget today, most first (at most 10)"
    )
    jobs: JobStats
