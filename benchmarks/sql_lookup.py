"""Candidate lookup through the database at corpus scale, side by side with the in-memory index.

    python benchmarks/sql_lookup.py              # 1,000,000 stories (about 10M fingerprints)
    python benchmarks/sql_lookup.py --quick      # 5,000 stories (about 50k fingerprints), 100 pages
    python benchmarks/sql_lookup.py --stories 200000

Issue 7, item 3: the lookup ``lookup.near_fingerprints`` makes for every audited page, against
a corpus whose block keys are indexed in SQL, on SQLite (a file in a temporary directory)
and, when ``PROVENANCE_TEST_PG_HOST`` names a server, on PostgreSQL (a throwaway database).

Why synthetic rows: loading a million real stories through ``corpus add`` is what
``end_to_end.py`` measures; here only the lookup matters, so the corpus is random
fingerprints inserted directly into the project's tables (ids, values and block keys exactly
as the corpus writer stores them, the lookup index rebuilt once after the bulk load).
Each synthetic story gets one document and one to eight paragraph fingerprints (word
shingles), one to nine sentence skeletons and 20 to 59 anchors (winnowed stem 5-grams,
matched exactly: one key row each), about what Reuters-21578 stories get. Real fingerprints are planted among them: every Reuters story except half of
the query pages (the other half are planted, so their lookups hit), which also brings the
real near-collisions of templated wire copy (earnings tables, "Shr ... vs ..." stories).

The pages are Reuters stories (or generated text when ../shared/data is absent). Their
fingerprints are computed once, before timing; each lookup opens a session from the pool,
as the audit does per page. The in-memory alternative answers the same question with one
``retrieval.CorpusIndex`` (one ``MemoryIndex`` per scheme) over the same values,
and every page's answer is checked to be identical on every backend.

What it shows: the block keys of k = 3 are one 16-bit block each (``BlockPlan.for_k(3)``:
4 tables), so every probe returns about (fingerprints of the scheme) / 65,536 candidates,
some 80 at a million stories. With the keys in a separate index each candidate cost two row
lookups (key row, then fingerprint for its value) before the Hamming check: 26 ms/page
median at a million stories on SQLite, 48 on PostgreSQL. Since migration 0003 the key rows
carry the value and story id, clustered by the lookup key (SQLite ``WITHOUT ROWID``,
PostgreSQL a covering primary key read by index-only scans), so a probe reads one run of
adjacent rows. At 200,000 stories (2.1M fingerprints, 8.5M keys) that took the median from
6.5 to 1.8 ms/page on SQLite and from 21 to 1.5 on PostgreSQL (p99 36 -> 9, 93 -> 5 ms).
The builder loads the keys in key order (see ``_before_load``), as the migration does.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from sqlalchemy import text as sql  # noqa: E402
from sqlalchemy.engine import URL, Connection, Engine  # noqa: E402
from table import print_table  # noqa: E402 - benchmarks/ is the script folder, first on the path

from provenance import retrieval, store  # noqa: E402
from provenance.fingerprint import SCHEME_BY_KEY, Fingerprint, fingerprint_text, to_signed  # noqa: E402
from provenance.index import BlockPlan, block_keys  # noqa: E402

Row = tuple[str, str, str]
Hits = retrieval.Hits

FULL_STORIES = 1_000_000
QUICK_STORIES = 5_000
PAGES = 200
QUICK_PAGES = 100
CHUNK = 50_000  # synthetic stories generated and inserted at a time (flat memory)
SHINGLE = "shingle3/1"
SKELETON = "skeleton3/1"
ANCHOR = "anchor5/1"


# --- the pages and the planted stories ------------------------------------------------------


def _reuters_texts(limit: int | None) -> tuple[str, list[str]]:
    """Reuters-21578 bodies long enough to fingerprint, or generated text without the data."""
    try:
        import datasets

        texts = list(islice((s.text for s in datasets.reuters() if len(s.text.split()) >= 30), limit))
        if texts:
            return "Reuters-21578", texts
    except FileNotFoundError:
        pass
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(20_000)]
    count = 2_000 if limit is None else limit

    def sentence() -> str:
        return " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 25))) + "."

    return "generated (no ../shared/data)", [
        "\n\n".join(" ".join(sentence() for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(2, 7)))
        for _ in range(count)
    ]


@dataclass
class Planted:
    """Real stories' fingerprints, inserted among the synthetic ones, and the query pages."""

    source: str  # where the texts come from
    stories: list[tuple[str, list[Fingerprint]]]  # (text, fingerprints) in story-id order
    pages: list[list[Fingerprint]]  # the query pages' fingerprints
    fingerprint_ms: float  # fingerprint_text per page, for scale


