"""The store on SQLite and PostgreSQL: signed 64-bit storage, the near-duplicate lookup, upserts.

Every test takes ``db_url`` and so runs on both backends; the PostgreSQL lookup computes the
Hamming distance in SQL, SQLite in Python, and both must equal a brute-force scan.
"""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text

from provenance import corpus_store, inventory, lookup, store
from provenance.fingerprint import SCHEME_BY_KEY, SCHEMES, Fingerprint, fingerprint_text, to_unsigned
from provenance.index import BlockPlan
from provenance.model import Story
from provenance.retrieval import CorpusIndex

SHINGLE, SKELETON = SCHEMES[0], SCHEMES[1]
EDGES = [0, 1, (1 << 63) - 1, 1 << 63, (1 << 63) + 1, (1 << 64) - 2, (1 << 64) - 1, 0xDEADBEEFCAFEBABE]


def fp(value: int, position: int = 0, scheme: object = SHINGLE) -> Fingerprint:
    level = "sentence" if scheme is SKELETON else "paragraph"
    return Fingerprint(scheme.name, scheme.version, level, position, 0, 1, value)  # type: ignore[attr-defined]


def story(story_id: str, body: str = "text", agency: str = "AP", **fields: str) -> Story:
    return Story(id=story_id, agency=agency, text=body, **fields)


def add(factory, item: Story, fingerprints: list[Fingerprint]) -> str:  # type: ignore[no-untyped-def]
    with store.transaction(factory) as session:
        return corpus_store.upsert_story(session, item, fingerprints)


def counts(factory) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (store.StoryRow, store.FingerprintRow, store.BlockKeyRow)
        )


def test_values_of_2_to_the_63_and_above_round_trip_signed(db_url: str) -> None:
    factory = store.open_database(db_url)
    add(factory, story("edges"), [fp(v, i) for i, v in enumerate(EDGES)])
    with factory() as session:
        rows = session.execute(
            select(store.FingerprintRow.position, store.FingerprintRow.value).order_by(
                store.FingerprintRow.position
            )
        ).all()
        raw_keys = session.scalars(select(store.BlockKeyRow.key)).all()
    stored = [value for _, value in rows]
    assert [to_unsigned(v) for v in stored] == EDGES
    assert all(-(1 << 63) <= v < (1 << 63) for v in stored)  # BIGINT range: stored signed
    assert stored[EDGES.index(1 << 63)] == -(1 << 63) and stored[EDGES.index((1 << 64) - 1)] == -1
    assert min(raw_keys) < 0  # block keys of high values are signed too
    with factory() as session:  # found again by value: 2**64-1 itself, 2**64-2 and 2**63-1 (1 bit off)
        hits = lookup.near_fingerprints(session, [fp((1 << 64) - 1)])
    assert list(hits.values()) == [{SHINGLE.key: 3}]


def _flip(value: int, bits: int, rng: random.Random) -> int:
    for b in rng.sample(range(64), bits):
        value ^= 1 << b
    return value


def _brute_force(
    stored: dict[int, list[Fingerprint]], queries: list[Fingerprint]
) -> dict[int, dict[str, int]]:
    """Every stored fingerprint against every query: the answer the indexed lookups must give."""
    hits: dict[int, dict[str, int]] = defaultdict(dict)
    for story_id, fps in stored.items():
        for s in fps:
            k = SCHEME_BY_KEY[s.scheme_key].k
            if any(q.scheme_key == s.scheme_key and (q.value ^ s.value).bit_count() <= k for q in queries):
                hits[story_id][s.scheme_key] = hits[story_id].get(s.scheme_key, 0) + 1
    return dict(hits)


