from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from gateway.activity import repository
from gateway.activity.schemas import ResponsesIn, SessionCreate, SessionOut, StoredOut
from gateway.deps import CurrentUserId, LimiterDep, PoolDep, SettingsDep
from gateway.pagination import Page, bigint_id, decode_cursor, page_of
from gateway.ratelimit import Limit
from gateway.validation import RowId, UtcDatetime

router = APIRouter(prefix="/api/learners/{learner_id}", tags=["activity"])

_TOO_MANY = (
    "You are posting {what} faster than {limit} a minute. "
    "Wait until Retry-After has passed, then send it again."
)


async def _count_post(limiter: LimiterDep, *, name: str, user_id: int, per_minute: int) -> None:
    what = "sessions" if name == "session-posts" else "answers"
    await limiter.hit(
        Limit(name, str(user_id), per_minute, 60),
        detail=_TOO_MANY.format(what=what, limit=per_minute),
    )


@router.post(
    "/sessions",
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
) -> Any:
    await _count_post(
        limiter, name="session-posts", user_id=user_id, per_minute=settings.session_posts_per_minute
    )
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
) -> Any:
    await _count_post(
        limiter,
        name="response-posts",
        user_id=user_id,
        per_minute=settings.response_posts_per_minute,
    )
    stored = await repository.insert_responses(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        responses=[item.model_dump() for item in data.responses],
        recompute_delay=settings.analytics_recompute_delay_seconds,
    )
    return {"stored": stored}
