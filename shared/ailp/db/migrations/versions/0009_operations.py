"""operations: retention index, admin dashboard rollups kept by triggers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 08:00:00

* `ix_jobs_finished`: retention deletes finished jobs oldest first without scanning the table.
* `admin_hourly_stats`, `admin_daily_concepts`, `user_last_active`: what `GET /api/admin/stats`
  reads instead of aggregating millions of rows (see ailp.models.stats). Statement-level
  triggers with transition tables keep them equal to the tables they summarise, one grouped
  upsert per statement (a COPY or a batch insert costs one upsert per hour touched, not one per
  row); a row-level trigger on jobs fires only when `status` turns to or from `failed` or
  `started_at` changes (claims), never on heartbeats. Deletes (retention, a deleted account)
  are subtracted too, so the rollups always equal a full scan. `admin_stats_rebuild()` recomputes everything from the tables
  (run here, and by the growth benchmark after bulk loading with triggers off).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOUR = "(date_trunc('hour', {col} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
SHARD = "(pg_backend_pid() % 8)::smallint"
COUNTERS = [
    "new_users",
    "sessions",
    "completion_sum",
    "completion_count",
    "content_openai",
    "content_cache",
    "content_fallback",
    "content_other",
    "cost_usd",
    "jobs_failed",
    "jobs_started",
    "wait_seconds",
]


def _add_hourly(select_sql: str, columns: list[str]) -> str:
    """INSERT the rows of `select_sql` (hour, shard, *columns) and add them to existing rows.

    Ordered by the key so that concurrent statements lock rows in the same order (no deadlock).
    """
    updates = ", ".join(f"{c} = admin_hourly_stats.{c} + EXCLUDED.{c}" for c in columns)
    return (
        f"INSERT INTO admin_hourly_stats (hour, shard, {', '.join(columns)})\n"
        f"SELECT * FROM ({select_sql}) rows ORDER BY 1, 2\n"
        f"ON CONFLICT (hour, shard) DO UPDATE SET {updates};"
    )


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND $$;"
    )


def _last_active(select_sql: str) -> str:
    return (
        "INSERT INTO user_last_active (user_id, last_active_at)\n"
        f"SELECT * FROM ({select_sql}) rows ORDER BY 1\n"
        "ON CONFLICT (user_id) DO UPDATE SET last_active_at = EXCLUDED.last_active_at\n"
        "WHERE user_last_active.last_active_at < EXCLUDED.last_active_at;"
    )


def _users(rows: str, sign: str) -> str:
    hour = HOUR.format(col="created_at")
    return _add_hourly(
        f"SELECT {hour}, {SHARD}, {sign}count(*) FROM {rows} GROUP BY 1", ["new_users"]
    )


def _sessions(rows: str, sign: str) -> str:
    hour = HOUR.format(col="created_at")
    return _add_hourly(
        f"SELECT {hour}, {SHARD}, {sign}count(*), {sign}coalesce(sum(completion_rate), 0), "
        f"{sign}count(completion_rate) FROM {rows} GROUP BY 1",
        ["sessions", "completion_sum", "completion_count"],
    )


def _content(rows: str, sign: str) -> str:
    hour = HOUR.format(col="created_at")
    return _add_hourly(
        f"SELECT {hour}, {SHARD}, "
        f"{sign}count(*) FILTER (WHERE source = 'openai'), "
        f"{sign}count(*) FILTER (WHERE source = 'cache'), "
        f"{sign}count(*) FILTER (WHERE source = 'fallback'), "
        f"{sign}count(*) FILTER (WHERE source NOT IN ('openai', 'cache', 'fallback')), "
        f"{sign}coalesce(sum(cost_usd), 0) FROM {rows} GROUP BY 1",
        ["content_openai", "content_cache", "content_fallback", "content_other", "cost_usd"],
    )


DAY = "(created_at AT TIME ZONE 'UTC')::date"


def _jobs(rows: str, sign: str) -> str:
    """Started or failed jobs inserted (bulk loads; the gateway inserts queued ones) or deleted."""
    hour = HOUR.format(col="created_at")
    return _add_hourly(
        f"SELECT {hour}, {SHARD}, {sign}count(*) FILTER (WHERE status = 'failed'), "
        f"{sign}count(started_at), "
        f"{sign}coalesce(sum(extract(epoch FROM started_at - created_at)), 0) "
        f"FROM {rows} WHERE status = 'failed' OR started_at IS NOT NULL GROUP BY 1",
        ["jobs_failed", "jobs_started", "wait_seconds"],
    )


TRIGGER_FUNCTIONS = {
    "admin_stats_users_inserted": _users("new_rows", ""),
    "admin_stats_users_deleted": _users("old_rows", "-"),
    "admin_stats_sessions_inserted": _sessions("new_rows", "")
    + "\n"
    + _last_active(
        "SELECT l.user_id, max(n.created_at) FROM new_rows n "
        "JOIN learners l ON l.id = n.learner_id GROUP BY l.user_id"
    ),
    "admin_stats_sessions_deleted": _sessions("old_rows", "-"),
    "admin_stats_content_inserted": _content("new_rows", "")
    + f"""
