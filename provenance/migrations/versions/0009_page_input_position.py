"""Pages saved by a cluster task carry their place in the run's input: saved once, however
often the task runs.

A Dask worker that dies after committing a task's pages but before returning them makes the
scheduler run the task again on another worker (issue 15). Each page a cluster task saves
now carries its place in the run's input (``input_position``), unique within the run, so
the second run of the task finds its pages saved and saves none of them again. Pages saved
otherwise have none (NULLs never collide).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database made by ``create_all`` of the current models, then adopted, has the column.
    if not context.is_offline_mode() and "input_position" in {
        c["name"] for c in sa.inspect(op.get_bind()).get_columns("pages")
    }:
        return
    op.add_column("pages", sa.Column("input_position", sa.BigInteger(), nullable=True))  # in place (see 0005)
    op.create_index("ux_pages_run_input_position", "pages", ["run_id", "input_position"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_pages_run_input_position", table_name="pages")
    op.execute("ALTER TABLE pages DROP COLUMN input_position")  # in place, as 0007's downgrade
