"""Loading the corpus: ``provenance corpus add`` on SQLite and PostgreSQL, speed, memory, re-adds.

    python benchmarks/corpus_load.py                 # 5,000 and 100,000 stories
    python benchmarks/corpus_load.py --quick         # 2,000 and 5,000 stories
    python benchmarks/corpus_load.py --n 20000       # one size
    python benchmarks/corpus_load.py --pg URL        # another PostgreSQL server (default: the test server)
    python benchmarks/corpus_load.py --baseline DIR  # also an older checkout (git worktree), same stories

The stories (``benchmarks/corpus_gen.py``: Reuters-21578 from ../shared/data and distinct
variants of it, else generated text) go to a temporary JSONL file, one per size, and are
loaded by the real command line in its own process, as a user would run it (default
``--jobs``), into a fresh SQLite file and a fresh PostgreSQL database (created on the server
and dropped after; "not measured" when no server answers). Each load runs under a small
wrapper process of its own, so the peak RSS read from ``RUSAGE_CHILDREN`` is that one load's
alone (the largest process of the load: the writer, or one of its workers). At the largest
size the same file is then added again, unchanged, into the same database (issue 15: at most
10 % of the first load's time). ``--baseline DIR`` runs the same loads with the code of
another checkout (``git worktree add /tmp/corpus-base <commit>``), so the speed-up is
measured in one run on one machine.

Issue 15 asks ``corpus add`` of 100,000 stories at three times the rate of a5d01b9 (before the
bulk COPY / executemany paths of :mod:`provenance.corpus_store`): see :data:`BASELINE`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

import corpus_gen  # noqa: E402 - benchmarks/ is the script folder, first on the path
from table import print_table  # noqa: E402 - benchmarks/ is the script folder, first on the path

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5433/postgres"  # the test server (README)
# Today's rate, before issue 15's bulk paths: a5d01b9 in a git worktree, 10,000 corpus_gen
# stories, default --jobs (2 workers), 2 cores, 2026-12-07, stories/s. At 100,000 stories the
# README quotes 228-249 stories/s on SQLite for that code.
BASELINE = {"SQLite": 254, "PostgreSQL": 130}


def write_jsonl(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        corpus_gen.generate(n, out)


def _child(jsonl: str, db: str, code: str) -> dict[str, float]:
    """Runs in a fresh wrapper process: one ``corpus add``, its wall time and peak RSS (MB)."""
    env = dict(os.environ, PYTHONPATH=code)
    command = [sys.executable, "-m", "provenance", "corpus", "add", jsonl, "--db", db, "--quiet"]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=code, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"corpus add failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "rss_mb": peak}


def _measure(jsonl: Path, db: str, code: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(jsonl), db, str(code)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout)


class _Databases:
    """Fresh databases for the loads: SQLite files in a folder, PostgreSQL databases on a
    server (None when it does not answer), each dropped at the end."""

    def __init__(self, folder: Path, pg: str | None) -> None:
        self.folder, self.pg, self.made = folder, pg, []  # type: ignore[var-annotated]
        self.server = self._server(pg) if pg else None

    @staticmethod
    def _server(url: str):  # type: ignore[no-untyped-def]
        from sqlalchemy import create_engine, text

        engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # any failure to connect: not measured
            engine.dispose()
            return None
        return engine

    def new(self, backend: str, name: str) -> str:
        if backend == "SQLite":
            return f"sqlite:///{self.folder / (name + '.db')}"
        from sqlalchemy import make_url, text

        database = f"provenance_corpus_load_{os.getpid()}_{name}"
        with self.server.connect() as connection:  # type: ignore[union-attr]
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        self.made.append(database)
        return make_url(self.pg).set(database=database).render_as_string(hide_password=False)  # type: ignore[arg-type]

    def close(self) -> None:
        if self.server is None:
            return
        from sqlalchemy import text

        with self.server.connect() as connection:
            for database in self.made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        self.server.dispose()


def rows(
    quick: bool, pg: str | None = DEFAULT_PG, sizes: list[int] | None = None, baseline: Path | None = None
) -> list[tuple[str, str, str]]:
    """Table rows ``(name, value, note)``: stories/s and peak RSS per backend and size, and the
    time of adding the largest file again unchanged."""
    from provenance.corpus import default_jobs

    sizes = sizes or ([2_000, 5_000] if quick else [5_000, 100_000])
    jobs = default_jobs()
    codes = [("", ROOT)] + ([(" (baseline)", baseline)] if baseline else [])
    out: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="provenance-corpus-load-") as tmp:
        folder = Path(tmp)
        files = {}
        for size in sizes:
            files[size] = folder / f"stories-{size}.jsonl"
            write_jsonl(files[size], size)
        databases = _Databases(folder, pg)
        try:
            for backend in ("SQLite", "PostgreSQL"):
                title = (
                    f"corpus add, {backend} ({jobs} worker process{'es' if jobs > 1 else ''}, default --jobs)"
                )
                out.append((title, "", ""))
                if backend == "PostgreSQL" and databases.server is None:
                    out.append(("  PostgreSQL", "not measured", f"no server at {pg} (--pg URL)"))
                    continue
                for label, code in codes:
                    out += _backend_rows(backend, label, code, sizes, files, databases)
        finally:
            databases.close()
    return out


def _backend_rows(
    backend: str, label: str, code: Path, sizes: list[int], files: dict[int, Path], databases: _Databases
) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    measured = []
    for size in sizes:
        db = databases.new(backend, f"{'base' if label else 'new'}{size}")
        r = _measure(files[size], db, code)
        measured.append(r)
        rate = size / r["seconds"]
        note = ""
        if not label and size == max(sizes):
            note = (
                f"{rate / BASELINE[backend]:.1f}x a5d01b9's {BASELINE[backend]} stories/s "
                "(10,000 stories, 2026-12-07; issue 15: at least 3x)"
            )
        out.append(
            (
                f"  {size:,} stories{label}",
                f"{rate:,.0f} stories/s ({r['seconds']:.1f} s), peak RSS {r['rss_mb']:.0f} MB",
                note,
            )
        )
        if size == max(sizes):
            again = _measure(files[size], db, code)
            out.append(
                (
                    f"  … the same {size:,} added again, unchanged{label}",
                    f"{again['seconds']:.1f} s",
                    f"{again['seconds'] / r['seconds']:.0%} of the first load (issue 15: at most 10 %)",
                )
            )
    if len(measured) > 1:
        first, last = measured[0], measured[-1]
        out.append(
            (
                f"  peak RSS growth {sizes[0]:,} -> {sizes[-1]:,}{label}",
                f"{last['rss_mb'] / first['rss_mb']:.2f}x for {sizes[-1] / sizes[0]:.0f}x the stories",
                "flat memory: ~1x",
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 5,000 stories")
    parser.add_argument("--n", type=int, nargs="+", help="these sizes instead (e.g. --n 100000)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"a PostgreSQL server URL (default {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--baseline", type=Path, help="also load with the code of this checkout")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(*args.child)))
        return 0
    table = rows(
        args.quick, None if args.no_pg else args.pg, sorted(args.n) if args.n else None, args.baseline
    )
    print_table(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
