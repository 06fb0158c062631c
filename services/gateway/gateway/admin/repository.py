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


async def stats(pool: asyncpg.Pool, *, days: int) -> asyncpg.Record:
    """The raw sums and counts of the last `days` days (see the module's docstring)."""
    row = await pool.fetchrow(_STATS, days)
    assert row is not None
    return row


TOP_SPENDERS = 10

_TOP_SPENDERS = """
SELECT u.id AS user_id, u.username,
       d.spent_micro / 1e6 AS cost_usd_today, d.reserved_micro / 1e6 AS in_flight_usd
FROM user_model_spend_days d JOIN users u ON u.id = d.user_id
WHERE d.day = CAST(now() AT TIME ZONE 'UTC' AS date) AND d.spent_micro + d.reserved_micro > 0
ORDER BY d.spent_micro DESC, u.id
LIMIT $1
"""


async def top_spenders(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    """Who spends the model budget today, most first (the per-user allowance's view)."""
    return await pool.fetch(_TOP_SPENDERS, TOP_SPENDERS)


_NEWEST_LEARNER_MODEL = """
SELECT v.id, v.fitted_at, v.source, v.evaluation,
       coalesce(
           (SELECT json_agg(json_build_object(
                        'concept', p.concept, 'p_init', p.p_init, 'p_transit', p.p_transit,
                        'p_forget', p.p_forget, 'guess', p.guess, 'slip', p.slip,
                        'responses', p.responses)
                    ORDER BY p.concept)
            FROM learner_model_concept_params p WHERE p.version_id = v.id),
           '[]') AS concepts
FROM learner_model_versions v
ORDER BY v.id DESC
LIMIT 1
"""


async def newest_learner_model(pool: asyncpg.Pool) -> asyncpg.Record | None:
    """The newest learner-model parameter version with its concepts (one round trip)."""
    return await pool.fetchrow(_NEWEST_LEARNER_MODEL)
