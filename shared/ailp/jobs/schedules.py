"""Automatic analytics recomputation, coalesced per learner.

Posting sessions or responses inserts an `analytics_schedules` row for the learner unless one
is pending (the gateway does it in the same statement as the insert). The sweeper turns due rows
into analytics jobs, one per learner. A learner whose automatic job still waits in the queue
keeps its schedule row until that job is claimed: the waiting job's `as_of` was fixed when it was
created, so the newer activity needs a job of its own, but only one. Many posts within the delay
therefore cause one job.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from ailp.config import Settings

BATCH = 1000

_CREATE_DUE_JOBS = text(
    """
    WITH due AS (
        DELETE FROM analytics_schedules
        WHERE learner_id IN (
            SELECT s.learner_id FROM analytics_schedules s
            WHERE s.due_at <= now()
              AND NOT EXISTS (
                  SELECT 1 FROM jobs waiting
                  WHERE waiting.learner_id = s.learner_id AND waiting.kind = 'analytics'
                    AND waiting.status = 'queued' AND waiting.params ->> 'trigger' = 'activity'
              )
            ORDER BY s.due_at
            LIMIT :batch
            FOR UPDATE OF s SKIP LOCKED
        )
        RETURNING learner_id
    )
    INSERT INTO jobs (id, user_id, learner_id, kind, params, max_attempts, published_at)
    SELECT gen_random_uuid(), l.user_id, l.id, 'analytics',
           jsonb_build_object(
               'days', CAST(:days AS integer),
               'as_of', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               'trigger', 'activity'
           ),
           :max_attempts, now()
    FROM due JOIN learners l ON l.id = due.learner_id
    RETURNING id
    """
)


def create_due_analytics_jobs(session: Session, settings: Settings) -> list[uuid.UUID]:
    """Turn due schedules into queued analytics jobs (in the caller's transaction)."""
    rows = session.execute(
        _CREATE_DUE_JOBS,
        {
            "batch": BATCH,
            "days": settings.analytics_recompute_days,
            "max_attempts": settings.job_max_attempts,
        },
    )
    return [row.id for row in rows]
