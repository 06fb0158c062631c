"""Claiming and finishing jobs with conditional UPDATEs: the database decides who runs a job.

A task message only carries a job id; whoever turns the row from `queued` to `running` owns the
job until its lease expires, and proves it with the claim token on every later write. A stale
worker (its lease expired and the job was handed to another) therefore cannot overwrite the
result, and a redelivered message for a finished job does nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Table, func, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import sqltypes

from ailp.db.direct import DirectStatement, run
from ailp.db.engine import dump_json
from ailp.db.rows import Executor, affected_rows, table_of
from ailp.jobs.submit import JOB_COLUMNS
from ailp.models import Job
from ailp.models.enums import JobStatus

# Core statements on the table: the hot path of every job, without the ORM's bulk-update work.
jobs = table_of(Job)


class LostClaim(Exception):
    """The job is no longer ours: its lease expired and it was requeued, or it was canceled."""


@dataclass(frozen=True, slots=True)
class Claim:
    job_id: uuid.UUID
    token: uuid.UUID
    kind: str
    user_id: int
    learner_id: int
    params: dict[str, Any]
    attempts: int
    max_attempts: int
    created_at: datetime
    # The first attempt's start (deadlines count from it) and this claim's moment, both by the
    # database's clock: a deadline's remaining time is their difference, whatever local clocks say.
    started_at: datetime
    claimed_at: datetime

    def seconds_left(self, deadline_seconds: float) -> float:
        """Of a deadline counted from the job's start, what was left when it was claimed."""
        return deadline_seconds - (self.claimed_at - self.started_at).total_seconds()


def _lease(seconds: float) -> Any:
    return func.now() + timedelta(seconds=seconds)


def _held_by(claim: Claim) -> tuple[Any, ...]:
    """The job is still running under this claim (the fencing condition of every later write)."""
    return (
        jobs.c.id == claim.job_id,
        jobs.c.claim_token == claim.token,
        jobs.c.status == JobStatus.running.value,
    )


_CLAIM = DirectStatement(
    """
    WITH asked AS (
        SELECT id, isolated FROM jobs
        WHERE id = ANY(:ids) AND status = 'queued' AND attempts < max_attempts
          AND published_at <= now()  -- a retry or deferral is not due before its time
          AND (NOT isolated OR cardinality(CAST(:ids AS uuid[])) = 1)
        FOR UPDATE SKIP LOCKED
    ),
    stolen AS (
        SELECT id FROM jobs
        WHERE :steal > 0 AND kind = :kind AND status = 'queued' AND attempts < max_attempts
          AND published_at <= now() AND NOT isolated AND NOT (id = ANY(:ids))
          AND NOT EXISTS (SELECT 1 FROM asked WHERE asked.isolated)
        ORDER BY created_at
        LIMIT :steal
        FOR UPDATE SKIP LOCKED
    )
    UPDATE jobs SET
        status = 'running',
        attempts = attempts + 1,
        claim_token = :token,
        worker = :worker,
        started_at = coalesce(started_at, now()),
        heartbeat_at = now(),
        lease_expires_at = now() + make_interval(secs => :lease)
    WHERE id IN (SELECT id FROM asked UNION ALL SELECT id FROM stolen)
    RETURNING id, kind, user_id, learner_id, params, attempts, max_attempts, created_at,
              started_at, now() AS claimed_at
    """
)


def claim_batch(
    session: Executor,
    *,
    job_ids: list[uuid.UUID],
    worker: str,
    lease_seconds: float,
    steal_kind: str = "",
    steal: int = 0,
) -> list[Claim]:
    """Take the due queued ones among `job_ids`, plus up to `steal` other due queued jobs of
    `steal_kind` (oldest first, none that another worker is claiming). All share one token.

    Workers pull work from the database, the truth; a task message whose job was taken this way
    finds nothing to claim later, which is harmless. An isolated job (its batch once lost its
    worker) is only claimed by a delivery of its own, and such a delivery steals nothing.
    """
    token = uuid.uuid4()
    rows = run(
        session,
        _CLAIM,
        {
            "ids": job_ids,
            "kind": steal_kind,
            "steal": steal,
            "token": token,
            "worker": worker[:255],
            "lease": lease_seconds,
        },
    )
    return [
        Claim(
            row.id,
            token,
            row.kind,
            row.user_id,
            row.learner_id,
            row.params,
            row.attempts,
            row.max_attempts,
            row.created_at,
            row.started_at,
            row.claimed_at,
        )
        for row in sorted(rows, key=lambda row: row.created_at)
    ]


