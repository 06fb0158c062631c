"""SQL for job rows as the gateway sees them (the workers' side lives in ailp.jobs)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from ailp.db.statements import positional
from ailp.jobs.lifecycle import CANCEL_STATEMENT, STATUS_STATEMENT
from ailp.jobs.submit import JOB_COLUMNS

COLUMNS = JOB_COLUMNS
_FIELDS = tuple(name.strip() for name in COLUMNS.split(","))


def to_api(row: asyncpg.Record) -> dict[str, Any]:
    """The job object of the API, from a row with at least `COLUMNS` (other columns a query
    selected for its own use, e.g. `request_hash`, are left out)."""
    job = {name: row[name] for name in _FIELDS}
    code, message = job.pop("error_code"), job.pop("error_message")
    job["error"] = (
        {"code": code, "message": message or code} if job["status"] == "failed" and code else None
    )
    return job


async def by_idempotency_key(
    pool: asyncpg.Pool, *, user_id: int, key: str
) -> asyncpg.Record | None:
    return await pool.fetchrow(
        f"SELECT {COLUMNS}, request_hash, EXTRACT(EPOCH FROM now() - created_at) AS age_seconds "
        "FROM jobs WHERE user_id = $1 AND idempotency_key = $2",
        user_id,
        key,
    )


async def release_idempotency_key(pool: asyncpg.Pool, *, job_id: uuid.UUID) -> None:
    await pool.execute("UPDATE jobs SET idempotency_key = NULL WHERE id = $1", job_id)


async def find(pool: asyncpg.Pool, *, user_id: int, job_id: uuid.UUID) -> asyncpg.Record | None:
    return await pool.fetchrow(
        f"SELECT {COLUMNS} FROM jobs WHERE id = $1 AND user_id = $2", job_id, user_id
    )


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


async def cancel(
    pool: asyncpg.Pool, *, user_id: int, job_id: uuid.UUID
) -> asyncpg.Record | str | None:
    """The canceled job; else the status that kept it from being canceled; None when the job
    is not the user's."""
    keys = {"job_id": job_id, "user_id": user_id}
    sql, args = positional(CANCEL_STATEMENT, keys)
    row = await pool.fetchrow(sql, *args)
    if row is not None:
        return row
    sql, args = positional(STATUS_STATEMENT, keys)
    status = await pool.fetchval(sql, *args)
    return None if status is None else str(status)
