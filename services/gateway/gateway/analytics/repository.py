"""SQL for stored analytics results."""

from __future__ import annotations

from typing import Any

import asyncpg

from ailp.errors import NotFound
from gateway.learners.repository import not_found as learner_not_found


async def latest(pool: asyncpg.Pool, *, user_id: int, learner_id: int) -> dict[str, Any]:
    rows = await pool.fetch(
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
    if not rows:
        raise learner_not_found(learner_id)
    if rows[0]["result"] is None:
        raise NotFound(
            f"No analytics yet for learner {learner_id}. Request them with "
            f"POST /api/learners/{learner_id}/analytics."
        )
    return rows[0]["result"]
