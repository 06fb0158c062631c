"""Generated content: asking for it (a content job) and reading what the worker stored."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from ailp.config import Settings
from ailp.errors import NotFound
from ailp.jobs.submit import ContentParams
from gateway.broker import Broker
from gateway.content import repository
from gateway.content.schemas import GenerateContentIn
from gateway.jobs import service as jobs
from gateway.pagination import decode_cursor, page_of


async def generate(
    pool: asyncpg.Pool,
    broker: Broker,
    settings: Settings,
    *,
    user_id: int,
    learner_id: int,
    data: GenerateContentIn,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """Accept a content job (or replay the one this Idempotency-Key made) and return it."""
    params = ContentParams(
        concept=data.concept, content_type=data.content_type.value, fresh=data.fresh
    )
    job = jobs.new_job(user_id, learner_id, params, data.model_dump(mode="json"), idempotency_key)
    return await jobs.enqueue(pool, broker, settings, job=job)


async def get(pool: asyncpg.Pool, *, user_id: int, content_id: uuid.UUID) -> dict[str, Any]:
    row = await repository.get(pool, user_id=user_id, content_id=content_id)
    if row is None:
        raise NotFound("content", content_id)
    return dict(row)


async def list_for_learner(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    content_type: str | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    rows = await repository.list_for_learner(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        content_type=content_type,
        after=decode_cursor(cursor, uuid.UUID),
        limit=limit + 1,
    )
    if rows is None:
        raise NotFound("learner", learner_id)
    return page_of(rows, limit, at="created_at", item_id="content_id")
