"""Speed and memory, each figure side by side with the obvious alternative in the same run.

    python benchmarks/run.py                  # full: every section at full size
    python benchmarks/run.py --quick          # reduced sizes
    python benchmarks/run.py --only jobs warc # some sections (names: see --only's error)

Prints one table, section by section:

* ``fingerprint``: the project's simhash against ``simhash.Simhash`` on the same texts and
  the same features (word 3-shingles), and against the floor (tokenising only);
* ``index``: the block index's build time, peak memory (RSS of a fresh process) and query
  time (median and p99 per single query, and per query in one batch join) at each size, at
  k = 3 (the k of both schemes), side by side with ``simhash.SimhashIndex`` where it fits;
* ``corpus`` (corpus_load.py), ``lookup`` (sql_lookup.py), ``end-to-end`` (end_to_end.py:
  the audit against trafilatura alone);
* ``jobs`` (audit_jobs.py: ``--jobs 2`` against ``--jobs 1``), ``memory`` (audit_memory.py:
  peak RSS against the number of pages), ``fetch`` (fetch_hosts.py: URLs on many hosts),
  ``warc`` (warc_audit.py: a WARC of the real pages, and evidence replay), ``scale``
  (scale.py: a local cluster, database load per page, index size).

Texts are Reuters-21578 stories from ../shared/data when present, else generated text.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from table import print_table  # noqa: E402 - benchmarks/ is the script folder, first on the path


def _texts(n: int) -> list[str]:
    from provenance.text import normalize

    try:
        import datasets

        out = [normalize(s.text) for s, _ in zip(datasets.reuters(), range(n), strict=False)]
        if out:
            return out
    except FileNotFoundError:
        pass
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(5000)]
    return [" ".join(rng.choice(vocab) for _ in range(rng.randint(50, 400))) for _ in range(n)]


def _best(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_fingerprint(n: int) -> list[tuple[str, str, str]]:
    from simhash import Simhash

    from provenance.fingerprint import hash_strings, simhash, simhash_many
    from provenance.text import shingles, tokens

    texts = _texts(n)
    words = [tokens(t) for t in texts]
    features = [shingles(w, 3) for w in words]
    nfeat = sum(len(f) for f in features)
    assert simhash(hash_strings(features[0])) == Simhash(features[0]).value  # same features, same bits

    floor = _best(lambda: [tokens(t) for t in texts])
    reference = _best(lambda: [Simhash(f) for f in features])
    ours_fp = _best(lambda: simhash_many(words))
    ours_all = _best(lambda: simhash_many([tokens(t) for t in texts]))
    per = 1e6 / len(texts)
    return [
        ("fingerprint", f"{len(texts)} texts, {nfeat / len(texts):.0f} features each", ""),
        ("  simhash.Simhash (shingles -> value)", f"{reference * per:.1f} us/text", ""),
        (
            "  provenance (words -> same shingles -> value)",
            f"{ours_fp * per:.1f} us/text",
            f"{reference / ours_fp:.1f}x faster",
        ),
        ("  floor: tokenising only", f"{floor * per:.1f} us/text", ""),
        (
            "  provenance (text -> value)",
            f"{ours_all * per:.1f} us/text",
            f"{ours_all / floor:.2f}x the floor",
        ),
    ]


def _child_index(kind: str, size: int, queries: int, k: int) -> dict[str, float]:
    """Runs in a fresh process so its peak RSS is the index's alone."""
    rng = np.random.default_rng(size)
    values = rng.integers(0, 2**63, size=size, dtype=np.uint64) * np.uint64(2) + rng.integers(
        0, 2, size=size, dtype=np.uint64
    )
    picks = rng.integers(0, size, size=queries)
    flips = rng.integers(0, 64, size=(queries, k))
    near = values[picks].copy()
    for j in range(k):
        near ^= np.uint64(1) << flips[:, j].astype(np.uint64)
    singles: list[float] = []
    tracemalloc.start()
    start = time.perf_counter()
    if kind == "provenance":
        from provenance.index import BlockPlan, MemoryIndex

        plan = BlockPlan.for_size(k, size)
        ids = np.arange(size, dtype=np.int64)
        index = MemoryIndex(values, ids, plan)
        build = time.perf_counter() - start
        held, peak = _stop_tracing()
        for q in near[: min(queries, 2000)].tolist():
            t = time.perf_counter()
            found = index.query(q)
            singles.append(time.perf_counter() - t)
        assert found
        batch = _best(lambda: index.query_batch(near)) / queries
        tables = len(plan.table_masks)
        # Arrays the index keeps as given (allocated before tracing began); copies are traced.
        kept = sum(
            a.nbytes
            for a, held_by in ((values, index.values), (ids, index.ids))
            if np.shares_memory(a, held_by)
        )
    else:
        from simhash import Simhash, SimhashIndex

        reference = SimhashIndex([(str(i), Simhash(int(v))) for i, v in enumerate(values.tolist())], k=k)
        build = time.perf_counter() - start
        held, peak = _stop_tracing()
        for q in near[: min(queries, 300)].tolist():
            t = time.perf_counter()
            reference.get_near_dups(Simhash(int(q)))
            singles.append(time.perf_counter() - t)
        batch, tables, kept = float("nan"), k + 1, 0
    singles.sort()
    return {
        "build": build,
        "index_mb": (held + kept) / 2**20,
        "peak_mb": (peak + kept) / 2**20,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "median_us": statistics.median(singles) * 1e6,
        "p99_us": singles[int(0.99 * (len(singles) - 1))] * 1e6,
        "batch_us": batch * 1e6,
        "tables": tables,
    }


