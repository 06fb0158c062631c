"""Accepting jobs: idempotency, the one submission statement (limits and insert together), then
the doorbell.

The row is committed before the task is published. If publishing fails, or the process dies in
between, the sweeper publishes the still-queued job later; the client already holds a 202 and the
job will run.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import replace
from typing import Any

import asyncpg
import orjson

from ailp import metrics
from ailp.config import Settings
from ailp.db.statements import positional
from ailp.errors import Conflict, NotFound, TooManyRequests, Unprocessable
from ailp.jobs.submit import (
    REFUSAL_STATEMENT,
    JobParams,
    Limits,
    NewJob,
    Refused,
    refusal,
    refusal_params,
    submit_statement,
)
from ailp.logging import get_logger
from ailp.models.enums import JobStatus
from gateway.broker import Broker
from gateway.db import is_unavailable
from gateway.jobs import repository
from gateway.pagination import decode_cursor, page_of

log = get_logger(__name__)

_RETRY_AFTER_SECONDS = {"content": 2, "analytics": 1}
# After a lost reply to the INSERT, how long to keep asking whether it committed.
_AMBIGUOUS_LOOKUP_SECONDS = 3.0


def retry_after(kind: str) -> dict[str, str]:
    """The `Retry-After` header for polling a job of this kind."""
    return {"Retry-After": str(_RETRY_AFTER_SECONDS.get(kind, 1))}


def request_hash(job: NewJob, request: dict[str, Any]) -> str:
    """What the client sent, for telling a replay from a different request reusing its key."""
    canonical = orjson.dumps(
        {"kind": job.kind, "learner_id": job.learner_id, "body": request},
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(canonical).hexdigest()


def new_job(
    user_id: int,
    learner_id: int,
    params: JobParams,
    request: dict[str, Any],
    idempotency_key: str | None,
) -> NewJob:
    """A submission from an HTTP request; `request` is the body as the client sent it."""
    job = NewJob(user_id, learner_id, params, idempotency_key=idempotency_key)
    if idempotency_key is None:
        return job
    return replace(job, request_hash=request_hash(job, request))


async def enqueue(
    pool: asyncpg.Pool, broker: Broker, settings: Settings, *, job: NewJob
) -> dict[str, Any]:
    """Accept `job` (or replay the job its Idempotency-Key already made) and return it."""
    if job.idempotency_key:
        replay = await _replay(pool, settings, job)
        if replay is not None:
            return repository.to_api(replay)
    limits = Limits.from_settings(settings)
    sql, params = submit_statement([job], limits=limits, max_attempts=settings.job_max_attempts)
    try:
        row = await _insert(pool, job, *positional(sql, params))
    except asyncpg.UniqueViolationError:
        # The same key arrived twice at once; the other request created the job.
        replay = await _replay(pool, settings, job)
        if replay is None:
            raise
        return repository.to_api(replay)
    if row is None:
        raise await _refused(pool, job, limits)
    await broker.publish(job.id, job.kind)
    metrics.JOBS_SUBMITTED.labels(kind=job.kind).inc()
    log.info("job_accepted", job_id=str(job.id), kind=job.kind)
    return repository.to_api(row)


async def _insert(
    pool: asyncpg.Pool, job: NewJob, sql: str, args: list[Any]
) -> asyncpg.Record | None:
    """Run the submission statement. When the connection is lost before its reply, the INSERT
    may or may not have committed: look the job up (its id is ours) before answering 503."""
    try:
        return await pool.fetchrow(sql, *args)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        deadline = asyncio.get_running_loop().time() + _AMBIGUOUS_LOOKUP_SECONDS
        while True:
            try:
                found = await repository.find(pool, user_id=job.user_id, job_id=job.id)
            except Exception as lookup_error:
                if not is_unavailable(lookup_error):
                    raise
                if asyncio.get_running_loop().time() > deadline:
                    raise exc from lookup_error
                await asyncio.sleep(0.25)
                continue
            if found is None:
                raise
            log.warning("job_commit_ambiguous_but_found", job_id=str(job.id))
            return found


async def _refused(pool: asyncpg.Pool, job: NewJob, limits: Limits) -> Exception:
    """The error for a submission the statement refused (asked only then)."""
    sql, args = positional(REFUSAL_STATEMENT, refusal_params(job, limits))
    why = refusal(await pool.fetchrow(sql, *args), limits)
    if why.reason is Refused.learner_not_found:
        return NotFound("learner", job.learner_id)
    if why.reason is Refused.too_many_unfinished:
        return TooManyRequests(
            f"You already have {limits.max_unfinished} unfinished jobs. Wait for some to finish "
            "(or cancel queued ones) before submitting more.",
            retry_after=why.retry_after,
        )
    return TooManyRequests(
        f"You may submit at most {limits.per_minute} jobs a minute. "
        "Wait until Retry-After has passed.",
        retry_after=why.retry_after,
    )


async def _replay(pool: asyncpg.Pool, settings: Settings, job: NewJob) -> asyncpg.Record | None:
    assert job.idempotency_key is not None
    existing = await repository.by_idempotency_key(
        pool, user_id=job.user_id, key=job.idempotency_key
    )
    if existing is None:
        return None
    if existing["age_seconds"] >= settings.idempotency_window_hours * 3600:
        await repository.release_idempotency_key(pool, job_id=existing["id"])
        return None
    if existing["request_hash"] != job.request_hash:
        raise Unprocessable(
            "This Idempotency-Key was already used with a different request. Use a new key for a "
            "new request, or resend the original request unchanged.",
            errors=[{"loc": ["header", "Idempotency-Key"], "msg": "reused with a different body"}],
        )
    return existing


def poll_headers(job: dict[str, Any]) -> dict[str, str] | None:
    """`Retry-After` (when to poll again) while the job is not finished."""
    return None if JobStatus(job["status"]).is_terminal else retry_after(job["kind"])


async def get(pool: asyncpg.Pool, *, user_id: int, job_id: uuid.UUID) -> dict[str, Any]:
    row = await repository.find(pool, user_id=user_id, job_id=job_id)
    if row is None:
        raise NotFound("job", job_id)
    return repository.to_api(row)


async def list_for_user(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int | None,
    status: str | None,
    kind: str | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    rows = await repository.list_for_user(
        pool,
        user_id=user_id,
        learner_id=learner_id,
        status=status,
        kind=kind,
        after=decode_cursor(cursor, uuid.UUID),
        limit=limit + 1,
    )
    return page_of(rows, limit, at="created_at", item_id="id", render=repository.to_api)


async def cancel(pool: asyncpg.Pool, *, user_id: int, job_id: uuid.UUID) -> dict[str, Any]:
    """Cancel a queued job; a running or finished one is a conflict."""
    outcome = await repository.cancel(pool, user_id=user_id, job_id=job_id)
    if outcome is None:
        raise NotFound("job", job_id)
    if isinstance(outcome, str):
        raise Conflict(
            f"The job is {outcome}; only a queued job can be canceled.", status_now=outcome
        )
    return repository.to_api(outcome)