def _planted(quick: bool, pages: int) -> Planted:
    source, texts = _reuters_texts(pages + 300 if quick else None)
    rng = random.Random(3)
    query = rng.sample(range(len(texts)), min(pages, len(texts)))
    missing = set(query[::2])  # every other query page is absent from the corpus
    start = time.perf_counter()
    page_fps = [fingerprint_text(texts[i]) for i in query]
    per_page = (time.perf_counter() - start) / max(1, len(query)) * 1e3
    stories = [(t, fingerprint_text(t)) for i, t in enumerate(texts) if i not in missing]
    return Planted(source, stories, page_fps, per_page)


# --- the synthetic corpus -------------------------------------------------------------------


@dataclass
class Batch:
    """A chunk of stories with their fingerprints and block keys, as rows for bulk insert."""

    stories: list[tuple[Any, ...]]
    fingerprints: list[tuple[Any, ...]]
    keys: list[tuple[Any, ...]]


@dataclass
class Values:
    """Every stored fingerprint value per scheme and its story row id: the in-memory side."""

    values: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))
    owners: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, values: np.ndarray, owners: np.ndarray) -> None:
        self.values[key].append(values.astype(np.uint64))
        self.owners[key].append(owners.astype(np.int64))


_TABLES = {key: [np.uint64(m) for m in BlockPlan.for_k(s.k).table_masks] for key, s in SCHEME_BY_KEY.items()}
_STAMP = "2026-01-01 00:00:00.000000"


def _key_rows(
    scheme: str,
    version: int,
    masks: Sequence[np.uint64],
    fp_ids: np.ndarray,
    values: np.ndarray,
    owners: np.ndarray,
) -> list[tuple[Any, ...]]:
    """Block-key rows with their fingerprint's story and value, in (fingerprint id, table) order."""
    tables = len(masks)
    ids = np.repeat(fp_ids, tables).tolist()
    table_nos = np.tile(np.arange(tables), fp_ids.size).tolist()
    keys = np.stack([values & m for m in masks], axis=1).ravel().view(np.int64).tolist()
    stories = np.repeat(owners, tables).tolist()
    signed = np.repeat(values, tables).view(np.int64).tolist()
    return [
        (i, t, scheme, version, k, s, v)
        for i, t, k, s, v in zip(ids, table_nos, keys, stories, signed, strict=True)
    ]


def _synthetic(
    rng: np.random.Generator, first_story: int, count: int, first_fp: int, memory: Values
) -> Batch:
    """``count`` stories of random fingerprints, ids from ``first_story`` and ``first_fp``."""
    story_ids = np.arange(first_story, first_story + count, dtype=np.int64)
    stories = [(i, f"synthetic-{i}", "Reuters", "[]", "", "", _STAMP, _STAMP) for i in story_ids.tolist()]
    fingerprints: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []
    next_fp = first_fp
    for key, (name, version), lo, hi in (
        (SHINGLE, ("shingle3", 1), 2, 10),
        (SKELETON, ("skeleton3", 1), 1, 10),
        (ANCHOR, ("anchor5", 1), 20, 60),
    ):
        per_story = rng.integers(lo, hi, size=count)
        owners = np.repeat(story_ids, per_story)
        position = np.arange(owners.size) - np.repeat(np.cumsum(per_story) - per_story, per_story)
        values = rng.integers(0, 2**64 - 1, size=owners.size, dtype=np.uint64, endpoint=True)
        fp_ids = np.arange(next_fp, next_fp + owners.size, dtype=np.int64)
        next_fp += owners.size
        if name == "shingle3":  # position 0 is the document, then paragraphs 0, 1, ...
            levels = np.where(position == 0, "document", "paragraph").tolist()
            position = np.where(position == 0, 0, position - 1)
        else:
            levels = ["sentence" if name == "skeleton3" else "anchor"] * owners.size
        signed = values.view(np.int64).tolist()
        fingerprints.extend(
            (i, s, lv, p, 0, 0, name, version, v)
            for i, s, lv, p, v in zip(
                fp_ids.tolist(), owners.tolist(), levels, position.tolist(), signed, strict=True
            )
        )
        keys.extend(_key_rows(name, version, _TABLES[key], fp_ids, values, owners))
        memory.add(key, values, owners)
    return Batch(stories, fingerprints, keys)


