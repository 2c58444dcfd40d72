"""Pages remember where their HTTP response is archived: WARC file, record id and offset.

A page read from a WARC file, or fetched by ``audit --evidence DIR`` (issue 15), has its raw
response in a WARC record; the page row names the file, the record's ``WARC-Record-ID`` and
its byte offset, so ``provenance evidence`` can read the exact bytes behind a finding back
by seeking to it. Pages saved before have none.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("warc_file", sa.Text()),
    ("warc_record_id", sa.Text()),  # any URI (warcio writes <urn:uuid:…>, other crawlers longer)
    ("warc_offset", sa.BigInteger()),
)


def upgrade() -> None:
    # A database made by ``create_all`` of the current models, then adopted, has the columns.
    if not context.is_offline_mode() and "warc_file" in {
        c["name"] for c in sa.inspect(op.get_bind()).get_columns("pages")
    }:
        return
    for name, kind in _COLUMNS:  # plain ADD COLUMN, never a batch copy of the table (see 0005)
        op.add_column("pages", sa.Column(name, kind, nullable=True))
    op.create_index("ix_pages_warc_record_id", "pages", ["warc_record_id"])  # replay by record id


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35+ and PostgreSQL), for the same reason as 0005.
    op.drop_index("ix_pages_warc_record_id", table_name="pages")
    for name, _ in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE pages DROP COLUMN {name}")
