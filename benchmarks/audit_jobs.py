"""``audit --jobs N`` against ``--jobs 1``: pages per second and identical reports.

    python benchmarks/audit_jobs.py             # the 131 article-extraction pages, once and 4 times over
    python benchmarks/audit_jobs.py --times 1   # the 131 pages once

The 131 raw pages of ../shared/data/article-extraction, written ``--times`` times under other
names (so that a run is long enough for workers to pay for their start), are audited against
the demo corpus (seeds/wire) with ``--no-save``, once per ``--jobs`` value. Prints the time
and pages per second of each, the speed-up over ``--jobs 1``, and whether the JSON documents
are identical (``fetched_at``, when each file was read, aside).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from table import Row, print_table  # noqa: E402 - benchmarks/ is the script folder

TARGET = 1.7  # --jobs 2 on the 131 pages against --jobs 1, on a 2-core machine (issue 15)
PAGES = ROOT.parent / "shared" / "data" / "article-extraction" / "html"


def timeless(value: object) -> object:
    """A report's documents without ``fetched_at`` (when each file was read)."""
    if isinstance(value, dict):
        return {k: timeless(v) for k, v in value.items() if k != "fetched_at"}
    if isinstance(value, list):
        return [timeless(v) for v in value]
    return value


def _audit(folder: Path, db: str, jobs: int) -> tuple[float, object]:
    from provenance.cli import main

    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["audit", str(folder), "--db", db, "--format", "json", "--no-save", "--jobs", str(jobs)])
    return time.perf_counter() - started, timeless(json.loads(out.getvalue())["documents"])


def measure(times: int, jobs: list[int]) -> tuple[int, dict[int, tuple[float, object]]]:
    """The number of pages, and per ``--jobs`` value its (seconds, documents)."""
    from provenance.cli import main as cli

    with tempfile.TemporaryDirectory(prefix="provenance-jobs-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for path in sorted(PAGES.glob("*.html.gz")):
            html = gzip.decompress(path.read_bytes())
            for copy in range(times):
                (folder / f"{copy}-{path.name[:-3]}").write_bytes(html)
        db = f"sqlite:///{Path(tmp) / 'corpus.db'}"
        with contextlib.redirect_stderr(io.StringIO()):
            cli(["corpus", "add", str(ROOT / "seeds" / "wire"), "--db", db, "-q"])
        _audit(folder, db, 1)  # warm up: imports, caches, the database's pages
        pages = len(list(folder.iterdir()))
        return pages, {n: _audit(folder, db, n) for n in jobs}


def rows(quick: bool, times: list[int] | None = None, jobs: list[int] | None = None) -> list[Row]:
    """Table rows: each ``--jobs`` value's pages/s, speed-up and whether its report is identical."""
    jobs = jobs or [1, 2]
    if not PAGES.is_dir():
        return [("audit --jobs", "not measured", f"no pages at {PAGES} (../shared/data is missing)")]
    out: list[Row] = []
    for copies in times or ([1] if quick else [1, 4]):
        pages, runs = measure(copies, jobs)
        base_seconds, base_docs = runs[jobs[0]]
        out.append((f"audit --jobs ({pages} real pages, demo corpus, --no-save)", "", ""))
        for n, (seconds, docs) in runs.items():
            speedup = base_seconds / seconds
            target = f"; target {TARGET}x" if n == 2 and copies == 1 else ""
            out.append(
                (
                    f"  --jobs {n}",
                    f"{pages / seconds:.1f} pages/s ({seconds:.1f} s)",
                    f"x{speedup:.2f}{target}; JSON {'identical' if docs == base_docs else 'DIFFERENT'}"
                    f" to --jobs {jobs[0]}",
                )
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--times", type=int, nargs="+", default=[1, 4], help="copies of the 131 pages (default 1 4)"
    )
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values (default 1 2)")
    args = parser.parse_args(argv)
    table = rows(False, args.times, args.jobs)
    print_table(table)
    return 1 if any("DIFFERENT" in note or "not measured" in value for _, value, note in table) else 0


if __name__ == "__main__":
    raise SystemExit(main())