def _planted_batch(planted: Planted, first_story: int, first_fp: int, memory: Values) -> Batch:
    """The real stories' rows, their fingerprints and keys as the corpus writer stores them."""
    batch = Batch([], [], [])
    fp_id = first_fp
    by_scheme: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for n, (body, fps) in enumerate(planted.stories):
        story_id = first_story + n
        batch.stories.append((story_id, f"reuters-planted-{n}", "Reuters", "[]", body, "", _STAMP, _STAMP))
        for fp in fps:
            plan = BlockPlan.for_k(SCHEME_BY_KEY[fp.scheme_key].k)
            batch.fingerprints.append(
                (
                    fp_id,
                    story_id,
                    fp.level,
                    fp.position,
                    fp.start,
                    fp.end,
                    fp.scheme,
                    fp.version,
                    to_signed(fp.value),
                )
            )
            batch.keys.extend(
                (fp_id, t, fp.scheme, fp.version, to_signed(k), story_id, to_signed(fp.value))
                for t, k in enumerate(block_keys(fp.value, plan))
            )
            by_scheme[fp.scheme_key][0].append(fp.value)
            by_scheme[fp.scheme_key][1].append(story_id)
            fp_id += 1
    for key, (vals, owners) in by_scheme.items():
        memory.add(key, np.array(vals, dtype=np.uint64), np.array(owners, dtype=np.int64))
    return batch


