"""Bulk data for the benchmark, written straight into PostgreSQL with set-based SQL.

Users are inserted with one precomputed argon2 hash (signing 256 users in would cost 256 argon2
verifications and tell nothing about the hot paths) and get tokens issued with the gateway's own
`issue_token` and the benchmark gateway's JWT secret. Analytics learners get their sessions and
answers from `generate_series`, spread over the 30-day window the analytics job reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg2

from ailp.config import Settings
from gateway.passwords import hash_password
from gateway.security import issue_token

BENCH_PASSWORD = "bench-password-42"
CONCEPTS = (
    "SQL joins",
    "window functions",
    "indexes",
    "group by",
    "subqueries",
    "CTEs",
    "transactions",
    "normalization",
)


@dataclass(frozen=True)
class BenchUser:
    user_id: int
    token: str
    learner_id: int


@contextmanager
def cursor_for(database_url: str) -> Iterator[psycopg2.extensions.cursor]:
    """An autocommit cursor on a connection that is closed afterwards."""
    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def create_users(database_url: str, settings: Settings, count: int) -> list[BenchUser]:
    """`count` users, each with one learner profile and a valid access token."""
    password_hash = hash_password(BENCH_PASSWORD)
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            INSERT INTO users (username, email, password_hash)
            SELECT 'bench_' || g, 'bench_' || g || '@example.com', %(hash)s
            FROM generate_series(1, %(count)s) g
            RETURNING id
            """,
            {"hash": password_hash, "count": count},
        )
        user_ids = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            """
            INSERT INTO learners (user_id, target_niche, experience_level,
                                  preferred_learning_style, learning_goals)
            SELECT u, 'data-analysis', 'beginner', 'visual', 'Get a junior data analyst job.'
            FROM unnest(%(users)s::bigint[]) u
            RETURNING user_id, id
            """,
            {"users": user_ids},
        )
        learner_of = dict(cursor.fetchall())
    return [
        BenchUser(user_id, issue_token(settings, user_id, version=0).token, learner_of[user_id])
        for user_id in user_ids
    ]


def create_analytics_learners(
    database_url: str,
    users: list[BenchUser],
    *,
    learners: int,
    sessions: int,
    responses: int,
) -> list[tuple[int, int]]:
    """`learners` learners spread over `users`, each with `sessions` study sessions and
    `responses` exercise answers in the last 29 days. Returns (learner id, owner's index)."""
    user_ids = [user.user_id for user in users]
    with cursor_for(database_url) as cursor:
        cursor.execute(
            """
            INSERT INTO learners (user_id, target_niche, experience_level,
                                  preferred_learning_style, learning_goals)
            SELECT (%(users)s::bigint[])[1 + g %% cardinality(%(users)s::bigint[])],
                   'analytics-' || g,
                   (ARRAY['beginner', 'intermediate', 'advanced'])[1 + g %% 3],
                   'reading', 'Benchmark learner.'
            FROM generate_series(0, %(learners)s - 1) g
            RETURNING id, user_id
            """,
            {"users": user_ids, "learners": learners},
        )
        index_of = {user_id: index for index, user_id in enumerate(user_ids)}
        created = sorted((row[0], index_of[row[1]]) for row in cursor.fetchall())
        learner_ids = [learner_id for learner_id, _ in created]
        cursor.execute(
            """
            INSERT INTO learning_sessions (learner_id, session_start, session_end,
                                           duration_minutes, exercises_completed, exercises_count,
                                           completion_rate, performance_score)
            SELECT id, start, start + make_interval(mins => duration), duration,
                   (SELECT coalesce(jsonb_agg('exercise-' || e), '[]'::jsonb)
                    FROM generate_series(1, exercises) e),
                   exercises, completion, performance
            FROM (
                SELECT l AS id,
                       now() - interval '2 hours' - random() * interval '29 days' AS start,
                       (10 + floor(random() * 80))::int AS duration,
                       floor(random() * 6)::int AS exercises,
                       random() AS completion,
                       random() AS performance
                FROM unnest(%(ids)s::bigint[]) l, generate_series(1, %(sessions)s)
            ) s
            """,
            {"ids": learner_ids, "sessions": sessions},
        )
        cursor.execute(
            """
            INSERT INTO exercise_responses (learner_id, concept, correct, answered_at)
            SELECT l, (%(concepts)s::text[])[1 + floor(random() * cardinality(%(concepts)s::text[]))::int],
                   random() < 0.6,
                   now() - interval '2 hours' - random() * interval '29 days'
            FROM unnest(%(ids)s::bigint[]) l, generate_series(1, %(responses)s)
            """,
            {"ids": learner_ids, "responses": responses, "concepts": list(CONCEPTS)},
        )
        cursor.execute("ANALYZE learners, learning_sessions, exercise_responses, jobs")
    return created


def backend_pids(database_url: str) -> set[int]:
    """The server processes of the connections open to this database (but this one)."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {row[0] for row in cursor.fetchall()}
