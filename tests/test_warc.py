"""WARC in and out: audits read crawl archives, ``--evidence`` writes one, ``evidence`` replays it.

The WARC fixtures are written here with warcio; pages for ``--evidence`` are served by a
local ``http.server`` on 127.0.0.1 (``--allow-private``), so the bytes that come back out
of the archive can be compared with the bytes the server sent.
"""

from __future__ import annotations

import gzip
import http.server
import io
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import SEEDS
from conftest import run_cli as run
from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance import store
from provenance.model import InputError, Page
from provenance.sources import read_pages
from provenance.warc_read import WarcPage, WarcProblem, read_record_at, warc_pages

PAGES = SEEDS / "pages"
LATIN1 = "<html><head><title>Caf\u00e9</title></head><body><p>Le caf\u00e9 est ouvert.</p></body></html>"


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str | None = "text/html; charset=utf-8",
    status: str = "200 OK",
    date: str = "2024-05-01T10:00:00Z",
) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    headers.append(("Content-Length", str(len(body))))
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)


def _mixed_warc(path: Path) -> None:
    """warcinfo, request, a Latin-1 HTML page labelled by its header only, a PNG, a 404."""
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=path.suffix == ".gz")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        request = StatusAndHeaders("GET /cafe HTTP/1.1", [("Host", "news.example")], is_http_request=True)
        writer.write_record(
            writer.create_warc_record(
                "https://news.example/cafe",
                "request",
                payload=io.BytesIO(b""),
                length=0,
                http_headers=request,
            )
        )
        _response(
            writer, "https://news.example/cafe", LATIN1.encode("latin-1"), "text/html; charset=ISO-8859-1"
        )
        _response(writer, "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
        _response(writer, "https://news.example/gone", b"<html>not here</html>", status="404 Not Found")


def _seed_warc(path: Path, pages: list[Path]) -> dict[str, Path]:
    """The seed pages as a crawl would have archived them; URL → the file it holds."""
    urls = {}
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for page in pages:
            url = f"https://news.example/{page.name}"
            kind = "text/html; charset=utf-8" if page.suffix == ".html" else "text/plain; charset=utf-8"
            _response(writer, url, page.read_bytes(), kind)
            urls[url] = page
    return urls


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("name", ["mixed.warc.gz", "mixed.warc"])
def test_a_warc_gives_its_html_responses_with_the_header_charset(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _mixed_warc(path)
    (page,) = list(read_pages([str(path)]))
    assert isinstance(page, Page)
    assert page.id == page.url == "https://news.example/cafe"
    assert page.source == str(path)
    assert "Le caf\u00e9 est ouvert." in page.text  # ISO-8859-1 from the HTTP header, no <meta>
    assert page.meta["fetched_at"] == "2024-05-01T10:00:00+00:00"
    assert page.evidence is not None and page.evidence.warc == str(path.resolve())
    replayed = read_record_at(page.evidence.warc, page.evidence.offset or 0, page.evidence.record_id)
    assert replayed.body == LATIN1.encode("latin-1")
    assert replayed.status_line == "HTTP/1.1 200 OK"


def test_skipped_records_are_counted_not_errors(tmp_path: Path) -> None:
    from provenance.warc_read import WarcTally

    path = tmp_path / "mixed.warc.gz"
    _mixed_warc(path)
    tally = WarcTally()
    items = list(warc_pages(str(path), 1 << 20, tally))
    assert [type(i) for i in items] == [WarcPage]
    assert tally.pages == 1 and tally.problems == 0
    assert tally.skipped == {"warcinfo": 1, "request": 1, "non-page response": 1, "HTTP 404": 1}


def _three_pages(path: Path) -> list[int]:
    """Three HTML responses, one gzip member each; their offsets."""
    offsets = []
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for n in range(3):
            offsets.append(f.tell())
            _response(
                writer, f"https://news.example/{n}", f"<html><p>page {n} {'x' * 2000}</p></html>".encode()
            )
    return offsets


def test_a_corrupt_record_is_one_error_and_the_next_records_still_count(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.warc.gz"
    offsets = _three_pages(path)
    data = bytearray(path.read_bytes())
    for i in range(offsets[1] + 40, offsets[1] + 60):  # inside the second member's deflate stream
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    items = list(read_pages([str(path)]))
    pages = [i for i in items if isinstance(i, Page)]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [p.url for p in pages] == ["https://news.example/0", "https://news.example/2"]
    (error,) = errors
    assert error.source == str(path) and f"at offset {offsets[1]}" in error.error
    assert "corrupt WARC record" in error.error and "\n" not in error.error


def test_a_truncated_gzip_member_is_one_error_naming_the_record(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    offsets = _three_pages(path)
    path.write_bytes(path.read_bytes()[:-40])
    items = list(warc_pages(str(path), 1 << 20))
    assert [type(i) for i in items] == [WarcPage, WarcPage, WarcProblem]
    problem = items[-1]
    assert isinstance(problem, WarcProblem) and problem.offset == offsets[2]
    assert problem.record_id and problem.record_id in problem.describe()
    assert "truncated" in problem.describe()


def test_an_uncompressed_warc_resumes_at_the_next_record_after_garbage(tmp_path: Path) -> None:
    path = tmp_path / "plain.warc"
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=False)
        _response(writer, "https://news.example/a", b"<html><p>first</p></html>")
        f.write(b"WARC/1.0\r\nthis is no header at all\r\n\r\n")
        _response(writer, "https://news.example/b", b"<html><p>second</p></html>")
    items = list(warc_pages(str(path), 1 << 20))
    assert [i.url for i in items if isinstance(i, WarcPage)] == [
        "https://news.example/a",
        "https://news.example/b",
    ]
    assert sum(isinstance(i, WarcProblem) for i in items) == 1


def test_a_directory_walk_finds_warc_files(tmp_path: Path) -> None:
    (tmp_path / "crawl").mkdir()
    _mixed_warc(tmp_path / "crawl" / "a.warc.gz")
    (tmp_path / "b.html").write_text("<html><body><p>A local page.</p></body></html>")
    pages = list(read_pages([str(tmp_path)]))
    assert [p.url for p in pages if isinstance(p, Page)] == [None, "https://news.example/cafe"]


def test_a_warc_without_pages_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "images.warc.gz"
    with path.open("wb") as f:
        _response(WARCWriter(f, gzip=True), "https://news.example/a.png", b"\x89PNG", "image/png")
    (error,) = list(read_pages([str(path)]))
    assert isinstance(error, InputError) and "no pages found" in error.error and "1 non-page" in error.error


# --------------------------------------------------------------------------- auditing a WARC


def _comparable(document: dict) -> tuple:
    findings = sorted((f["rule"], f["severity"]) for f in document["findings"])
    return findings, document["match"] and document["match"]["story_id"]


def test_auditing_a_warc_finds_what_auditing_its_files_finds(
    capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path
) -> None:
    files = sorted(PAGES.iterdir())
    urls = _seed_warc(tmp_path / "seeds.warc.gz", files)
    common = ("--format", "json", "--db", corpus_db, "--no-inline-suppressions")
    code_files, out_files, _ = run(capsys, "audit", *map(str, files), *common)
    code_warc, out_warc, err = run(capsys, "audit", str(tmp_path / "seeds.warc.gz"), *common)
    assert code_files == code_warc == 0, err
    by_file = {d["source"]: d for d in json.loads(out_files)["documents"]}
    archived = json.loads(out_warc)["documents"]
    assert len(archived) == len(files)
    for document in archived:
        assert document["id"] == document["url"]
        assert _comparable(document) == _comparable(by_file[str(urls[document["url"]])]), document["url"]
        evidence = document["evidence"]
        assert set(evidence) == {"warc", "record_id", "offset"}
        assert read_record_at(evidence["warc"], evidence["offset"]).body == urls[document["url"]].read_bytes()
    assert all(d["evidence"] is None for d in by_file.values())
    assert sum(bool(d["findings"]) for d in archived) >= 5  # the comparison compares something


def test_an_unreadable_warc_is_exit_2_and_the_other_inputs_are_audited(
    capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.warc.gz"
    bad.write_bytes(gzip.compress(b"this is not a WARC record\r\n\r\n" * 20))
    page = PAGES / "ap-verbatim-stripped.html"
    code, out, err = run(capsys, "audit", str(bad), str(page), "--format", "json", "--db", corpus_db)
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("provenance: error:")]
    assert len(lines) == 1 and str(bad) in lines[0] and "offset 0" in lines[0]
    documents = json.loads(out)["documents"]
    assert [d["status"] for d in documents] == ["error", "ok"]
    assert documents[1]["match"]["story_id"] == "ap-2024-0002"


# --------------------------------------------------------------------------- --evidence


class _Site(http.server.BaseHTTPRequestHandler):
    """Serves ``pages`` (path → body, content type, gzip?) with a Set-Cookie pair and a 404 else."""

    pages: ClassVar[dict[str, tuple[bytes, str, bool]]] = {}

    def do_GET(self) -> None:
        if self.path not in self.pages:
            self.send_error(404)
            return
        body, kind, compressed = self.pages[self.path]
        sent = gzip.compress(body) if compressed else body
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Set-Cookie", "a=1")
        self.send_header("Set-Cookie", "b=2")
        if compressed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(sent)))
        self.end_headers()
        self.wfile.write(sent)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    _Site.pages = {
        "/stripped": ((PAGES / "ap-verbatim-stripped.html").read_bytes(), "text/html; charset=utf-8", False),
        "/spun": ((PAGES / "ap-spun.txt").read_bytes(), "text/plain; charset=utf-8", True),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _audit_with_evidence(
    capsys: pytest.CaptureFixture[str], db_url: str, folder: Path, *urls: str
) -> tuple[int, dict, str]:
    fetching = ("--allow-private", "--ignore-robots", "--host-delay", "0")
    code, out, err = run(
        capsys, "audit", *urls, "--evidence", str(folder), "--format", "json", "--db", db_url, *fetching
    )
    return code, json.loads(out), err


def test_evidence_archives_the_served_bytes_and_the_page_row_names_the_record(
    capsys: pytest.CaptureFixture[str],
    corpus_db: str,
    site: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "evidence"
    code, report, err = _audit_with_evidence(capsys, corpus_db, folder, f"{site}/stripped", f"{site}/spun")
    assert code == 0, err
    run_id = report["run"]["id"]
    (warc,) = folder.iterdir()
    assert warc.name.startswith(f"provenance-run{run_id}-") and warc.name.endswith("Z.warc.gz")
    stripped, spun = report["documents"]
    assert stripped["match"]["story_id"] == "ap-2024-0002" and stripped["findings"]
    for document, path in ((stripped, "/stripped"), (spun, "/spun")):
        evidence = document["evidence"]
        assert evidence["warc"] == str(warc.resolve())
        replayed = read_record_at(evidence["warc"], evidence["offset"], evidence["record_id"])
        assert replayed.body == _Site.pages[path][0]  # exactly what was served (decoded, for /spun)
        assert (
            replayed.headers.count(("Set-Cookie", "a=1")) == 1 and ("Set-Cookie", "b=2") in replayed.headers
        )
    spun_head = dict(read_record_at(spun["evidence"]["warc"], spun["evidence"]["offset"]).headers)
    assert "Content-Encoding" not in spun_head and spun_head["X-Archive-Orig-Content-Encoding"] == "gzip"
    assert spun_head["Content-Length"] == str(len(_Site.pages["/spun"][0]))
    # warcinfo first, a request record beside every response
    records = list(_record_types(warc))
    assert records[0] == "warcinfo" and records.count("response") == records.count("request") == 2
    # the page rows name the record
    factory = store.open_database(corpus_db)
    with factory() as session:
        rows = session.execute(
            select(
                store.PageRow.id,
                store.PageRow.warc_file,
                store.PageRow.warc_record_id,
                store.PageRow.warc_offset,
            )
            .where(store.PageRow.run_id == run_id)
            .order_by(store.PageRow.id)
        ).all()
    assert [(r.warc_file, r.warc_record_id, r.warc_offset) for r in rows] == [
        (d["evidence"]["warc"], d["evidence"]["record_id"], d["evidence"]["offset"]) for d in (stripped, spun)
    ]
    # replay: by record id (with or without <>), by page row id, with headers
    record_id = stripped["evidence"]["record_id"]
    out = tmp_path / "replayed.html"
    for ref in (record_id, record_id.strip("<>"), str(rows[0].id)):
        assert run(capsys, "evidence", ref, "--db", corpus_db, "--output", str(out))[0] == 0
        assert out.read_bytes() == _Site.pages["/stripped"][0]
    assert run(capsys, "evidence", record_id, "--db", corpus_db, "--headers", "--output", str(out))[0] == 0
    head, _, body = out.read_bytes().partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Content-Type: text/html; charset=utf-8" in head
    assert body == _Site.pages["/stripped"][0]
    # never to a terminal: the bytes are a third party's, escape sequences and all
    with monkeypatch.context() as patched:
        patched.setattr(sys.stdout, "isatty", lambda: True)
        code, printed, err = run(capsys, "evidence", record_id, "--db", corpus_db)
    assert code == 2 and not printed and "--output FILE" in err
    # the saved run shows the same evidence
    code, out_json, _ = run(capsys, "report", str(run_id), "--format", "json", "--db", corpus_db)
    saved = json.loads(out_json)["documents"]
    assert [d["evidence"] for d in saved] == [stripped["evidence"], spun["evidence"]]
    code, html, _ = run(capsys, "report", str(run_id), "--format", "html", "--db", corpus_db)
    assert warc.name in html and record_id.strip("<>") in html
    code, sarif, _ = run(capsys, "report", str(run_id), "--format", "sarif", "--db", corpus_db)
    results = json.loads(sarif)["runs"][0]["results"]
    assert any(r["properties"].get("warcEvidence") == stripped["evidence"] for r in results)


def _record_types(path: Path) -> Iterator[str]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as f:
        for record in ArchiveIterator(f):
            yield record.rec_type


def test_evidence_of_an_unknown_record_or_a_page_without_one_is_exit_2(
    capsys: pytest.CaptureFixture[str], corpus_db: str
) -> None:
    code, _, err = run(capsys, "evidence", "urn:uuid:00000000-0000-0000-0000-000000000000", "--db", corpus_db)
    assert code == 2 and "no audited page" in err
    assert run(capsys, "audit", str(PAGES / "unrelated.txt"), "--db", corpus_db)[0] == 0
    factory = store.open_database(corpus_db)
    with factory() as session:
        row_id = session.scalar(select(store.PageRow.id))
    code, _, err = run(capsys, "evidence", str(row_id), "--db", corpus_db)
    assert code == 2 and "no archived response" in err


def test_evidence_into_a_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], corpus_db: str, site: str, tmp_path: Path
) -> None:
    taken = tmp_path / "file"
    taken.write_text("x")
    fetching = ("--allow-private", "--ignore-robots", "--host-delay", "0")
    code, _, err = run(
        capsys, "audit", f"{site}/stripped", "--evidence", str(taken), "--db", corpus_db, *fetching
    )
    assert code == 2 and "--evidence" in err


def test_pages_listed_by_a_sitemap_are_archived_too(
    capsys: pytest.CaptureFixture[str], corpus_db: str, site: str, tmp_path: Path
) -> None:
    urls = "".join(f"<url><loc>{site}{path}</loc></url>" for path in ("/stripped", "/spun"))
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    _Site.pages["/sitemap.xml"] = (sitemap.encode(), "application/xml", False)
    folder = tmp_path / "evidence"
    code, report, err = _audit_with_evidence(capsys, corpus_db, folder, f"{site}/sitemap.xml")
    assert code == 0, err
    documents = report["documents"]
    assert [d["url"] for d in documents] == [f"{site}/stripped", f"{site}/spun"]
    for document, path in zip(documents, ("/stripped", "/spun"), strict=True):
        evidence = document["evidence"]
        assert (
            read_record_at(evidence["warc"], evidence["offset"], evidence["record_id"]).body
            == (_Site.pages[path][0])
        )
    (warc,) = folder.iterdir()
    assert list(_record_types(warc)).count("response") == 3  # the sitemap is evidence too


def test_a_revalidated_page_is_archived_with_its_cached_body(tmp_path: Path) -> None:
    from provenance.fetch import FetchResult
    from provenance.warc_write import EvidenceWriter

    body = b"<html><p>cached</p></html>"
    result = FetchResult(
        url="https://news.example/a",
        final_url="https://news.example/a",
        status=304,
        content_type="text/html",
        charset="utf-8",
        body=body,
        from_cache=True,
        headers=(("ETag", '"v1"'),),
    )
    writer = EvidenceWriter(tmp_path)
    location = writer.archive(result, "provenance-test")
    writer.close()
    assert writer.path is not None and writer.path.name.startswith("provenance-2")  # no run id
    replayed = read_record_at(location.warc, location.offset or 0, location.record_id)
    assert replayed.status_line == "HTTP/1.1 200 OK" and replayed.body == body
    assert ("Content-Type", "text/html; charset=utf-8") in replayed.headers and (
        "ETag",
        '"v1"',
    ) in replayed.headers


def test_a_missing_warc_file_is_one_error(tmp_path: Path) -> None:
    (error,) = list(read_pages([str(tmp_path / "gone.warc.gz")]))
    assert isinstance(error, InputError) and error.error.startswith("unreadable: no such file")


def test_a_content_encoded_payload_is_audited_decoded(tmp_path: Path) -> None:
    path = tmp_path / "encoded.warc.gz"
    html = b"<html><body><p>Compressed on the wire, read as text.</p></body></html>"
    sent = gzip.compress(html)
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        head = [
            ("Content-Type", "text/html"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(sent))),
        ]
        http = StatusAndHeaders("200 OK", head, protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://news.example/z", "response", payload=io.BytesIO(sent), http_headers=http
            )
        )
    (page,) = list(read_pages([str(path)]))
    assert isinstance(page, Page) and "Compressed on the wire" in page.text
    assert page.evidence is not None
    assert read_record_at(page.evidence.warc, page.evidence.offset or 0).body == html
