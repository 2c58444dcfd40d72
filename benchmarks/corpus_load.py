"""Loading the corpus: ``provenance corpus add`` of the Reuters-21578 stories, speed and memory.

    python benchmarks/corpus_load.py            # 5,000 stories, then every story with a body
    python benchmarks/corpus_load.py --quick    # 2,000 and 5,000 stories

The stories go to a temporary JSONL file (one per size) and are loaded into a fresh SQLite
database by the real command line in its own process, as a user would run it. Each size runs
under a small wrapper process of its own, so the peak RSS read from ``RUSAGE_CHILDREN`` is
that one load's alone (the largest process of the load: the writer, or one of the worker
processes that ``corpus add`` starts for a long input). Streamed, batched loading keeps the
peak flat: the ratio of the two peaks should stay near 1x while the corpus grows several-fold.

Stories are Reuters-21578 from ../shared/data when present (of its 21,578 documents, the
19,043 with a body; the others have no text to load), else generated text.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from table import print_table  # noqa: E402 - benchmarks/ is the script folder, first on the path

FULL = 10**9  # "every story": more than any corpus here


def _reuters_date(raw: str) -> str | None:
    """``26-FEB-1987 15:01:01.79`` → ISO 8601 (trailing control codes such as ``&#5;F`` cut)."""
    try:
        return datetime.strptime(raw.split("&#")[0].strip(), "%d-%b-%Y %H:%M:%S.%f").isoformat()
    except ValueError:
        return None


def _generated(n: int) -> Iterator[dict[str, str]]:
    """Stand-in stories (as benchmarks/run.py's texts) when the shared data is absent."""
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(5000)]
    for i in range(n):
        paragraphs = [" ".join(rng.choice(vocab) for _ in range(rng.randint(20, 80))) + "." for _ in range(4)]
        yield {"id": f"generated-{i}", "agency": "Reuters", "text": "\n\n".join(paragraphs)}


def stories(limit: int) -> Iterator[dict[str, str]]:
    """Up to ``limit`` JSONL records: Reuters-21578 stories, or generated ones without the data."""
    try:
        import datasets

        found = False
        for story, _ in zip(datasets.reuters(), range(limit), strict=False):
            found = True
            record = {"id": story.id, "agency": "Reuters", "text": story.text, "title": story.title}
            if published := _reuters_date(story.date):
                record["published"] = published
            yield record
        if found:
            return
    except FileNotFoundError:
        pass
    yield from _generated(min(limit, 20_000))


def write_jsonl(path: Path, limit: int) -> int:
    """Write up to ``limit`` stories to ``path``; returns how many were written."""
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for record in stories(limit):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n


def _child(jsonl: str, db: str) -> dict[str, float]:
    """Runs in a fresh wrapper process: one ``corpus add``, its wall time and peak RSS (MB)."""
    command = [sys.executable, "-m", "provenance", "corpus", "add", jsonl, "--db", db, "--quiet"]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"corpus add failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "rss_mb": peak}


def _measure(jsonl: Path, db: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(jsonl), f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def rows(quick: bool) -> list[tuple[str, str, str]]:
    """Table rows ``(name, value, note)``: stories/s and peak RSS at two corpus sizes."""
    sizes = [2_000, 5_000] if quick else [5_000, FULL]
    from provenance.corpus import default_jobs

    jobs = default_jobs()
    title = f"corpus add (SQLite, {jobs} worker process{'es' if jobs > 1 else ''}, a fresh run per size)"
    out: list[tuple[str, str, str]] = [(title, "", "")]
    measured: list[tuple[int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="provenance-corpus-load-") as tmp:
        for size in sizes:
            jsonl = Path(tmp) / f"stories-{size}.jsonl"
            n = write_jsonl(jsonl, size)
            if measured and n <= measured[-1][0]:
                continue  # fewer stories than asked for: the larger size would repeat the smaller
            r = _measure(jsonl, Path(tmp) / f"corpus-{size}.db")
            measured.append((n, r))
            out.append(
                (
                    f"  {n:,} stories",
                    f"{n / r['seconds']:,.0f} stories/s ({r['seconds']:.1f} s), peak RSS {r['rss_mb']:.0f} MB",
                    "",
                )
            )
    if len(measured) > 1:
        (small, first), (large, last) = measured[0], measured[-1]
        out.append(
            (
                f"  peak RSS growth {small:,} -> {large:,}",
                f"{last['rss_mb'] / first['rss_mb']:.2f}x for {large / small:.1f}x the stories",
                "flat memory: ~1x",
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 5,000 stories")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(*args.child)))
        return 0
    table = rows(args.quick)
    print_table(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
