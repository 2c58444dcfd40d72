"""What a crawl of 100M pages against a 10M-story corpus costs, from measurements (docs/scale.md).

    python benchmarks/scale.py                  # 20,000 stories, the 131 pages
    python benchmarks/scale.py --quick          # 2,000 stories, the 131 pages
    python benchmarks/scale.py --pg URL         # another PostgreSQL server (default: the test server)
    python benchmarks/scale.py --stories 50000

In one run, on PostgreSQL (a database created on the ``--pg`` server and dropped after; its
rows print "not measured" when no server answers) and on SQLite:

1. the corpus: N stories (Reuters-21578 from ../shared/data, then ``corpus_gen.py`` variants)
   loaded with ``provenance corpus add``; on PostgreSQL the size of the stories table and of
   the fingerprint tables (``pg_total_relation_size``: heap, TOAST and indexes) per story,
   scaled to 10M stories;
2. the audit of the 131 real pages of ../shared/data/article-extraction, ``--jobs 1``, saved
   (``provenance audit FILES --format json``, in process): pages per second on one core, and
   the database load per audited page, counted with a SQLAlchemy ``before_cursor_execute``
   event (statements) and the driver's ``rowcount`` after each (rows returned by SELECTs,
   rows written by INSERT/UPDATE/DELETE; PostgreSQL only: SQLite's driver counts no rows
   read); the size of the run's rows (pages, matches, findings) per page;
3. the same audit with ``--cluster`` on a 2-worker ``distributed.LocalCluster`` (spawned
   processes, one thread each) against ``--jobs 1``: pages per second and whether the JSON
   reports are identical;
4. the projection: core-hours for 100M pages at the measured pages/s per core, statements and
   rows for 100M pages, and the corpus index for 10M stories (the arithmetic is the script's,
   so docs/scale.md is updated by re-running it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "eval"))

import corpus_gen  # noqa: E402 - benchmarks/ is the script folder, first on the path
from audit_jobs import timeless  # noqa: E402
from corpus_load import DEFAULT_PG, _Databases  # noqa: E402
from end_to_end import PAGES, _decompressed, page_files  # noqa: E402
from table import Row, print_table  # noqa: E402

FULL_STORIES = 20_000
QUICK_STORIES = 2_000
CRAWL_PAGES = 100_000_000
CORPUS_STORIES = 10_000_000
CORPUS_TABLES = ("stories",)
INDEX_TABLES = ("fingerprints", "fingerprint_keys")
RUN_TABLES = ("pages", "matches", "findings")


@dataclass
class Load:
    """The database work of a run, counted at the driver."""

    statements: dict[str, int] = field(default_factory=dict)  # by verb: SELECT, INSERT…
    rows_read: int = 0
    rows_written: int = 0
    transactions: int = 0  # commits and rollbacks (the driver's own BEGIN/COMMIT are no statements)
    counts_rows: bool = True  # False where the driver reports no rows for a SELECT

    def add(self, statement: str, rowcount: int) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        self.statements[verb] = self.statements.get(verb, 0) + 1
        if rowcount < 0:
            self.counts_rows = self.counts_rows and verb != "SELECT"
            return
        if verb in ("SELECT", "WITH"):
            self.rows_read += rowcount
        elif verb in ("INSERT", "UPDATE", "DELETE", "COPY"):
            self.rows_written += rowcount

    @property
    def total(self) -> int:
        return sum(self.statements.values())


@contextlib.contextmanager
def counted(url: str) -> Iterator[Load]:
    """Every statement run on the engine of ``url`` (this process) during the block."""
    from sqlalchemy import event

    from provenance import store

    engine = store.engine_for(url)
    load = Load()

    def after(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        load.add(statement, getattr(cursor, "rowcount", -1))

    def ended(_conn: Any) -> None:
        load.transactions += 1

    listeners = [("after_cursor_execute", after), ("commit", ended), ("rollback", ended)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield load
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def _load_corpus(jsonl: Path, url: str) -> float:
    from provenance.cli import main as cli

    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        code = cli(["corpus", "add", str(jsonl), "--db", url, "--quiet"])
    if code != 0:
        raise SystemExit(f"corpus add into {url} failed (exit {code})")
    return time.perf_counter() - started


def _audit(folder: Path, url: str, *extra: str) -> tuple[float, Any]:
    """Seconds and the JSON documents of ``audit FOLDER`` (saved) in this process."""
    from provenance.cli import main as cli

    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        cli(["audit", str(folder), "--db", url, "--format", "json", "--quiet", *extra])
    seconds = time.perf_counter() - started
    return seconds, timeless(json.loads(out.getvalue())["documents"])


def _pg_bytes(url: str, tables: tuple[str, ...]) -> int:
    from sqlalchemy import text

    from provenance import store

    with store.engine_for(url).connect() as connection:
        return sum(
            int(connection.execute(text("SELECT pg_total_relation_size(:t)"), {"t": t}).scalar_one())
            for t in tables
        )


def _gb(n: float) -> str:
    return f"{n / 1e9:,.1f} GB" if n < 1e12 else f"{n / 1e12:,.2f} TB"


def _backend(
    name: str, url: str, jsonl: Path, stories: int, folder: Path, pages: int, address: str | None
) -> list[Row]:
    out: list[Row] = [(f"{name}: {stories:,} stories, {pages} real pages", "", "")]
    seconds = _load_corpus(jsonl, url)
    out.append(("  corpus add", f"{stories / seconds:,.0f} stories/s", f"{seconds:.1f} s"))
    postgres = url.startswith("postgresql")
    if postgres:
        corpus, index = _pg_bytes(url, CORPUS_TABLES), _pg_bytes(url, INDEX_TABLES)
        out.append(
            (
                "  corpus size per story",
                f"{corpus / stories:,.0f} B stories + {index / stories:,.0f} B fingerprint index",
                "pg_total_relation_size (heap, TOAST, indexes)",
            )
        )
        out.append(
            (
                f"  projected corpus, {CORPUS_STORIES / 1e6:.0f}M stories",
                f"{_gb(corpus / stories * CORPUS_STORIES)} stories + "
                f"{_gb(index / stories * CORPUS_STORIES)} index",
                "linear in stories (B-trees)",
            )
        )
    _audit(folder, url, "--jobs", "1", "--no-save")  # warm up: imports, caches, the database's pages
    with counted(url) as load:
        one_seconds, one_docs = _audit(folder, url, "--jobs", "1")
    rate = pages / one_seconds
    matched = sum(1 for document in one_docs if document.get("match"))
    out.append(
        (
            "  audit --jobs 1 (one core)",
            f"{rate:.2f} pages/s",
            f"{one_seconds:.1f} s, saved; {matched} matched",
        )
    )
    reads = f", {load.rows_read / pages:.1f} rows read" if load.counts_rows and postgres else ""
    verbs = ", ".join(f"{v} {n / pages:.1f}" for v, n in sorted(load.statements.items(), key=lambda x: -x[1]))
    out.append(
        (
            "  database load per page",
            f"{load.total / pages:.1f} statements{reads}, {load.rows_written / pages:.1f} rows written",
            f"{verbs}; {load.transactions / pages:.1f} transactions",
        )
    )
    if postgres:
        run_bytes = _pg_bytes(url, RUN_TABLES)  # the one saved run so far
        out.append(
            (
                "  saved run rows per page",
                f"{run_bytes / pages:,.0f} B",
                f"pages + matches + findings; {CRAWL_PAGES / 1e6:.0f}M pages: {_gb(run_bytes / pages * CRAWL_PAGES)}",
            )
        )
    out.extend(_projection(rate, load, pages, postgres))
    if address is not None:
        spread_seconds, spread_docs = _audit(folder, url, "--cluster", address)
        same = "identical" if spread_docs == one_docs else "DIFFERENT"
        out.append(
            (
                "  audit --cluster (LocalCluster: 2 workers x 1 thread)",
                f"{pages / spread_seconds:.2f} pages/s",
                f"{spread_seconds:.1f} s, x{one_seconds / spread_seconds:.2f} of --jobs 1; JSON {same}",
            )
        )
    return out


def _projection(rate: float, load: Load, pages: int, postgres: bool) -> list[Row]:
    core_hours = CRAWL_PAGES / rate / 3600
    crawl = f"{CRAWL_PAGES / 1e6:.0f}M pages"
    out: list[Row] = [
        (f"  projected {crawl}", f"{core_hours:,.0f} core-hours", f"at {rate:.2f} pages/s per core"),
        (
            f"  projected {crawl}: database",
            f"{load.total / pages * CRAWL_PAGES / 1e9:,.2f}G statements",
            f"{load.total / pages * rate:.0f} statements/s per audit core",
        ),
    ]
    if postgres and load.counts_rows:
        out.append(
            (
                f"  projected {crawl}: rows",
                f"{load.rows_read / pages * CRAWL_PAGES / 1e9:,.1f}G read, "
                f"{load.rows_written / pages * CRAWL_PAGES / 1e9:,.1f}G written",
                "",
            )
        )
    return out


@contextlib.contextmanager
def _local_cluster() -> Iterator[str | None]:
    try:
        import distributed
    except ImportError:
        yield None
        return
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", host="127.0.0.1"
    ) as cluster:
        yield cluster.scheduler_address


def rows(quick: bool, pg: str | None = DEFAULT_PG, stories: int | None = None) -> list[Row]:
    """Table rows ``(name, value, note)``: per backend the corpus size, the audit's pages/s and
    database load per page, the cluster against ``--jobs 1``, and the 100M/10M projection."""
    n = stories or (QUICK_STORIES if quick else FULL_STORIES)
    if not PAGES.is_dir():
        return [("scale", "not measured", f"no pages at {PAGES} (../shared/data is missing)")]
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="provenance-scale-") as tmp:
        work = Path(tmp)
        jsonl = work / "stories.jsonl"
        with jsonl.open("w", encoding="utf-8") as f:
            corpus_gen.generate(n, f)
        folder = work / "pages"
        files = _decompressed(page_files(None), folder)
        databases = _Databases(work, pg)
        try:
            with _local_cluster() as address:
                if databases.server is None:
                    out.append(("PostgreSQL", "not measured", f"no server answers at {pg}"))
                else:
                    url = databases.new("PostgreSQL", "scale")
                    out.extend(_backend("PostgreSQL", url, jsonl, n, folder, len(files), address))
                url = databases.new("SQLite", "scale")
                out.extend(_backend("SQLite", url, jsonl, n, folder, len(files), address))
        finally:
            from provenance import store

            store.close_databases()
            databases.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_STORIES:,} stories")
    parser.add_argument("--stories", type=int, help=f"stories in the corpus (default {FULL_STORIES:,})")
    parser.add_argument(
        "--pg", default=DEFAULT_PG, help="PostgreSQL server URL (a database is created there)"
    )
    args = parser.parse_args(argv)
    table = rows(args.quick, args.pg, args.stories)
    print_table(table)
    return 1 if any("DIFFERENT" in note for _, _, note in table) else 0


if __name__ == "__main__":
    raise SystemExit(main())