def _stop_tracing() -> tuple[int, int]:
    """Bytes the built index holds, and the peak while building (stopped before any query)."""
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return held, peak


def _run_child(kind: str, size: int, queries: int, k: int) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(size), str(queries), str(k)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def bench_index(sizes: list[int], reference_up_to: int, queries: int) -> list[tuple[str, str, str]]:
    """Each scheme's k (both are 3 today, so one pass), ours and SimhashIndex side by side."""
    from provenance.fingerprint import SCHEMES

    rows: list[tuple[str, str, str]] = []
    for k in sorted({s.k for s in SCHEMES}):
        users = ", ".join(s.name for s in SCHEMES if s.k == k)
        rows.append((f"index, k = {k} ({users})", "", ""))
        ours: dict[int, dict[str, float]] = {}
        for size in sizes:
            r = ours[size] = _run_child("provenance", size, queries, k)
            rows.append((f"  {size:,} fingerprints", _index_line(r), "batch = one sorted join per table"))
            if size <= reference_up_to:
                ref = _run_child("simhash", size, queries, k)
                rows.append((f"  {size:,} simhash.SimhashIndex", _index_line(ref), ""))
                rows.append(
                    (
                        "    ratio",
                        f"queries {ref['median_us'] / r['batch_us']:.0f}x faster in a batch, "
                        f"{ref['median_us'] / r['median_us']:.1f}x one by one; "
                        f"{ref['index_mb'] / r['index_mb']:.1f}x less memory",
                        "target: 50x faster, 1/10 of the memory at 1M",
                    )
                )
        first, last = ours[sizes[0]], ours[sizes[-1]]
        rows.append(
            (
                f"  per-query growth {sizes[0]:,} -> {sizes[-1]:,}",
                f"batch {last['batch_us'] / first['batch_us']:.2f}x, one by one {last['median_us'] / first['median_us']:.2f}x",
                "target: at most 3x to 10M",
            )
        )
    return rows


def _index_line(r: dict[str, float]) -> str:
    batch = "" if r["batch_us"] != r["batch_us"] else f", batch {r['batch_us']:.2f} us/query"
    return (
        f"{r['tables']:.0f} tables, build {r['build']:.2f} s, held {r['index_mb']:.0f} MB "
        f"(build peak {r['peak_mb']:.0f} MB, RSS {r['rss_mb']:.0f} MB), "
        f"one query median {r['median_us']:.1f} us p99 {r['p99_us']:.1f} us{batch}"
    )


def machine() -> str:
    """The machine the figures came from (they are only comparable side by side in one run)."""
    import os
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes, under a minute")
    parser.add_argument("--only", nargs="+", metavar="SECTION", help="run these sections only")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, size, queries, k = args.child
        print(json.dumps(_child_index(kind, int(size), int(queries), int(k))))
        return 0
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import audit_jobs
    import audit_memory
    import corpus_load
    import end_to_end
    import fetch_hosts
    import scale
    import sql_lookup
    import warc_audit

    quick = args.quick
    available: dict[str, Callable[[], list[tuple[str, str, str]]]] = {
        "fingerprint": lambda: bench_fingerprint(500 if quick else 5000),
        "index": lambda: (
            bench_index([100_000, 1_000_000], 100_000, 2000)
            if quick
            else bench_index([100_000, 1_000_000, 10_000_000], 1_000_000, 10_000)
        ),
        "corpus": lambda: corpus_load.rows(quick),
        "lookup": lambda: sql_lookup.rows(quick),
        "end-to-end": lambda: end_to_end.rows(quick, stories=None if quick else END_TO_END_STORIES),
        "jobs": lambda: audit_jobs.rows(quick),
        "memory": lambda: audit_memory.rows(quick),
        "fetch": lambda: fetch_hosts.rows(quick),
        "warc": lambda: warc_audit.rows(quick),
        "scale": lambda: scale.rows(quick),
    }
    unknown = [name for name in args.only or [] if name not in available]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(available)}")
    started = time.perf_counter()
    print(f"provenance benchmarks on {machine()}", flush=True)
    sections = [available[name] for name in args.only or available]
    rows: list[tuple[str, str, str]] = []
    for section in sections:  # each section printed as it ends, the table reprinted whole at the end
        part = section()
        rows.extend(part)
        print_table(part)
    print(f"\n(the whole table, {time.perf_counter() - started:.0f} s)")
    print_table(rows)
    return 0


# The full run's corpus for the end-to-end audit: ``corpus add`` runs at a few hundred stories
# a second here, so a million stories would take about an hour; sql_lookup.py measures the
# lookup at a million, and end_to_end.py takes ``--stories 1000000`` when there is the time.
END_TO_END_STORIES = 100_000


if __name__ == "__main__":
    raise SystemExit(main())
