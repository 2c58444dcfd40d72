"""Block keys lose their foreign key to ``fingerprints`` and their index by fingerprint.

Before: ``fingerprint_keys.fingerprint_id`` referenced ``fingerprints.id`` ON DELETE CASCADE,
and ``ix_fingerprint_keys_fingerprint_id`` served that cascade. The index held one entry per
key row (the fingerprint id and the whole primary key), written at every load, for deletes
that are rare and know each key row's primary key anyway. After: neither; fingerprints are deleted only by
:func:`provenance.corpus_store.delete_fingerprints`, which deletes their key rows first, by
primary key.

PostgreSQL drops the constraint and the index in place. SQLite cannot drop a foreign key, so
the table is rebuilt as 0003 rebuilds it (create, fill in key order, drop, rename). A
database already without them (made by ``create_all`` of the current models, then adopted)
is left alone. The downgrade puts both back, after deleting key rows whose fingerprint is
gone (none, unless something other than provenance deleted fingerprints).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "fingerprint_keys"
NEW = "fingerprint_keys_new"  # SQLite: the table being built, renamed to TABLE at the end
INDEX = "ix_fingerprint_keys_fingerprint_id"
FK = "fingerprint_keys_fingerprint_id_fkey"
COLUMNS = ("scheme", "scheme_version", "table_no", "key", "fingerprint_id", "story_id", "value")
PRIMARY_KEY = COLUMNS[:5]


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def _has_index() -> bool:
    # Offline (--sql) there is no database to look at: the script converts the 0007 layout.
    if context.is_offline_mode():
        return True
    return INDEX in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(TABLE)}


def _rebuild_sqlite(with_foreign_key: bool) -> None:
    """SQLite: the table again, with or without the foreign key, its rows copied in key order
    (the clustered B-tree written from left to right). Without the key, orphans are dropped."""
    extra: list[sa.SchemaItem] = []
    if with_foreign_key:
        extra.append(
            sa.ForeignKeyConstraint(["fingerprint_id"], ["fingerprints.id"], name=FK, ondelete="CASCADE")
        )
    op.create_table(
        NEW,
        sa.Column("scheme", sa.String(32), nullable=False),
        sa.Column("scheme_version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("table_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),  # masked value, signed
        sa.Column("fingerprint_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),  # the fingerprint's, signed
        *extra,
        sa.PrimaryKeyConstraint(*PRIMARY_KEY, name="fingerprint_keys_pkey"),
        sqlite_with_rowid=False,
    )
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    only_kept = " WHERE fingerprint_id IN (SELECT id FROM fingerprints)" if with_foreign_key else ""
    order = ", ".join(f'"{c}"' for c in PRIMARY_KEY)
    op.execute(f"INSERT INTO {NEW} ({columns}) SELECT {columns} FROM {TABLE}{only_kept} ORDER BY {order}")
    op.drop_table(TABLE)
    op.rename_table(NEW, TABLE)


def upgrade() -> None:
    if not _has_index():
        return
    if _postgresql():
        op.drop_constraint(FK, TABLE, type_="foreignkey")
        op.drop_index(INDEX, table_name=TABLE)
    else:
        _rebuild_sqlite(with_foreign_key=False)  # the index goes with the old table


def downgrade() -> None:
    if _postgresql():
        op.execute(f"DELETE FROM {TABLE} WHERE fingerprint_id NOT IN (SELECT id FROM fingerprints)")
        op.create_foreign_key(FK, TABLE, "fingerprints", ["fingerprint_id"], ["id"], ondelete="CASCADE")
    else:
        _rebuild_sqlite(with_foreign_key=True)
    op.create_index(INDEX, TABLE, ["fingerprint_id"])
