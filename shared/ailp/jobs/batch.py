"""Recompute every learner's analytics through the queue, resumably (`ailp recompute-analytics`).

A batch run walks the learners in id order, creating analytics jobs a chunk at a time; each
chunk's jobs and the run's progress marker are committed together, then published. Interrupted,
the command resumes after the last committed chunk; a chunk committed but not published is
published by the sweeper like any unclaimed job. Progress is read from the jobs themselves.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from ailp.config import Settings
from ailp.models import BatchRun, Learner
from ailp.queue.publish import publish_analytics_batches

KIND = "analytics-recompute"

_SUBMIT_CHUNK = text(
    """
    INSERT INTO jobs (id, user_id, learner_id, kind, params, max_attempts, published_at, batch_id)
    SELECT gen_random_uuid(), l.user_id, l.id, 'analytics', CAST(:params AS jsonb), :max_attempts,
           now(), :batch_id
    FROM learners l
    WHERE l.id > :after
    ORDER BY l.id
    LIMIT :chunk
    RETURNING id, learner_id
    """
)


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


def submit_chunk(
    session: Session, run: BatchRun, *, chunk: int, settings: Settings
) -> list[uuid.UUID]:
    """Create the next chunk's jobs and advance the run (in the caller's transaction)."""
    rows = session.execute(
        _SUBMIT_CHUNK,
        {
            "params": json.dumps({**run.params, "trigger": "batch"}),
            "max_attempts": settings.job_max_attempts,
            "batch_id": run.id,
            "after": run.last_learner_id,
            "chunk": chunk,
        },
    ).all()
    if not rows:
        session.execute(
            update(BatchRun).where(BatchRun.id == run.id).values(submitted_at=func.now())
        )
        return []
    session.execute(
        update(BatchRun)
        .where(BatchRun.id == run.id)
        .values(
            last_learner_id=max(row.learner_id for row in rows),
            submitted=BatchRun.submitted + len(rows),
        )
    )
    return [row.id for row in rows]


JOBS_PER_MESSAGE = 25


def publish_chunk(client: redis.Redis, job_ids: list[uuid.UUID]) -> None:
    publish_analytics_batches(client, job_ids=job_ids, size=JOBS_PER_MESSAGE)


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
