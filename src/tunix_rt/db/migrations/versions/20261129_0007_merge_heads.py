"""merge the traces/datasets, evaluation and registry/tuning branches into one head

Revision ID: 0007
Revises: 0002, 0004, 0006
Create Date: 2026-11-29 03:05:00

The domains grew their tables in parallel (0002, 0004 and 0005-0006 all start from 0001 or
0003). This revision changes no schema: it joins those heads, so ``alembic upgrade head`` works
and the next migration has exactly one parent.
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | Sequence[str] | None = ("0002", "0004", "0006")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
