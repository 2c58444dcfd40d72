"""Issue 13: hostile hosts, databases and command-line values cannot hang, hijack or crash a run."""

from __future__ import annotations

import http.server
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED_PAGE, run_cli

from provenance.fetch import Fetcher, FetchOptions

# --------------------------------------------------------------------------- slowloris


class _Trickle(http.server.BaseHTTPRequestHandler):
    """Sends its body one byte every 0.1 s for 10 s: each read is quick, the whole is not."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def trickling_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/page.html"
    server.shutdown()
    server.server_close()


def test_a_trickling_server_cannot_hold_a_fetch(trickling_server: str) -> None:
    options = FetchOptions(read_timeout=5, total_timeout=0.5, allow_private=True, respect_robots=False)
    started = time.monotonic()
    with Fetcher(options) as fetcher:
        result = fetcher.fetch(trickling_server)
    assert time.monotonic() - started < 3
    assert result.error is not None and "too slow" in result.error


# --------------------------------------------------------------------------- databases


def test_another_applications_database_is_refused_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE users (id INTEGER)")
    code, _, err = run_cli(capsys, "check", str(SEED_PAGE), "--db", f"sqlite:///{path}")
    assert code == 2 and "not a provenance database" in err and "users" in err
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables == ["users"]


def test_an_empty_db_option_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_cli(capsys, "check", str(SEED_PAGE), "--db", "")
    assert exit_.value.code == 2
    assert not (tmp_path / "provenance.db").exists()


# --------------------------------------------------------------------------- command-line values


@pytest.mark.parametrize(
    "argv",
    [
        ("report", "latest~-1"),
        ("report", "99999999999999999999999"),
        ("runs", "--limit", "99999999999999999999999"),
        ("check", "page.html", "--max-size", "inf"),
        ("check", "page.html", "--max-size", "-1"),
        ("check", "page.html", "--timeout", "nan"),
        ("check", "page.html", "--host-delay", "inf"),
    ],
)
def test_bad_values_are_one_line_usage_errors(
    argv: tuple[str, ...], corpus_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code, _, err = run_cli(capsys, *argv, "--db", corpus_db)
    except SystemExit as exit_:  # argparse
        code, err = int(exit_.code or 0), capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and err.strip()


def test_a_url_list_holds_urls_only(
    tmp_path: Path, corpus_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.com/a\n/etc/passwd\n")
    with pytest.raises(SystemExit) as exit_:
        run_cli(capsys, "check", "--urls", str(urls), "--db", corpus_db)
    assert exit_.value.code == 2
    assert "not an http(s) URL: '/etc/passwd'" in capsys.readouterr().err


def test_a_baseline_that_cannot_be_written_fails_before_the_audit(
    tmp_path: Path, corpus_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "baseline.json"
    code, _, err = run_cli(
        capsys, "check", str(SEED_PAGE), "--baseline", str(target), "--update-baseline", "--db", corpus_db
    )
    assert code == 2 and "cannot write --baseline" in err
    code, out, _ = run_cli(capsys, "runs", "--format", "json", "--db", corpus_db)
    assert out.strip() == "[]"  # nothing was audited


# --------------------------------------------------------------------------- a page's time budget


def test_a_slow_page_is_an_error_and_the_run_goes_on(
    tmp_path: Path, corpus_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import provenance.audit as audit_module

    real = audit_module.analyse

    def slow_on_one(page, *args, **kwargs):  # type: ignore[no-untyped-def]
        if page.source.endswith("slow.txt"):
            while True:  # a page built to be slow
                sum(range(1000))
        return real(page, *args, **kwargs)

    monkeypatch.setattr(audit_module, "analyse", slow_on_one)
    monkeypatch.setattr(audit_module, "PAGE_BUDGET", 0.3)
    slow = tmp_path / "slow.txt"
    slow.write_text("A page that never finishes being analysed, whatever its words are.\n")
    code, out, _ = run_cli(capsys, "audit", str(slow), str(SEED_PAGE), "--format", "json", "--db", corpus_db)
    documents = {Path(d["source"]).name: d for d in __import__("json").loads(out)["documents"]}
    assert code == 2
    assert "time budget" in documents["slow.txt"]["error"]
    assert documents[SEED_PAGE.name]["status"] == "ok"  # the page after it was audited


def test_a_library_that_catches_every_exception_does_not_swallow_the_budget(
    tmp_path: Path, corpus_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """trafilatura's call is wrapped in ``except Exception`` (a library crash must not lose
    the page); a page whose time runs out in there is still out of time, not a page with
    an empty body."""
    import provenance.audit as audit_module
    import provenance.extract as extract_module

    def slow_extract(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        while True:  # a page that makes the body extraction crawl
            sum(range(1000))

    monkeypatch.setattr(extract_module.trafilatura, "extract", slow_extract)
    monkeypatch.setattr(audit_module, "PAGE_BUDGET", 0.3)
    page = SEED_PAGE.parent / "ap-verbatim-stripped.html"
    code, out, _ = run_cli(capsys, "audit", str(page), "--format", "json", "--db", corpus_db)
    (document,) = __import__("json").loads(out)["documents"]
    assert code == 2
    assert document["status"] == "error" and "time budget" in document["error"]


# --------------------------------------------------------------------------- inline markers are the publisher's


def _marked_seed(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / SEED_PAGE.name
    page.write_text(SEED_PAGE.read_text() + "\n<!-- provenance: ignore * licensed -->\n")
    return page


def test_a_marker_in_a_page_outside_the_repository_is_not_honoured(
    tmp_path: Path, corpus_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _marked_seed(tmp_path / "elsewhere")
    repository = tmp_path / "repo"
    repository.mkdir()
    monkeypatch.chdir(repository)  # the checked repository: the page is not in it
    code, out, _ = run_cli(capsys, "check", str(page), "--format", "json", "--db", corpus_db)
    findings = __import__("json").loads(out)["documents"][0]["findings"]
    assert code == 1  # the third party's "ignore *" decides nothing
    assert not any(f["suppressed"] for f in findings)
    assert [f["severity"] for f in findings if f["rule"] == "PROVENANCE-IGNORED-MARKER"] == ["info"]


def test_markers_in_the_repository_are_honoured_unless_told_not_to(
    tmp_path: Path, corpus_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    page = _marked_seed(tmp_path / "site")
    code, _, _ = run_cli(capsys, "check", str(page), "--db", corpus_db)
    assert code == 0  # the publisher's own marker
    code, out, _ = run_cli(
        capsys, "check", str(page), "--no-inline-suppressions", "--format", "json", "--db", corpus_db
    )
    assert code == 1
    assert "PROVENANCE-IGNORED-MARKER" in out
