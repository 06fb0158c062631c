"""The business dashboard's figures: indexed aggregates, computed in one round trip."""

from __future__ import annotations

from typing import Any

import asyncpg

_STATS = """
WITH window_start AS (SELECT now() - make_interval(days => $1) AS at),
active AS (
    SELECT user_id, created_at AS at FROM jobs WHERE created_at >= now() - interval '30 days'
    UNION ALL
    SELECT l.user_id, s.created_at FROM learning_sessions s JOIN learners l ON l.id = s.learner_id
    WHERE s.created_at >= now() - interval '30 days'
),
content_window AS (
    SELECT source, concept_key, cost_usd, created_at FROM content
    WHERE created_at >= (SELECT at FROM window_start)
)
SELECT
    (SELECT count(*) FROM users) AS users_total,
    (SELECT count(*) FROM users WHERE created_at >= (SELECT at FROM window_start)) AS new_users,
    (SELECT count(DISTINCT user_id) FROM active WHERE at >= now() - interval '1 day') AS active_daily,
    (SELECT count(DISTINCT user_id) FROM active) AS active_monthly,
    (SELECT count(*) FROM learning_sessions WHERE created_at >= (SELECT at FROM window_start)) AS sessions,
    (SELECT coalesce(avg(completion_rate), 0) FROM learning_sessions
        WHERE created_at >= (SELECT at FROM window_start)) AS avg_completion_rate,
    (SELECT count(*) FROM content_window) AS generated,
    (SELECT count(*) FROM content_window WHERE source = 'openai') AS by_openai,
    (SELECT count(*) FROM content_window WHERE source = 'cache') AS by_cache,
    (SELECT count(*) FROM content_window WHERE source = 'fallback') AS by_fallback,
    (SELECT coalesce(sum(cost_usd), 0) FROM content_window) AS cost_usd,
    (SELECT coalesce(sum(cost_usd), 0) FROM content
        WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS cost_today,
    (SELECT coalesce(json_agg(json_build_object('concept', concept, 'requests', requests)), '[]')
        FROM (SELECT min(concept) AS concept, count(*) AS requests
              FROM content WHERE created_at >= (SELECT at FROM window_start)
              GROUP BY concept_key ORDER BY count(*) DESC, min(concept) LIMIT 10) top) AS top_concepts,
    (SELECT count(*) FROM jobs WHERE status = 'queued') AS jobs_queued,
    (SELECT count(*) FROM jobs WHERE status = 'running') AS jobs_running,
    (SELECT count(*) FROM jobs WHERE status = 'failed'
        AND created_at >= (SELECT at FROM window_start)) AS jobs_failed,
    (SELECT coalesce(avg(extract(epoch FROM started_at - created_at)), 0) FROM jobs
        WHERE created_at >= (SELECT at FROM window_start) AND started_at IS NOT NULL) AS avg_wait
"""


async def stats(pool: asyncpg.Pool, *, days: int, budget_usd: float) -> dict[str, Any]:
    row = await pool.fetchrow(_STATS, days)
    assert row is not None
    generated = row["generated"]
    ai = row["by_openai"] + row["by_cache"]
    return {
        "window_days": days,
        "users_total": row["users_total"],
        "new_users": row["new_users"],
        "active_users_daily": row["active_daily"],
        "active_users_monthly": row["active_monthly"],
        "sessions": row["sessions"],
        "avg_completion_rate": float(row["avg_completion_rate"]),
        "content": {
            "generated": generated,
            "by_source": {
                "openai": row["by_openai"],
                "cache": row["by_cache"],
                "fallback": row["by_fallback"],
            },
            "ai_success_rate": ai / generated if generated else 0.0,
            "fallback_rate": row["by_fallback"] / generated if generated else 0.0,
            "cost_usd": float(row["cost_usd"]),
            "cost_usd_today": float(row["cost_today"]),
            "budget_usd_today": budget_usd,
        },
        "top_concepts": row["top_concepts"],
        "jobs": {
            "queued": row["jobs_queued"],
            "running": row["jobs_running"],
            "failed": row["jobs_failed"],
            "avg_wait_seconds": float(row["avg_wait"]),
        },
    }
