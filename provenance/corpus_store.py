"""Writing the corpus: stories, their fingerprints and block keys, in bulk; versions grouped.

:mod:`provenance.store` keeps the schema, the lookups and the runs; this module holds what
``corpus add`` calls to write. A corpus load writes a story row, some sixty fingerprints and
about a hundred block keys a story, so the fingerprint and key rows are most of the work.
They are built here as plain tuples (ids assigned up front, keys computed with numpy for a
whole batch) and sent as they are: on PostgreSQL by ``COPY … FROM STDIN`` (psycopg 3's
``cursor.copy``, which streams the rows and escapes them in C), elsewhere by the driver's own
``executemany``. Both bypass SQLAlchemy's per-row parameter processing, which cost more than
the database's work (a batch of 500 stories: 77,000 rows). The story rows themselves go by
COPY on PostgreSQL too (texts with tabs, newlines and backslashes are escaped by psycopg),
and by one multi-row INSERT elsewhere.

Ids are assigned before the rows are sent, inside the batch's transaction: on PostgreSQL
as one run taken from the table's sequence (see :func:`_new_ids`), on SQLite as
``max(id) + 1…`` under the write lock, which is what SQLite itself gives an INSERT without an
id. The stored rows are the same as row-by-row INSERTs store (``tests/test_corpus_copy.py``
holds every column of every row to that, on both backends).

Before a batch, SQLite's page cache of the writing connection is raised from 2 MB to 64 MB:
the block keys are clustered by key, so a batch's keys land all over their B-tree, and with
the default cache the pages it touches were read again and again (10,000 stories, one
process: system time 4.1 s -> 1.4 s, RSS +66 MB).

Each batch is one transaction (:func:`provenance.store.transaction`), so a load killed half
way leaves whole batches only.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from provenance.fingerprint import SCHEME_BY_KEY, Fingerprint, FingerprintFields, to_signed
from provenance.index import BlockPlan
from provenance.model import Story
from provenance.store import Base, BlockKeyRow, FingerprintRow, StoryRow, lock_corpus, now

_CHUNK = 500  # ids per IN (...) list: well under every backend's bound-parameter limit

# Fingerprints as objects, or as plain values (FingerprintFields, in the order of
# :class:`~provenance.fingerprint.Fingerprint`'s fields): what worker processes send back
# (a tuple pickles and unpickles several times faster than a dataclass).
Fingerprints = Sequence[Fingerprint] | Sequence[FingerprintFields]

_FIELDS = (
    "agency",
    "url",
    "title",
    "byline",
    "dateline",
    "published",
    "contributors",
    "guid",
    "version",
    "pub_status",
    "embargoed",
    "copyright_holder",
    "copyright_notice",
    "usage_terms",
    "info_sources",
    "source_hash",
)
_LIST_FIELDS = frozenset({"contributors", "info_sources"})  # JSON lists: NULL reads as []
_STORY_COLUMNS = ("id", "external_id", *_FIELDS, "text", "content_hash", "added", "updated")
_FINGERPRINT_COLUMNS = (
    "id",
    "story_id",
    "level",
    "position",
    "start",
    "end",
    "scheme",
    "scheme_version",
    "value",
)
_KEY_COLUMNS = ("scheme", "scheme_version", "table_no", "key", "fingerprint_id", "story_id", "value")


def fingerprint_fields(fingerprints: Fingerprints) -> list[FingerprintFields]:
    """Fingerprints as :data:`FingerprintFields` (given so already: returned as they are)."""
    return [
        fp
        if isinstance(fp, tuple)
        else (fp.scheme, fp.version, fp.level, fp.position, fp.start, fp.end, fp.value)
        for fp in fingerprints
    ]


def as_fingerprints(fields: Fingerprints) -> list[Fingerprint]:
    """The :class:`Fingerprint` objects of :data:`FingerprintFields` (objects: returned as they are)."""
    return [fp if isinstance(fp, Fingerprint) else Fingerprint(*fp) for fp in fields]


@dataclass(frozen=True, slots=True)
class Upserted:
    """One story's outcome in :func:`upsert_stories`: "added", "updated" or "unchanged", and its row."""

    outcome: str
    row_id: int


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the write path needs of a stored story: no text, its hash stands for it."""

    id: int
    content_hash: str
    fields: tuple[Any, ...]  # the values of _FIELDS


def source_hashes(session: Session, external_ids: Sequence[str]) -> dict[str, str | None]:
    """The stored ``source_hash`` of each of these story ids that is in the corpus."""
    found: dict[str, str | None] = {}
    for chunk in _chunks(list(external_ids), _CHUNK):
        query = select(StoryRow.external_id, StoryRow.source_hash).where(StoryRow.external_id.in_(chunk))
        found.update((external_id, source_hash) for external_id, source_hash in session.execute(query))
    return found


def set_version_group(session: Session, row_id: int, version_ids: Sequence[int]) -> int:
    """Put story ``row_id`` in one group with ``version_ids`` (merging their groups); returns it.

    The lowest row id names a group, and a story never grouped is its own group of one, so
    merging is one UPDATE of every member of every group involved.
    """
    ids = [row_id, *version_ids]
    table = StoryRow.__table__
    current = dict(
        session.execute(select(table.c.id, table.c.version_group).where(table.c.id.in_(ids))).all()
    )
    groups = {current.get(i) or i for i in ids}
    group = min(groups)
    session.execute(
        update(table)
        .where(table.c.version_group.in_(groups) | table.c.id.in_(ids))
        .values(version_group=group)
    )
    return group


def upsert_story(session: Session, story: Story, fingerprints: Fingerprints) -> str:
    """Insert or update one story by its id; returns "added", "updated" or "unchanged".

    The fingerprints are replaced only when the text (or the fingerprint schemes) changed.
    """
    return upsert_stories(session, [(story, fingerprints)])[0].outcome


def upsert_stories(
    session: Session, items: Sequence[tuple[Story, Fingerprints]], *, copy: bool | None = None
) -> list[Upserted]:
    """Insert or update many stories by their ids, in bulk; one outcome per item, in order.

    The stored rows of the whole batch are read in one query per chunk of ids. A story's
    fields always follow the newest copy; its fingerprints are replaced only when the text
    (or the fingerprint schemes) changed. An id given twice counts as two upserts in order
    (the second sees the first). ``copy`` (default: on PostgreSQL) sends the new rows by
    COPY; False sends them by ``executemany`` (what other backends do).
    """
    lock_corpus(session)
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # The B-trees of a growing corpus outgrow SQLite's default 2 MB page cache at once;
        # a larger one (for this connection) keeps the pages a batch touches in memory.
        connection.exec_driver_sql("PRAGMA cache_size=-65536")
    use_copy = connection.dialect.name == "postgresql" if copy is None else copy
    done: list[Upserted] = []
    for run in _distinct_runs(items):
        done.extend(_upsert_distinct(session, run, use_copy))
    return done


def _distinct_runs(items: Sequence[tuple[Story, Fingerprints]]) -> Iterator[list[tuple[Story, Fingerprints]]]:
    """Consecutive runs of ``items`` without a repeated id (a repeat starts the next run)."""
    run: list[tuple[Story, Fingerprints]] = []
    ids: set[str] = set()
    for item in items:
        if item[0].id in ids:
            yield run
            run, ids = [], set()
        run.append(item)
        ids.add(item[0].id)
    if run:
        yield run


def _upsert_distinct(
    session: Session, items: list[tuple[Story, Fingerprints]], use_copy: bool
) -> list[Upserted]:
    hashes = [_content_hash(story.text) for story, _ in items]
    stored, created = _stored_and_created(
        session, [(story, h) for (story, _), h in zip(items, hashes, strict=True)], use_copy
    )
    schemes = _stored_schemes(session, [row.id for row in stored.values()])
    done: list[Upserted] = []
    changes: list[dict[str, Any]] = []
    replaced: list[int] = []
    fingerprinted: list[tuple[int, list[FingerprintFields]]] = []
    for (story, fingerprints), content_hash in zip(items, hashes, strict=True):
        fields = fingerprint_fields(fingerprints)
        row = stored.get(story.id)
        if row is None:
            done.append(Upserted("added", created[story.id]))
            fingerprinted.append((created[story.id], fields))
        elif row.content_hash == content_hash and schemes.get(row.id, set()) == _schemes(fields):
            done.append(Upserted("unchanged", row.id))
            if row.fields != _field_values(story):
                changes.append({"id": row.id, **_story_values(story, content_hash)})
        else:
            done.append(Upserted("updated", row.id))
            changes.append({"id": row.id, **_story_values(story, content_hash), "updated": now()})
            replaced.append(row.id)
            fingerprinted.append((row.id, fields))
    delete_fingerprints(session, replaced)
    _update_stories(session, changes)
    _insert_fingerprints(session, fingerprinted, use_copy)
    return done


def _stored_and_created(
    session: Session, items: list[tuple[Story, str]], use_copy: bool, attempts: int = 3
) -> tuple[dict[str, _Stored], dict[str, int]]:
    """The stored rows of these story ids (locked), and the row ids of those inserted now.

    The corpus lock keeps provenance writers from racing for an id; should another writer
    (a script, an older version) insert one between our read and our insert, the insert's
    savepoint rolls back and the rows are read again, theirs included, to be updated.
    """
    ids = [story.id for story, _ in items]
    for _ in range(attempts):
        stored = _stories_for_update(session, ids)
        created = _insert_stories(session, [(s, h) for s, h in items if s.id not in stored], use_copy)
        if created is not None:
            return stored, created
    raise RuntimeError(f"stories kept being inserted by another writer meanwhile: {ids[:5]}…")


def _stories_for_update(session: Session, external_ids: Sequence[str]) -> dict[str, _Stored]:
    """The stored stories among ``external_ids``, locked until commit, by id.

    PostgreSQL: FOR UPDATE; SQLite holds the write lock already. One query per chunk of ids
    (not one per story), and without the texts: their hashes tell whether they changed.
    """
    table = StoryRow.__table__
    columns = [table.c.id, table.c.external_id, table.c.content_hash, *(table.c[f] for f in _FIELDS)]
    found: dict[str, _Stored] = {}
    for chunk in _chunks(list(external_ids), _CHUNK):
        rows = session.execute(select(*columns).where(table.c.external_id.in_(chunk)).with_for_update())
        for row_id, external_id, content_hash, *fields in rows:
            found[external_id] = _Stored(row_id, content_hash, _normal_fields(fields))
    return found


def _insert_stories(
    session: Session, items: Sequence[tuple[Story, str]], use_copy: bool
) -> dict[str, int] | None:
    """Insert new story rows inside a savepoint; their row ids by id.

    None when one of the unique ids was taken meanwhile (the savepoint is rolled back and the
    batch's transaction stays usable).
    """
    if not items:
        return {}
    stamp = now()
    taken = (
        IntegrityError,
        session.get_bind().dialect.loaded_dbapi.IntegrityError,
    )  # COPY raises the driver's
    try:
        with session.begin_nested():
            if use_copy:
                return _copy_stories(session.connection(), items, stamp)
            table = StoryRow.__table__
            rows = [
                {
                    "external_id": story.id,
                    **_story_values(story, content_hash),
                    "added": stamp,
                    "updated": stamp,
                }
                for story, content_hash in items
            ]
            result = session.execute(insert(table).returning(table.c.external_id, table.c.id), rows)
            return {external_id: row_id for external_id, row_id in result}
    except taken:
        return None


def _copy_stories(connection: Connection, items: Sequence[tuple[Story, str]], stamp: Any) -> dict[str, int]:
    """COPY new story rows with ids drawn from the table's sequence; their row ids by id.

    The JSON lists are serialised as SQLAlchemy's JSON type serialises them (``json.dumps``).
    """
    ids = _new_ids(connection, StoryRow.__tablename__, len(items))
    rows = []
    for row_id, (story, content_hash) in zip(ids, items, strict=True):
        values = dict(zip(_FIELDS, _field_values(story), strict=True))
        for name in _LIST_FIELDS:
            values[name] = json.dumps(values[name])
        rows.append((row_id, story.id, *values.values(), story.text, content_hash, stamp, stamp))
    _send(connection, StoryRow.__tablename__, _STORY_COLUMNS, rows, use_copy=True)
    return {story.id: row_id for row_id, (story, _) in zip(ids, items, strict=True)}


def _stored_schemes(session: Session, story_row_ids: Sequence[int]) -> dict[int, set[tuple[str, int]]]:
    """The (scheme, version) pairs each stored story's fingerprints were made with."""
    table = FingerprintRow.__table__
    found: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for chunk in _chunks(list(story_row_ids), _CHUNK):
        rows = session.execute(
            select(table.c.story_id, table.c.scheme, table.c.scheme_version)
            .where(table.c.story_id.in_(chunk))
            .distinct()
        )
        for story_id, scheme, version in rows:
            found[story_id].add((scheme, version))
    return found


def _schemes(fingerprints: Sequence[FingerprintFields]) -> set[tuple[str, int]]:
    return {(fp[0], fp[1]) for fp in fingerprints}


def _content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _story_values(story: Story, content_hash: str) -> dict[str, Any]:
    """The columns a story's upsert writes (besides its id and timestamps)."""
    return {
        **dict(zip(_FIELDS, _field_values(story), strict=True)),
        "text": story.text,
        "content_hash": content_hash,
    }


def _field_values(story: Story) -> tuple[Any, ...]:
    return (
        story.agency,
        story.url,
        story.title,
        story.byline,
        story.dateline,
        story.published,
        list(story.contributors),
        story.guid,
        story.version,
        story.pub_status,
        story.embargoed,
        story.copyright_holder,
        story.copyright_notice,
        story.usage_terms,
        list(story.info_sources),
        story.source_hash,
    )


def _normal_fields(stored: Sequence[Any]) -> tuple[Any, ...]:
    """Stored field values as :func:`_field_values` gives them (lists never NULL, a status always)."""
    values = []
    for name, value in zip(_FIELDS, stored, strict=True):
        if name in _LIST_FIELDS:
            value = list(value or ())
        elif name == "pub_status":
            value = value or "usable"
        values.append(value)
    return tuple(values)


def _update_stories(session: Session, changes: Sequence[dict[str, Any]]) -> None:
    """Write changed story fields, one executemany per set of columns ("updated" or not)."""
    table = StoryRow.__table__
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        by_columns[tuple(sorted(change))].append({f"new_{k}": v for k, v in change.items()})
    for columns, rows in by_columns.items():
        values = {c: bindparam(f"new_{c}") for c in columns if c != "id"}
        session.execute(update(table).where(table.c.id == bindparam("new_id")).values(values), rows)


def delete_fingerprints(session: Session, story_row_ids: Sequence[int]) -> None:
    """Drop these stories' fingerprints and their block keys: before a story is deleted or
    its fingerprints replaced, the only ways either goes.

    The key table has no foreign key to ``fingerprints`` and no index by fingerprint (see
    :class:`~provenance.store.BlockKeyRow`), so nothing cascades: each fingerprint's key rows
    are deleted here by their primary key, which the fingerprint gives (:func:`key_rows`).
    The key rows of a scheme this version does not know (stored by an older one) cannot be
    computed; they are found by a scan of that scheme's rows instead.
    """
    fingerprints, keys = FingerprintRow.__table__, BlockKeyRow.__table__
    columns = [fingerprints.c[name] for name in _FINGERPRINT_COLUMNS]
    primary_key = _KEY_COLUMNS[:5]
    by_key = delete(keys).where(*(keys.c[name] == bindparam(f"old_{name}") for name in primary_key))
    for chunk in _chunks(list(story_row_ids), _CHUNK):
        known: list[Any] = []
        unknown: dict[tuple[str, int], list[int]] = defaultdict(list)
        for row in session.execute(select(*columns).where(fingerprints.c.story_id.in_(chunk))):
            if f"{row.scheme}/{row.scheme_version}" in SCHEME_BY_KEY:
                known.append(row)
            else:
                unknown[(row.scheme, row.scheme_version)].append(row.id)
        if known:
            rows = [dict(zip([f"old_{n}" for n in primary_key], r[:5], strict=True)) for r in key_rows(known)]
            session.execute(by_key, rows)
        for (scheme, version), ids in unknown.items():
            for some in _chunks(ids, _CHUNK):
                of_scheme = (keys.c.scheme == scheme) & (keys.c.scheme_version == version)
                session.execute(delete(keys).where(of_scheme, keys.c.fingerprint_id.in_(some)))
        session.execute(delete(fingerprints).where(fingerprints.c.story_id.in_(chunk)))


def _insert_fingerprints(
    session: Session, entries: Sequence[tuple[int, Sequence[FingerprintFields]]], use_copy: bool
) -> None:
    """Insert fingerprints with their ids, then their block keys (see :func:`key_rows`)."""
    flat = [(story_id, fp) for story_id, fingerprints in entries for fp in fingerprints]
    if not flat:
        return
    connection = session.connection()
    ids = _new_ids(connection, FingerprintRow.__tablename__, len(flat))
    # The unsigned 64-bit values stored signed (to_signed), all at once.
    signed = np.array([fp[6] for _, fp in flat], dtype=np.uint64).view(np.int64).tolist()
    rows = [
        (fp_id, story_id, fp[2], fp[3], fp[4], fp[5], fp[0], fp[1], value)
        for fp_id, (story_id, fp), value in zip(ids, flat, signed, strict=True)
    ]
    _send(connection, FingerprintRow.__tablename__, _FINGERPRINT_COLUMNS, rows, use_copy, plain=True)
    _send(connection, BlockKeyRow.__tablename__, _KEY_COLUMNS, key_rows(rows), use_copy, plain=True)


def key_rows(fingerprint_rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The block-key rows of fingerprint rows (in :data:`_FINGERPRINT_COLUMNS` order).

    One row per fingerprint and block table of its scheme: the signed value under the
    table's mask (on two's-complement values, ``signed & signed(mask)`` has exactly the
    bits of the unsigned ``value & mask``: the key :func:`provenance.index.block_keys`
    gives), with the fingerprint's id, value and story id. Computed with numpy, a scheme at
    a time, for the whole batch, and sorted in primary-key order: the table is clustered by
    its key, so a batch written in key order walks its B-tree once from left to right
    instead of landing on a random page per row (which, once the table outgrows the cache,
    is most of a load's time).
    """
    by_scheme: dict[tuple[str, int], list[tuple[Any, ...]]] = defaultdict(list)
    for row in fingerprint_rows:
        by_scheme[(row[6], row[7])].append(row)
    out: list[tuple[Any, ...]] = []
    for (scheme, version), rows in sorted(by_scheme.items()):
        masks = BlockPlan.for_k(SCHEME_BY_KEY[f"{scheme}/{version}"].k).table_masks
        fp_ids = np.array([r[0] for r in rows], dtype=np.int64)
        story_ids = np.array([r[1] for r in rows], dtype=np.int64)
        values = np.array([r[8] for r in rows], dtype=np.int64)
        tables = np.repeat(np.arange(len(masks)), len(rows))
        keys = np.concatenate([values & np.int64(to_signed(mask)) for mask in masks])
        ids = np.tile(fp_ids, len(masks))
        order = np.lexsort((ids, keys, tables))  # the primary key's order within the scheme
        n = order.size
        out.extend(
            zip(
                [scheme] * n,
                [version] * n,
                tables[order].tolist(),
                keys[order].tolist(),
                ids[order].tolist(),
                np.tile(story_ids, len(masks))[order].tolist(),
                np.tile(values, len(masks))[order].tolist(),
                strict=True,
            )
        )
    return out


def _new_ids(connection: Connection, table: str, count: int) -> list[int]:
    """``count`` new row ids for ``table``, ascending, as INSERTs without an id would get them.

    PostgreSQL: a run taken from the table's sequence in one step (``setval`` past
    ``nextval``: drawing the ids one by one cost more than sending the rows). Every corpus
    writer holds the corpus lock (:func:`provenance.store.lock_corpus`); a writer that does
    not, taking an id inside the run meanwhile, makes the batch fail whole on the primary
    key, never stores a row twice. Elsewhere: after the largest id, under the write lock the
    batch holds (SQLite gives an INSERT the largest rowid + 1).
    """
    if connection.dialect.name == "postgresql":
        last = connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), nextval(pg_get_serial_sequence(:table, 'id')) + :n - 1)"
            ),
            {"table": table, "n": count},
        ).scalar_one()
        return list(range(last - count + 1, last + 1))
    (largest,) = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").one()
    return list(range(largest + 1, largest + 1 + count))


def _send(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    use_copy: bool,
    plain: bool = False,
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order): by COPY, else the driver's executemany
    (a driver whose placeholders are neither ``?`` nor ``%s``: SQLAlchemy's executemany).

    ``plain``: the rows hold integers and short strings only, so on PostgreSQL they go by
    binary COPY, typed by the table's own columns (see :func:`_binary_types`): the
    fingerprints and their keys, most of a load's rows, sent faster and parsed by the
    server without reading numbers from text.
    """
    if not rows:
        return
    mark = _PLACEHOLDERS.get(connection.dialect.paramstyle)
    if not use_copy and mark is None:
        connection.execute(
            Base.metadata.tables[table].insert(), [dict(zip(columns, row, strict=True)) for row in rows]
        )
        return
    quote = connection.dialect.identifier_preparer.quote
    listed = ", ".join(quote(c) for c in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if use_copy:
            binary = _binary_types(cursor, table, columns) if plain else None
            form = " (FORMAT BINARY)" if binary else ""
            with cursor.copy(f"COPY {quote(table)} ({listed}) FROM STDIN{form}") as copy:
                if binary:
                    copy.set_types(binary)
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join([mark] * len(columns))  # type: ignore[list-item]
            cursor.executemany(f"INSERT INTO {quote(table)} ({listed}) VALUES ({marks})", rows)
    finally:
        cursor.close()


_BINARY_KINDS = frozenset({"int2", "int4", "int8", "varchar", "text"})  # what plain rows hold


def _binary_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int] | None:
    """The type OIDs of ``columns`` of ``table`` as the database has them: a binary COPY must
    send each value in its column's exact type. None (the rows then go as COPY text) when a
    column is not of an integer or string type, the only values ``plain`` rows hold."""
    cursor.execute(
        "SELECT a.attname, a.atttypid, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        " WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped",
        (table,),
    )
    found = {name: (oid, kind) for name, oid, kind in cursor.fetchall()}
    kinds = [found.get(c, (0, ""))[1] for c in columns]
    if any(kind not in _BINARY_KINDS for kind in kinds):
        return None
    return [found[c][0] for c in columns]


_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # DBAPI paramstyle -> positional mark


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
