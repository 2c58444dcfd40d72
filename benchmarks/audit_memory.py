"""Peak memory of an audit against its number of pages: flat, not growing with the run.

    python benchmarks/audit_memory.py                 # 1,000 and 20,000 pages
    python benchmarks/audit_memory.py --pages 500 5000
    python benchmarks/audit_memory.py --pages 1000 5000 --format html   # any format

The repo's own demo pages (seeds/pages) are written as JSONL records (``{"id", "html"}``),
cycled to each size, and audited against the demo corpus (seeds/wire) in a fresh process per
size: ``provenance audit PAGES.jsonl --format F --output FILE --jobs J`` (F: json unless
``--format`` says otherwise; every format is written page by page), saving the run in
SQLite as a real audit does. Prints each run's peak RSS (the largest of the audit's processes,
``getrusage(RUSAGE_CHILDREN)`` of a process that ran nothing else), pages/s, and the ratio of
the largest run's peak to the smallest's (the issue's bound: within 1.2x).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from table import print_table  # noqa: E402 - benchmarks/ is the script folder

Row = tuple[str, str, str]
BOUND = 1.2
_MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
seconds = time.perf_counter() - started
print(code, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def write_pages(path: Path, count: int) -> None:
    """``count`` JSONL page records cycling through the demo pages, each with its own id."""
    pages = sorted((ROOT / "seeds" / "pages").glob("*.html"))
    texts = [p.read_text(encoding="utf-8") for p in pages]
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(
                json.dumps({"id": f"page-{i}-{pages[i % len(pages)].stem}", "html": texts[i % len(texts)]})
            )
            out.write("\n")


def measure(work: Path, db: str, count: int, jobs: int, form: str = "json") -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one audit of ``count`` pages in a fresh process."""
    pages = work / f"pages-{count}.jsonl"
    write_pages(pages, count)
    command = [
        *(sys.executable, "-m", "provenance", "audit", str(pages), "--db", db, "--quiet"),
        *("--format", form, "--output", str(work / f"report-{count}.{form}"), "--jobs", str(jobs)),
    ]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True, cwd=work
    )
    code, seconds, rss = done.stdout.split()
    if int(code) > 1:
        raise SystemExit(f"the audit of {count} pages failed (exit {code})")
    pages.unlink()
    return float(seconds), float(rss)


def rows(quick: bool, sizes: list[int] | None = None, jobs: int = 2, form: str = "json") -> list[Row]:
    sizes = sizes or ([500, 5_000] if quick else [1_000, 20_000])
    title = f"audit memory (demo pages as JSONL, --jobs {jobs}, --format {form}, saved to SQLite)"
    out: list[Row] = [(title, "", "")]
    with tempfile.TemporaryDirectory(prefix="provenance-memory-") as tmp:
        work = Path(tmp)
        db = f"sqlite:///{work / 'provenance.db'}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "provenance",
                "corpus",
                "add",
                str(ROOT / "seeds" / "wire"),
                "--db",
                db,
                "-q",
            ],
            check=True,
            cwd=work,
        )
        peaks: dict[int, float] = {}
        for count in sizes:
            seconds, peaks[count] = measure(work, db, count, jobs, form)
            out.append(
                (f"  {count:,} pages", f"peak RSS {peaks[count]:.0f} MB", f"{count / seconds:.0f} pages/s")
            )
    small, large = peaks[min(peaks)], peaks[max(peaks)]
    ratio = large / small
    out.append(
        (
            f"  peak RSS, {max(peaks):,} against {min(peaks):,} pages",
            f"{ratio:.2f}x",
            f"{'within' if ratio <= BOUND else 'over'} the {BOUND}x bound",
        )
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", help="sizes (default 1000 20000)")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of each audit (default 2)")
    parser.add_argument("--format", default="json", help="the report's format (default json)")
    parser.add_argument("--quick", action="store_true", help="500 and 5,000 pages")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print_table(rows(args.quick, args.pages, args.jobs, args.format))
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
