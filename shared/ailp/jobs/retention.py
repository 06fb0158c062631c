"""Retention: finished jobs older than JOB_RETENTION_DAYS are deleted, a batch at a time.

A job row is bookkeeping (status, attempts, result pointer); once it has been finished for the
retention period nobody polls it, and keeping it would grow `jobs` without end. What the job
produced stays: `content.job_id` and `analytics_results.job_id` are set to NULL by their foreign
keys, the learner keeps the content. Unfinished jobs are never touched. The dashboard's rollups
subtract the deleted rows (their triggers), so its figures keep matching the tables.

Small batches keep each transaction short (row locks, WAL, replication lag); `SKIP LOCKED` lets
a concurrent writer win. The sweeper calls this every tick until a call deletes fewer than
`batch` rows.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from ailp.config import Settings
from ailp.db.rows import affected_rows

DEFAULT_BATCH = 1000

_DELETE_EXPIRED = text(
    """
    DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs
        WHERE status IN ('succeeded', 'failed', 'canceled')
          AND finished_at < now() - make_interval(days => :days)
        ORDER BY finished_at
        LIMIT :batch
        FOR UPDATE SKIP LOCKED
    )
    """
)


def delete_expired_jobs(session: Session, settings: Settings, *, batch: int = DEFAULT_BATCH) -> int:
    """Delete up to `batch` jobs finished more than JOB_RETENTION_DAYS ago, oldest first, in the
    caller's transaction; returns how many (fewer than `batch`: nothing more is due now)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    return affected_rows(
        session, _DELETE_EXPIRED.bindparams(days=settings.job_retention_days, batch=batch)
    )
