"""Analytics: asking for a computation (an analytics job) and reading the newest result."""

from __future__ import annotations

from typing import Any

import asyncpg

from ailp.config import Settings
from ailp.errors import NotFound
from ailp.jobs.submit import AnalyticsParams
from gateway.analytics import repository
from gateway.analytics.schemas import AnalyticsRequest
from gateway.broker import Broker
from gateway.jobs import service as jobs


async def request(
    pool: asyncpg.Pool,
    broker: Broker,
    settings: Settings,
    *,
    user_id: int,
    learner_id: int,
    data: AnalyticsRequest | None,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """Accept an analytics job (or replay the one this Idempotency-Key made) and return it."""
    data = data or AnalyticsRequest()
    # Without as_of the job computes as of its own creation (the database's clock), so the
    # result does not depend on how long the job queued.
    params = AnalyticsParams(days=data.days, as_of=data.as_of.isoformat() if data.as_of else None)
    sent = data.model_dump(mode="json", exclude_unset=True)
    job = jobs.new_job(user_id, learner_id, params, sent, idempotency_key)
    return await jobs.enqueue(pool, broker, settings, job=job)


async def latest(pool: asyncpg.Pool, *, user_id: int, learner_id: int) -> dict[str, Any]:
    row = await repository.latest(pool, user_id=user_id, learner_id=learner_id)
    if row is None:
        raise NotFound("learner", learner_id)
    if row["result"] is None:
        raise NotFound("analytics", learner_id)
    result: dict[str, Any] = row["result"]
    return result