INSERT INTO admin_daily_concepts (day, concept_key, concept, requests)
SELECT * FROM (SELECT {DAY}, concept_key, min(concept), count(*) FROM new_rows GROUP BY 1, 2) rows
ORDER BY 1, 2
ON CONFLICT (day, concept_key) DO UPDATE SET
    requests = admin_daily_concepts.requests + EXCLUDED.requests,
    concept = least(admin_daily_concepts.concept, EXCLUDED.concept);""",
    "admin_stats_content_deleted": _content("old_rows", "-")
    + f"""
UPDATE admin_daily_concepts d SET requests = d.requests - gone.n
FROM (SELECT {DAY} AS day, concept_key, count(*) AS n FROM old_rows GROUP BY 1, 2) gone
WHERE d.day = gone.day AND d.concept_key = gone.concept_key;
DELETE FROM admin_daily_concepts WHERE requests <= 0;""",
    "admin_stats_jobs_deleted": _jobs("old_rows", "-"),
    "admin_stats_jobs_inserted": _jobs("new_rows", "")
    + "\n"
    + _last_active("SELECT user_id, max(created_at) FROM new_rows GROUP BY user_id"),
}

JOB_UPDATED = f"""
CREATE OR REPLACE FUNCTION admin_stats_job_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO admin_hourly_stats (hour, shard, jobs_failed, jobs_started, wait_seconds)
    VALUES (
        {HOUR.format(col="NEW.created_at")}, {SHARD},
        (NEW.status = 'failed')::int - (OLD.status = 'failed')::int,
        (NEW.started_at IS NOT NULL)::int - (OLD.started_at IS NOT NULL)::int,
        coalesce(extract(epoch FROM NEW.started_at - NEW.created_at), 0)
          - coalesce(extract(epoch FROM OLD.started_at - OLD.created_at), 0)
    )
    ON CONFLICT (hour, shard) DO UPDATE SET
        jobs_failed = admin_hourly_stats.jobs_failed + EXCLUDED.jobs_failed,
        jobs_started = admin_hourly_stats.jobs_started + EXCLUDED.jobs_started,
        wait_seconds = admin_hourly_stats.wait_seconds + EXCLUDED.wait_seconds;
    RETURN NULL;
