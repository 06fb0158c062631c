"""SQL for sessions and responses; each write is one atomic statement scoped to the owner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from gateway.db import MissingReference

SESSION_COLUMNS = (
    "id, learner_id, session_start, session_end, duration_minutes, content_accessed, "
    "exercises_completed, completion_rate, performance_score, created_at"
)

_INSERT_SESSION = f"""
WITH learner AS (SELECT id FROM learners WHERE id = $1 AND user_id = $2),
session AS (
    INSERT INTO learning_sessions (learner_id, session_start, session_end, duration_minutes,
        content_accessed, exercises_completed, exercises_count, completion_rate, performance_score)
    SELECT id, $3::timestamptz, $4::timestamptz, $5::int, $6::jsonb, $7::jsonb, $8::int,
           $9::float8, $10::float8
    FROM learner
    RETURNING {SESSION_COLUMNS}
),
answers AS (
    INSERT INTO exercise_responses (learner_id, concept, correct, answered_at, session_id)
    SELECT session.learner_id, a.concept, a.correct, a.answered_at, session.id
    FROM session, unnest($11::text[], $12::bool[], $13::timestamptz[]) AS a(concept, correct, answered_at)
),
scheduled AS (  -- coalesced: a pending recomputation absorbs this one
    INSERT INTO analytics_schedules (learner_id, due_at)
    SELECT learner_id, now() + make_interval(secs => $14::float8) FROM session
    ON CONFLICT (learner_id) DO NOTHING
)
SELECT * FROM session
"""

_INSERT_RESPONSES = """
WITH learner AS (SELECT id FROM learners WHERE id = $1 AND user_id = $2),
stored AS (
    INSERT INTO exercise_responses (learner_id, concept, correct, answered_at, content_id, session_id)
    SELECT learner.id, r.concept, r.correct, coalesce(r.answered_at, now()), r.content_id, r.session_id
    FROM learner, unnest($3::text[], $4::bool[], $5::timestamptz[], $6::uuid[], $7::bigint[])
        AS r(concept, correct, answered_at, content_id, session_id)
    RETURNING 1
),
scheduled AS (  -- coalesced: a pending recomputation absorbs this one
    INSERT INTO analytics_schedules (learner_id, due_at)
    SELECT id, now() + make_interval(secs => $8::float8) FROM learner
    ON CONFLICT (learner_id) DO NOTHING
)
SELECT (SELECT count(*) FROM learner) AS learners, (SELECT count(*) FROM stored) AS stored
"""


async def insert_session(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    session: dict[str, Any],
    answers: list[tuple[str, bool, datetime]],
    recompute_delay: float,
) -> asyncpg.Record | None:
    """The stored session; None when the learner is not the user's."""
    return await pool.fetchrow(
        _INSERT_SESSION,
        learner_id,
        user_id,
        session["session_start"],
        session["session_end"],
        session["duration_minutes"],
        session["content_accessed"],
        session["exercises_completed"],
        len(session["exercises_completed"]),
        session["completion_rate"],
        session["performance_score"],
        [answer[0] for answer in answers],
        [answer[1] for answer in answers],
        [answer[2] for answer in answers],
        recompute_delay,
    )


async def list_sessions(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    since: datetime | None,
    until: datetime | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[asyncpg.Record] | None:
    """Newest first; None when the learner is not the user's (one round trip)."""
    rows = await pool.fetch(
        f"""
        SELECT s.* FROM learners l
        LEFT JOIN LATERAL (
            SELECT {SESSION_COLUMNS} FROM learning_sessions
            WHERE learner_id = l.id
              AND ($3::timestamptz IS NULL OR session_start >= $3)
              AND ($4::timestamptz IS NULL OR session_start < $4)
              AND ($5::timestamptz IS NULL OR (session_start, id) < ($5, $6::bigint))
            ORDER BY session_start DESC, id DESC
            LIMIT $7
        ) s ON true
        WHERE l.id = $1 AND l.user_id = $2
        """,
        learner_id,
        user_id,
        since,
        until,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    if not rows:
        return None
    return [row for row in rows if row["id"] is not None]


async def insert_responses(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    responses: list[dict[str, Any]],
    recompute_delay: float,
) -> int | None:
    """How many answers were stored; None when the learner is not the user's. Raises
    `MissingReference` when a referenced session or content piece was deleted meanwhile."""
    try:
        row = await pool.fetchrow(
            _INSERT_RESPONSES,
            learner_id,
            user_id,
            [r["concept"] for r in responses],
            [r["correct"] for r in responses],
            [r["answered_at"] for r in responses],
            [r["content_id"] for r in responses],
            [r["session_id"] for r in responses],
            recompute_delay,
        )
    except asyncpg.ForeignKeyViolationError as exc:
        raise MissingReference from exc
    if row["learners"] == 0:
        return None
    return int(row["stored"])


async def count_references(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    session_ids: set[int],
    content_ids: set[Any],
) -> asyncpg.Record:
    """`owned` (1 when the learner is the user's, else 0), and how many of `session_ids` and
    `content_ids` are this learner's (`sessions`, `content`)."""
    return await pool.fetchrow(
        """
        SELECT (SELECT count(*) FROM learners WHERE id = $1 AND user_id = $4) AS owned,
               (SELECT count(*) FROM learning_sessions WHERE learner_id = $1 AND id = ANY($2::bigint[]))
                   AS sessions,
               (SELECT count(*) FROM content WHERE learner_id = $1 AND id = ANY($3::uuid[]))
                   AS content
        """,
        learner_id,
        list(session_ids),
        list(content_ids),
        user_id,
    )
