from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from ailp.jobs.submit import ContentParams
from ailp.models.enums import ContentType
from ailp.schemas.content import ContentOut
from gateway.content import repository
from gateway.content.schemas import GenerateContentIn
from gateway.deps import BrokerDep, CurrentUserId, PoolDep, SettingsDep
from gateway.jobs import service as jobs
from gateway.jobs.idempotency import IdempotencyKey
from gateway.jobs.router import ACCEPTED_RESPONSES
from gateway.jobs.schemas import JobOut
from gateway.pagination import Page, decode_cursor, page_of
from gateway.validation import RowId

router = APIRouter(tags=["content"])


@router.post(
    "/api/learners/{learner_id}/generate-content",
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
) -> Any:
    params = ContentParams(
        concept=data.concept, content_type=data.content_type.value, fresh=data.fresh
    )
    job = jobs.new_job(user_id, learner_id, params, data.model_dump(mode="json"), idempotency_key)
    return jobs.accepted(await jobs.enqueue(pool, broker, settings, job=job))


@router.get("/api/content/{content_id}", response_model=ContentOut, summary="One content piece")
async def get_content(content_id: uuid.UUID, user_id: CurrentUserId, pool: PoolDep) -> Any:
    return dict(await repository.get(pool, user_id=user_id, content_id=content_id))


@router.get(
    "/api/learners/{learner_id}/content",
    response_model=Page[ContentOut],
    summary="A learner's content, newest first",
)
async def list_content(
    learner_id: RowId,
    user_id: CurrentUserId,
    pool: PoolDep,
    content_type: ContentType | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    rows = await repository.list_for_learner(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        content_type=content_type.value if content_type else None,
        after=decode_cursor(cursor, uuid.UUID),
        limit=limit + 1,
    )
    return page_of(rows, limit, at="created_at", item_id="content_id")