def claim(
    session: Executor, *, job_id: uuid.UUID, worker: str, lease_seconds: float
) -> Claim | None:
    """Take a queued job, or return None when it is not ours to run (already taken or finished)."""
    claims = claim_batch(session, job_ids=[job_id], worker=worker, lease_seconds=lease_seconds)
    return claims[0] if claims else None


_HEARTBEAT = text(
    """
    UPDATE jobs SET heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => :lease)
    WHERE claim_token = ANY(CAST(:tokens AS uuid[])) AND status = 'running'
    RETURNING claim_token
    """
)


def heartbeat(
    session: Executor, *, tokens: Sequence[uuid.UUID], lease_seconds: float
) -> Counter[uuid.UUID]:
    """Extend the lease of every job still running under any of `tokens` (a whole process's
    claims at once); how many jobs each token still holds (a token holding none is absent)."""
    rows = session.execute(_HEARTBEAT, {"tokens": list(tokens), "lease": lease_seconds})
    return Counter(row.claim_token for row in rows)


_SUCCEED = DirectStatement(
    """
    UPDATE jobs SET
        status = 'succeeded',
        result = CAST(:result AS jsonb),
        result_url = :result_url,
        error_code = NULL,
        error_message = NULL,
        finished_at = now(),
        lease_expires_at = NULL
    WHERE id = :job_id AND claim_token = :token AND status = 'running'
    RETURNING finished_at
    """
)


@dataclass(frozen=True, slots=True)
class OutputRow:
    """One row a job's success writes together with it (a content job's piece): `values` by
    column of `table`; JSON columns are serialised here."""

    table: Table
    values: dict[str, Any]


_SUCCEED_WITH_ROW: dict[tuple[str, tuple[str, ...]], DirectStatement] = {}


def _succeed_with_row_statement(table: Table, columns: tuple[str, ...]) -> DirectStatement:
    """`_SUCCEED` and the row's INSERT in one statement: the row is inserted from the UPDATE's
    RETURNING, so only while the claim holds. Every value is cast to its column's type (in an
    INSERT ... SELECT an untyped NULL or literal would be text)."""
    key = (table.name, columns)
    statement = _SUCCEED_WITH_ROW.get(key)
    if statement is None:
        types = [table.c[column].type.compile(dialect=postgresql.dialect()) for column in columns]
        values = ", ".join(f"CAST(:row_{c} AS {t})" for c, t in zip(columns, types, strict=True))
        update_jobs = _SUCCEED.text.text.strip().replace("\n", "\n    ")
        statement = _SUCCEED_WITH_ROW[key] = DirectStatement(
            f"WITH done AS (\n    {update_jobs}\n), stored AS (\n"
            f"    INSERT INTO {table.name} ({', '.join(columns)})\n"
            f"    SELECT {values} FROM done\n)\nSELECT finished_at FROM done"
        )
    return statement


def succeed(
    session: Executor,
    *,
    claim: Claim,
    result: dict[str, Any],
    result_url: str | None,
    row: OutputRow | None = None,
) -> datetime:
    """Mark the job succeeded in the caller's transaction (the one that stored its output), or,
    with its one output `row`, insert that row in the same statement (an autocommit connection
    is then enough: both land, or neither when the claim was lost)."""
    params: dict[str, Any] = {
        "job_id": claim.job_id,
        "token": claim.token,
        "result": dump_json(result),
        "result_url": result_url,
    }
    statement = _SUCCEED
    if row is not None:
        statement = _succeed_with_row_statement(row.table, tuple(row.values))
        for column, value in row.values.items():
            is_json = isinstance(row.table.c[column].type, sqltypes.JSON)
            params[f"row_{column}"] = dump_json(value) if is_json else value
    rows = run(session, statement, params)
    if not rows:
        raise LostClaim(str(claim.job_id))
    return rows[0].finished_at


_SUCCEED_MANY = text(
    """
    UPDATE jobs SET
        status = 'succeeded',
        result = CAST(done.result AS jsonb),
        result_url = done.result_url,
        error_code = NULL,
        error_message = NULL,
        finished_at = now(),
        lease_expires_at = NULL
    FROM unnest(CAST(:ids AS uuid[]), CAST(:results AS text[]), CAST(:urls AS text[]))
        AS done(id, result, result_url)
    WHERE jobs.id = done.id AND jobs.claim_token = :token AND jobs.status = 'running'
    RETURNING jobs.id
    """
)


