"""Block keys clustered by the lookup key and carrying the fingerprint's value and story id.

Before: ``fingerprint_keys(fingerprint_id, table_no, scheme, scheme_version, key)`` with
primary key ``(fingerprint_id, table_no)`` and the index ``ix_fingerprint_keys_lookup`` on
``(scheme, scheme_version, table_no, key)``: each candidate a probe found cost two row
lookups (key row, then fingerprint for its value) before the Hamming check.
After: the key rows also hold ``story_id`` and ``value``; the primary key is
``(scheme, scheme_version, table_no, key, fingerprint_id)`` (SQLite: ``WITHOUT ROWID``, so
the table is that B-tree; PostgreSQL: ``INCLUDE (value, story_id)``, for index-only scans),
and ``ix_fingerprint_keys_fingerprint_id`` serves the ON DELETE CASCADE from fingerprints.

Not Alembic's batch mode: the table is rebuilt by hand (create the new table, fill it with
one ``INSERT … SELECT`` joining the fingerprints, in key order so the clustered B-tree is
written sequentially, drop the old, rename), the same on SQLite and PostgreSQL. A batch copy
could not fetch the values from ``fingerprints``, and would fill the new table in rowid order.

A database already in the new layout (made by ``create_all`` of the current models, then
adopted) is left alone. On PostgreSQL the table is ANALYZEd afterwards; a ``VACUUM`` (which
cannot run inside the migration's transaction) sets the visibility map the index-only scans
need: see :func:`provenance.store.vacuum_keys`, or let autovacuum get there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "fingerprint_keys"
NEW = "fingerprint_keys_new"  # the table being built, renamed to TABLE at the end
LOOKUP = ("scheme", "scheme_version", "table_no", "key")
FK = "fingerprint_id_fkey"


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def _name(table: str, suffix: str) -> str:
    return f"{table}_{suffix}"


def _named() -> str:
    """Whose constraint names the table being built gets: its own on PostgreSQL, where they
    (and the primary key's index) are unique per schema and renamed at the end; the final
    ones on SQLite, where they are local to their table (and cannot be renamed)."""
    return NEW if _postgresql() else TABLE


def _fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["fingerprint_id"], ["fingerprints.id"], name=_name(_named(), FK), ondelete="CASCADE"
    )


def _create_clustered() -> None:
    op.create_table(
        NEW,
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("scheme_version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("table_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),  # masked value, signed
        sa.Column("fingerprint_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),  # the fingerprint's, signed
        _fk(),
        sa.PrimaryKeyConstraint(
            *LOOKUP, "fingerprint_id", name=_name(_named(), "pkey"), postgresql_include=["value", "story_id"]
        ),
        sqlite_with_rowid=False,
    )


def _create_by_fingerprint() -> None:
    """The layout of 0001 (for the downgrade)."""
    op.create_table(
        NEW,
        sa.Column("fingerprint_id", sa.Integer(), nullable=False),
        sa.Column("table_no", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("scheme_version", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        _fk(),
        sa.PrimaryKeyConstraint("fingerprint_id", "table_no", name=_name(_named(), "pkey")),
    )


def _replace_with_new() -> None:
    """Drop the old table (its indexes go with it) and give the new one its name and names."""
    op.drop_table(TABLE)
    op.rename_table(NEW, TABLE)
    if _postgresql():  # SQLite's were final from the start (see _named)
        for suffix in ("pkey", FK):
            op.execute(
                f"ALTER TABLE {TABLE} RENAME CONSTRAINT {_name(NEW, suffix)} TO {_name(TABLE, suffix)}"
            )


def _already_clustered() -> bool:
    # Offline (--sql) there is no database to look at: the script converts the 0001 layout.
    if context.is_offline_mode():
        return False
    return "value" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}


def upgrade() -> None:
    if _already_clustered():
        return
    _create_clustered()
    columns = ", ".join(f'"{c}"' for c in (*LOOKUP, "fingerprint_id", "story_id", "value"))
    op.execute(
        f"INSERT INTO {NEW} ({columns}) "
        f'SELECT k.scheme, k.scheme_version, k.table_no, k."key", k.fingerprint_id, f.story_id, f.value '
        f"FROM {TABLE} k JOIN fingerprints f ON f.id = k.fingerprint_id "
        f'ORDER BY k.scheme, k.scheme_version, k.table_no, k."key", k.fingerprint_id'
    )
    _replace_with_new()
    op.create_index("ix_fingerprint_keys_fingerprint_id", TABLE, ["fingerprint_id"])
    if _postgresql():
        op.execute(f"ANALYZE {TABLE}")


def downgrade() -> None:
    _create_by_fingerprint()
    op.execute(
        f'INSERT INTO {NEW} (fingerprint_id, table_no, scheme, scheme_version, "key") '
        f'SELECT fingerprint_id, table_no, scheme, scheme_version, "key" FROM {TABLE} '
        f"ORDER BY fingerprint_id, table_no"
    )
    _replace_with_new()
    op.create_index("ix_fingerprint_keys_lookup", TABLE, list(LOOKUP))
