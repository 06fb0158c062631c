"""SQL for generated content, selected straight into the API's shape."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

API_COLUMNS = """
    c.id AS content_id, c.learner_id, c.concept, c.content_type, c.title, c.body AS content,
    c.examples, c.exercises, c.source, c.model, c.prompt_version,
    json_build_object('input_tokens', c.input_tokens, 'output_tokens', c.output_tokens,
                      'cost_usd', c.cost_usd) AS usage,
    c.notice, c.created_at
"""


async def get(pool: asyncpg.Pool, *, user_id: int, content_id: uuid.UUID) -> asyncpg.Record | None:
    return await pool.fetchrow(
        f"""
        SELECT {API_COLUMNS} FROM content c JOIN learners l ON l.id = c.learner_id
        WHERE c.id = $1 AND l.user_id = $2
        """,
        content_id,
        user_id,
    )


async def list_for_learner(
    pool: asyncpg.Pool,
    *,
    user_id: int,
    learner_id: int,
    content_type: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[asyncpg.Record] | None:
    """Newest first; None when the learner is not the user's (one round trip)."""
    rows = await pool.fetch(
        f"""
        SELECT page.* FROM learners l
        LEFT JOIN LATERAL (
            SELECT {API_COLUMNS} FROM content c
            WHERE c.learner_id = l.id
              AND ($3::text IS NULL OR c.content_type = $3)
              AND ($4::timestamptz IS NULL OR (c.created_at, c.id) < ($4, $5::uuid))
            ORDER BY c.created_at DESC, c.id DESC
            LIMIT $6
        ) page ON true
        WHERE l.id = $1 AND l.user_id = $2
        """,
        learner_id,
        user_id,
        content_type,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )
    if not rows:
        return None
    return [row for row in rows if row["content_id"] is not None]
