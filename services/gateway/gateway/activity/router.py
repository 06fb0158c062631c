from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from gateway.activity import service
from gateway.activity.schemas import ResponsesIn, SessionCreate, SessionOut, StoredOut
from gateway.deps import CurrentUserId, LimiterDep, PoolDep, SettingsDep
from gateway.pagination import Cursor, Page
from gateway.validation import RowId, UtcDatetime

router = APIRouter(prefix="/api/learners/{learner_id}", tags=["activity"])


@router.post(
    "/sessions",
    operation_id="sessions-create",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionOut,
    summary="Log a study session",
    description="At most SESSION_POSTS_PER_MINUTE per user (then 429 + Retry-After).",
    responses={429: {"description": "too many sessions posted this minute (Retry-After)"}},
)
async def create_session(
    learner_id: RowId,
    data: SessionCreate,
    user_id: CurrentUserId,
    pool: PoolDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    return await service.create_session(
        pool, limiter, settings, user_id=user_id, learner_id=learner_id, data=data
    )


@router.get(
    "/sessions",
    operation_id="sessions-list",
    response_model=Page[SessionOut],
    summary="A learner's sessions, newest first",
)
async def list_sessions(
    learner_id: RowId,
    user_id: CurrentUserId,
    pool: PoolDep,
    since: Annotated[UtcDatetime | None, Query(description="session_start ≥ since")] = None,
    until: Annotated[UtcDatetime | None, Query(description="session_start < until")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Cursor = None,
) -> dict[str, Any]:
    return await service.list_sessions(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )


@router.post(
    "/responses",
    operation_id="responses-create",
    status_code=status.HTTP_201_CREATED,
    response_model=StoredOut,
    summary="Record exercise answers (1–1,000)",
    description="At most RESPONSE_POSTS_PER_MINUTE requests per user (then 429 + Retry-After).",
    responses={429: {"description": "too many answer posts this minute (Retry-After)"}},
)
async def create_responses(
    learner_id: RowId,
    data: ResponsesIn,
    user_id: CurrentUserId,
    pool: PoolDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> StoredOut:
    stored = await service.record_responses(
        pool,
        limiter,
        settings,
        user_id=user_id,
        learner_id=learner_id,
        responses=[item.model_dump() for item in data.responses],
    )
    return StoredOut(stored=stored)
