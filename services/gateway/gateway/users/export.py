"""Everything stored about one user, as one JSON document (GET /api/users/me/export).

Read in one repeatable-read, read-only transaction, so the parts agree with each other even while
workers write. Password hashes, token state and internal bookkeeping (claim tokens, cache keys,
idempotency hashes) are not the user's data and stay out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import asyncpg

from gateway.activity.repository import SESSION_COLUMNS
from gateway.content.repository import API_COLUMNS as CONTENT_COLUMNS
from gateway.jobs.repository import COLUMNS as JOB_COLUMNS
from gateway.jobs.repository import to_api as job_to_api
from gateway.learners.repository import COLUMNS as LEARNER_COLUMNS

FORMAT_VERSION = 1


async def export_user(pool: asyncpg.Pool, *, user_id: int) -> dict[str, Any] | None:
    """The document; None when the account is gone."""
    async with (
        pool.acquire() as connection,
        connection.transaction(isolation="repeatable_read", readonly=True),
    ):
        user = await connection.fetchrow(
            "SELECT id, username, email, role, created_at FROM users WHERE id = $1", user_id
        )
        if user is None:
            return None
        learners = await connection.fetch(
            f"SELECT {LEARNER_COLUMNS} FROM learners WHERE user_id = $1 ORDER BY id", user_id
        )
        sessions = await connection.fetch(
            f"""
            SELECT {SESSION_COLUMNS} FROM learning_sessions
            WHERE learner_id IN (SELECT id FROM learners WHERE user_id = $1)
            ORDER BY learner_id, session_start, id
            """,
            user_id,
        )
        responses = await connection.fetch(
            """
            SELECT id, learner_id, concept, correct, answered_at, content_id, session_id,
                   created_at
            FROM exercise_responses
            WHERE learner_id IN (SELECT id FROM learners WHERE user_id = $1)
            ORDER BY learner_id, id
            """,
            user_id,
        )
        content = await connection.fetch(
            f"""
            SELECT {CONTENT_COLUMNS} FROM content c
            WHERE c.learner_id IN (SELECT id FROM learners WHERE user_id = $1)
            ORDER BY c.learner_id, c.created_at, c.id
            """,
            user_id,
        )
        analytics = await connection.fetch(
            """
            SELECT learner_id, job_id, as_of, window_days, result, computed_at
            FROM analytics_results
            WHERE learner_id IN (SELECT id FROM learners WHERE user_id = $1)
            ORDER BY learner_id, computed_at
            """,
            user_id,
        )
        jobs = await connection.fetch(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE user_id = $1 ORDER BY created_at, id", user_id
        )
    by_learner: dict[str, dict[int, list[dict[str, Any]]]] = {
        "sessions": _group(sessions),
        "responses": _group(responses),
        "content": _group(content),
        "analytics": _group(analytics),
    }
    return {
        "format_version": FORMAT_VERSION,
        "user": dict(user),
        "learners": [
            {
                **dict(learner),
                **{part: rows.get(learner["id"], []) for part, rows in by_learner.items()},
            }
            for learner in learners
        ],
        "jobs": [job_to_api(job) for job in jobs],
    }


def _group(rows: list[asyncpg.Record]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["learner_id"]].append(dict(row))
    return grouped
