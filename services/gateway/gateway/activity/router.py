from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from gateway.activity import repository
from gateway.activity.schemas import ResponsesIn, SessionCreate, SessionOut, StoredOut
from gateway.deps import CurrentUserId, PoolDep, SettingsDep
from gateway.pagination import Page, bigint_id, decode_cursor, page_of
from gateway.validation import RowId, UtcDatetime

router = APIRouter(prefix="/api/learners/{learner_id}", tags=["activity"])


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionOut,
    summary="Log a study session",
)
async def create_session(
    learner_id: RowId,
    data: SessionCreate,
    user_id: CurrentUserId,
    pool: PoolDep,
    settings: SettingsDep,
) -> Any:
    row = await repository.insert_session(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        session=data.model_dump(),
        answers=data.answers,
        recompute_delay=settings.analytics_recompute_delay_seconds,
    )
    return dict(row)


@router.get(
    "/sessions", response_model=Page[SessionOut], summary="A learner's sessions, newest first"
)
async def list_sessions(
    learner_id: RowId,
    user_id: CurrentUserId,
    pool: PoolDep,
    since: Annotated[UtcDatetime | None, Query(description="session_start ≥ since")] = None,
    until: Annotated[UtcDatetime | None, Query(description="session_start < until")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> Any:
    after = decode_cursor(cursor, bigint_id)
    rows = await repository.list_sessions(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        since=since,
        until=until,
        after=after,
        limit=limit + 1,
    )
    return page_of(rows, limit, at="session_start", item_id="id")


@router.post(
    "/responses",
    status_code=status.HTTP_201_CREATED,
    response_model=StoredOut,
    summary="Record exercise answers (1–1,000)",
)
async def create_responses(
    learner_id: RowId,
    data: ResponsesIn,
    user_id: CurrentUserId,
    pool: PoolDep,
    settings: SettingsDep,
) -> Any:
    stored = await repository.insert_responses(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        responses=[item.model_dump() for item in data.responses],
        recompute_delay=settings.analytics_recompute_delay_seconds,
    )
    return {"stored": stored}
