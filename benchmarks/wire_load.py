"""Loading a wire archive as agencies deliver it (ninjs JSONL) against the same stories as JSONL.

    python benchmarks/wire_load.py              # 100,000 stories each way
    python benchmarks/wire_load.py --n 5000     # quicker

The same N story texts (Reuters-21578 stories from ../shared/data when present, else generated
text), written once as the corpus's own JSONL records (``id``, ``agency``, ``title``,
``text``) and once as ninjs 3 items (``uri``, ``version``, ``pubStatus``, ``headlines``,
``bodies``, ``copyrightHolder``, ``copyrightNotice``, ``by``), each loaded by ``provenance
corpus add`` into a fresh SQLite database (default ``--jobs``). Prints stories per second for
both and their ratio (issue 14 asks the ninjs rate to be at least 80 % of the JSONL rate).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from table import print_table  # noqa: E402 - benchmarks/ is the script folder, first on the path


def _texts(n: int) -> list[str]:
    """N story texts: Reuters-21578 stories (cycled), else generated; each made unique."""
    try:
        import datasets

        pool = [s.text for s in datasets.reuters() if len(s.text) > 400]
    except FileNotFoundError:
        pool = []
    if not pool:
        rng = random.Random(1)
        vocab = [f"w{i}" for i in range(5000)]
        pool = [" ".join(rng.choice(vocab) for _ in range(rng.randint(80, 400))) for _ in range(2000)]
    return [f"{pool[i % len(pool)]}\n\nStory {i}." for i in range(n)]


def _write(folder: Path, texts: list[str]) -> tuple[Path, Path]:
    plain, ninjs = folder / "stories.jsonl", folder / "ninjs.jsonl"
    with plain.open("w") as a, ninjs.open("w") as b:
        for i, text in enumerate(texts):
            title = f"Story {i}"
            a.write(json.dumps({"id": f"r-{i}", "agency": "Reuters", "title": title, "text": text}) + "\n")
            item = {
                "uri": f"tag:reuters.com,1987:newsml_{i}",
                "version": "1",
                "type": "text",
                "versionCreated": "1987-03-02T10:00:00Z",
                "pubStatus": "usable",
                "headlines": [{"role": "main", "value": title}],
                "by": "Reporting by Reuters staff",
                "copyrightHolder": "Thomson Reuters",
                "copyrightNotice": "© 1987 Thomson Reuters. All rights reserved.",
                "bodies": [{"role": "main", "contentType": "text/plain", "value": text}],
            }
            b.write(json.dumps(item) + "\n")
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
    texts = _texts(args.n)
    with tempfile.TemporaryDirectory(prefix="provenance-wire-bench-") as tmp:
        folder = Path(tmp)
        plain, ninjs = _write(folder, texts)
        jsonl_s = _load(plain, folder, "jsonl")
        ninjs_s = _load(ninjs, folder, "ninjs")
    jsonl_rate, ninjs_rate = args.n / jsonl_s, args.n / ninjs_s
    print(f"corpus add of {args.n:,} stories, SQLite, default --jobs")
    print_table(
        [
            ("JSONL records", f"{jsonl_rate:,.0f} stories/s", f"{jsonl_s:.1f} s"),
            ("ninjs 3 items (JSONL)", f"{ninjs_rate:,.0f} stories/s", f"{ninjs_s:.1f} s"),
            ("ninjs / JSONL rate", f"{ninjs_rate / jsonl_rate:.0%}", "issue 14: at least 80 %"),
        ]
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
