"""Study sessions and exercise answers: per-user posting limits, references that must be the
learner's own, and a coalesced analytics recomputation after each write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from ailp.config import Settings
from ailp.errors import NotFound, Unprocessable
from gateway.activity import repository
from gateway.activity.schemas import SessionCreate
from gateway.db import MissingReference
from gateway.pagination import bigint_id, decode_cursor, page_of
from gateway.ratelimit import Limit, RateLimiter

_TOO_MANY = (
    "You are posting {what} faster than {limit} a minute. "
    "Wait until Retry-After has passed, then send it again."
)


async def _count_post(limiter: RateLimiter, *, name: str, user_id: int, per_minute: int) -> None:
    what = "sessions" if name == "session-posts" else "answers"
    await limiter.hit(
        Limit(name, str(user_id), per_minute, 60),
        detail=_TOO_MANY.format(what=what, limit=per_minute),
    )


async def create_session(
    pool: asyncpg.Pool,
    limiter: RateLimiter,
    settings: Settings,
    *,
    user_id: int,
    learner_id: int,
    data: SessionCreate,
) -> dict[str, Any]:
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
    if row is None:
        raise NotFound("learner", learner_id)
    return dict(row)


async def list_sessions(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    since: datetime | None,
    until: datetime | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    rows = await repository.list_sessions(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        since=since,
        until=until,
        after=decode_cursor(cursor, bigint_id),
        limit=limit + 1,
    )
    if rows is None:
        raise NotFound("learner", learner_id)
    return page_of(rows, limit, at="session_start", item_id="id")


async def record_responses(
    pool: asyncpg.Pool,
    limiter: RateLimiter,
    settings: Settings,
    *,
    user_id: int,
    learner_id: int,
    responses: list[dict[str, Any]],
) -> int:
    """Store the answers; returns how many were stored."""
    await _count_post(
        limiter,
        name="response-posts",
        user_id=user_id,
        per_minute=settings.response_posts_per_minute,
    )
    await _check_references(pool, user_id=user_id, learner_id=learner_id, responses=responses)
    try:
        stored = await repository.insert_responses(
            pool,
            user_id=user_id,
            learner_id=learner_id,
            responses=responses,
            recompute_delay=settings.analytics_recompute_delay_seconds,
        )
    except MissingReference as exc:
        raise Unprocessable("A referenced session or content piece no longer exists.") from exc
    if stored is None:
        raise NotFound("learner", learner_id)
    return stored


async def _check_references(
    pool: asyncpg.Pool, *, user_id: int, learner_id: int, responses: list[dict[str, Any]]
) -> None:
    """session_id and content_id must name this learner's own sessions and content."""
    session_ids = {r["session_id"] for r in responses if r["session_id"] is not None}
    content_ids = {r["content_id"] for r in responses if r["content_id"] is not None}
    if not session_ids and not content_ids:
        return
    row = await repository.count_references(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        session_ids=session_ids,
        content_ids=content_ids,
    )
    if row["owned"] == 0:
        raise NotFound("learner", learner_id)
    if row["sessions"] != len(session_ids):
        raise Unprocessable(
            "A session_id does not name one of this learner's sessions. "
            "Use ids from GET /api/learners/{id}/sessions.",
            errors=[{"loc": ["body", "responses", "session_id"], "msg": "unknown session"}],
        )
    if row["content"] != len(content_ids):
        raise Unprocessable(
            "A content_id does not name content generated for this learner.",
            errors=[{"loc": ["body", "responses", "content_id"], "msg": "unknown content"}],
        )
