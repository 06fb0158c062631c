"""SQL for job rows as the gateway sees them (the workers' side lives in ailp.jobs)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from ailp.errors import Conflict, NotFound

COLUMNS = (
    "id, kind, learner_id, status, created_at, started_at, finished_at, attempts, "
    "error_code, error_message, result_url, result"
)
_FIELDS = tuple(name.strip() for name in COLUMNS.split(","))
_UNFINISHED = "('queued', 'running')"

_INSERT = f"""
INSERT INTO jobs (id, user_id, learner_id, kind, params, idempotency_key, request_hash,
                  max_attempts, published_at)
SELECT $1, $2, l.id, $4, $5::jsonb, $6, $7, $8, now()
FROM learners l
WHERE l.id = $3 AND l.user_id = $2
  AND (SELECT count(*) FROM jobs WHERE user_id = $2 AND status IN {_UNFINISHED}) < $9
RETURNING {COLUMNS}
"""


def not_found(job_id: uuid.UUID) -> NotFound:
    return NotFound(f"No job {job_id} among yours. List your jobs with GET /api/jobs.")


def to_api(row: asyncpg.Record) -> dict[str, Any]:
    """The job object of the API, from a row with at least `COLUMNS` (other columns a query
    selected for its own use, e.g. `request_hash`, are left out)."""
    job = {name: row[name] for name in _FIELDS}
    code, message = job.pop("error_code"), job.pop("error_message")
    job["error"] = (
        {"code": code, "message": message or code} if job["status"] == "failed" and code else None
    )
    return job


async def insert(
    pool: asyncpg.Pool,
    *,
    job_id: uuid.UUID,
    user_id: int,
    learner_id: int,
    kind: str,
    params: dict[str, Any],
    idempotency_key: str | None,
    request_hash: str | None,
    max_attempts: int,
    max_unfinished: int,
) -> asyncpg.Record | None:
    """Insert a queued job for the caller's learner; None when the learner is missing or the
    caller already has `max_unfinished` unfinished jobs. Raises UniqueViolationError on a
    concurrent duplicate idempotency key."""
    return await pool.fetchrow(
        _INSERT,
        job_id,
        user_id,
        learner_id,
        kind,
        params,
        idempotency_key,
        request_hash,
        max_attempts,
        max_unfinished,
    )


async def by_idempotency_key(
    pool: asyncpg.Pool, *, user_id: int, key: str
) -> asyncpg.Record | None:
    return await pool.fetchrow(
        f"SELECT {COLUMNS}, request_hash FROM jobs WHERE user_id = $1 AND idempotency_key = $2",
        user_id,
        key,
    )


async def delete_unpublished(pool: asyncpg.Pool, *, job_id: uuid.UUID) -> None:
    """Remove a job refused after its insert (never published, never returned to the client)."""
    await pool.execute("DELETE FROM jobs WHERE id = $1 AND status = 'queued'", job_id)


async def release_idempotency_key(pool: asyncpg.Pool, *, job_id: uuid.UUID) -> None:
    await pool.execute("UPDATE jobs SET idempotency_key = NULL WHERE id = $1", job_id)


async def get(pool: asyncpg.Pool, *, user_id: int, job_id: uuid.UUID) -> asyncpg.Record:
    row = await pool.fetchrow(
        f"SELECT {COLUMNS} FROM jobs WHERE id = $1 AND user_id = $2", job_id, user_id
    )
    if row is None:
        raise not_found(job_id)
    return row


async def list_for_user(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int | None,
    status: str | None,
    kind: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    return await pool.fetch(
        f"""
        SELECT {COLUMNS} FROM jobs
        WHERE user_id = $1
          AND ($2::bigint IS NULL OR learner_id = $2)
          AND ($3::text IS NULL OR status = $3)
          AND ($4::text IS NULL OR kind = $4)
          AND ($5::timestamptz IS NULL OR (created_at, id) < ($5, $6::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $7
        """,
        user_id,
        learner_id,
        status,
        kind,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def cancel(pool: asyncpg.Pool, *, user_id: int, job_id: uuid.UUID) -> asyncpg.Record:
    row = await pool.fetchrow(
        f"""
        WITH target AS (SELECT id, status FROM jobs WHERE id = $1 AND user_id = $2),
        canceled AS (
            UPDATE jobs SET status = 'canceled', finished_at = now()
            WHERE id = $1 AND user_id = $2 AND status = 'queued'
            RETURNING {COLUMNS}
        )
        SELECT (SELECT status FROM target) AS previous, canceled.* FROM (SELECT 1) one
        LEFT JOIN canceled ON true
        """,
        job_id,
        user_id,
    )
    assert row is not None
    if row["previous"] is None:
        raise not_found(job_id)
    if row["id"] is None:
        raise Conflict(
            f"The job is {row['previous']}; only a queued job can be canceled.",
            status_now=row["previous"],
        )
    return row


async def learner_exists(pool: asyncpg.Pool, *, user_id: int, learner_id: int) -> bool:
    return bool(
        await pool.fetchval(
            "SELECT EXISTS (SELECT 1 FROM learners WHERE id = $1 AND user_id = $2)",
            learner_id,
            user_id,
        )
    )
