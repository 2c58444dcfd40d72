"""Extraction never hangs or crashes: every real page, truncated and byte-flipped, through ``extract``.

Pages: the raw HTML of ../shared/data/article-extraction and the article texts of
../shared/data/syndication-2018 (as plain-text pages). Each page runs through
``provenance extract`` (the CLI entry point, in-process in a worker) three times: as it is,
cut at a random point, and with 1 % of its bytes flipped. A run must end within the per-page
bound with exit 0 (extracted) or 2 (a clean one-line error); an exception escaping the
command or a timeout is a failure.

Usage: python eval/robustness.py [--bound SECONDS] [--limit N] [--workers N]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gzip
import io
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


def _pages(limit: int) -> list[tuple[str, str, bytes]]:
    """(corpus, suffix, bytes) for every page of both corpora."""
    out: list[tuple[str, str, bytes]] = []
    html_dir = DATA / "article-extraction" / "html"
    for path in sorted(html_dir.glob("*.html.gz"))[: limit or None]:
        out.append(("article-extraction", ".html", gzip.decompress(path.read_bytes())))
    csv.field_size_limit(10**8)
    syndication = sorted((DATA / "syndication-2018" / "data").glob("*.csv"))
    texts: list[bytes] = []
    for path in syndication:
        with path.open(encoding="utf-8", newline="") as f:
            texts += [row["text"].replace(" ### ", "\n\n").encode("utf-8") for row in csv.DictReader(f)]
    out += [("syndication-2018", ".txt", t) for t in texts[: limit or None]]
    return out


def _variants(data: bytes, rng: random.Random) -> dict[str, bytes]:
    cut = data[: rng.randint(1, max(1, len(data) - 1))]
    flipped = bytearray(data)
    for _ in range(max(1, len(data) // 100)):
        i = rng.randrange(len(flipped))
        flipped[i] ^= 1 << rng.randrange(8)
    return {"original": data, "truncated": cut, "byte-flipped": bytes(flipped)}


def _alarm(_signum: int, _frame: object) -> None:
    raise TimeoutError


def _run(task: tuple[str, float]) -> tuple[str, float]:
    """Run ``provenance extract`` on one file; the outcome and the seconds it took."""
    from provenance.cli import main

    path, bound = task
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, bound)
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(["extract", path, "--format", "json"])
        outcome = {0: "extracted", 2: "clean error"}.get(code, f"exit {code}")
    except TimeoutError:
        outcome = "TIMEOUT"
    except BaseException as exc:
        outcome = f"CRASH {type(exc).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return outcome, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bound", type=float, default=10.0, help="seconds allowed per page")
    parser.add_argument("--limit", type=int, default=0, help="pages per corpus (0: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    if not DATA.exists():
        print(f"no data at {DATA}", file=sys.stderr)
        return 2
    rng = random.Random(20261126)
    results: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    times: list[float] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        tasks: list[tuple[str, float]] = []
        labels: list[tuple[str, str]] = []
        for n, (corpus, suffix, data) in enumerate(_pages(args.limit)):
            for variant, content in _variants(data, rng).items():
                path = Path(tmp) / f"{n:05d}-{variant}{suffix}"
                path.write_bytes(content)
                tasks.append((str(path), args.bound))
                labels.append((corpus, variant))
        with ProcessPoolExecutor(args.workers) as pool:
            for (corpus, variant), (task, (outcome, seconds)) in zip(
                labels, zip(tasks, pool.map(_run, tasks, chunksize=8), strict=True), strict=True
            ):
                results[(corpus, variant)][outcome] += 1
                times.append(seconds)
                if outcome.startswith(("TIMEOUT", "CRASH", "exit")):
                    failures.append(f"  {Path(task[0]).name}: {outcome}")
    print(f"provenance extract on {len(times)} page variants (bound {args.bound:g} s per page)")
    print(f"  {'corpus':<20} {'variant':<13} {'extracted':>9} {'clean error':>11} {'failed':>7}")
    for (corpus, variant), counts in sorted(results.items()):
        failed = sum(v for k, v in counts.items() if k not in ("extracted", "clean error"))
        print(
            f"  {corpus:<20} {variant:<13} {counts['extracted']:>9} {counts['clean error']:>11} {failed:>7}"
        )
    times.sort()
    p99 = times[int(0.99 * (len(times) - 1))] if times else 0.0
    print(f"  time per page: median {times[len(times) // 2]:.3f} s, p99 {p99:.3f} s, max {times[-1]:.3f} s")
    print(f"  failures (crash or timeout): {len(failures)}")
    print("\n".join(failures[:50]))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
