"""The sweeper: nothing accepted is lost.

Redis is only the doorbell, so a message can vanish (a crash between commit and publish, a
flushed or restarted broker, a SIGKILLed worker). Every few seconds one sweeper (a Postgres
advisory lock makes extra replicas idle) looks at unfinished job rows and:

* fails a running job whose lease expired after its last attempt (it keeps killing its worker);
* puts back to `queued` a running job whose lease expired (its worker died; heartbeats stopped);
* re-publishes a queued job nobody claimed within `JOB_REQUEUE_AFTER_SECONDS` of its last publish;
* creates the analytics jobs that new activity scheduled (`ailp.jobs.schedules`).

Re-publishing is harmless: a worker that receives a message for a job it cannot claim does nothing.
"""

from __future__ import annotations

import signal
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from types import FrameType
from typing import Any

import redis
from sqlalchemy import Row, func, select, text, update
from sqlalchemy.orm import Session

from ailp import metrics
from ailp.config import Settings, get_settings
from ailp.db.engine import session_scope
from ailp.jobs.schedules import create_due_analytics_jobs
from ailp.logging import get_logger
from ailp.models import Job
from ailp.models.enums import JobStatus
from ailp.queue.publish import publish_jobs

log = get_logger(__name__)

SWEEPER_LOCK_ID = 727_002
BATCH = 500

SweptJob = Row[uuid.UUID, str, int, int]  # id, kind, attempts, max_attempts


@dataclass
class SweepReport:
    failed: list[uuid.UUID] = field(default_factory=list)
    to_publish: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    locked_out: bool = False


def sweep(session: Session, settings: Settings) -> SweepReport:
    """One pass, inside the caller's transaction. Publishing happens after commit."""
    report = SweepReport()
    if not session.execute(
        text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": SWEEPER_LOCK_ID}
    ).scalar():
        report.locked_out = True
        return report

    expired = session.execute(
        select(Job.id, Job.kind, Job.attempts, Job.max_attempts)
        .where(Job.status == JobStatus.running.value, Job.lease_expires_at < func.now())
        .order_by(Job.lease_expires_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    _give_up(
        session,
        report,
        [job for job in expired if job.attempts >= job.max_attempts],
        "worker_lost",
        func.concat(
            "The job stopped ",
            Job.attempts,
            " times without finishing (its worker crashed or was killed each time), so it was "
            "given up. Submit it again; if it keeps failing, report it.",
        ),
    )
    _publish_again(
        session,
        report,
        [job for job in expired if job.attempts < job.max_attempts],
        "lease_expired",
        status=JobStatus.queued.value,
        claim_token=None,
        lease_expires_at=None,
    )

    stale_before = func.now() - timedelta(seconds=settings.job_requeue_after_seconds)
    unclaimed = session.execute(
        select(Job.id, Job.kind, Job.attempts, Job.max_attempts)
        .where(
            Job.status == JobStatus.queued.value,
            func.coalesce(Job.published_at, Job.created_at) < stale_before,
        )
        .order_by(Job.created_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    _give_up(
        session,
        report,
        [job for job in unclaimed if job.attempts >= job.max_attempts],
        "attempts_exhausted",
        func.concat("The job failed ", Job.attempts, " times; see earlier errors in the logs."),
    )
    _publish_again(
        session, report, [job for job in unclaimed if job.attempts < job.max_attempts], "unclaimed"
    )

    for job_id in create_due_analytics_jobs(session, settings):
        report.to_publish.append((job_id, "analytics"))
        metrics.JOBS_SWEPT.labels(kind="analytics", reason="scheduled").inc()
    return report


def _give_up(
    session: Session, report: SweepReport, jobs: Sequence[SweptJob], code: str, message: Any
) -> None:
    """Fail `jobs` (in one statement) with `code` and `message` (text or a SQL expression)."""
    if not jobs:
        return
    session.execute(
        update(Job)
        .where(Job.id.in_([job.id for job in jobs]))
        .values(
            status=JobStatus.failed.value,
            error_code=code,
            error_message=message,
            claim_token=None,
            lease_expires_at=None,
            finished_at=func.now(),
        )
    )
    for job in jobs:
        report.failed.append(job.id)
        metrics.JOBS_SWEPT.labels(kind=job.kind, reason="attempts_exhausted").inc()


def _publish_again(
    session: Session, report: SweepReport, jobs: Sequence[SweptJob], reason: str, **values: Any
) -> None:
    """Mark `jobs` published now (plus `values`, in one statement) and queue their messages."""
    if not jobs:
        return
    session.execute(
        update(Job)
        .where(Job.id.in_([job.id for job in jobs]))
        .values(published_at=func.now(), **values)
    )
    for job in jobs:
        report.to_publish.append((job.id, job.kind))
        metrics.JOBS_SWEPT.labels(kind=job.kind, reason=reason).inc()


def sweep_and_publish(client: redis.Redis, settings: Settings) -> SweepReport:
    with session_scope() as session:
        report = sweep(session, settings)
    if report.to_publish:
        try:
            publish_jobs(client, report.to_publish)
        except Exception as exc:  # broker down: the jobs stay queued, published again later
            log.warning("sweeper_publish_failed", jobs=len(report.to_publish), error=str(exc))
    if report.failed or report.to_publish:
        log.info("sweep", failed=len(report.failed), republished=len(report.to_publish))
    return report


def run_forever(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    client = redis.Redis.from_url(settings.celery_broker_url)
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("sweeper_stopping", signal=signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("sweeper_started", interval=settings.sweeper_interval_seconds)
    while not stop.is_set():
        try:
            sweep_and_publish(client, settings)
        except Exception as exc:  # e.g. the database is restarting; try again next interval
            log.warning("sweep_failed", error=str(exc))
        stop.wait(settings.sweeper_interval_seconds)