def succeed_many(
    session: Executor,
    *,
    token: uuid.UUID,
    results: dict[uuid.UUID, tuple[dict[str, Any], str | None]],
) -> set[uuid.UUID]:
    """Mark many jobs of one claim succeeded in one statement; returns those still ours."""
    if not results:
        return set()
    ids = list(results)
    rows = session.execute(
        _SUCCEED_MANY,
        {
            "ids": ids,
            "results": [orjson.dumps(results[job_id][0]).decode() for job_id in ids],
            "urls": [results[job_id][1] for job_id in ids],
            "token": token,
        },
    )
    return {row.id for row in rows}


def fail_or_retry(
    session: Session,
    *,
    claim: Claim,
    code: str,
    message: str,
    retryable: bool,
    retry_in_seconds: float = 0,
) -> JobStatus:
    """After an error: queue the job again while attempts remain (and it is retryable), else fail.

    A retried job counts as published `retry_in_seconds` from now (when its delayed message is
    due), so neither a worker stealing queued jobs nor the sweeper takes it before its backoff.
    """
    final = not retryable or claim.attempts >= claim.max_attempts
    status = JobStatus.failed if final else JobStatus.queued
    values: dict[str, Any] = {
        "status": status.value,
        "error_code": code,
        "error_message": message[:2000],
        "claim_token": None,
        "lease_expires_at": None,
    }
    if final:
        values["finished_at"] = func.now()
    else:
        values["published_at"] = func.now() + timedelta(seconds=retry_in_seconds)
    if affected_rows(session, update(jobs).where(*_held_by(claim)).values(**values)) != 1:
        raise LostClaim(str(claim.job_id))
    return status


def defer(session: Executor, *, claim: Claim, delay_seconds: float) -> None:
    """Give the job back to the queue without using an attempt (e.g. to wait for rate limits).

    `attempts` counts starts and never goes down: `max_attempts` grows by one instead. The job is
    due again in `delay_seconds`; the sweeper publishes it then.
    """
    given_back = affected_rows(
        session,
        update(jobs)
        .where(*_held_by(claim))
        .values(
            status=JobStatus.queued.value,
            max_attempts=jobs.c.max_attempts + 1,
            claim_token=None,
            lease_expires_at=None,
            published_at=func.now() + timedelta(seconds=delay_seconds),
        ),
    )
    if given_back != 1:
        raise LostClaim(str(claim.job_id))


# --- the sweeper's transitions (set-based; the caller holds the rows locked) -----------------


def requeue(
    session: Session, *, job_ids: Sequence[uuid.UUID], isolate: Sequence[uuid.UUID]
) -> None:
    """Running jobs whose lease expired go back to the queue, due now; those in `isolate` (they
    shared a claim with other jobs) will run alone from now on."""
    if not job_ids:
        return
    session.execute(
        update(jobs)
        .where(jobs.c.id.in_(job_ids), jobs.c.status == JobStatus.running.value)
        .values(
            status=JobStatus.queued.value,
            claim_token=None,
            lease_expires_at=None,
            published_at=func.now(),
            isolated=jobs.c.isolated | jobs.c.id.in_(isolate) if isolate else jobs.c.isolated,
        )
    )


def give_up(session: Session, *, job_ids: Sequence[uuid.UUID], code: str, message: Any) -> None:
    """Fail unfinished jobs with `code` and `message` (text or a SQL expression)."""
    if not job_ids:
        return
    session.execute(
        update(jobs)
        .where(
            jobs.c.id.in_(job_ids),
            jobs.c.status.in_((JobStatus.queued.value, JobStatus.running.value)),
        )
        .values(
            status=JobStatus.failed.value,
            error_code=code,
            error_message=message,
            claim_token=None,
            lease_expires_at=None,
            finished_at=func.now(),
        )
    )


def mark_published(session: Session, *, job_ids: Sequence[uuid.UUID]) -> None:
    """The doorbell of these queued jobs rang (or was seen ringing) now."""
    if job_ids:
        session.execute(
            update(jobs)
            .where(jobs.c.id.in_(job_ids), jobs.c.status == JobStatus.queued.value)
            .values(published_at=func.now())
        )


# --- the owner's transition (the gateway runs it through asyncpg) ----------------------------

# Cancels a queued job of the user and returns it; no row when it was not queued. The caller
# then reads the status in a statement of its own (a fresh snapshot), so a job claimed while this
# one waited for its row reports `running`, not the `queued` this statement started from.
CANCEL_STATEMENT = f"""
UPDATE jobs SET status = 'canceled', finished_at = now(), claim_token = NULL
WHERE id = :job_id AND user_id = :user_id AND status = 'queued'
RETURNING {JOB_COLUMNS}
"""
STATUS_STATEMENT = "SELECT status FROM jobs WHERE id = :job_id AND user_id = :user_id"
