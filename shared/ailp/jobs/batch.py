"""Recompute every learner's analytics through the queue, resumably (`ailp recompute-analytics`).

A batch run walks the learners in id order, creating analytics jobs a chunk at a time; each
chunk's jobs and the run's progress marker are committed together, then published. Interrupted,
the command resumes after the last committed chunk; a chunk committed but not published is
published by the sweeper like any unclaimed job. Progress is read from the jobs themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from ailp.config import Settings
from ailp.db.engine import get_engine
from ailp.jobs.submit import AnalyticsParams, NewJob, submit_statement
from ailp.models import BatchRun, Learner
from ailp.models.enums import JobKind
from ailp.queue.publish import Doorbell, publish

KIND = "analytics-recompute"

# Held for the whole command: two batch commands started at once would each open a new run and
# submit every learner twice.
BATCH_LOCK_ID = 727_003

_NEXT_LEARNERS = text("SELECT id, user_id FROM learners WHERE id > :after ORDER BY id LIMIT :chunk")


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    submitted: int
    all_submitted: bool
    queued: int
    running: int
    succeeded: int
    failed: int

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed

    @property
    def done(self) -> bool:
        # Not from the counts: learners deleted during the run take their jobs with them.
        return self.all_submitted and self.queued == 0 and self.running == 0


def open_run(session: Session, *, days: int, new: bool) -> tuple[BatchRun, bool]:
    """The unfinished run to resume, or a new one. Returns (run, resumed)."""
    if not new:
        unfinished = session.scalars(
            select(BatchRun)
            .where(BatchRun.kind == KIND, BatchRun.submitted_at.is_(None))
            .order_by(BatchRun.started_at.desc())
            .limit(1)
        ).first()
        if unfinished is not None:
            return unfinished, True
    total = session.scalar(select(func.count()).select_from(Learner)) or 0
    as_of = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    run = BatchRun(id=uuid.uuid4(), kind=KIND, params={"days": days, "as_of": as_of}, total=total)
    session.add(run)
    session.flush()
    return run, False


@contextmanager
def exclusive_run() -> Iterator[bool]:
    """Hold the batch command's lock (on an autocommit connection of its own, so no transaction
    stays open for the whole run); yields False when another command holds it."""
    with get_engine().connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        held = bool(
            connection.execute(
                text("SELECT pg_try_advisory_lock(:id)"), {"id": BATCH_LOCK_ID}
            ).scalar()
        )
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": BATCH_LOCK_ID})


def submit_chunk(
    session: Session, run: BatchRun, *, chunk: int, settings: Settings
) -> list[uuid.UUID]:
    """Create the next chunk's jobs and advance the run (in the caller's transaction)."""
    learners = session.execute(_NEXT_LEARNERS, {"after": run.last_learner_id, "chunk": chunk}).all()
    if not learners:
        session.execute(
            update(BatchRun).where(BatchRun.id == run.id).values(submitted_at=func.now())
        )
        return []
    params = AnalyticsParams(
        days=int(run.params["days"]), as_of=run.params["as_of"], trigger="batch"
    )
    sql, values = submit_statement(
        [NewJob(row.user_id, row.id, params) for row in learners],
        limits=None,  # an operator's recomputation is not the users' own submissions
        max_attempts=settings.job_max_attempts,
        batch_id=run.id,
    )
    created = session.execute(text(sql), values).all()
    session.execute(
        update(BatchRun)
        .where(BatchRun.id == run.id)
        .values(
            last_learner_id=max(row.id for row in learners),
            submitted=BatchRun.submitted + len(created),
        )
    )
    return [row.id for row in created]


def publish_chunk(client: redis.Redis, job_ids: list[uuid.UUID], settings: Settings) -> None:
    publish(
        client,
        [Doorbell(job_id, JobKind.analytics.value) for job_id in job_ids],
        ttl_seconds=settings.job_message_ttl_seconds,
    )


def progress(session: Session, run_id: uuid.UUID) -> Progress:
    run = session.get(BatchRun, run_id)
    assert run is not None
    rows = session.execute(
        text("SELECT status, count(*) FROM jobs WHERE batch_id = :id GROUP BY status"),
        {"id": run_id},
    ).all()
    counts = {status: count for status, count in rows}
    return Progress(
        total=run.total,
        submitted=run.submitted,
        all_submitted=run.submitted_at is not None,
        queued=counts.get("queued", 0),
        running=counts.get("running", 0),
        succeeded=counts.get("succeeded", 0),
        failed=counts.get("failed", 0) + counts.get("canceled", 0),
    )
