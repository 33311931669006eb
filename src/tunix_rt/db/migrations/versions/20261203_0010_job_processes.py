"""where a job's latest process runs: host, process group and attempt

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:30:00

Three nullable columns on ``jobs``, read by a new attempt before it starts its first process
(``runs/attempts.py``). Added and dropped in place (``recreate="never"``, as in 0008): SQLite
alters the table without copying it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("process_host", "process_pgid", "process_attempt")


def upgrade() -> None:
    with op.batch_alter_table("jobs", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("process_host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("process_pgid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("process_attempt", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", recreate="never") as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
