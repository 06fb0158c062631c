from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gateway.admin import service
from gateway.admin.schemas import AdminStats, LearnerModel
from gateway.deps import CurrentAdminId, PoolDep, SettingsDep

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get(
    "/stats",
    operation_id="admin-stats",
    response_model=AdminStats,
    summary="The business dashboard: growth, engagement, AI performance and spend",
    responses={403: {"description": "not an administrator"}},
)
async def admin_stats(
    _admin: CurrentAdminId,
    pool: PoolDep,
    settings: SettingsDep,
    days: Annotated[int, Query(ge=1, le=365, description="Window for the windowed figures")] = 30,
) -> dict[str, Any]:
    return await service.stats(pool, settings, days=days)


@router.get(
    "/learner-model",
    operation_id="admin-learner-model",
    response_model=LearnerModel,
    summary="The newest fitted learner-model parameters and how well they predict held-out answers",
    responses={
        403: {"description": "not an administrator"},
        404: {"description": "nothing fitted yet: every concept uses the default parameters"},
    },
)
async def admin_learner_model(_admin: CurrentAdminId, pool: PoolDep) -> dict[str, Any]:
    return await service.learner_model(pool)
