"""content privacy: every piece carries its audience (owner, shared or not)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 08:00:00.000000

Existing pieces become private to the user whose learner they were written for: the inputs of
their prompts (goals, knowledge gaps, mastery, niche) were not recorded, so none of them can be
proven shareable. Content workers older than this revision must be stopped before it runs: they
neither set the owner (their inserts would fail) nor respect it (they would serve private
pieces to anyone).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("content", sa.Column("owner_user_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "content", sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.execute(
        "UPDATE content SET owner_user_id = learners.user_id "
        "FROM learners WHERE learners.id = content.learner_id"
    )
    op.alter_column("content", "owner_user_id", nullable=False)
    op.create_foreign_key(
        op.f("fk_content_owner_user_id_users"),
        "content",
        "users",
        ["owner_user_id"],
        ["id"],
        ondelete="CASCADE",
    )
    # The content table is large: build the look-up indexes without blocking writes.
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_content_owner_concept",
            "content",
            ["owner_user_id", "concept_key", "content_type"],
            unique=False,
            postgresql_concurrently=True,
            if_not_exists=True,
        )
        op.create_index(
            "ix_content_shared_concept",
            "content",
            ["concept_key", "content_type"],
            unique=False,
            postgresql_where=sa.text("source = 'openai' AND shared"),
            postgresql_concurrently=True,
            if_not_exists=True,
        )
        op.drop_index(
            "ix_content_concept_key",
            table_name="content",
            postgresql_where=sa.text("source = 'openai'"),
            postgresql_concurrently=True,
            if_exists=True,
        )


def downgrade() -> None:
    op.create_index(
        "ix_content_concept_key",
        "content",
        ["concept_key", "content_type"],
        unique=False,
        postgresql_where=sa.text("source = 'openai'"),
    )
    op.drop_index(
        "ix_content_shared_concept",
        table_name="content",
        postgresql_where=sa.text("source = 'openai' AND shared"),
    )
    op.drop_index("ix_content_owner_concept", table_name="content")
    op.drop_constraint(op.f("fk_content_owner_user_id_users"), "content", type_="foreignkey")
    op.drop_column("content", "shared")
    op.drop_column("content", "owner_user_id")
