from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from ailp.models.enums import ContentType
from ailp.schemas.content import ContentOut
from gateway.content import service
from gateway.content.schemas import GenerateContentIn
from gateway.deps import BrokerDep, CurrentUserId, PoolDep, SettingsDep
from gateway.jobs.idempotency import IdempotencyKey
from gateway.jobs.schemas import ACCEPTED_RESPONSES, JobOut
from gateway.pagination import Cursor, Page
from gateway.responses import accepted
from gateway.validation import RowId

router = APIRouter(tags=["content"])


@router.post(
    "/api/learners/{learner_id}/generate-content",
    operation_id="content-generate",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses=ACCEPTED_RESPONSES,
    summary="Ask for a lesson, quiz or exercise (asynchronous)",
)
async def generate_content(
    learner_id: RowId,
    data: GenerateContentIn,
    user_id: CurrentUserId,
    idempotency_key: IdempotencyKey,
    pool: PoolDep,
    broker: BrokerDep,
    settings: SettingsDep,
) -> Response:
    job = await service.generate(
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
    "/api/content/{content_id}",
    operation_id="content-get",
    response_model=ContentOut,
    summary="One content piece",
)
async def get_content(
    content_id: uuid.UUID, user_id: CurrentUserId, pool: PoolDep
) -> dict[str, Any]:
    return await service.get(pool, user_id=user_id, content_id=content_id)


@router.get(
    "/api/learners/{learner_id}/content",
    operation_id="content-list",
    response_model=Page[ContentOut],
    summary="A learner's content, newest first",
)
async def list_content(
    learner_id: RowId,
    user_id: CurrentUserId,
    pool: PoolDep,
    content_type: ContentType | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Cursor = None,
) -> dict[str, Any]:
    return await service.list_for_learner(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        content_type=content_type.value if content_type else None,
        cursor=cursor,
        limit=limit,
    )
