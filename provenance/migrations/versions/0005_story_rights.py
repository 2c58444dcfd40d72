"""Stories keep what a wire item carries about itself: guid and version, status, embargo, rights.

Wire archives (ninjs, NewsML-G2, NITF, NewsML 1; issue 14) deliver each story with its own
guid and version (a write-thru is a new version of one guid), its publication status
(``usable``, ``withheld``, ``canceled``: a kill), an embargo time, its copyright holder,
notice and usage terms, and the sources its text came from (``infoSource``). Stories loaded
before have none of them: status ``usable``, the rest empty.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("guid", sa.String(512)),
    ("version", sa.Integer()),
    ("embargoed", sa.String(64)),
    ("copyright_holder", sa.Text()),
    ("copyright_notice", sa.Text()),
    ("usage_terms", sa.Text()),
    ("info_sources", sa.JSON()),
)


def upgrade() -> None:
    # A database made by ``create_all`` of the current models, then adopted, has the columns.
    if not context.is_offline_mode() and "pub_status" in {
        c["name"] for c in sa.inspect(op.get_bind()).get_columns("stories")
    }:
        return
    # Plain ADD COLUMN, never a batch copy of the table: on SQLite a batch rebuild drops the
    # old ``stories`` table, and with foreign keys on that deletes every fingerprint.
    for name, kind in _COLUMNS:
        op.add_column("stories", sa.Column(name, kind, nullable=True))
    op.add_column(
        "stories", sa.Column("pub_status", sa.String(16), nullable=False, server_default=sa.text("'usable'"))
    )
    op.create_index("ix_stories_guid", "stories", ["guid"])


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35+ and PostgreSQL), for the same reason as above.
    op.drop_index("ix_stories_guid", table_name="stories")
    for name in ("pub_status", *(name for name, _ in reversed(_COLUMNS))):
        op.execute(f"ALTER TABLE stories DROP COLUMN {name}")
