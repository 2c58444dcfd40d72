"""The initial schema: the corpus, its fingerprints and block keys, audit runs and the fetch cache.

Written by hand to equal what ``Base.metadata.create_all`` made before migrations existed
(``tests/test_migrations.py`` compares it with the models on SQLite and PostgreSQL).

Databases made by ``create_all`` already have some or all of these tables and no
``alembic_version``: each table is created only when missing, so upgrading such a database
adopts it (and adds tables it predates, like ``fetch_cache``) instead of failing.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stories() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(512), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("byline", sa.Text(), nullable=True),
        sa.Column("dateline", sa.Text(), nullable=True),
        sa.Column("published", sa.String(64), nullable=True),
        sa.Column("contributors", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("version_group", sa.Integer(), nullable=True),
        sa.Column("added", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="stories_pkey"),
        sa.UniqueConstraint("external_id", name="stories_external_id_key"),
    )
    op.create_index("ix_stories_agency", "stories", ["agency"])
    op.create_index("ix_stories_version_group", "stories", ["version_group"])


def _fingerprints() -> None:
    op.create_table(
        "fingerprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("scheme_version", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),  # unsigned 64-bit, stored signed
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fingerprints_story_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="fingerprints_pkey"),
    )
    op.create_index("ix_fingerprints_story_id", "fingerprints", ["story_id"])


def _fingerprint_keys() -> None:
    op.create_table(
        "fingerprint_keys",
        sa.Column("fingerprint_id", sa.Integer(), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("scheme_version", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),  # masked value, stored signed
        sa.ForeignKeyConstraint(
            ["fingerprint_id"],
            ["fingerprints.id"],
            name="fingerprint_keys_fingerprint_id_fkey",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fingerprint_id", "table_no", name="fingerprint_keys_pkey"),
    )
    op.create_index(
        "ix_fingerprint_keys_lookup", "fingerprint_keys", ["scheme", "scheme_version", "table_no", "key"]
    )


def _runs() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("finished", sa.DateTime(), nullable=True),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("matches", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="runs_pkey"),
    )


def _pages() -> None:
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("attribution", sa.JSON(), nullable=False),
        sa.Column("audited", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="pages_run_id_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pages_pkey"),
    )
    op.create_index("ix_pages_run_id", "pages", ["run_id"])


def _matches() -> None:
    op.create_table(
        "matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("story_external_id", sa.String(512), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("derivation", sa.String(16), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("verbatim_share", sa.Float(), nullable=False),
        sa.Column("rewritten_share", sa.Float(), nullable=False),
        sa.Column("order_kept", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name="matches_page_id_fkey", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="matches_story_id_fkey", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="matches_pkey"),
    )
    op.create_index("ix_matches_page_id", "matches", ["page_id"])


def _findings() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("suppressed_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name="findings_page_id_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="findings_pkey"),
    )
    op.create_index("ix_findings_page_id", "findings", ["page_id"])


def _fetch_cache() -> None:
    op.create_table(
        "fetch_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(64), nullable=True),
        sa.Column("content_type", sa.String(255), nullable=True),
        sa.Column("charset", sa.String(64), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),  # zlib-compressed
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="fetch_cache_pkey"),
        sa.UniqueConstraint("url", name="fetch_cache_url_key"),
    )


# In foreign-key order: a table is created after the tables it references.
TABLES: dict[str, Callable[[], None]] = {
    "stories": _stories,
    "fingerprints": _fingerprints,
    "fingerprint_keys": _fingerprint_keys,
    "runs": _runs,
    "pages": _pages,
    "matches": _matches,
    "findings": _findings,
    "fetch_cache": _fetch_cache,
}


def upgrade() -> None:
    # Offline (--sql) there is no database to look at: the script creates every table.
    existing = set() if context.is_offline_mode() else set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:
            create()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