def test_near_lookup_equals_a_brute_force_scan(db_url: str) -> None:
    rng = random.Random(20241126)
    queries = [fp(rng.getrandbits(64), i, SHINGLE) for i in range(30)]
    queries += [fp(rng.getrandbits(64), i, SKELETON) for i in range(30)]
    queries += [fp(v, 100 + i) for i, v in enumerate(EDGES)]
    factory = store.open_database(db_url)
    stored: dict[int, list[Fingerprint]] = {}
    for n in range(60):
        fps = []
        for i in range(6):
            base = rng.choice(queries)
            distance = rng.choice([0, 1, 2, 3, 3, 4, 5, 12, 32])  # around k = 3 on both sides
            scheme = SCHEME_BY_KEY[base.scheme_key]
            if rng.random() < 0.2:  # the other scheme: the same bits must not count across schemes
                scheme = SKELETON if scheme is SHINGLE else SHINGLE
            fps.append(fp(_flip(base.value, distance, rng), i, scheme))
        fps.append(fp(rng.getrandbits(64), 6))  # far from everything, almost surely
        add(factory, story(f"s{n}"), fps)
        with factory() as session:
            row_id = session.scalar(select(store.StoryRow.id).where(store.StoryRow.external_id == f"s{n}"))
        stored[row_id] = fps
    expected = _brute_force(stored, queries)
    assert sum(sum(c.values()) for c in expected.values()) > 100  # the test has teeth
    with factory() as session:
        got = lookup.near_fingerprints(session, queries)
        assert got == expected
        assert CorpusIndex(stored.items()).near(queries) == expected  # the in-memory index agrees
        # The backend's own path and the portable one (rows checked in Python), on the same rows.
        own = lookup._near_postgresql if db_url.startswith("postgresql") else lookup._near_sqlite
        for scheme in SCHEMES:
            mine = [q for q in queries if q.scheme_key == scheme.key]
            assert own(session, scheme, mine) == lookup._near_filtered(session, scheme, mine)


def test_upsert_adds_keeps_and_updates_one_copy(db_url: str) -> None:
    factory = store.open_database(db_url)
    body = "WASHINGTON (AP) — The Senate passed a bill on Tuesday to fund road repairs in all fifty states."
    fps = fingerprint_text(body)
    tables = {s.key: len(BlockPlan.for_k(s.k).table_masks) for s in SCHEMES}
    assert add(factory, story("s1", body, title="One"), fps) == "added"
    assert counts(factory) == (1, len(fps), sum(tables[f.scheme_key] for f in fps))

    assert add(factory, story("s1", body, title="One, retitled"), fps) == "unchanged"
    with factory() as session:
        (row,) = session.scalars(select(store.StoryRow)).all()
        assert row.title == "One, retitled"  # fields follow the newest copy; fingerprints kept
    assert counts(factory)[:2] == (1, len(fps))

    longer = body + " It now goes to the House, where its fate is far from certain this year."
    new_fps = fingerprint_text(longer)
    assert add(factory, story("s1", longer), new_fps) == "updated"
    assert counts(factory) == (1, len(new_fps), sum(tables[f.scheme_key] for f in new_fps))
    with factory() as session:
        values = sorted(to_unsigned(v) for v in session.scalars(select(store.FingerprintRow.value)))
    assert values == sorted(f.value for f in new_fps)  # replaced, none left over

    only_shingles = [f for f in new_fps if f.scheme == SHINGLE.name]
    assert add(factory, story("s1", longer), only_shingles) == "updated"  # the schemes changed
    assert counts(factory)[:2] == (1, len(only_shingles))


def test_upsert_survives_losing_the_insert_race(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writer inserts the id between our look-up and our insert: we update theirs."""
    factory = store.open_database(db_url)
    body = "LONDON (Reuters) — The central bank held interest rates on Thursday, as most economists expected."
    fps = fingerprint_text(body)
    assert add(factory, story("race", body, agency="Reuters"), fps) == "added"
    real = corpus_store._stories_for_update
    calls = {"n": 0}

    def blind_first_look(session, external_ids):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return {} if calls["n"] == 1 else real(session, external_ids)

    monkeypatch.setattr(corpus_store, "_stories_for_update", blind_first_look)
    with store.transaction(factory) as session:
        assert corpus_store.upsert_story(session, story("race", body, agency="Reuters"), fps) == "unchanged"
        assert (
            corpus_store.upsert_story(session, story("other", body + " More.", agency="Reuters"), fps)
            == "added"
        )
    assert calls["n"] == 3  # the insert failed, the savepoint rolled back, the row was read again
    assert counts(factory)[:2] == (2, 2 * len(fps))  # and the rest of the transaction committed


def test_one_engine_per_database_and_relative_paths_resolved(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store.engine_for(db_url) is store.engine_for(db_url)
    assert store.open_database(db_url).kw["bind"] is store.engine_for(db_url)
    if db_url.startswith("sqlite"):
        (tmp_path / "a").mkdir()
        monkeypatch.chdir(tmp_path / "a")
        here = store.engine_for("sqlite:///rel.db")
        monkeypatch.chdir(tmp_path)
        assert store.engine_for("sqlite:///rel.db") is not here  # another directory, another file
        assert here.url.database == str(tmp_path / "a" / "rel.db")


def test_in_memory_sqlite_is_migrated_and_fresh_each_time() -> None:
    first = store.open_database("sqlite://")
    add(first, story("m"), [fp(5)])
    assert counts(first)[0] == 1
    assert counts(store.open_database("sqlite://"))[0] == 0


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    factory = store.open_database(f"sqlite:///{tmp_path / 'p.db'}")
    with factory() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA page_size")).scalar() == store.SQLITE_PAGE_SIZE == 16384
    store.close_databases()


def test_an_older_sqlite_file_keeps_its_page_size_and_takes_writes(tmp_path: Path) -> None:
    """The page size is only chosen for a new file: one made with SQLite's 4 KB pages (by an
    older provenance) keeps them, and is migrated and written as before."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA page_size=4096")
        connection.execute("PRAGMA journal_mode=WAL")  # writes the header: the page size is fixed
    factory = store.open_database(f"sqlite:///{path}")
    add(factory, story("a"), [fp(5)])
    with factory() as session:
        assert session.execute(text("PRAGMA page_size")).scalar() == 4096
    assert counts(factory) == (1, 1, 4)
    store.close_databases()