def _check_vectorised_keys() -> None:
    """The vectorised keys and signed values equal ``index.block_keys`` and ``to_signed``."""
    rng = np.random.default_rng(0)
    values = rng.integers(0, 2**64 - 1, size=100, dtype=np.uint64, endpoint=True)
    owners = np.arange(100) // 3
    rows = _key_rows("shingle3", 1, _TABLES[SHINGLE], np.arange(100), values, owners)
    plan = BlockPlan.for_k(SCHEME_BY_KEY[SHINGLE].k)
    expected = [to_signed(k) for v in values.tolist() for k in block_keys(v, plan)]
    assert [r[4] for r in rows] == expected
    tables = len(plan.table_masks)
    assert [(r[0], r[5], r[6]) for r in rows] == [
        (i, i // 3, to_signed(v)) for i, v in enumerate(values.tolist()) for _ in range(tables)
    ]
    assert values.view(np.int64).tolist() == [to_signed(v) for v in values.tolist()]


# --- loading into SQLite and PostgreSQL ------------------------------------------------------

_COLUMNS = {
    "stories": ("id", "external_id", "agency", "contributors", "text", "content_hash", "added", "updated"),
    "fingerprints": (
        "id",
        "story_id",
        "level",
        "position",
        "start",
        "end",
        "scheme",
        "scheme_version",
        "value",
    ),
    "fingerprint_keys": (
        "fingerprint_id",
        "table_no",
        "scheme",
        "scheme_version",
        "key",
        "story_id",
        "value",
    ),
}
_COLUMNS["fingerprint_keys_load"] = _COLUMNS["fingerprint_keys"]  # the SQLite staging table: same columns
_KEY_ORDER = '"scheme", "scheme_version", "table_no", "key", "fingerprint_id"'  # the primary key
_BY_FINGERPRINT = "ix_fingerprint_keys_fingerprint_id"


def _insert(connection: Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert: one executemany on SQLite, COPY on PostgreSQL (the fastest each offers).

    COPY rows of plain numbers and names go in as preformatted text (``write_row`` costs
    several microseconds a row); rows that may hold tabs or newlines (story texts) go
    through ``write_row``, which escapes them.
    """
    if not rows:
        return
    columns = _COLUMNS[table]
    quoted = ", ".join(f'"{c}"' for c in columns)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.cursor()
        with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            if table == "stories":
                for row in rows:
                    copy.write_row(row)
            else:
                copy.write("".join("\t".join(map(str, row)) + "\n" for row in rows))
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


@contextmanager
def _unchecked(connection: Connection) -> Iterator[None]:
    """Foreign keys unchecked while loading rows that satisfy them by construction.

    Checking them costs a lookup per inserted row (on PostgreSQL a trigger per row, most of
    a COPY's time). SQLite: ``foreign_keys`` off for this connection; PostgreSQL: the
    ``replica`` replication role (superuser only; elsewhere the keys stay checked).
    """
    if connection.dialect.name == "sqlite":
        _pragma(connection, "foreign_keys=OFF")
        _pragma(connection, "synchronous=OFF")  # a benchmark corpus: no need to survive a crash
        try:
            yield
        finally:
            _pragma(connection, "foreign_keys=ON")
            _pragma(connection, "synchronous=FULL")
        return
    replica = False
    with connection.begin():
        superuser = connection.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if superuser.scalar():
            connection.exec_driver_sql("SET session_replication_role = replica")
            replica = True
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.commit()
        if replica:
            with connection.begin():
                connection.exec_driver_sql("SET session_replication_role = DEFAULT")


@dataclass
class Built:
    stories: int
    fingerprints: int
    keys: int
    seconds: float
    memory: Values


def _build(engine: Engine, planted: Planted, stories: int) -> Built:
    """Fill the tables: synthetic chunks, then the planted stories; then index and analyse."""
    memory = Values()
    rng = np.random.default_rng(20260101)
    counts = [0, 0, 0]
    start = time.perf_counter()
    synthetic = max(0, stories - len(planted.stories))
    with engine.connect() as connection, _unchecked(connection):
        keys_table = _before_load(connection)
        for batch in _batches(rng, synthetic, planted, memory):
            with connection.begin():
                _insert(connection, "stories", batch.stories)
                _insert(connection, "fingerprints", batch.fingerprints)
                _insert(connection, keys_table, batch.keys)
            counts[0] += len(batch.stories)
            counts[1] += len(batch.fingerprints)
            counts[2] += len(batch.keys)
        _after_load(connection)
        if connection.dialect.name == "postgresql":  # statistics, and the visibility map for index-only scans
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
            connection.commit()
        else:
            with connection.begin():
                connection.exec_driver_sql("ANALYZE")
    return Built(*counts, time.perf_counter() - start, memory)


def _before_load(connection: Connection) -> str:
    """Get the key table ready for a bulk load; returns the table to load the key rows into.

    The key table is clustered by the lookup key (its primary key), so rows arriving in
    fingerprint order would land all over it. PostgreSQL: the primary key and the fingerprint
    index are dropped and built once at the end (a sort, far faster). SQLite cannot drop the
    primary key of a ``WITHOUT ROWID`` table: the rows go to a temporary heap table first and
    are moved over in key order at the end, so the B-tree is written front to back.
    """
    with connection.begin():
        connection.execute(sql(f"DROP INDEX {_BY_FINGERPRINT}"))
        if connection.dialect.name == "postgresql":
            connection.execute(sql("ALTER TABLE fingerprint_keys DROP CONSTRAINT fingerprint_keys_pkey"))
            return "fingerprint_keys"
        connection.execute(
            sql(
                "CREATE TEMP TABLE fingerprint_keys_load (fingerprint_id INTEGER, table_no INTEGER, "
                "scheme VARCHAR(32), scheme_version INTEGER, key BIGINT, story_id INTEGER, value BIGINT)"
            )
        )
    return "fingerprint_keys_load"


def _after_load(connection: Connection) -> None:
    """Build what :func:`_before_load` set aside: the primary key (or the clustered rows), the index."""
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(
                sql(
                    f"ALTER TABLE fingerprint_keys ADD CONSTRAINT fingerprint_keys_pkey "
                    f"PRIMARY KEY ({_KEY_ORDER}) INCLUDE (value, story_id)"
                )
            )
        else:
            columns = ", ".join(f'"{c}"' for c in _COLUMNS["fingerprint_keys"])
            connection.execute(
                sql(
                    f"INSERT INTO fingerprint_keys ({columns}) "
                    f"SELECT {columns} FROM fingerprint_keys_load ORDER BY {_KEY_ORDER}"
                )
            )
            connection.execute(sql("DROP TABLE fingerprint_keys_load"))
        connection.execute(sql(f"CREATE INDEX {_BY_FINGERPRINT} ON fingerprint_keys (fingerprint_id)"))


def _pragma(connection: Connection, setting: str) -> None:
    """A PRAGMA outside any transaction (the engine's begin hook would wrap an execute in one)."""
    cursor = connection.connection.cursor()
    cursor.execute(f"PRAGMA {setting}")
    cursor.close()


def _batches(rng: np.random.Generator, synthetic: int, planted: Planted, memory: Values) -> Iterator[Batch]:
    next_story, next_fp = 1, 1
    for first in range(0, synthetic, CHUNK):
        batch = _synthetic(rng, next_story, min(CHUNK, synthetic - first), next_fp, memory)
        next_story += len(batch.stories)
        next_fp += len(batch.fingerprints)
        yield batch
    yield _planted_batch(planted, next_story, next_fp, memory)


# --- the lookups -----------------------------------------------------------------------------


class MemoryLookup:
    """The same values in memory: a ``retrieval.CorpusIndex`` built from the arrays."""

    def __init__(self, memory: Values) -> None:
        start = time.perf_counter()
        self.index = retrieval.CorpusIndex.from_arrays(
            {key: np.concatenate(parts) for key, parts in memory.values.items()},
            {key: np.concatenate(parts) for key, parts in memory.owners.items()},
        )
        self.near = self.index.near
        self.build_seconds = time.perf_counter() - start


@dataclass
class Timing:
    median_ms: float
    p99_ms: float
    answers: list[Hits]


def _time_pages(lookup: Callable[[Sequence[Fingerprint]], Hits], pages: list[list[Fingerprint]]) -> Timing:
    """One untimed pass (warm caches, as in a long audit), then each page timed alone."""
    for fps in pages:
        lookup(fps)
    times, answers = [], []
    for fps in pages:
        start = time.perf_counter()
        answers.append(lookup(fps))
        times.append(time.perf_counter() - start)
    times.sort()
    return Timing(statistics.median(times) * 1e3, times[int(0.99 * (len(times) - 1))] * 1e3, answers)


def _sql_lookup(url: str) -> Callable[[Sequence[Fingerprint]], Hits]:
    factory = store.open_database(url)

    def lookup(fps: Sequence[Fingerprint]) -> Hits:
        with factory() as session:  # a session per page, as run_audit opens one
            return lookup.near_fingerprints(session, fps)

    return lookup


# --- databases ---------------------------------------------------------------------------------


def pg_server() -> URL | None:
    """The PostgreSQL server named by the environment (as for the tests), if it answers."""
    host = os.environ.get("PROVENANCE_TEST_PG_HOST")
    if not host:
        return None
    server = URL.create(
        "postgresql+psycopg",
        username=os.environ.get("PROVENANCE_TEST_PG_USER") or "postgres",
        password=os.environ.get("PROVENANCE_TEST_PG_PASSWORD") or None,
        host=host,
        port=int(os.environ.get("PROVENANCE_TEST_PG_PORT") or 5432),
        database="postgres",
    )
    try:
        from sqlalchemy import create_engine

        engine = create_engine(server)
        with engine.connect():
            pass
        engine.dispose()
    except Exception:  # unreachable, refused or no driver: the row says so
        return None
    return server


@contextmanager
def pg_database(server: URL, name: str) -> Iterator[str]:
    """A throwaway database on ``server``, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine

    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        store.close_databases()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --- the table ---------------------------------------------------------------------------------


def rows(quick: bool, stories: int | None = None, pages: int | None = None) -> list[Row]:
    """Build the corpus on each reachable backend, time the lookups, and compare with memory."""
    _check_vectorised_keys()
    stories = stories or (QUICK_STORIES if quick else FULL_STORIES)
    pages = pages or (QUICK_PAGES if quick else PAGES)
    planted = _planted(quick, pages)
    out: list[Row] = [
        (
            f"sql lookup ({len(planted.pages)} pages, {stories:,} stories)",
            f"{len(planted.stories):,} real-text stories planted among random ones ({planted.source})",
            f"fingerprint_text {planted.fingerprint_ms:.2f} ms/page (not in the lookup times)",
        )
    ]
    backends: list[tuple[str, Callable[[], Any]]] = []
    tmp = tempfile.TemporaryDirectory(prefix="provenance-sql-lookup-")
    backends.append(("SQLite", lambda: _nullcontext(f"sqlite:///{tmp.name}/corpus.db")))
    server = pg_server()
    if server is not None:
        backends.append(("PostgreSQL", lambda: pg_database(server, f"provenance_bench_{os.getpid()}")))
    memory: MemoryLookup | None = None
    reference: Timing | None = None
    try:
        for label, opener in backends:
            with opener() as url:
                engine = store.engine_for(url)
                built = _build(engine, planted, stories)
                if memory is None:
                    memory = MemoryLookup(built.memory)
                    reference = _time_pages(memory.near, planted.pages)
                built.memory = Values()  # the arrays live on in the memory index only
                assert reference is not None
                timing = _time_pages(_sql_lookup(url), planted.pages)
                wrong = sum(a != b for a, b in zip(timing.answers, reference.answers, strict=True))
                if wrong:
                    raise AssertionError(f"{label}: {wrong} pages answered differently from memory")
                size = _database_mb(engine)
                store.close_databases()
                out.append(
                    (
                        f"  {label} build",
                        f"{built.fingerprints:,} fingerprints, {built.keys:,} keys in {built.seconds:.1f} s "
                        f"({(built.stories + built.fingerprints + built.keys) / built.seconds:,.0f} rows/s), "
                        f"{size:,.0f} MB",
                        f"memory index: {memory.build_seconds:.2f} s "
                        f"({built.seconds / memory.build_seconds:.0f}x faster)",
                    )
                )
                out.append(
                    (
                        f"  {label} lookup",
                        f"median {timing.median_ms:.2f} ms/page, p99 {timing.p99_ms:.2f} ms/page",
                        f"memory: median {reference.median_ms:.3f} ms/page, p99 {reference.p99_ms:.3f} "
                        f"-> SQL {timing.median_ms / reference.median_ms:.0f}x slower; same answers on all pages",
                    )
                )
    finally:
        store.close_databases()
        tmp.cleanup()
    if server is None:
        out.append(
            ("  PostgreSQL", "not measured", "set PROVENANCE_TEST_PG_HOST (and _PORT, _USER) to a server")
        )
    assert reference is not None
    hit = sum(1 for a in reference.answers if a)
    out.append(("  pages with candidates", f"{hit} of {len(planted.pages)}", ""))
    return out


@contextmanager
def _nullcontext(url: str) -> Iterator[str]:
    yield url


def _database_mb(engine: Engine) -> float:
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            return (
                float(connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() or 0)
                / 2**20
            )
        database = engine.url.database or ""
    return (
        sum(
            Path(database + suffix).stat().st_size
            for suffix in ("", "-wal")
            if Path(database + suffix).exists()
        )
        / 2**20
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_STORIES:,} stories instead of {FULL_STORIES:,}"
    )
    parser.add_argument("--stories", type=int, help="corpus size in stories (overrides --quick)")
    parser.add_argument("--pages", type=int, help=f"query pages (default {PAGES}, quick {QUICK_PAGES})")
    args = parser.parse_args(argv)
    table = rows(args.quick, args.stories, args.pages)
    print_table(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
