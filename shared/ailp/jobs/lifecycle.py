"""Claiming and finishing jobs with conditional UPDATEs: the database decides who runs a job.

A task message only carries a job id; whoever turns the row from `queued` to `running` owns the
job until its lease expires, and proves it with the claim token on every later write. A stale
worker (its lease expired and the job was handed to another) therefore cannot overwrite the
result, and a redelivered message for a finished job does nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from ailp.models import Job
from ailp.models.enums import JobStatus


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


def _lease(seconds: float) -> Any:
    return func.now() + timedelta(seconds=seconds)


def _held_by(claim: Claim) -> tuple[Any, ...]:
    """The job is still running under this claim (the fencing condition of every later write)."""
    return (
        Job.id == claim.job_id,
        Job.claim_token == claim.token,
        Job.status == JobStatus.running.value,
    )


def claim(
    session: Session, *, job_id: uuid.UUID, worker: str, lease_seconds: float
) -> Claim | None:
    """Take a queued job, or return None when it is not ours to run (already taken or finished)."""
    token = uuid.uuid4()
    row = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.status == JobStatus.queued.value,
            Job.attempts < Job.max_attempts,
        )
        .values(
            status=JobStatus.running.value,
            attempts=Job.attempts + 1,
            claim_token=token,
            worker=worker[:255],
            started_at=func.coalesce(Job.started_at, func.now()),
            heartbeat_at=func.now(),
            lease_expires_at=_lease(lease_seconds),
        )
        .returning(
            Job.kind,
            Job.user_id,
            Job.learner_id,
            Job.params,
            Job.attempts,
            Job.max_attempts,
            Job.created_at,
        )
    ).one_or_none()
    if row is None:
        return None
    return Claim(
        job_id,
        token,
        row.kind,
        row.user_id,
        row.learner_id,
        row.params,
        row.attempts,
        row.max_attempts,
        row.created_at,
    )


def heartbeat(session: Session, *, claim: Claim, lease_seconds: float) -> bool:
    """Extend the lease; False when the job is no longer ours."""
    result = session.execute(
        update(Job)
        .where(*_held_by(claim))
        .values(heartbeat_at=func.now(), lease_expires_at=_lease(lease_seconds))
    )
    return result.rowcount == 1


def succeed(
    session: Session, *, claim: Claim, result: dict[str, Any], result_url: str | None
) -> datetime:
    """Mark the job succeeded in the caller's transaction (the one that stored its output)."""
    finished_at = session.execute(
        update(Job)
        .where(*_held_by(claim))
        .values(
            status=JobStatus.succeeded.value,
            result=result,
            result_url=result_url,
            error_code=None,
            error_message=None,
            finished_at=func.now(),
            lease_expires_at=None,
        )
        .returning(Job.finished_at)
    ).scalar_one_or_none()
    if finished_at is None:
        raise LostClaim(str(claim.job_id))
    return finished_at


def fail_or_retry(
    session: Session, *, claim: Claim, code: str, message: str, retryable: bool
) -> JobStatus:
    """After an error: queue the job again while attempts remain (and it is retryable), else fail."""
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
        values["published_at"] = func.now()
    result = session.execute(update(Job).where(*_held_by(claim)).values(**values))
    if result.rowcount != 1:
        raise LostClaim(str(claim.job_id))
    return status


def defer(session: Session, *, claim: Claim, delay_seconds: float) -> None:
    """Give the job back to the queue without using an attempt (e.g. to wait for rate limits).

    `published_at` is set to when it will be published again, so the sweeper leaves it alone
    until then.
    """
    result = session.execute(
        update(Job)
        .where(*_held_by(claim))
        .values(
            status=JobStatus.queued.value,
            attempts=Job.attempts - 1,
            claim_token=None,
            lease_expires_at=None,
            published_at=func.now() + timedelta(seconds=delay_seconds),
        )
    )
    if result.rowcount != 1:
        raise LostClaim(str(claim.job_id))
