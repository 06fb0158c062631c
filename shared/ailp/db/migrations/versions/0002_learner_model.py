"""learner model, schedules, batch runs, dashboard indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:50:34.488411
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "params", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("submitted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_learner_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_runs")),
    )
    op.create_table(
        "analytics_schedules",
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_analytics_schedules_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("learner_id", name=op.f("pk_analytics_schedules")),
    )
    op.create_index("ix_analytics_schedules_due", "analytics_schedules", ["due_at"], unique=False)
    op.create_index("ix_content_created", "content", ["created_at"], unique=False)
    op.add_column("jobs", sa.Column("batch_id", sa.Uuid(), nullable=True))
    op.create_index(
        "ix_jobs_batch",
        "jobs",
        ["batch_id", "status"],
        unique=False,
        postgresql_where=sa.text("batch_id IS NOT NULL"),
    )
    op.create_index("ix_jobs_created", "jobs", ["created_at"], unique=False)
    op.create_foreign_key(
        op.f("fk_jobs_batch_id_batch_runs"),
        "jobs",
        "batch_runs",
        ["batch_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(
        "ix_learning_sessions_created", "learning_sessions", ["created_at"], unique=False
    )
    op.create_index("ix_users_created", "users", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_users_created", table_name="users")
    op.drop_index("ix_learning_sessions_created", table_name="learning_sessions")
    op.drop_constraint(op.f("fk_jobs_batch_id_batch_runs"), "jobs", type_="foreignkey")
    op.drop_index("ix_jobs_created", table_name="jobs")
    op.drop_index(
        "ix_jobs_batch", table_name="jobs", postgresql_where=sa.text("batch_id IS NOT NULL")
    )
    op.drop_column("jobs", "batch_id")
    op.drop_index("ix_content_created", table_name="content")
    op.drop_index("ix_analytics_schedules_due", table_name="analytics_schedules")
    op.drop_table("analytics_schedules")
    op.drop_table("batch_runs")
