from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from ailp.jobs.submit import AnalyticsParams
from ailp.schemas.analytics import AnalyticsOut
from gateway.analytics import repository
from gateway.analytics.schemas import AnalyticsRequest
from gateway.deps import BrokerDep, CurrentUserId, PoolDep, SettingsDep
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
    settings: SettingsDep,
    data: AnalyticsRequest | None = None,
) -> Any:
    data = data or AnalyticsRequest()
    # Without as_of the job computes as of its own creation (the database's clock), so the
    # result does not depend on how long the job queued.
    params = AnalyticsParams(days=data.days, as_of=data.as_of.isoformat() if data.as_of else None)
    request = data.model_dump(mode="json", exclude_unset=True)
    job = jobs.new_job(user_id, learner_id, params, request, idempotency_key)
    return jobs.accepted(await jobs.enqueue(pool, broker, settings, job=job))


@router.get("", response_model=AnalyticsOut, summary="The latest analytics result")
async def latest_analytics(learner_id: RowId, user_id: CurrentUserId, pool: PoolDep) -> Any:
    return await repository.latest(pool, user_id=user_id, learner_id=learner_id)
