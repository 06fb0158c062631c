"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 19:22:30.792704
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), server_default="user", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("role IN ('user', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index(
        "uq_users_email_lower", "users", [sa.literal_column("lower(email)")], unique=True
    )
    op.create_index(
        "uq_users_username_lower", "users", [sa.literal_column("lower(username)")], unique=True
    )
    op.create_table(
        "learners",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("target_niche", sa.String(length=50), nullable=False),
        sa.Column("experience_level", sa.String(length=16), nullable=False),
        sa.Column("preferred_learning_style", sa.String(length=16), nullable=False),
        sa.Column("learning_goals", sa.Text(), nullable=True),
        sa.Column(
            "knowledge_state",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "engagement_metrics",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "experience_level IN ('beginner', 'intermediate', 'advanced')",
            name=op.f("ck_learners_level"),
        ),
        sa.CheckConstraint(
            "preferred_learning_style IN ('visual', 'auditory', 'reading', 'kinesthetic')",
            name=op.f("ck_learners_style"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_learners_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learners")),
        sa.UniqueConstraint("user_id", "target_niche", name="uq_learners_user_id_target_niche"),
    )
    op.create_index("ix_learners_user_id_id", "learners", ["user_id", "id"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="queued", nullable=False),
        sa.Column(
            "params", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default="3", nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("result_url", sa.String(length=255), nullable=True),
        sa.Column("claim_token", sa.Uuid(), nullable=True),
        sa.Column("worker", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('content', 'analytics')", name=op.f("ck_jobs_kind")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')",
            name=op.f("ck_jobs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_jobs_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_jobs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_learner_created", "jobs", ["learner_id", "created_at"], unique=False)
    op.create_index(
        "ix_jobs_unfinished",
        "jobs",
        ["status", "kind", "created_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_index("ix_jobs_user_created", "jobs", ["user_id", "created_at", "id"], unique=False)
    op.create_index(
        "ix_jobs_user_unfinished",
        "jobs",
        ["user_id"],
        unique=False,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_index(
        "uq_jobs_user_idempotency_key",
        "jobs",
        ["user_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_table(
        "learning_sessions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("session_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column(
            "content_accessed",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column(
            "exercises_completed",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("exercises_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("completion_rate", sa.Float(), nullable=True),
        sa.Column("performance_score", sa.Float(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "completion_rate IS NULL OR completion_rate BETWEEN 0 AND 1",
            name=op.f("ck_learning_sessions_completion"),
        ),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0",
            name=op.f("ck_learning_sessions_duration"),
        ),
        sa.CheckConstraint(
            "performance_score IS NULL OR performance_score BETWEEN 0 AND 1",
            name=op.f("ck_learning_sessions_performance"),
        ),
        sa.CheckConstraint(
            "session_end IS NULL OR session_end >= session_start",
            name=op.f("ck_learning_sessions_end_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_learning_sessions_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_sessions")),
    )
    op.create_index(
        "ix_learning_sessions_learner_start",
        "learning_sessions",
        ["learner_id", "session_start", "id"],
        unique=False,
    )
    op.create_table(
        "analytics_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_analytics_results_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_analytics_results_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_results")),
        sa.UniqueConstraint("job_id", name=op.f("uq_analytics_results_job_id")),
    )
    op.create_index(
        "ix_analytics_results_learner_computed",
        "analytics_results",
        ["learner_id", "computed_at"],
        unique=False,
    )
    op.create_table(
        "content",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("concept", sa.String(length=200), nullable=False),
        sa.Column("concept_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("experience_level", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "examples", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "exercises",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("prompt_version", sa.String(length=32), nullable=False),
        sa.Column("input_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column("output_tokens", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "cost_usd",
            sa.Float(),
            server_default="0",
            nullable=False,
        ),
        sa.Column("notice", sa.Text(), nullable=True),
        sa.Column("cache_key", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "content_type IN ('lesson', 'quiz', 'exercise')", name=op.f("ck_content_content_type")
        ),
        sa.CheckConstraint(
            "source IN ('openai', 'cache', 'fallback')", name=op.f("ck_content_source")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_content_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_content_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content")),
        sa.UniqueConstraint("job_id", name=op.f("uq_content_job_id")),
    )
    op.create_index(
        "ix_content_cache_key",
        "content",
        ["cache_key", "created_at"],
        unique=False,
        postgresql_where=sa.text("source = 'openai'"),
    )
    op.create_index(
        "ix_content_concept_key",
        "content",
        ["concept_key", "content_type"],
        unique=False,
        postgresql_where=sa.text("source = 'openai'"),
    )
    op.create_index(
        "ix_content_learner_created", "content", ["learner_id", "created_at", "id"], unique=False
    )
    op.create_table(
        "exercise_responses",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("concept", sa.String(length=200), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_exercise_responses_content_id_content"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_exercise_responses_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_exercise_responses_session_id_learning_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_responses")),
    )
    op.create_index(
        "ix_exercise_responses_learner_answered",
        "exercise_responses",
        ["learner_id", "answered_at"],
        unique=False,
    )
    op.create_index(
        "ix_exercise_responses_learner_concept",
        "exercise_responses",
        ["learner_id", "concept", "answered_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_exercise_responses_learner_concept", table_name="exercise_responses")
    op.drop_index("ix_exercise_responses_learner_answered", table_name="exercise_responses")
    op.drop_table("exercise_responses")
    op.drop_index("ix_content_learner_created", table_name="content")
    op.drop_index(
        "ix_content_concept_key",
        table_name="content",
        postgresql_where=sa.text("source = 'openai'"),
    )
    op.drop_index(
        "ix_content_cache_key", table_name="content", postgresql_where=sa.text("source = 'openai'")
    )
    op.drop_table("content")
    op.drop_index("ix_analytics_results_learner_computed", table_name="analytics_results")
    op.drop_table("analytics_results")
    op.drop_index("ix_learning_sessions_learner_start", table_name="learning_sessions")
    op.drop_table("learning_sessions")
    op.drop_index(
        "uq_jobs_user_idempotency_key",
        table_name="jobs",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_index(
        "ix_jobs_user_unfinished",
        table_name="jobs",
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.drop_index("ix_jobs_user_created", table_name="jobs")
    op.drop_index(
        "ix_jobs_unfinished",
        table_name="jobs",
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.drop_index("ix_jobs_learner_created", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_learners_user_id_id", table_name="learners")
    op.drop_table("learners")
    op.drop_index("uq_users_username_lower", table_name="users")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