@pytest.mark.postgresql
def test_postgresql_writers_read_committed_readers_one_snapshot(pg_url: str) -> None:
    factory = store.open_database(pg_url)
    with factory() as session:
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
    with store.transaction(factory) as session:
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
    with factory() as session:  # the pooled connection went back to the readers' level
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"


def test_removing_a_story_removes_its_fingerprints_and_keys(db_url: str) -> None:
    """Removal deletes the key rows by primary key (nothing cascades to them: migration 0008),
    and a story's fingerprints cascade from it on both backends (SQLite: PRAGMA foreign_keys)."""
    factory = store.open_database(db_url)
    add(factory, story("gone"), [fp(1), fp(2, 1)])
    add(factory, story("kept"), [fp(3)])
    assert inventory.remove_stories(factory, ["gone", "missing"]) == ["missing"]
    assert counts(factory) == (1, 1, 4)
    with store.transaction(factory) as session:
        session.execute(delete(store.StoryRow))
    assert counts(factory)[:2] == (0, 0)


def test_key_rows_carry_their_fingerprints_value_and_story(db_url: str) -> None:
    """The lookup reads value and story id from the key rows: they must follow every write."""
    factory = store.open_database(db_url)
    add(factory, story("a"), [fp(v, i) for i, v in enumerate(EDGES)])
    add(factory, story("b"), [fp(7), fp(1 << 63, 1, SKELETON)])
    add(factory, story("a", "new text"), [fp(EDGES[3]), fp(12345, 1)])  # replaced fingerprints
    keys, fps = store.BlockKeyRow, store.FingerprintRow
    with factory() as session:
        rows = session.execute(
            select(keys.story_id, keys.value, fps.story_id, fps.value, keys.scheme, fps.scheme).join(
                fps, fps.id == keys.fingerprint_id
            )
        ).all()
        total = session.scalar(select(func.count()).select_from(keys))
    assert len(rows) == total == 4 * 4  # no key row without its fingerprint, none left over
    assert all(r[0] == r[2] and r[1] == r[3] and r[4] == r[5] for r in rows)


def test_near_lookup_equals_brute_force_after_updates_and_deletes(db_url: str) -> None:
    """Replacing and deleting fingerprints keeps the key rows (and so the answers) exact."""
    rng = random.Random(7)
    queries = [fp(rng.getrandbits(64), i, (SHINGLE, SKELETON)[i % 2]) for i in range(40)]
    factory = store.open_database(db_url)
    stored: dict[str, list[Fingerprint]] = {}

    def near_copies(n: int) -> list[Fingerprint]:
        out = []
        for i in range(n):
            base = rng.choice(queries)
            out.append(
                fp(_flip(base.value, rng.choice([0, 1, 2, 3, 4, 7]), rng), i, SCHEME_BY_KEY[base.scheme_key])
            )
        return out

    for n in range(40):
        stored[f"s{n}"] = near_copies(5)
        add(factory, story(f"s{n}"), stored[f"s{n}"])
    for n in range(0, 40, 3):  # new text: fingerprints replaced
        stored[f"s{n}"] = near_copies(4)
        add(factory, story(f"s{n}", f"changed {n}"), stored[f"s{n}"])
    gone = [f"s{n}" for n in range(1, 40, 5)]
    assert inventory.remove_stories(factory, gone) == []
    with factory() as session:
        keys, fps = store.BlockKeyRow, store.FingerprintRow
        orphans = select(func.count()).select_from(keys).where(~keys.fingerprint_id.in_(select(fps.id)))
        assert session.scalar(orphans) == 0  # no cascade (0008): removal deleted the keys itself
        assert session.scalar(select(func.count()).select_from(keys)) == 4 * sum(
            len(f) for s, f in stored.items() if s not in gone
        )
        ids = dict(session.execute(select(store.StoryRow.external_id, store.StoryRow.id)).all())
        expected = _brute_force({ids[s]: f for s, f in stored.items() if s not in gone}, queries)
        assert sum(sum(c.values()) for c in expected.values()) > 50
        assert lookup.near_fingerprints(session, queries) == expected


