"""The business dashboard's figures from rollups, in one round trip.

Summing millions of jobs, sessions and content rows per request does not stay under 200 ms as
the platform grows, so the figures come from small tables that triggers keep up to date
(ailp.models.stats, migration 0008): per UTC hour (`admin_hourly_stats`), per UTC day and
concept (`admin_daily_concepts`) and each user's latest activity (`user_last_active`). The
window `now() - days` rarely starts on an hour (or day) boundary: its first partial hour (day,
for concepts) is read from the big tables through their `created_at` indexes, so every figure is
exactly what a full scan of the tables gives (rows deleted by retention are subtracted too).
Add a figure as one more CTE and one more column (e.g. `top_spenders`).
"""

from __future__ import annotations

from typing import Any

import asyncpg

_STATS = """
WITH bounds AS (
    SELECT now() - make_interval(days => $1) AS window_start,
           date_trunc('hour', (now() - make_interval(days => $1)) AT TIME ZONE 'UTC')
               AT TIME ZONE 'UTC' + interval '1 hour' AS full_hours_from,
           (date_trunc('day', (now() - make_interval(days => $1)) AT TIME ZONE 'UTC')
               + interval '1 day') AT TIME ZONE 'UTC' AS full_days_from,
           date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS today
),
hourly AS (
    SELECT coalesce(sum(new_users), 0) AS new_users,
           coalesce(sum(sessions), 0) AS sessions,
           coalesce(sum(completion_sum), 0) AS completion_sum,
           coalesce(sum(completion_count), 0) AS completion_count,
           coalesce(sum(content_openai), 0) AS by_openai,
           coalesce(sum(content_cache), 0) AS by_cache,
           coalesce(sum(content_fallback), 0) AS by_fallback,
           coalesce(sum(content_openai + content_cache + content_fallback + content_other), 0)
               AS generated,
           coalesce(sum(cost_usd), 0) AS cost_usd,
           coalesce(sum(cost_usd) FILTER (WHERE hour >= (SELECT today FROM bounds)), 0)
               AS cost_today,
           coalesce(sum(jobs_failed), 0) AS jobs_failed,
           coalesce(sum(jobs_started), 0) AS jobs_started,
           coalesce(sum(wait_seconds), 0) AS wait_seconds
    FROM admin_hourly_stats WHERE hour >= (SELECT full_hours_from FROM bounds)
),
-- The window's first, partial hour, from the tables themselves.
edge_users AS (
    SELECT count(*) AS new_users FROM users, bounds
    WHERE created_at >= window_start AND created_at < full_hours_from
),
edge_sessions AS (
    SELECT count(*) AS sessions, coalesce(sum(completion_rate), 0) AS completion_sum,
           count(completion_rate) AS completion_count
    FROM learning_sessions, bounds
    WHERE created_at >= window_start AND created_at < full_hours_from
),
edge_content AS (
    SELECT count(*) AS generated,
           count(*) FILTER (WHERE source = 'openai') AS by_openai,
           count(*) FILTER (WHERE source = 'cache') AS by_cache,
           count(*) FILTER (WHERE source = 'fallback') AS by_fallback,
           coalesce(sum(cost_usd), 0) AS cost_usd
    FROM content, bounds WHERE created_at >= window_start AND created_at < full_hours_from
),
edge_jobs AS (
    SELECT count(*) FILTER (WHERE status = 'failed') AS jobs_failed,
           count(started_at) AS jobs_started,
           coalesce(sum(extract(epoch FROM started_at - created_at)), 0) AS wait_seconds
    FROM jobs, bounds WHERE created_at >= window_start AND created_at < full_hours_from
),
concepts AS (
    SELECT concept_key, min(concept) AS concept, sum(requests) AS requests FROM (
        SELECT concept_key, concept, requests FROM admin_daily_concepts
        WHERE day >= (SELECT (full_days_from AT TIME ZONE 'UTC')::date FROM bounds)
        UNION ALL
        SELECT concept_key, min(concept), count(*) FROM content, bounds
        WHERE created_at >= window_start AND created_at < full_days_from
        GROUP BY concept_key
    ) parts
    GROUP BY concept_key
    HAVING sum(requests) > 0
    ORDER BY sum(requests) DESC, min(concept)
    LIMIT 10
),
active AS (
    SELECT count(*) FILTER (WHERE last_active_at >= now() - interval '1 day') AS daily,
           count(*) AS monthly
    FROM user_last_active WHERE last_active_at >= now() - interval '30 days'
)
SELECT
    (SELECT count(*) FROM users) AS users_total,
    hourly.new_users + edge_users.new_users AS new_users,
    active.daily AS active_daily,
    active.monthly AS active_monthly,
    hourly.sessions + edge_sessions.sessions AS sessions,
    hourly.completion_sum + edge_sessions.completion_sum AS completion_sum,
    hourly.completion_count + edge_sessions.completion_count AS completion_count,
    hourly.generated + edge_content.generated AS generated,
    hourly.by_openai + edge_content.by_openai AS by_openai,
    hourly.by_cache + edge_content.by_cache AS by_cache,
    hourly.by_fallback + edge_content.by_fallback AS by_fallback,
    hourly.cost_usd + edge_content.cost_usd AS cost_usd,
    hourly.cost_today AS cost_today,
    (SELECT coalesce(json_agg(json_build_object('concept', concept, 'requests', requests)
                              ORDER BY requests DESC, concept), '[]')
        FROM concepts) AS top_concepts,
    (SELECT count(*) FROM jobs WHERE status = 'queued') AS jobs_queued,
    (SELECT count(*) FROM jobs WHERE status = 'running') AS jobs_running,
    hourly.jobs_failed + edge_jobs.jobs_failed AS jobs_failed,
    hourly.jobs_started + edge_jobs.jobs_started AS jobs_started,
    hourly.wait_seconds + edge_jobs.wait_seconds AS wait_seconds
FROM hourly, edge_users, edge_sessions, edge_content, edge_jobs, active
"""


async def stats(pool: asyncpg.Pool, *, days: int, budget_usd: float) -> dict[str, Any]:
    row = await pool.fetchrow(_STATS, days)
    assert row is not None
    generated = int(row["generated"])
    ai = int(row["by_openai"]) + int(row["by_cache"])
    completion_count = int(row["completion_count"])
    started = int(row["jobs_started"])
    return {
        "window_days": days,
        "users_total": row["users_total"],
        "new_users": int(row["new_users"]),
        "active_users_daily": row["active_daily"],
        "active_users_monthly": row["active_monthly"],
        "sessions": int(row["sessions"]),
        "avg_completion_rate": (
            float(row["completion_sum"]) / completion_count if completion_count else 0.0
        ),
        "content": {
            "generated": generated,
            "by_source": {
                "openai": int(row["by_openai"]),
                "cache": int(row["by_cache"]),
                "fallback": int(row["by_fallback"]),
            },
            "ai_success_rate": ai / generated if generated else 0.0,
            "fallback_rate": int(row["by_fallback"]) / generated if generated else 0.0,
            "cost_usd": float(row["cost_usd"]),
            "cost_usd_today": float(row["cost_today"]),
            "budget_usd_today": budget_usd,
        },
        "top_concepts": [
            {"concept": item["concept"], "requests": int(item["requests"])}
            for item in row["top_concepts"]
        ],
        "jobs": {
            "queued": row["jobs_queued"],
            "running": row["jobs_running"],
            "failed": int(row["jobs_failed"]),
            "avg_wait_seconds": float(row["wait_seconds"]) / started if started else 0.0,
        },
    }
