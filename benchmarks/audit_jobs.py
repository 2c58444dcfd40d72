"""``audit --jobs N`` against ``--jobs 1``: pages per second and identical reports.

    python benchmarks/audit_jobs.py             # the 131 article-extraction pages, 4 times over
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
PAGES = ROOT.parent / "shared" / "data" / "article-extraction" / "html"


def _timeless(value: object) -> object:
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "fetched_at"}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _audit(folder: Path, db: str, jobs: int) -> tuple[float, object]:
    from provenance.cli import main

    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["audit", str(folder), "--db", db, "--format", "json", "--no-save", "--jobs", str(jobs)])
    return time.perf_counter() - started, _timeless(json.loads(out.getvalue())["documents"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=4, help="copies of the 131 pages (default 4)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values (default 1 2)")
    args = parser.parse_args(argv)
    if not PAGES.is_dir():
        print(f"no data at {PAGES}", file=sys.stderr)
        return 2
    from provenance.cli import main as cli

    with tempfile.TemporaryDirectory(prefix="provenance-jobs-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for path in sorted(PAGES.glob("*.html.gz")):
            html = gzip.decompress(path.read_bytes())
            for copy in range(args.times):
                (folder / f"{copy}-{path.name[:-3]}").write_bytes(html)
        db = f"sqlite:///{Path(tmp) / 'corpus.db'}"
        with contextlib.redirect_stderr(io.StringIO()):
            cli(["corpus", "add", str(ROOT / "seeds" / "wire"), "--db", db, "-q"])
        pages = len(list(folder.iterdir()))
        runs = {jobs: _audit(folder, db, jobs) for jobs in args.jobs}
    base_seconds, base_docs = runs[args.jobs[0]]
    print(f"audit of {pages} pages (article-extraction x {args.times}), demo corpus, --no-save")
    for jobs, (seconds, docs) in runs.items():
        same = "identical" if docs == base_docs else "DIFFERENT"
        print(
            f"  --jobs {jobs}: {seconds:6.1f} s  {pages / seconds:5.1f} pages/s  "
            f"x{base_seconds / seconds:.2f}  {same} to --jobs {args.jobs[0]}"
        )
    return 0 if all(docs == base_docs for _, docs in runs.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
