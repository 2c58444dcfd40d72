"""Stories remember the input they were made from, hashed: a re-add of it is skipped.

``source_hash`` is the hash of the story's input as read (a JSONL line, a file, a wire item)
with what turned it into a story (the rule packs' patterns, the fingerprint schemes). A
re-add of an unchanged archive compares it before any work instead of detecting credits and
fingerprinting every story again (issue 15). Stories stored before have none: their first
re-add does the work once and records it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database made by ``create_all`` of the current models, then adopted, has the column.
    if not context.is_offline_mode() and "source_hash" in {
        c["name"] for c in sa.inspect(op.get_bind()).get_columns("stories")
    }:
        return
    op.add_column("stories", sa.Column("source_hash", sa.String(64), nullable=True))  # in place (see 0005)


def downgrade() -> None:
    op.execute("ALTER TABLE stories DROP COLUMN source_hash")
