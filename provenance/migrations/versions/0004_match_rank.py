"""Matches are ranked: a page that copies several stories keeps one row per story, best first.

Before, a page had at most one ``matches`` row (its best match). ``rank`` orders a page's
rows (0 = the best match, the one the report's ``match`` shows); every row already saved
was the only match of its page, so it gets rank 0. Reading a run back orders by it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database made by ``create_all`` of the current models, then adopted, has the column.
    # (Offline --sql scripts have no database to ask: they always add it.)
    if not context.is_offline_mode() and "rank" in {
        c["name"] for c in sa.inspect(op.get_bind()).get_columns("matches")
    }:
        return
    with op.batch_alter_table("matches", schema=None) as batch_op:
        # The server default gives the rows already there rank 0 (SQLite: a plain ADD COLUMN).
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    # Back to one match per page: the extra rows (rank > 0) have no place in the old schema.
    op.execute("DELETE FROM matches WHERE rank > 0")
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_column("rank")
