"""WARC in and out: the real pages audited from a WARC file and from files, and evidence replayed.

    python benchmarks/warc_audit.py            # the 131 article-extraction pages, 20 served
    python benchmarks/warc_audit.py --quick    # 12 pages, 4 served

Issue 15, item 3. In one run:

1. the raw pages of ../shared/data/article-extraction are written as ``response`` records of
   one ``.warc.gz`` (URL from its ground truth, ``Content-Type: text/html`` without a
   charset, so each page's own declaration decides, as for a file);
2. the decompressed files and the WARC are audited against the demo corpus (seeds/wire),
   ``--no-save --jobs 1 --no-inline-suppressions``, best of ``--repeat`` runs each: pages
   per second both ways, and whether every page has the same findings (rule ids and
   severities) and the same matched stories (the page id and source differ by design);
3. some pages are served by ``http.server`` on 127.0.0.1 and audited by URL with
   ``--evidence DIR``; a page with a finding (the first page when none has one) is replayed
   with ``provenance evidence RECORD_ID`` and its bytes compared with the served file's.

Prints the ``(name, value, note)`` table of ``benchmarks/run.py``; without ../shared/data
the rows say "not measured".
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import io
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from end_to_end import PAGES, _decompressed, page_files  # noqa: E402 - the script folder is on the path
from table import print_table  # noqa: E402

Row = tuple[str, str, str]

QUICK_PAGES, QUICK_SERVED = 12, 4
FULL_SERVED = 20
GROUND_TRUTH = PAGES.parent / "ground-truth.json"


def rows(quick: bool, repeat: int = 3) -> list[Row]:
    """The benchmark's rows (``benchmarks/run.py`` format)."""
    if not PAGES.is_dir():
        return [
            ("warc audit: same findings as the files", "not measured", f"no data at {PAGES}"),
            ("warc audit: pages/s (files, warc)", "not measured", ""),
            ("--evidence: replay equals the served bytes", "not measured", ""),
        ]
    with tempfile.TemporaryDirectory(prefix="provenance-warc-") as tmp:
        work = Path(tmp)
        files = _decompressed(page_files(QUICK_PAGES if quick else None), work / "pages")
        urls = _urls(files)
        warc = work / "pages.warc.gz"
        built = _timed(lambda: _write_warc(warc, files, urls))
        db = f"sqlite:///{work / 'corpus.db'}"
        _cli("corpus", "add", str(ROOT / "seeds" / "wire"), "--db", db, "-q")
        file_seconds, by_file = _best(repeat, lambda: _audit(db, str(work / "pages")))
        warc_seconds, by_warc = _best(repeat if not quick else 1, lambda: _audit(db, str(warc)))
        same, differ = _compare(files, urls, by_file, by_warc)
        n = len(files)
        out: list[Row] = [
            (
                f"warc audit: {n} pages as files and as one WARC",
                f"{same}/{n} same",
                "rule ids, severities and matched stories per page"
                + (f"; differ: {', '.join(differ[:3])}" if differ else ""),
            ),
            ("  files: pages/s", f"{n / file_seconds:.1f}", f"best of {repeat}, --jobs 1, demo corpus"),
            (
                "  warc: pages/s",
                f"{n / warc_seconds:.1f}",
                f"WARC {warc.stat().st_size / 1e6:.1f} MB, written in {built:.2f} s",
            ),
            (
                "  pages with findings",
                str(sum(bool(d["findings"]) for d in by_warc.values())),
                f"{sum(len(d['findings']) for d in by_warc.values())} findings",
            ),
        ]
        archiving = _archive_seconds(work / "archive", files, urls, repeat)
        out.append(
            (
                "  --evidence writing alone: ms/page",
                f"{1000 * archiving / n:.2f}",
                f"response + request records of the {n} pages (EvidenceWriter.archive), best of {repeat}",
            )
        )
        served = files[: QUICK_SERVED if quick else FULL_SERVED]
        out += _evidence_rows(work, db, served)
    return out


def _urls(files: list[Path]) -> dict[Path, str]:
    truth = json.loads(GROUND_TRUTH.read_text()) if GROUND_TRUTH.is_file() else {}
    urls = {}
    for path in files:
        key = path.name.removesuffix(".html")
        urls[path] = (truth.get(key) or {}).get("url") or f"https://example.org/{key}"
    return urls


