"""Loading a wire archive as agencies deliver it (ninjs JSONL) against the same stories as JSONL.

    python benchmarks/wire_load.py              # 100,000 stories each way
    python benchmarks/wire_load.py --n 5000     # quicker

The same N stories (``benchmarks/corpus_gen.py``: Reuters-21578 from ../shared/data and
distinct variants of it, else generated text), written once as the corpus's own JSONL
records (``id``, ``agency``, ``title``, ``text``) and once as ninjs 3 items (``uri``, ``version``, ``pubStatus``, ``headlines``,
``bodies``, ``copyrightHolder``, ``copyrightNotice``, ``by``), each loaded by ``provenance
corpus add`` into a fresh SQLite database (default ``--jobs``). Prints stories per second for
both and their ratio (issue 14 asks the ninjs rate to be at least 80 % of the JSONL rate), and
the time to add the JSONL again, unchanged, into the same database (issue 15: at most 10 %
of the first load).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

import corpus_gen  # noqa: E402 - benchmarks/ is the script folder, first on the path
from table import print_table  # noqa: E402


def _write(folder: Path, n: int) -> tuple[Path, Path]:
    """The corpus's own JSONL (``corpus_gen``: distinct stories, so that no load time goes to
    grouping near-duplicate versions), and the same stories as ninjs 3 items, one a line."""
    plain, ninjs = folder / "stories.jsonl", folder / "ninjs.jsonl"
    with plain.open("w", encoding="utf-8") as out:
        corpus_gen.generate(n, out)
    with plain.open(encoding="utf-8") as records, ninjs.open("w", encoding="utf-8") as out:
        for line in records:
            record = json.loads(line)
            item = {
                "uri": f"tag:reuters.com,1987:newsml_{record['id']}",
                "version": "1",
                "type": "text",
                "versionCreated": "1987-03-02T10:00:00Z",
                "pubStatus": "usable",
                "headlines": [{"role": "main", "value": record.get("title") or record["id"]}],
                "by": "Reporting by Reuters staff",
                "copyrightHolder": "Thomson Reuters",
                "copyrightNotice": "© 1987 Thomson Reuters. All rights reserved.",
                "bodies": [{"role": "main", "contentType": "text/plain", "value": record["text"]}],
            }
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return plain, ninjs


def _load(path: Path, folder: Path, name: str) -> float:
    """Seconds ``corpus add`` takes to load ``path`` into a fresh SQLite database."""
    from provenance import store
    from provenance.cli import main

    url = f"sqlite:///{folder / (name + '.db')}"
    started = time.perf_counter()
    code = main(["corpus", "add", str(path), "--db", url, "-q"])
    seconds = time.perf_counter() - started
    store.close_databases()
    if code != 0:
        raise SystemExit(f"corpus add {path.name} failed (exit {code})")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="stories each way (default 100,000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="provenance-wire-bench-") as tmp:
        folder = Path(tmp)
        plain, ninjs = _write(folder, args.n)
        jsonl_s = _load(plain, folder, "jsonl")
        again_s = _load(plain, folder, "jsonl")  # the same archive again, into the same database
        ninjs_s = _load(ninjs, folder, "ninjs")
    jsonl_rate, ninjs_rate = args.n / jsonl_s, args.n / ninjs_s
    print(f"corpus add of {args.n:,} stories, SQLite, default --jobs")
    print_table(
        [
            ("JSONL records", f"{jsonl_rate:,.0f} stories/s", f"{jsonl_s:.1f} s"),
            ("ninjs 3 items (JSONL)", f"{ninjs_rate:,.0f} stories/s", f"{ninjs_s:.1f} s"),
            ("ninjs / JSONL rate", f"{ninjs_rate / jsonl_rate:.0%}", "issue 14: at least 80 %"),
            (
                "JSONL added again, unchanged",
                f"{again_s:.1f} s",
                f"{again_s / jsonl_s:.0%} of the first load (issue 15: at most 10 %)",
            ),
        ]
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
