"""Accepting jobs: limits, idempotency, the durable row, then the doorbell.

The row is committed before the task is published (DESIGN.md). If publishing fails, or the
process dies in between, the sweeper publishes the still-queued job later; the client already
holds a 202 and the job will run.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from fastapi import Response

from ailp import metrics
from ailp.config import Settings
from ailp.errors import TooManyRequests, Unprocessable
from ailp.logging import get_logger
from gateway.broker import Broker
from gateway.jobs import repository
from gateway.learners.repository import not_found as learner_not_found
from gateway.ratelimit import RateLimiter
from gateway.responses import json_response

log = get_logger(__name__)

_RETRY_AFTER_SECONDS = {"content": 2, "analytics": 1}


def retry_after(kind: str) -> dict[str, str]:
    """The `Retry-After` header for polling a job of this kind."""
    return {"Retry-After": str(_RETRY_AFTER_SECONDS.get(kind, 1))}


@dataclass(frozen=True, slots=True)
class Submission:
    user_id: int
    learner_id: int
    kind: str
    params: dict[str, Any]
    # What the client sent, for comparing requests that reuse an Idempotency-Key.
    request: dict[str, Any]
    idempotency_key: str | None


def request_hash(submission: Submission) -> str:
    canonical = orjson.dumps(
        {"kind": submission.kind, "learner_id": submission.learner_id, "body": submission.request},
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


async def enqueue(
    pool: asyncpg.Pool,
    broker: Broker,
    limiter: RateLimiter,
    settings: Settings,
    *,
    submission: Submission,
) -> dict[str, Any]:
    fingerprint = request_hash(submission) if submission.idempotency_key else None
    if submission.idempotency_key:
        replay = await _replay(pool, settings, submission, fingerprint)
        if replay is not None:
            return repository.to_api(replay)

    job_id = uuid.uuid4()
    try:
        row = await repository.insert(
            pool,
            job_id=job_id,
            user_id=submission.user_id,
            learner_id=submission.learner_id,
            kind=submission.kind,
            params=submission.params,
            idempotency_key=submission.idempotency_key,
            request_hash=fingerprint,
            max_attempts=settings.job_max_attempts,
            max_unfinished=settings.max_queued_jobs_per_user,
        )
    except asyncpg.UniqueViolationError:
        # The same key arrived twice at once; the other request created the job.
        replay = await _replay(pool, settings, submission, fingerprint)
        if replay is None:
            raise
        return repository.to_api(replay)
    if row is None:
        if not await repository.learner_exists(
            pool, user_id=submission.user_id, learner_id=submission.learner_id
        ):
            raise learner_not_found(submission.learner_id)
        raise TooManyRequests(
            f"You already have {settings.max_queued_jobs_per_user} unfinished jobs. Wait for some "
            "to finish (or cancel queued ones) before submitting more.",
            retry_after=10,
        )
    # The submission limit is decided together with the push (one Redis round trip); a refused
    # submission's row is removed again before anyone could see it.
    allowed, wait = await broker.publish_job_within_limit(
        job_id,
        submission.kind,
        limit_key=limiter.key("job-submissions", str(submission.user_id)),
        limit=settings.job_submissions_per_minute,
        window=60,
    )
    if not allowed:
        await repository.delete_unpublished(pool, job_id=job_id)
        raise TooManyRequests(
            f"You may submit at most {settings.job_submissions_per_minute} jobs a minute. "
            "Wait until Retry-After has passed.",
            retry_after=math.ceil(wait),
        )
    metrics.JOBS_SUBMITTED.labels(kind=submission.kind).inc()
    log.info("job_accepted", job_id=str(job_id), kind=submission.kind)
    return repository.to_api(row)


async def _replay(
    pool: asyncpg.Pool, settings: Settings, submission: Submission, fingerprint: str | None
) -> asyncpg.Record | None:
    assert submission.idempotency_key is not None
    existing = await repository.by_idempotency_key(
        pool, user_id=submission.user_id, key=submission.idempotency_key
    )
    if existing is None:
        return None
    age_hours = (datetime.now(UTC) - existing["created_at"]).total_seconds() / 3600
    if age_hours >= settings.idempotency_window_hours:
        await repository.release_idempotency_key(pool, job_id=existing["id"])
        return None
    if existing["request_hash"] != fingerprint:
        raise Unprocessable(
            "This Idempotency-Key was already used with a different request. Use a new key for a "
            "new request, or resend the original request unchanged.",
            errors=[{"loc": ["header", "Idempotency-Key"], "msg": "reused with a different body"}],
        )
    return existing


def accepted(job: dict[str, Any]) -> Response:
    """202 Accepted with the job, where to poll it and when."""
    return json_response(
        job,
        status_code=202,
        headers={"Location": f"/api/jobs/{job['id']}", **retry_after(job["kind"])},
    )