def _write_warc(path: Path, files: list[Path], urls: dict[Path, str]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for page in files:
            body = page.read_bytes()
            head = [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
            http = StatusAndHeaders("200 OK", head, protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(urls[page], "response", payload=io.BytesIO(body), http_headers=http)
            )


def _archive_seconds(folder: Path, files: list[Path], urls: dict[Path, str], repeat: int = 3) -> float:
    """Seconds to archive every page as ``--evidence`` does (the fetch itself aside)."""
    from provenance.fetch import FetchResult
    from provenance.warc_write import EvidenceWriter

    results = [
        FetchResult(
            url=urls[p],
            final_url=urls[p],
            status=200,
            content_type="text/html",
            body=p.read_bytes(),
            headers=(("Content-Type", "text/html"), ("Content-Length", str(p.stat().st_size))),
        )
        for p in files
    ]
    best = float("inf")
    for _ in range(repeat):
        writer = EvidenceWriter(folder)
        started = time.perf_counter()
        for result in results:
            writer.archive(result, "provenance-benchmark")
        writer.close()
        best = min(best, time.perf_counter() - started)
    return best


def _cli(*argv: str) -> tuple[int, str, str]:
    from provenance.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _audit(db: str, source: str) -> dict[str, dict]:
    """The JSON documents of an audit of ``source``, by page source (files) or URL (WARC)."""
    flags = ("--format", "json", "--no-save", "--jobs", "1", "--no-inline-suppressions", "-q")
    code, out, err = _cli("audit", source, "--db", db, *flags)
    if code not in (0, 1):
        raise RuntimeError(f"audit of {source} failed ({code}): {err.strip()[:300]}")
    documents = json.loads(out)["documents"]
    return {d["url"] or d["source"]: d for d in documents}


def _compare(
    files: list[Path], urls: dict[Path, str], by_file: dict[str, dict], by_warc: dict[str, dict]
) -> tuple[int, list[str]]:
    same, differ = 0, []
    for path in files:
        a, b = by_file.get(str(path)), by_warc.get(urls[path])
        if a is not None and b is not None and _verdict(a) == _verdict(b):
            same += 1
        else:
            differ.append(path.name[:12])
    return same, differ


def _verdict(document: dict) -> tuple:
    findings = sorted((f["rule"], f["severity"]) for f in document["findings"])
    return document["status"], findings, [m["story_id"] for m in document["matches"]]


def _evidence_rows(work: Path, db: str, served: list[Path]) -> list[Row]:
    folder = work / "evidence"
    with _server(served[0].parent) as base:
        urls = [f"{base}/{p.name}" for p in served]
        fetching = ("--allow-private", "--ignore-robots", "--host-delay", "0")
        started = time.perf_counter()
        code, out, err = _cli(
            "audit", *urls, "--db", db, "--evidence", str(folder), "--format", "json", *fetching
        )
        seconds = time.perf_counter() - started
    if code not in (0, 1):
        return [("--evidence: replay equals the served bytes", "FAILED", err.strip()[:200])]
    documents = json.loads(out)["documents"]
    archived = [d for d in documents if d["evidence"]]
    chosen = next((d for d in archived if d["findings"]), archived[0] if archived else None)
    warcs = list(folder.glob("*.warc.gz"))
    rows: list[Row] = [
        (
            f"--evidence: {len(served)} pages served on 127.0.0.1",
            f"{len(archived)}/{len(served)} archived",
            f"{len(served) / seconds:.1f} pages/s fetched, audited and archived; "
            f"{len(warcs)} WARC file, {sum(w.stat().st_size for w in warcs) / 1e6:.2f} MB",
        )
    ]
    if chosen is None:
        return [*rows, ("--evidence: replay equals the served bytes", "not measured", "nothing archived")]
    replayed = work / "replayed.html"
    record_id = chosen["evidence"]["record_id"]
    _cli("evidence", record_id.strip("<>"), "--db", db, "--output", str(replayed))
    served_file = next(p for p in served if chosen["url"].endswith(f"/{p.name}"))
    equal = replayed.is_file() and replayed.read_bytes() == served_file.read_bytes()
    note = f"{len(chosen['findings'])} finding(s) on {served_file.name[:12]}…, record {record_id}"
    return [*rows, ("--evidence: replay equals the served bytes", "yes" if equal else "NO", note)]


@contextlib.contextmanager
def _server(folder: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _best(repeat: int, fn: Callable[[], dict[str, dict]]) -> tuple[float, dict[str, dict]]:
    """The shortest of ``repeat`` runs (a shared machine's noise only adds), and the last result."""
    best, result = float("inf"), {}
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PAGES} pages, {QUICK_SERVED} served")
    parser.add_argument(
        "--repeat", type=int, default=3, help="audits of each kind, the best counts (default 3)"
    )
    args = parser.parse_args(argv)
    print_table(rows(args.quick, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
