from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, status

from ailp.models.enums import JobKind
from ailp.schemas.analytics import AnalyticsOut
from gateway.analytics import repository
from gateway.analytics.schemas import AnalyticsRequest
from gateway.deps import BrokerDep, CurrentUserId, LimiterDep, PoolDep, SettingsDep
from gateway.jobs import service as jobs
from gateway.jobs.idempotency import IdempotencyKey
from gateway.jobs.router import ACCEPTED_RESPONSES
from gateway.jobs.schemas import JobOut
from gateway.validation import RowId

router = APIRouter(prefix="/api/learners/{learner_id}/analytics", tags=["analytics"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses=ACCEPTED_RESPONSES,
    summary="Compute velocity and knowledge gaps (asynchronous)",
)
async def request_analytics(
    learner_id: RowId,
    user_id: CurrentUserId,
    idempotency_key: IdempotencyKey,
    pool: PoolDep,
    broker: BrokerDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    data: AnalyticsRequest | None = None,
) -> Any:
    data = data or AnalyticsRequest()
    # as_of is fixed at submission, so the result does not depend on how long the job queued.
    as_of = data.as_of or datetime.now(UTC)
    job = await jobs.enqueue(
        pool,
        broker,
        limiter,
        settings,
        submission=jobs.Submission(
            user_id=user_id,
            learner_id=learner_id,
            kind=JobKind.analytics.value,
            params={"days": data.days, "as_of": as_of.isoformat()},
            request=data.model_dump(mode="json", exclude_unset=True),
            idempotency_key=idempotency_key,
        ),
    )
    return jobs.accepted(job)


@router.get("", response_model=AnalyticsOut, summary="The latest analytics result")
async def latest_analytics(learner_id: RowId, user_id: CurrentUserId, pool: PoolDep) -> Any:
    return await repository.latest(pool, user_id=user_id, learner_id=learner_id)
