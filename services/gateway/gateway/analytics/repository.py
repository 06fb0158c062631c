"""SQL for stored analytics results."""

from __future__ import annotations

import asyncpg


async def latest(pool: asyncpg.Pool, *, user_id: int, learner_id: int) -> asyncpg.Record | None:
    """`result`: the newest result (None when there is none yet); no row at all when the
    learner is not the user's (one round trip)."""
    return await pool.fetchrow(
        """
        SELECT latest.result FROM learners l
        LEFT JOIN LATERAL (
            SELECT result FROM analytics_results WHERE learner_id = l.id
            ORDER BY computed_at DESC LIMIT 1
        ) latest ON true
        WHERE l.id = $1 AND l.user_id = $2
        """,
        learner_id,
        user_id,
    )
