"""learner model params: fitted parameter versions; concept states in log-odds, replayed once

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 08:00:00

The stored per-concept states were folded with a BKT that saturates at 1.0 and with one FSRS
review per answer; neither can be corrected from the stored numbers (the lost digits are gone,
the cards depend on every review). They are a cache of `exercise_responses`, so this migration
empties them and schedules one recomputation per affected learner (an `analytics_schedules`
row due now): the sweeper turns those into analytics jobs, which replay each concept from its
answers with the exact model and refresh the learner's `knowledge_state`. Recomputing inside the
migration would need the worker's code (and FSRS) frozen into it and would hold the upgrade for
as long as every learner's history takes to replay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REPLAY_ALL_STATES = (
    """
    INSERT INTO analytics_schedules (learner_id, due_at)
    SELECT DISTINCT learner_id, now() FROM learner_concept_states
    ON CONFLICT (learner_id) DO NOTHING
    """,
    "DELETE FROM learner_concept_states",
)


def upgrade() -> None:
    op.create_table(
        "learner_model_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "fitted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("evaluation", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_model_versions")),
    )
    op.create_table(
        "learner_model_concept_params",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("concept", sa.String(length=200), nullable=False),
        sa.Column("p_init", sa.Float(), nullable=False),
        sa.Column("p_transit", sa.Float(), nullable=False),
        sa.Column("p_forget", sa.Float(), nullable=False),
        sa.Column("guess", sa.Float(), nullable=False),
        sa.Column("slip", sa.Float(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("log_likelihood", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["learner_model_versions.id"],
            name=op.f("fk_learner_model_concept_params_version_id_learner_model_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "version_id", "concept", name=op.f("pk_learner_model_concept_params")
        ),
    )
    for statement in _REPLAY_ALL_STATES:
        op.execute(statement)
    op.add_column("learner_concept_states", sa.Column("log_odds", sa.Float(), nullable=False))
    op.add_column(
        "learner_concept_states", sa.Column("params_version", sa.Integer(), nullable=True)
    )


def downgrade() -> None:
    # The older code reads p_mastery only; its states are recomputed the same way.
    for statement in _REPLAY_ALL_STATES:
        op.execute(statement)
    op.drop_column("learner_concept_states", "params_version")
    op.drop_column("learner_concept_states", "log_odds")
    op.drop_table("learner_model_concept_params")
    op.drop_table("learner_model_versions")
