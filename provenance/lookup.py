"""The corpus lookup: which stored fingerprints are near a page's, from the block keys.

Split out of :mod:`provenance.store` (the schema and the rest of the database's queries):
this is the query every audited page and every corpus batch makes, with a backend-specific
path each. On PostgreSQL one statement answers for the whole page, the Hamming distance
checked in SQL; on SQLite one statement per scheme and chunk, the distance checked in SQL
too (with bit operations SQLite has); elsewhere the rows that share a block key come back
and their distances are checked here, all at once with numpy. All answer what
:meth:`provenance.retrieval.CorpusIndex.near` answers in memory (tests hold them to it).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

import numpy as np
from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Connection,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    cast,
    column,
    func,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, BIT
from sqlalchemy.orm import Session

from provenance.fingerprint import SCHEME_BY_KEY, Fingerprint, Scheme, to_signed
from provenance.index import BlockPlan
from provenance.store import BlockKeyRow


def near_fingerprints(session: Session, fingerprints: Iterable[Fingerprint]) -> dict[int, dict[str, int]]:
    """For each story: how many of its fingerprints are near one of ``fingerprints``, per scheme.

    "Near" is within the scheme's ``k``. The indexed block keys are probed for each block
    table's key. On PostgreSQL one query answers the whole page, the Hamming distance checked
    in SQL so only near rows cross the wire; on SQLite one query per scheme (and chunk of a
    long page), checked in SQL as well; elsewhere likewise, checked here. The same answer as
    :meth:`provenance.retrieval.CorpusIndex.near`, from the database; a few constant statements, compiled once, since the lookup runs for
    every audited page and every story a corpus load groups.
    """
    by_scheme: dict[str, list[Fingerprint]] = defaultdict(list)
    for fp in fingerprints:
        if fp.scheme_key in SCHEME_BY_KEY:
            by_scheme[fp.scheme_key].append(fp)
    if not by_scheme:
        return {}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        found = _near_postgresql_schemes(session, by_scheme)
    else:
        near = _near_sqlite if dialect == "sqlite" else _near_filtered
        found = {key: near(session, SCHEME_BY_KEY[key], fps) for key, fps in by_scheme.items()}
    hits: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, matched in found.items():
        for story_id in matched.values():
            hits[story_id][key] += 1
    return {story: dict(counts) for story, counts in hits.items()}


_NEAR_CHUNK = 200  # fingerprints per query: 200 keys per table stays under SQLite's old 999 variables


@cache
def _near_keys_statement(tables: int) -> CompoundSelect[Any]:
    """Block-key candidates for ``tables`` tables at once, built and compiled once per table count.

    One ``SELECT … WHERE scheme = ? AND scheme_version = ? AND table_no = t AND key IN (…)``
    per table, joined by UNION ALL into one statement: each part is an equality probe of the
    key table's primary key on its leading columns, which every planner picks with or
    without statistics (an OR of the tables in one WHERE let SQLite, without ANALYZE, scan
    the scheme's whole index). The key rows carry the value and story id, so the probe reads
    nothing else (no join to ``fingerprints``, a row lookup per candidate, which was most of
    the time at a million stories). The ``IN`` lists are expanding parameters, so every page
    reuses one cached compiled statement (building a new ``select`` per table and page cost
    more than the probes themselves). Plain Core, portable to any backend.
    """
    keys = BlockKeyRow.__table__.c
    return union_all(
        *(
            select(keys.table_no, keys.key, keys.fingerprint_id, keys.story_id, keys.value).where(
                keys.scheme == bindparam("scheme"),
                keys.scheme_version == bindparam("version"),
                keys.table_no == t,
                keys.key.in_(bindparam(f"keys{t}", expanding=True)),
            )
            for t in range(tables)
        )
    )


def _near_filtered(session: Session, scheme: Scheme, fps: Sequence[Fingerprint]) -> dict[int, int]:
    """Stored fingerprint id → story id, for those within ``scheme.k`` of a query (checked here).

    One query per chunk of fingerprints with every block table's keys (see
    :func:`_near_keys_statement`); the candidates that share a key are checked by popcount,
    all at once (:func:`_within_k`): in a large corpus most candidates are not near, and a
    corpus load asks for thousands of fingerprints per batch. Run on the session's connection
    (its snapshot) as a Core statement, its rows read as plain tuples from the driver.
    """
    masks = BlockPlan.for_k(scheme.k).table_masks
    statement = _near_keys_statement(len(masks))
    connection = session.connection()
    matched: dict[int, int] = {}
    for chunk in (fps[i : i + _NEAR_CHUNK] for i in range(0, len(fps), _NEAR_CHUNK)):
        probes = [(t, to_signed(fp.value & mask), fp.value) for fp in chunk for t, mask in enumerate(masks)]
        params: dict[str, Any] = {"scheme": scheme.name, "version": scheme.version}
        params.update(
            {f"keys{t}": sorted({key for table, key, _ in probes if table == t}) for t in range(len(masks))}
        )
        result = connection.execute(statement, params)
        rows = result.cursor.fetchall()  # plain tuples: no Row object per candidate
        result.close()
        if rows:
            for fp_id, story_id in _within_k(rows, probes, scheme.k):
                matched.setdefault(fp_id, story_id)
    return matched


def _within_k(
    rows: Sequence[tuple[int, int, int, int, int]], probes: Sequence[tuple[int, int, int]], k: int
) -> list[tuple[int, int]]:
    """(fingerprint id, story id) of the candidate ``rows`` (table, key, fingerprint id, story
    id, signed value) within ``k`` of a probe (table, key, unsigned query value) of their key.

    Vectorised: probes sorted by (table, key), each row's run of probes found by binary
    search, row and probe values compared pairwise by popcount.
    """
    table, key, fp_id, story_id, value = np.array(rows, dtype=np.int64).T
    p_table_a, p_key_a = np.array([p[:2] for p in probes], dtype=np.int64).T
    p_value_a = np.fromiter((p[2] for p in probes), dtype=np.uint64, count=len(probes))
    order = np.lexsort((p_key_a, p_table_a))
    p_table_a, p_key_a, p_value_a = p_table_a[order], p_key_a[order], p_value_a[order]
    lo, hi = np.zeros(len(rows), dtype=np.int64), np.zeros(len(rows), dtype=np.int64)
    for t in np.unique(table).tolist():  # a few block tables: each one's probes are a sorted run
        first, last = np.searchsorted(p_table_a, [t, t + 1])
        here = table == t
        lo[here] = first + np.searchsorted(p_key_a[first:last], key[here], side="left")
        hi[here] = first + np.searchsorted(p_key_a[first:last], key[here], side="right")
    counts = hi - lo
    row_of = np.repeat(np.arange(len(rows)), counts)
    firsts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    probe_of = firsts + np.arange(row_of.size)
    near = np.bitwise_count(value.view(np.uint64)[row_of] ^ p_value_a[probe_of]) <= k
    kept = np.unique(row_of[near])
    return list(zip(fp_id[kept].tolist(), story_id[kept].tolist(), strict=True))


_SQLITE_PROBES = 4000  # probes (fingerprint × block table) per query, when the driver allows
_SQLITE_OLD_LIMIT = 999  # bound parameters per statement of a SQLite before 3.32


def _near_sqlite(session: Session, scheme: Scheme, fps: Sequence[Fingerprint]) -> dict[int, int]:
    """The same as :func:`_near_filtered`, with the Hamming check in SQLite's SQL.

    In a large corpus most rows that share a 16-bit block key with a query are not near it,
    and fetching each into Python to reject it was most of the lookup's time. Here the probes join the key table's primary key (``VALUES`` rows, the
    outer loop: ``CROSS JOIN`` fixes SQLite's join order) and only rows within ``k`` come
    back (see :func:`_sqlite_statement`).
    """
    masks = BlockPlan.for_k(scheme.k).table_masks
    connection = session.connection()
    per_query = max(1, min(_SQLITE_PROBES, (_variable_limit(connection) - 2) // 3) // len(masks))
    matched: dict[int, int] = {}
    for start in range(0, len(fps), per_query):
        chunk = fps[start : start + per_query]
        params: list[int | str] = []
        for fp in sorted(chunk, key=lambda fp: fp.value):  # neighbouring keys, neighbouring pages
            value = to_signed(fp.value)
            for t, mask in enumerate(masks):
                params.extend((t, to_signed(fp.value & mask), value))
        params.extend((scheme.name, scheme.version))  # the last two ?s of the statement
        rows = connection.exec_driver_sql(_sqlite_statement(scheme.k, len(chunk) * len(masks)), tuple(params))
        for fp_id, story_id in rows:
            matched.setdefault(fp_id, story_id)
    return matched


def _variable_limit(connection: Connection) -> int:
    """The most bound parameters one statement of this SQLite connection takes."""
    driver = connection.connection.dbapi_connection
    try:
        return int(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except (AttributeError, sqlite3.Error):  # Python < 3.11: assume the oldest default
        return _SQLITE_OLD_LIMIT


@lru_cache(maxsize=32)  # a load's full chunks and a few page sizes
def _sqlite_statement(k: int, probes: int) -> str:
    """The SQLite lookup of ``probes`` (table, key, query) rows: stored rows within ``k``.

    ``x`` is the stored value XOR the query, written ``(a | b) & ~(a & b)`` (SQLite has no
    XOR). Its bits are counted without arithmetic that could overflow 64 bits (SQLite would
    turn the result into a float): the sign bit apart, then the other 63 bits cleared of
    their lowest set bit ``k`` times (``y & (y - 1)``, never below zero); the count is at
    most ``k`` when nothing is left. ``x`` is computed once per row in a subquery that
    ``LIMIT -1`` keeps SQLite from flattening (it would copy the expression 2**k times).
    """
    rest = "(x & 9223372036854775807)"  # the 63 bits below the sign

    def cleared(times: int) -> str:
        expression = rest
        for _ in range(times):
            expression = f"({expression} & ({expression} - 1))"
        return expression

    near = "x = 0" if k == 0 else f"(CASE WHEN x < 0 THEN {cleared(k - 1)} ELSE {cleared(k)} END) = 0"
    values = ",".join(["(?,?,?)"] * probes)
    return (
        f"WITH probe(table_no, key, query) AS (VALUES {values}) "
        "SELECT fingerprint_id, story_id FROM ("
        "SELECT k.fingerprint_id, k.story_id, (k.value | probe.query) & ~(k.value & probe.query) AS x "
        "FROM probe CROSS JOIN fingerprint_keys AS k "
        "ON k.scheme = ? AND k.scheme_version = ? AND k.table_no = probe.table_no AND k.key = probe.key "
        f"LIMIT -1) WHERE {near}"
    )


@cache
def _near_postgresql_statement() -> Select[Any]:
    """The PostgreSQL lookup, one constant statement: the page's probes go in as arrays.

    ``unnest(schemes, versions, ks, tables, keys, queries)`` (one row per fingerprint and
    block table, every scheme at once) is joined to the block keys (a probe of their primary
    key per row, index-only: it includes the value and story id, and the visibility map is
    kept by (auto)vacuum, see :func:`vacuum_keys`), keeping pairs with
    ``bit_count((stored # query)::bit(64)) <= k``
    (``#`` is XOR; the cast keeps the two's-complement bits of the signed BIGINT). Arrays
    rather than a VALUES list: the SQL text is the same for every page, so SQLAlchemy
    compiles it once (compiling a VALUES list of a page's probes took most of the lookup's
    time) and psycopg prepares it on the server after a few pages, and a page of any length
    is one round trip. Each array is sent as its text literal (``{1,2,3}``, cast on the
    server; see :func:`_array_literal`): the driver adapts a list one element at a time in
    Python, which cost more than the lookup for a corpus batch's hundred thousand probes.
    """
    keys = BlockKeyRow.__table__.c
    wanted = (
        func.unnest(
            cast(bindparam("schemes", type_=Text), ARRAY(String)),
            cast(bindparam("versions", type_=Text), ARRAY(Integer)),
            cast(bindparam("ks", type_=Text), ARRAY(Integer)),
            cast(bindparam("tables", type_=Text), ARRAY(Integer)),
            cast(bindparam("keys", type_=Text), ARRAY(BigInteger)),
            cast(bindparam("queries", type_=Text), ARRAY(BigInteger)),
        )
        .table_valued(
            column("scheme", String),
            column("version", Integer),
            column("k", Integer),
            column("table_no", Integer),
            column("key", BigInteger),
            column("query", BigInteger),
            name="wanted",
        )
        .render_derived()
    )
    distance = func.bit_count(cast(keys.value.op("#")(wanted.c.query), BIT(64)))
    return (
        select(keys.scheme, keys.scheme_version, keys.fingerprint_id, keys.story_id)
        .select_from(wanted)
        .join(
            BlockKeyRow.__table__,
            and_(
                keys.scheme == wanted.c.scheme,
                keys.scheme_version == wanted.c.version,
                keys.table_no == wanted.c.table_no,
                keys.key == wanted.c.key,
            ),
        )
        .where(distance <= wanted.c.k)
    )


def _near_postgresql(session: Session, scheme: Scheme, fps: Sequence[Fingerprint]) -> dict[int, int]:
    """The same as :func:`_near_filtered`, with the Hamming check in SQL (PostgreSQL ≥ 14)."""
    return _near_postgresql_schemes(session, {scheme.key: fps}).get(scheme.key, {})


def _near_postgresql_schemes(
    session: Session, by_scheme: Mapping[str, Sequence[Fingerprint]]
) -> dict[str, dict[int, int]]:
    """Per scheme key, stored fingerprint id → story id within the scheme's ``k``: one query.

    Every scheme's probes in one statement (see :func:`_near_postgresql_statement`): a page
    costs one round trip and one (prepared) execution, not one per scheme.
    """
    probes: set[tuple[str, int, int, int, int, int]] = set()
    for key, fps in by_scheme.items():
        scheme = SCHEME_BY_KEY[key]
        masks = BlockPlan.for_k(scheme.k).table_masks
        probes.update(
            (scheme.name, scheme.version, scheme.k, t, to_signed(fp.value & mask), to_signed(fp.value))
            for fp in fps
            for t, mask in enumerate(masks)
        )
    if not probes:
        return {}
    names = ("schemes", "versions", "ks", "tables", "keys", "queries")
    columns = zip(*sorted(probes), strict=True)  # sorted: neighbouring keys probe neighbouring pages
    params = {name: _array_literal(values) for name, values in zip(names, columns, strict=True)}
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for name, version, fp_id, story_id in session.connection().execute(_near_postgresql_statement(), params):
        found[f"{name}/{version}"][fp_id] = story_id
    return dict(found)


def _array_literal(values: Sequence[int] | Sequence[str]) -> str:
    """A PostgreSQL array literal of integers, or of scheme names (letters and digits: they
    need no quoting; anything else is refused rather than quoted wrong)."""
    texts = list(map(str, values))
    if values and isinstance(values[0], str) and not all(name.isalnum() for name in set(texts)):
        raise ValueError(f"scheme names must be letters and digits: {sorted(set(texts))}")
    return "{" + ",".join(texts) + "}"
