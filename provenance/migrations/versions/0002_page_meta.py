"""Pages keep their metadata (author, site, canonical URL, fetch time) for reports and evidence.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 13:28:47.980018
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database adopted from before migrations existed may already have the column.
    # (Offline --sql scripts have no database to ask: they always add it.)
    if not context.is_offline_mode() and "meta" in {
        c["name"] for c in sa.inspect(op.get_bind()).get_columns("pages")
    }:
        return
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meta", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_column("meta")
