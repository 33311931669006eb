"""run tags, and each evaluation item's generation length

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:30:00

``run_tags`` holds the labels people put on runs (the runs table filters on them). Each
evaluation item gains ``tokens``, the length of its generation, which the reasoning-budget
analytics and the leaderboard's accuracy at a budget read; items stored before stay NULL (the
analytics measure those from the prediction text). The column is added in place
(``recreate="never"``, as in 0008 and 0010).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_tags",
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_tags_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "tag", name=op.f("pk_run_tags")),
    )
    op.create_index(op.f("ix_run_tags_tag"), "run_tags", ["tag"], unique=False)
    with op.batch_alter_table("evaluation_results", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("tokens", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evaluation_results", recreate="never") as batch_op:
        batch_op.drop_column("tokens")
    op.drop_index(op.f("ix_run_tags_tag"), table_name="run_tags")
    op.drop_table("run_tags")