END $$;
"""

TRIGGERS = [
    ("users", "INSERT", "NEW TABLE AS new_rows", "admin_stats_users_inserted"),
    ("users", "DELETE", "OLD TABLE AS old_rows", "admin_stats_users_deleted"),
    ("learning_sessions", "INSERT", "NEW TABLE AS new_rows", "admin_stats_sessions_inserted"),
    ("learning_sessions", "DELETE", "OLD TABLE AS old_rows", "admin_stats_sessions_deleted"),
    ("content", "INSERT", "NEW TABLE AS new_rows", "admin_stats_content_inserted"),
    ("content", "DELETE", "OLD TABLE AS old_rows", "admin_stats_content_deleted"),
    ("jobs", "INSERT", "NEW TABLE AS new_rows", "admin_stats_jobs_inserted"),
    ("jobs", "DELETE", "OLD TABLE AS old_rows", "admin_stats_jobs_deleted"),
]

REBUILD = f"""
CREATE OR REPLACE FUNCTION admin_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE admin_hourly_stats, admin_daily_concepts, user_last_active;
    INSERT INTO admin_hourly_stats (hour, shard, {", ".join(COUNTERS)})
    SELECT hour, 0, {", ".join(f"sum({c})" for c in COUNTERS)} FROM (
        SELECT {HOUR.format(col="created_at")} AS hour, count(*) AS new_users, 0 AS sessions,
               0 AS completion_sum, 0 AS completion_count, 0 AS content_openai,
               0 AS content_cache, 0 AS content_fallback, 0 AS content_other, 0 AS cost_usd,
               0 AS jobs_failed, 0 AS jobs_started, 0 AS wait_seconds
        FROM users GROUP BY 1
        UNION ALL
        SELECT {HOUR.format(col="created_at")}, 0, count(*), coalesce(sum(completion_rate), 0),
               count(completion_rate), 0, 0, 0, 0, 0, 0, 0, 0
        FROM learning_sessions GROUP BY 1
        UNION ALL
        SELECT {HOUR.format(col="created_at")}, 0, 0, 0, 0,
               count(*) FILTER (WHERE source = 'openai'), count(*) FILTER (WHERE source = 'cache'),
               count(*) FILTER (WHERE source = 'fallback'),
               count(*) FILTER (WHERE source NOT IN ('openai', 'cache', 'fallback')),
               coalesce(sum(cost_usd), 0), 0, 0, 0
        FROM content GROUP BY 1
        UNION ALL
        SELECT {HOUR.format(col="created_at")}, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               count(*) FILTER (WHERE status = 'failed'), count(started_at),
               coalesce(sum(extract(epoch FROM started_at - created_at)), 0)
        FROM jobs WHERE status = 'failed' OR started_at IS NOT NULL GROUP BY 1
    ) parts GROUP BY hour;
    INSERT INTO admin_daily_concepts (day, concept_key, concept, requests)
    SELECT {DAY}, concept_key, min(concept), count(*) FROM content GROUP BY 1, 2;
    INSERT INTO user_last_active (user_id, last_active_at)
    SELECT user_id, max(at) FROM (
        SELECT user_id, max(created_at) AS at FROM jobs GROUP BY user_id
        UNION ALL
        SELECT l.user_id, max(s.created_at) FROM learning_sessions s
        JOIN learners l ON l.id = s.learner_id GROUP BY l.user_id
    ) activity GROUP BY user_id;
END $$;
"""


def upgrade() -> None:
    op.create_index(
        "ix_jobs_finished",
        "jobs",
        ["finished_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('succeeded', 'failed', 'canceled')"),
    )
    op.create_table(
        "admin_hourly_stats",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        *[
            sa.Column(
                name,
                sa.Float()
                if name in ("completion_sum", "cost_usd", "wait_seconds")
                else sa.BigInteger(),
                server_default="0",
                nullable=False,
            )
            for name in COUNTERS
        ],
        sa.PrimaryKeyConstraint("hour", "shard", name=op.f("pk_admin_hourly_stats")),
    )
    op.create_table(
        "admin_daily_concepts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("concept_key", sa.String(length=200), nullable=False),
        sa.Column("concept", sa.String(length=200), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "concept_key", name=op.f("pk_admin_daily_concepts")),
    )
    op.create_table(
        "user_last_active",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_last_active_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_last_active")),
    )
    for name, body in TRIGGER_FUNCTIONS.items():
        op.execute(_function(name, body))
    op.execute(JOB_UPDATED)
    op.execute(REBUILD)
    for table, event, transition, function in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {function} AFTER {event} ON {table} REFERENCING {transition} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    op.execute(
        "CREATE TRIGGER admin_stats_job_updated AFTER UPDATE OF status, started_at ON jobs "
        "FOR EACH ROW WHEN ((OLD.status = 'failed') IS DISTINCT FROM (NEW.status = 'failed') "
        "OR OLD.started_at IS DISTINCT FROM NEW.started_at) "
        "EXECUTE FUNCTION admin_stats_job_updated()"
    )
    # Existing data: the rollups start equal to the tables (a full scan, once).
    op.execute("SELECT admin_stats_rebuild()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS admin_stats_job_updated ON jobs")
    for table, _event, _transition, function in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {function} ON {table}")
    for name in [*TRIGGER_FUNCTIONS, "admin_stats_job_updated", "admin_stats_rebuild"]:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("user_last_active")
    op.drop_table("admin_daily_concepts")
    op.drop_table("admin_hourly_stats")
    op.drop_index(
        "ix_jobs_finished",
        table_name="jobs",
        postgresql_where=sa.text("status IN ('succeeded', 'failed', 'canceled')"),
    )
