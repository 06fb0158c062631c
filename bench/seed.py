"""Bulk data written straight into PostgreSQL with set-based SQL, and the benchmark's users: one
precomputed argon2 hash for all (signing 256 users in would cost 256 argon2 verifications and
tell nothing about the hot paths), tokens from the gateway's own `issue_token`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg2
from pydantic import SecretStr

from ailp.config import Settings
from gateway.passwords import hash_password
from gateway.security import issue_token
from tests.support.api import Api


@dataclass(frozen=True)
class BenchUser:
    user_id: int
    token: str
    learner_id: int

    def api(self, base_url: str) -> Api:
        """The tests' API client, signed in as this user."""
        api = Api(base_url, timeout=30)
        api.token = self.token
        api.http.headers["Authorization"] = f"Bearer {self.token}"
        return api


@contextmanager
def cursor_for(database_url: str) -> Iterator[Any]:
    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def backend_pids(database_url: str) -> set[int]:
    """The server processes of the connections open to this database (but this one)."""
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {row[0] for row in cursor.fetchall()}


def create_users(database_url: str, jwt_secret: str, count: int) -> list[BenchUser]:
    """`count` users, each with one learner profile and a valid access token."""
    settings = Settings(jwt_secret=SecretStr(jwt_secret))
    with cursor_for(database_url) as cursor:
        cursor.execute(
            "INSERT INTO users (username, email, password_hash) SELECT 'bench_' || g, "
            "'bench_' || g || '@example.com', %s FROM generate_series(1, %s) g RETURNING id",
            (hash_password("bench-password-42"), count),
        )
        user_ids = sorted(row[0] for row in cursor.fetchall())
        learner_of = dict(insert_learners(cursor, user_ids, "data-analysis", count, 0))
    return [
        BenchUser(user, issue_token(settings, user, version=0).token, learner_of[user])
        for user in user_ids
    ]


def insert_learners(
    cursor: Any, owners: list[int], niche: str, count: int, first: int = 1
) -> list[tuple[int, int]]:
    """`count` learners, the n-th (from `first`) owned by owners[n % len(owners)], niche + n;
    (user id, learner id) in creation order."""
    cursor.execute(
        """
        INSERT INTO learners (user_id, target_niche, experience_level, preferred_learning_style,
                              learning_goals)
        SELECT (%(owners)s::bigint[])[1 + g %% cardinality(%(owners)s::bigint[])], %(niche)s || g,
               (ARRAY['beginner', 'intermediate', 'advanced'])[1 + g %% 3], 'reading',
               'Benchmark learner.'
        FROM generate_series(%(first)s, %(first)s + %(count)s - 1) g ORDER BY g
        RETURNING user_id, id
        """,
        {"owners": owners, "niche": niche, "count": count, "first": first},
    )
    return sorted(cursor.fetchall(), key=lambda row: row[1])


def insert_history(cursor: Any, learner_ids: list[int], **shape: Any) -> None:
    """Per learner `sessions` study sessions over the last `session_days` (default `days`) days
    and `answers` answers cycling over `concepts` concepts ("concept 001", ...) over the last
    `days` days: right 60 % of the time, or (`graded`) from 30 % for the first concept to 95 %
    for the last."""
    shape = {"ids": learner_ids, "session_days": shape["days"], "graded": False, **shape}
    cursor.execute(
        """
        INSERT INTO learning_sessions (learner_id, session_start, session_end, duration_minutes,
                                       exercises_completed, exercises_count, completion_rate,
                                       performance_score)
        SELECT l, at, at + make_interval(mins => minutes), minutes,
               (SELECT coalesce(jsonb_agg('exercise-' || e), '[]'::jsonb)
                FROM generate_series(1, exercises) e), exercises, random(), random()
        FROM (SELECT l, (10 + floor(random() * 80))::int AS minutes,
                     floor(random() * 10)::int AS exercises, now() - interval '2 hours'
                         - random() * make_interval(days => %(session_days)s) AS at
              FROM unnest(%(ids)s::bigint[]) l, generate_series(1, %(sessions)s)) s;
        INSERT INTO exercise_responses (learner_id, concept, correct, answered_at)
        SELECT l, 'concept ' || lpad(c::text, 3, '0'),
               random() < CASE WHEN %(graded)s THEN 0.3 + 0.65 * c::float8 / %(concepts)s ELSE 0.6 END,
               now() - interval '1 hour' - random() * make_interval(days => %(days)s)
        FROM (SELECT l, 1 + (g %% %(concepts)s) AS c
              FROM unnest(%(ids)s::bigint[]) l, generate_series(1, %(answers)s) g) answers;
        ANALYZE learners, learning_sessions, exercise_responses, jobs
        """,
        shape,
    )
