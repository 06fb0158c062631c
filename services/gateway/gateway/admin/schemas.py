from __future__ import annotations

from datetime import datetime

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


class ConceptParameters(BaseModel):
    concept: str
    p_init: float = Field(description="P(known) before the first answer")
    p_transit: float = Field(description="P(unknown → known) after each answer")
    p_forget: float = Field(description="P(known → unknown) after each answer")
    guess: float = Field(description="P(right answer | unknown)")
    slip: float = Field(description="P(wrong answer | known)")
    responses: int = Field(description="Answers the fit learned this concept from")


class CalibrationBin(BaseModel):
    lower: float = Field(description="Predicted P(correct) from (inclusive)…")
    upper: float = Field(description="…to (exclusive; the last bin includes 1)")
    answers: int = Field(description="Held-out answers whose prediction fell in the bin")
    predicted: float | None = Field(description="Mean predicted P(correct); null when empty")
    observed: float | None = Field(description="Share answered right; null when empty")


class LearnerModelEvaluation(BaseModel):
    auc: float | None = Field(
        description="Next-answer AUC of the fitted parameters on the held-out learners' answers "
        "(null when those answers are all right or all wrong)"
    )
    log_loss: float | None = Field(description="Next-answer log loss on the same answers")
    held_out_answers: int
    baseline_auc: float | None = Field(
        description="AUC of the default parameters on the same held-out answers"
    )
    baseline_log_loss: float | None = None
    held_out_learners: int | None = None
    calibration: list[CalibrationBin] = Field(
        default_factory=list,
        description="Predicted against observed P(correct) in ten bins of the prediction",
    )
    baseline_calibration: list[CalibrationBin] = Field(default_factory=list)


class LearnerModel(BaseModel):
    version: int = Field(description="The parameter version; the analytics worker uses the newest")
    fitted_at: datetime
    source: str = Field(
        description="What it was fitted from: `platform`, `platform (scheduled)` or `file NAME`"
    )
    concepts: list[ConceptParameters] = Field(
        description="Fitted concepts, by name; every other concept uses the defaults (p_init "
        "0.25, p_transit 0.15, p_forget 0, guess 0.2, slip 0.1)"
    )
    evaluation: LearnerModelEvaluation
