"""The admin dashboard's figures from trigger-kept rollups equal a full scan of the tables.

The reference is the full-scan query the dashboard used before the rollups (kept here). Data is
spread over 40 days, inserted row by row and in bulk, then changed the ways the platform changes
it (claims, failures, a re-queued failed job, deleted content, a deleted user, retention deleting
old jobs) and compared for several windows.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import psycopg2
import pytest

from gateway.admin.service import window_stats as stats
from gateway.db import _init_connection
from tests.support.database import create_database, drop_database

REFERENCE = """
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


def _reference(row: asyncpg.Record, days: int, budget: float) -> dict[str, Any]:
    generated = row["generated"]
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
            "ai_success_rate": (row["by_openai"] + row["by_cache"]) / generated
            if generated
            else 0.0,
            "fallback_rate": row["by_fallback"] / generated if generated else 0.0,
            "cost_usd": float(row["cost_usd"]),
            "cost_usd_today": float(row["cost_today"]),
            "budget_usd_today": budget,
        },
        "top_concepts": row["top_concepts"],
        "jobs": {
            "queued": row["jobs_queued"],
            "running": row["jobs_running"],
            "failed": row["jobs_failed"],
            "avg_wait_seconds": float(row["avg_wait"]),
        },
    }


def _seed(cursor: Any, rng: random.Random) -> None:
    def ago(max_minutes: int) -> str:
        # Whole minutes plus 30 s: never within a few seconds of a window's edge.
        return f"now() - interval '{rng.randrange(1, max_minutes)} minutes 30 seconds'"

    for i in range(60):
        cursor.execute(
            f"INSERT INTO users (username, email, password_hash, created_at) "
            f"VALUES ('u{i}', 'u{i}@x.org', 'x', {ago(40 * 1440)}) RETURNING id"
        )
        user_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO learners (user_id, target_niche, experience_level,"
            " preferred_learning_style) VALUES (%s, 'data', 'beginner', 'visual') RETURNING id",
            (user_id,),
        )
    # Bulk inserts (one statement each): jobs in every state, sessions, content.
    cursor.execute(
        """
        INSERT INTO jobs (id, user_id, learner_id, kind, status, created_at, started_at)
        SELECT gen_random_uuid(), l.user_id, l.id, 'content',
               (ARRAY['queued', 'running', 'succeeded', 'failed'])[1 + (g % 4)],
               now() - make_interval(mins => ((g * 97 + l.id * 13) % 57600)::int) - interval '30 seconds',
               NULL
        FROM learners l, generate_series(1, 12) g
        """
    )
    cursor.execute(
        "UPDATE jobs SET started_at = created_at + make_interval(secs => abs(hashtext(id::text)) % 90)"
        " WHERE status <> 'queued'"
    )
    for _ in range(40):
        cursor.execute(
            f"""INSERT INTO learning_sessions (learner_id, session_start, completion_rate, created_at)
            SELECT id, now(), CASE WHEN id %% 3 = 0 THEN NULL ELSE (id %% 10) / 10.0 END,
                   {ago(40 * 1440)}
            FROM learners WHERE id %% 7 = %s""",
            (rng.randrange(7),),
        )
    concepts = ["SQL joins", "sql JOINS", "Python", "Pandas", "Git", "Docker", "Regex"] + [
        f"Topic {i}" for i in range(12)
    ]
    for _ in range(300):
        concept = rng.choice(concepts)
        cursor.execute(
            f"""INSERT INTO content (id, learner_id, owner_user_id, concept, concept_key,
                content_type, experience_level, title, body, source, prompt_version, cache_key,
                cost_usd, created_at)
            SELECT %s, id, user_id, %s, %s, 'lesson', 'beginner', 't', 'b', %s, 'v2', 'k', %s,
                   {ago(40 * 1440)}
            FROM learners ORDER BY random() LIMIT 1""",
            (
                str(uuid.uuid4()),
                concept,
                concept.lower(),
                rng.choice(["openai", "openai", "cache", "fallback"]),
                round(rng.random() / 100, 6),
            ),
        )


def _change(cursor: Any) -> None:
    """What the platform does later: claims, failures, a re-queue, deletions, retention."""
    cursor.execute(
        "UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()) "
        "WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 20)"
    )
    cursor.execute(
        "UPDATE jobs SET status = 'failed', finished_at = now() "
        "WHERE id IN (SELECT id FROM jobs WHERE status = 'running' ORDER BY id LIMIT 15)"
    )
    cursor.execute(
        "UPDATE jobs SET status = 'queued', started_at = NULL "
        "WHERE id IN (SELECT id FROM jobs WHERE status = 'failed' ORDER BY id LIMIT 5)"
    )
    cursor.execute("DELETE FROM content WHERE id IN (SELECT id FROM content ORDER BY id LIMIT 25)")
    cursor.execute("DELETE FROM users WHERE id IN (SELECT id FROM users ORDER BY id LIMIT 3)")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    url = create_database("ailp_rollups")
    yield url
    drop_database(url)


async def _compare(url: str, days_list: list[int]) -> None:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2, init=_init_connection)
    try:
        for days in days_list:
            ours = await stats(pool, days=days, budget_usd=2.0)
            reference = _reference(await pool.fetchrow(REFERENCE, days), days, 2.0)
            assert _close(ours, reference), days
    finally:
        await pool.close()


def _close(ours: Any, reference: Any) -> bool:
    """Equal, with floats compared to 1e-9 relative (sums in another order)."""
    if isinstance(ours, dict) and isinstance(reference, dict):
        assert ours.keys() == reference.keys()
        return all(_close(ours[k], reference[k]) for k in ours)
    if isinstance(ours, list) and isinstance(reference, list):
        assert len(ours) == len(reference), (ours, reference)
        return all(_close(a, b) for a, b in zip(ours, reference, strict=True))
    if isinstance(ours, float) or isinstance(reference, float):
        assert ours == pytest.approx(reference, rel=1e-9, abs=1e-9), (ours, reference)
        return True
    assert ours == reference
    return True


def test_rollups_equal_a_full_scan_as_data_arrives_changes_and_goes(database: str) -> None:
    connection = psycopg2.connect(database)
    try:
        with connection, connection.cursor() as cursor:
            _seed(cursor, random.Random(13))
        asyncio.run(_compare(database, [1, 7, 30, 365]))
        with connection, connection.cursor() as cursor:
            _change(cursor)
        asyncio.run(_compare(database, [1, 7, 30, 365]))
        # A full rebuild (what the migration runs over existing data) agrees with the triggers.
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT admin_stats_rebuild()")
        asyncio.run(_compare(database, [1, 30]))
    finally:
        connection.close()


def test_the_dashboard_reads_the_rollups_not_the_big_tables(database: str) -> None:
    """Sessions added to a rollup hour (and not to the table) show up in the figures."""

    async def sessions() -> int:
        pool = await asyncpg.create_pool(database, min_size=1, max_size=1, init=_init_connection)
        try:
            return int((await stats(pool, days=7, budget_usd=1.0))["sessions"])
        finally:
            await pool.close()

    before = asyncio.run(sessions())
    connection = psycopg2.connect(database)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO admin_hourly_stats (hour, shard, sessions) VALUES "
                "(date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 99, 1000)"
            )
        assert asyncio.run(sessions()) == before + 1000
    finally:
        with connection, connection.cursor() as cursor:
            cursor.execute("DELETE FROM admin_hourly_stats WHERE shard = 99")
        connection.close()