def _captured_lookup(session: object, queries: list[Fingerprint]) -> list[tuple[str, object]]:
    """The SQL statements (with parameters) :func:`lookup.near_fingerprints` sends."""
    from sqlalchemy import event

    engine = session.get_bind()  # type: ignore[attr-defined]
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        lookup.near_fingerprints(session, queries)  # type: ignore[arg-type]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [s for s in sent if "fingerprint_keys" in s[0]]


def test_the_lookup_reads_only_the_key_tables_primary_key(db_url: str) -> None:
    """No join to fingerprints, and each probe a search of the clustered / covering primary key.

    SQLite: the table is its primary key (WITHOUT ROWID). PostgreSQL, after
    :func:`store.vacuum_keys` (the visibility map): an index-only scan of the primary key,
    which includes the value and story id (sequential scans off: the table is tiny here).
    """
    factory = store.open_database(db_url)
    add(factory, story("a"), [fp(v, i) for i, v in enumerate(EDGES)])
    postgresql = db_url.startswith("postgresql")
    assert store.vacuum_keys(factory) is postgresql
    with factory() as session:
        (statement, parameters), *_ = _captured_lookup(session, [fp(5), fp(6, 1, SKELETON)])
        assert "fingerprints " not in statement.replace("fingerprints.", "")  # no join
        cursor = session.connection().connection.cursor()
        if postgresql:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}", parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using fingerprint_keys_pkey" in plan, plan
            assert "Heap Fetches: 0" in plan, plan
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING PRIMARY KEY (scheme=? AND scheme_version=? AND table_no=? AND key=?)" in plan, plan
            assert "fingerprints " not in plan


def test_the_sqlite_lookup_fits_the_oldest_parameter_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SQLite before 3.32 takes 999 bound parameters a statement: the probes go in chunks
    that fit, and the answer is the same."""
    factory = store.open_database("sqlite://")
    rng = random.Random(3)
    stored = [fp(rng.getrandbits(64), i) for i in range(300)]
    add(factory, story("a"), stored)
    queries = [replace(q, value=_flip(q.value, rng.choice([0, 2, 3, 4]), rng)) for q in stored]
    sent: list[int] = []
    statement = lookup._sqlite_statement
    monkeypatch.setattr(lookup, "_sqlite_statement", lambda k, n: sent.append(n) or statement(k, n))
    with factory() as session:
        unlimited = lookup.near_fingerprints(session, queries)
        monkeypatch.setattr(lookup, "_variable_limit", lambda connection: 999)
        assert lookup.near_fingerprints(session, queries) == unlimited
    assert sent[0] == 300 * 4 and max(sent[1:]) * 3 + 2 <= 999 and len(sent) > 3
    ((scheme, near),) = next(iter(unlimited.values())).items()  # one story, one scheme
    assert scheme == SHINGLE.key and 150 < near < 300  # 0, 2 or 3 bits off: near; 4: not


def test_removal_deletes_the_keys_of_a_scheme_this_version_does_not_know(db_url: str) -> None:
    """Keys an older version stored under a scheme gone since cannot be computed from their
    fingerprint: they are found by fingerprint id instead, and go all the same."""
    factory = store.open_database(db_url)
    add(factory, story("old"), [fp(5)])
    add(factory, story("kept"), [fp(5, 1)])
    with store.transaction(factory) as session:
        old = session.scalar(select(store.StoryRow.id).where(store.StoryRow.external_id == "old"))
        retired = store.FingerprintRow(
            id=1000,
            story_id=old,
            level="paragraph",
            position=1,
            start=0,
            end=1,
            scheme="gone3",
            scheme_version=1,
            value=9,
        )
        session.add(retired)
        session.flush()
        for table in range(3):
            session.add(
                store.BlockKeyRow(
                    scheme="gone3",
                    scheme_version=1,
                    table_no=table,
                    key=table,
                    fingerprint_id=1000,
                    story_id=old,
                    value=9,
                )
            )
    assert counts(factory) == (2, 3, 4 + 4 + 3)
    assert inventory.remove_stories(factory, ["old"]) == []
    assert counts(factory) == (1, 1, 4)
