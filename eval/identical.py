"""Are the pages still identical? Every real page's extraction and audit, dumped or compared.

    PYTHONPATH=/tmp/speed-base python eval/identical.py --baseline DIR --dump   # before
    python eval/identical.py --baseline DIR                                      # after

Speed work (issue 15, item 6) must not change a page: this dumps, for every page of
``../shared/data/article-extraction`` (HTML) and every query of ``../shared/data/wire-copies``
(text), read in place:

* ``pages.jsonl``: the whole :class:`~provenance.model.Page` as ``read_pages`` builds it
  (text, lines, title, meta, links, JSON-LD, hidden text, layout…), in process;
* ``extract.json``: ``provenance extract --format json`` (attribution signals included);
* ``audit.json``: ``provenance audit --format json --no-save --jobs 1`` against a fresh SQLite
  corpus of the wire-copies references (``corpus add``): matches, findings and evidence;

and, without ``--dump``, compares a fresh dump with the one in ``--baseline DIR``: it prints
the number of pages that differ in each and the first difference, and exits 1 if any does.
``--ignore KEY`` (repeatable) leaves a field out of the comparison, wherever it is: one that
other work added to pages or reports since the baseline (``--ignore evidence``).
The ``provenance`` imported (in process and by the subprocesses) is the one on the path, so
``PYTHONPATH=`` an untouched checkout dumps the baseline. Run-dependent values (the pages'
temporary folder, run ids, times) are normalised away.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

DATA = (Path(__file__).resolve().parent.parent.parent / "shared" / "data").resolve()
PAGES = DATA / "article-extraction" / "html"
WIRE = DATA / "wire-copies"
PLACEHOLDER = "<PAGES>"
# Values that differ from run to run whatever the code: times and run identifiers.
_VOLATILE_KEYS = frozenset({"started", "finished", "created", "elapsed", "seconds", "run_id", "duration"})
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")


def _inputs(folder: Path) -> list[str]:
    """The 131 pages decompressed into ``folder`` and the wire-copies query files."""
    folder.mkdir(parents=True, exist_ok=True)
    for src in sorted(PAGES.glob("*.html.gz")):
        (folder / src.name.removesuffix(".gz")).write_bytes(gzip.decompress(src.read_bytes()))
    return [str(folder), *(str(p) for p in sorted(WIRE.glob("*/queries.jsonl")))]


def _cli(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "provenance", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PROVENANCE_DB": f"sqlite:///{cwd / 'corpus.db'}"},
    )
    if done.returncode not in (0, 1):
        sys.exit(f"provenance {' '.join(args[:2])}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    return done.stdout


def _scrub(value: Any, pages: str) -> Any:
    """``value`` with the pages' folder replaced by a placeholder and volatile fields blanked."""
    if isinstance(value, dict):
        return {k: ("*" if k in _VOLATILE_KEYS else _scrub(v, pages)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pages) for v in value]
    if isinstance(value, str):
        return _TIMESTAMP.sub("<TIME>", value.replace(pages, PLACEHOLDER))
    return value


def _page_dicts(sources: list[str]) -> list[dict[str, Any]]:
    from provenance.model import InputError
    from provenance.sources import read_pages

    out = []
    for item in read_pages(sources):
        if isinstance(item, InputError):
            out.append({"id": item.source, "error": item.error})
        else:
            out.append(dataclasses.asdict(item))
    return out


def dump(out: Path) -> None:
    """Write ``pages.jsonl``, ``extract.json`` and ``audit.json`` into ``out``."""
    import provenance

    out.mkdir(parents=True, exist_ok=True)
    print(f"provenance from {Path(provenance.__file__).parent}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="provenance-identical-") as tmp:
        work = Path(tmp)
        pages = work / "pages"
        sources = _inputs(pages)
        with (out / "pages.jsonl").open("w", encoding="utf-8") as f:
            for page in _page_dicts(sources):
                f.write(json.dumps(_scrub(page, str(pages)), ensure_ascii=False, default=str) + "\n")
        extracted = json.loads(_cli("extract", *sources, "--format", "json", "-q", cwd=work))
        _write_json(out / "extract.json", _scrub(extracted, str(pages)))
        references = [str(p) for p in sorted(WIRE.glob("*/references.jsonl"))]
        _cli("corpus", "add", *references, "-q", cwd=work)
        audited = json.loads(
            _cli("audit", *sources, "--format", "json", "--no-save", "--jobs", "1", "-q", cwd=work)
        )
        _write_json(out / "audit.json", _scrub(audited, str(pages)))


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")


def _without(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_without(v, keys) for v in value]
    return value


def _records(path: Path, ignored: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Per page: its record (by id), whatever the file's shape; the rest under ``<report>``."""
    if path.suffix == ".jsonl":
        rows = [_without(json.loads(line), ignored) for line in path.read_text(encoding="utf-8").splitlines()]
        return {row["id"]: row for row in rows}
    value = _without(json.loads(path.read_text(encoding="utf-8")), ignored)
    listed = next((k for k in ("documents", "pages", "results") if isinstance(value.get(k), list)), None)
    if listed is None:
        return {"<report>": value}
    out = {str(row.get("id", row.get("page_id", i))): row for i, row in enumerate(value[listed])}
    out["<report>"] = {k: v for k, v in value.items() if k != listed}
    return out


def _first_difference(a: Any, b: Any, where: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{where}: {a!r:.200} != {b!r:.200}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}.{key}: only in {'after' if key not in a else 'baseline'}"
            if found := _first_difference(a[key], b[key], f"{where}.{key}"):
                return found
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if found := _first_difference(x, y, f"{where}[{i}]"):
                return found
        return None if len(a) == len(b) else f"{where}: {len(a)} items != {len(b)}"
    return None if a == b else f"{where}: {a!r:.200} != {b!r:.200}"


def compare(baseline: Path, ignored: frozenset[str] = frozenset()) -> int:
    """Dump afresh and print, per file, the pages that differ from ``baseline`` and the first difference."""
    with tempfile.TemporaryDirectory(prefix="provenance-identical-now-") as tmp:
        now = Path(tmp)
        dump(now)
        differing = 0
        for name in ("pages.jsonl", "extract.json", "audit.json"):
            before, after = _records(baseline / name, ignored), _records(now / name, ignored)
            different = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
            differing += len(different)
            print(f"{name}: {len(before)} records, {len(different)} differ")
            if different:
                key = different[0]
                print(f"  first: {key}{_first_difference(before.get(key), after.get(key)) or ''}")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="folder of the baseline dump")
    parser.add_argument("--dump", action="store_true", help="write the dump into --baseline, compare nothing")
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="KEY", help="leave this field out of the comparison"
    )
    args = parser.parse_args(argv)
    if not PAGES.is_dir() or not WIRE.is_dir():
        print(f"no pages at {PAGES} or {WIRE} (../shared/data is missing)", file=sys.stderr)
        return 2
    if args.dump:
        dump(args.baseline)
        return 0
    return compare(args.baseline, frozenset(args.ignore))


if __name__ == "__main__":
    raise SystemExit(main())
