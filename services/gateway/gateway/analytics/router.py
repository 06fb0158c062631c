from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ailp.schemas.analytics import AnalyticsOut
from gateway.analytics import service
from gateway.analytics.schemas import AnalyticsRequest
from gateway.deps import BrokerDep, CurrentUserId, PoolDep, SettingsDep
from gateway.jobs.idempotency import IdempotencyKey
from gateway.jobs.schemas import ACCEPTED_RESPONSES, JobOut
from gateway.responses import accepted
from gateway.validation import RowId

router = APIRouter(prefix="/api/learners/{learner_id}/analytics", tags=["analytics"])


@router.post(
    "",
    operation_id="analytics-request",
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
) -> Response:
    job = await service.request(
        pool,
        broker,
        settings,
        user_id=user_id,
        learner_id=learner_id,
        data=data,
        idempotency_key=idempotency_key,
    )
    return accepted(job)


@router.get(
    "",
    operation_id="analytics-get",
    response_model=AnalyticsOut,
    summary="The latest analytics result",
)
async def latest_analytics(
    learner_id: RowId, user_id: CurrentUserId, pool: PoolDep
) -> dict[str, Any]:
    return await service.latest(pool, user_id=user_id, learner_id=learner_id)
