"""SQL for sessions and responses; each write is one atomic statement scoped to the owner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from ailp.errors import Unprocessable
from gateway.learners.repository import not_found

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
) -> asyncpg.Record:
    row = await pool.fetchrow(
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
    if row is None:
        raise not_found(learner_id)
    return row


async def list_sessions(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    since: datetime | None,
    until: datetime | None,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest first. Raises NotFound when the learner is not the caller's (one round trip)."""
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
        raise not_found(learner_id)
    return [row for row in rows if row["id"] is not None]


async def insert_responses(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    responses: list[dict[str, Any]],
    recompute_delay: float,
) -> int:
    await _check_references(pool, user_id=user_id, learner_id=learner_id, responses=responses)
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
        raise Unprocessable("A referenced session or content piece no longer exists.") from exc
    if row["learners"] == 0:
        raise not_found(learner_id)
    return int(row["stored"])


async def _check_references(
    pool: asyncpg.Pool, *, user_id: int, learner_id: int, responses: list[dict[str, Any]]
) -> None:
    """session_id and content_id must name this learner's own sessions and content."""
    session_ids = {r["session_id"] for r in responses if r["session_id"] is not None}
    content_ids = {r["content_id"] for r in responses if r["content_id"] is not None}
    if not session_ids and not content_ids:
        return
    row = await pool.fetchrow(
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
    if row["owned"] == 0:
        raise not_found(learner_id)
    if row["sessions"] != len(session_ids):
        raise Unprocessable(
            "A session_id does not name one of this learner's sessions. "
            "Use ids from GET /api/learners/{id}/sessions.",
            errors=[{"loc": ["body", "responses", "session_id"], "msg": "unknown session"}],
        )
    if row["content"] != len(content_ids):
        raise Unprocessable(
            "A content_id does not name content generated for this learner.",
            errors=[{"loc": ["body", "responses", "content_id"], "msg": "unknown content"}],
        )
