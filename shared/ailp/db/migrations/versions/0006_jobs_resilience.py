"""jobs resilience: submission limits in the insert, batch isolation, durable model spend

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# VOLATILE on purpose: a volatile SQL function takes a fresh snapshot for each query it runs, so
# when the submission statement re-checks a user's row after waiting for a concurrent submission
# to commit, the count includes that submission's job (a plain subquery would not see it).
UNFINISHED_JOBS_FUNCTION = """
CREATE OR REPLACE FUNCTION ailp_unfinished_jobs(for_user bigint) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT count(*) FROM jobs WHERE user_id = for_user AND status IN ('queued', 'running')
$$
"""


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("job_submission_tat", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "jobs",
        sa.Column("isolated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_index(
        "ix_jobs_queued_published",
        "jobs",
        ["published_at"],
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_index(
        "ix_jobs_running_lease",
        "jobs",
        ["lease_expires_at"],
        postgresql_where=sa.text("status = 'running'"),
    )
    op.execute(UNFINISHED_JOBS_FUNCTION)
    op.create_table(
        "model_spend_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("spent_micro", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reserved_micro", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_call_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_model_spend_days")),
    )
    op.create_table(
        "user_model_spend_days",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("spent_micro", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reserved_micro", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_model_spend_days_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_user_model_spend_days")),
    )
    op.create_index(
        "ix_user_model_spend_days_day_spent", "user_model_spend_days", ["day", "spent_micro"]
    )
    op.create_table(
        "model_reservations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("micro", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_model_reservations_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_reservations")),
    )
    op.create_index("ix_model_reservations_expires", "model_reservations", ["expires_at"])


def downgrade() -> None:
    op.drop_table("model_reservations")
    op.drop_index("ix_user_model_spend_days_day_spent", table_name="user_model_spend_days")
    op.drop_table("user_model_spend_days")
    op.drop_table("model_spend_days")
    op.execute("DROP FUNCTION IF EXISTS ailp_unfinished_jobs(bigint)")
    op.drop_index("ix_jobs_running_lease", table_name="jobs")
    op.drop_index("ix_jobs_queued_published", table_name="jobs")
    op.drop_column("jobs", "isolated")
    op.drop_column("users", "job_submission_tat")
