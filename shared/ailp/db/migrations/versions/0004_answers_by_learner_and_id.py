"""answers by learner and id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:34:59.526788
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The answers table is the largest: build the index without blocking writes.
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_exercise_responses_learner_id",
            "exercise_responses",
            ["learner_id", "id"],
            unique=False,
            postgresql_include=["concept"],
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade() -> None:
    op.drop_index(
        "ix_exercise_responses_learner_id",
        table_name="exercise_responses",
        postgresql_include=["concept"],
    )
