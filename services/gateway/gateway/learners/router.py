from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from gateway.deps import CurrentUserId, PoolDep, SettingsDep
from gateway.learners import service
from gateway.learners.schemas import LearnerCreate, LearnerOut, LearnerUpdate
from gateway.responses import json_response
from gateway.validation import RowId

router = APIRouter(prefix="/api/learners", tags=["learners"])


@router.post(
    "",
    operation_id="learners-create",
    status_code=status.HTTP_201_CREATED,
    response_model=LearnerOut,
    summary="Create a learner profile",
    description="At most MAX_LEARNERS_PER_USER (default 20) profiles per account.",
    responses={
        409: {
            "description": (
                "a profile for that niche exists, or the account has MAX_LEARNERS_PER_USER "
                "profiles already"
            )
        }
    },
)
async def create_learner(
    data: LearnerCreate, user_id: CurrentUserId, pool: PoolDep, settings: SettingsDep
) -> dict[str, Any]:
    return await service.create(
        pool,
        user_id=user_id,
        values=data.model_dump(mode="json"),
        max_per_user=settings.max_learners_per_user,
    )


@router.get(
    "",
    operation_id="learners-list",
    response_model=list[LearnerOut],
    summary="Your learner profiles",
)
async def list_learners(user_id: CurrentUserId, pool: PoolDep) -> list[dict[str, Any]]:
    return await service.list_for_user(pool, user_id=user_id)


@router.get(
    "/{learner_id}",
    operation_id="learners-get",
    response_model=LearnerOut,
    summary="One learner profile",
)
async def get_learner(learner_id: RowId, user_id: CurrentUserId, pool: PoolDep) -> Response:
    return json_response(await service.get(pool, user_id=user_id, learner_id=learner_id))


@router.patch(
    "/{learner_id}",
    operation_id="learners-update",
    response_model=LearnerOut,
    summary="Change a learner profile",
    responses={409: {"description": "a profile for that niche exists"}},
)
async def update_learner(
    learner_id: RowId, data: LearnerUpdate, user_id: CurrentUserId, pool: PoolDep
) -> dict[str, Any]:
    changes = data.model_dump(mode="json", exclude_unset=True)
    return await service.update(pool, user_id=user_id, learner_id=learner_id, changes=changes)


@router.delete(
    "/{learner_id}",
    operation_id="learners-delete",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a learner profile and everything recorded for it",
)
async def delete_learner(learner_id: RowId, user_id: CurrentUserId, pool: PoolDep) -> Response:
    await service.delete(pool, user_id=user_id, learner_id=learner_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
