"""Issue 13: hostile inputs (files, front matter, markers, sitemaps, JSONL, baselines) cannot hang,
exhaust or crash a run: each is one input error (or is read safely) and the run goes on.

Tests that would hang on the code before the fix are written so that they fail instead: a
FIFO is unblocked by a writer after a few seconds, a stream that must not be read to its end
raises when it is, and the slow inputs are sized so that the old quadratic code takes
minutes, not hours.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from conftest import SEEDS, run_cli

from provenance import fetch, sources
from provenance.fetch import Fetcher, FetchOptions
from provenance.markdown import FrontMatterError, page_from_markdown, split_front_matter
from provenance.model import InputError, Page
from provenance.sources import read_pages, read_stories
from provenance.suppress import find_markers, load_baseline

SITE = "https://news.example"
STRIPPED = SEEDS / "pages" / "ap-verbatim-stripped.html"  # AP-CREDIT among its findings
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "system_resolver", lambda host: ["93.184.216.34"])


def documents(out: str) -> list[dict]:
    return json.loads(out)["documents"]


# --------------------------------------------------------------------------- 1. special files


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A FIFO named ``*.txt``. Should a reader block on it (the old code did), a writer opens and
    closes it after 5 s so the reader sees an empty file and the test fails instead of hanging."""
    path = tmp_path / "pipe" / "story.txt"
    path.parent.mkdir()
    os.mkfifo(path)
    done = threading.Event()

    def unblock() -> None:
        deadline = time.monotonic() + 5
        while not done.wait(0.1):
            if time.monotonic() < deadline:
                continue
            with contextlib.suppress(OSError):  # succeeds only while a reader holds the FIFO open
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    yield path
    done.set()
    thread.join()


def test_a_fifo_given_as_source_is_an_input_error(capsys: pytest.CaptureFixture[str], fifo: Path) -> None:
    started = time.monotonic()
    code, out, err = run_cli(
        capsys, "extract", str(fifo), str(SEEDS / "pages" / "unrelated.txt"), "--format", "json"
    )
    assert time.monotonic() - started < 4
    assert code == 2
    assert f"{fifo}: not a regular file (a FIFO)" in err
    assert [d["id"] for d in documents(out)][1:] == [str(SEEDS / "pages" / "unrelated.txt")]


def test_a_fifo_inside_an_audited_directory_is_an_input_error(
    capsys: pytest.CaptureFixture[str], fifo: Path, corpus_db: str
) -> None:
    (fifo.parent / "copy.html").write_bytes(STRIPPED.read_bytes())
    started = time.monotonic()
    code, out, err = run_cli(capsys, "audit", str(fifo.parent), "--format", "json", "--db", corpus_db)
    assert time.monotonic() - started < 4
    assert code == 2
    assert err.count("not a regular file") == 1 and str(fifo) in err
    by_id = {d["id"]: d for d in documents(out)}
    assert by_id[str(fifo)]["status"] == "error"
    assert by_id[str(fifo.parent / "copy.html")]["status"] == "ok"


def test_a_device_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # /dev/null rather than /dev/zero: the old code read /dev/zero until memory ran out.
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/null")
    code, _, err = run_cli(capsys, "extract", "/dev/null", str(link))
    assert code == 2
    assert "/dev/null: not a regular file (a character device)" in err
    assert f"{link}: not a regular file (a character device)" in err


def test_a_file_over_the_cap_is_refused_unread(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert sources.MAX_FILE_BYTES == 5 * MB  # the default of --max-size
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(5 * MB + 1)  # sparse: costs no disk
    fine = tmp_path / "fine.txt"
    fine.write_text("A short story, well within the cap.\n")
    code, out, err = run_cli(capsys, "extract", str(big), str(fine), "--format", "json")
    assert code == 2
    assert f"{big}: too large: more than 5 MB" in err
    assert documents(out)[0]["error"] == "too large: more than 5 MB"
    assert documents(out)[1]["id"] == str(fine)


class _Endless(io.RawIOBase):
    """A stream with no end (``/dev/zero`` on standard input); an unbounded read fails the test."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("read without a bound")
        self.given += size
        return b"a" * size

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        raise AssertionError("read without a bound")


def test_standard_input_is_read_with_a_bound(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    endless = _Endless()
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": endless})())
    code, _, err = run_cli(capsys, "extract", "-")
    assert code == 2
    assert "-: too large: more than 5 MB" in err
    assert endless.given <= 5 * MB + 1


def test_the_cap_is_a_parameter_and_bounds_jsonl_lines(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text("x" * 2000)
    lines = tmp_path / "lines.jsonl"
    lines.write_text(
        json.dumps({"id": "long", "text": "y" * 5000})
        + "\n"
        + json.dumps({"id": "after", "text": "A story after the long line."})
        + "\n"
    )
    items = list(read_pages([str(small), str(lines)], max_bytes=1000))
    assert [(i.id, i.error) for i in items if isinstance(i, InputError)] == [
        (str(small), "too large: more than 1000 bytes"),
        (f"{lines}:1", "line 1: too large: more than 1000 bytes"),
    ]
    assert [i.id for i in items if isinstance(i, Page)] == ["after"]


# --------------------------------------------------------------------------- 2. YAML alias bomb


def alias_bomb(levels: int, last_key: str) -> str:
    names = "abcdefghi"[:levels]
    rows = [f'{names[0]}: &{names[0]} ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, levels):
        key = last_key if i == levels - 1 else names[i]
        rows.append(f"{key}: &{names[i]} [" + ",".join([f"*{names[i - 1]}"] * 9) + "]")
    return "---\n" + "\n".join(rows) + "\n---\n\nThe body of the page.\n"


def test_yaml_aliases_in_front_matter_are_an_input_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.md"
    bomb.write_text(alias_bomb(9, "extra"))  # 9**9 values in under 400 bytes
    assert len(bomb.read_bytes()) < 400, len(bomb.read_bytes())
    good = tmp_path / "good.md"
    good.write_text("---\ntitle: Fine\n---\n\nA page that is fine.\n")
    started = time.monotonic()
    code, out, err = run_cli(capsys, "extract", str(bomb), str(good), "--format", "json")
    assert time.monotonic() - started < 10
    assert code == 2
    assert f"{bomb}: front matter uses YAML aliases" in err
    assert documents(out)[1]["title"] == "Fine"


def test_an_alias_bomb_under_a_metadata_key_is_refused_before_expansion() -> None:
    # Under "title" the old code expanded the aliases into one string: minutes and gigabytes.
    started = time.monotonic()
    with pytest.raises(FrontMatterError, match="front matter uses YAML aliases"):
        split_front_matter(alias_bomb(9, "title"))
    assert time.monotonic() - started < 2
    with pytest.raises(FrontMatterError, match="front matter uses YAML aliases"):
        page_from_markdown("---\na: &x 1\nb: *x\n---\n\nBody.\n", id="p", source="p")
    # an anchor without alias is harmless; nesting past the parser's stack is one error
    assert split_front_matter("---\ntitle: &t Fine\n---\nBody\n")[0] == {"title": "Fine"}
    with pytest.raises(FrontMatterError, match="nested too deep"):
        split_front_matter("---\na: " + "[" * 5000 + "]" * 5000 + "\n---\nBody\n")


# --------------------------------------------------------------------------- 3. markers, in linear time


def test_unterminated_marker_openings_take_linear_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 19,000 lines (under the 20,000 a page may hold): 30,000 (780 KB) took 109 s before
    openings = "<!-- provenance: ignore X\n" * 19_000
    for name, text in (
        ("open.txt", "A headline\n\n" + openings),
        ("open.md", "A paragraph.\n\n" + openings),
        ("open.html", "<p>A paragraph.</p>" + openings),
    ):
        (tmp_path / name).write_text(text)
    started = time.monotonic()
    code, out, err = run_cli(capsys, "extract", str(tmp_path), "--format", "json")
    assert time.monotonic() - started < 20
    assert code == 0, err
    assert len(documents(out)) == 3


def test_find_markers_keeps_its_meaning() -> None:
    text = (
        "line one\n<!-- provenance: ignore AP-CREDIT,ap-byline licensed, see contract 12 -->\n"
        "<!--provenance:ignore *-->\n\n<!-- provenance: ignore X-->\n<!-- not a marker -->\n"
        "<!-- provenance: ignore REUTERS-CREDIT spans\n two lines -->\n<!-- provenance: ignore Y"
    )
    found = [(m.rules, m.reason, m.line) for m in find_markers(text)]
    assert found == [
        (("AP-CREDIT", "AP-BYLINE"), "licensed, see contract 12", 2),
        (("*",), "", 3),
        (("X",), "", 5),
        (("REUTERS-CREDIT",), "spans two lines", 7),
    ]
    started = time.monotonic()
    many = find_markers("<p>x</p>\n<!-- provenance: ignore AP-CREDIT ok -->\n" * 30_000)
    assert len(many) == 30_000 and many[-1].line == 60_000
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "line",
    ["*a ", "_a ", "`a ", "<a ", '<a href="x">', "[a ", "<http://a", "~~a "],
    ids=["emphasis", "underscore", "code", "tag", "anchor", "bracket", "autolink", "strike"],
)
def test_markdown_inline_syntax_takes_linear_time(line: str) -> None:
    # One long line of openings that never close: quadratic before (10 to 70 s each at this
    # size, hours at 5 MB), milliseconds now.
    text = "Title\n\nx " + line * 20_000 + "\n"
    started = time.monotonic()
    page_from_markdown(text, id="p", source="p")
    assert time.monotonic() - started < 5


def test_markdown_inline_syntax_keeps_its_meaning() -> None:
    page = page_from_markdown(
        'See <a href="https://a.example/x" class="c">the <b>text</b></a> and <A HREF=\'https://b.example\'>B</A>.\n\n'
        'Some **bold *italic* text**, `code*x*`, ~~gone~~, snake_case and [link](https://d.example "t") '
        "<https://e.example>.\n\n<!-- hidden\ncomment --> Visible <!-- unterminated\n",
        id="p",
        source="p",
    )
    assert page.text.split("\n\n") == [
        "See the text and B.",
        "Some bold italic text, codex, gone, snake_case and link https://e.example.",
        "Visible <!-- unterminated",
    ]
    assert [(link.href, link.text) for link in page.links] == [
        ("https://a.example/x", "the text"),
        ("https://b.example", "B"),
        ("https://d.example", "link"),
        ("https://e.example", "https://e.example"),
    ]


# --------------------------------------------------------------------------- 4. sitemap index fan-out


def _index(urls: list[str]) -> bytes:
    items = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'.encode()


def _urlset(urls: list[str]) -> bytes:
    items = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'.encode()


@responses.activate
def test_a_sitemap_index_of_indexes_is_capped(capsys: pytest.CaptureFixture[str], corpus_db: str) -> None:
    """Every index lists 8 more indexes: 585 fetches and 512 error rows before."""
    responses.get(f"{SITE}/robots.txt", status=404)
    fetched: list[str] = []

    def tree(request) -> tuple[int, dict, bytes]:  # type: ignore[no-untyped-def]
        fetched.append(request.url)
        stem = request.url.removeprefix(f"{SITE}/s").removesuffix(".xml")
        return 200, {"Content-Type": "application/xml"}, _index([f"{SITE}/s{stem}{i}.xml" for i in range(8)])

    responses.add_callback(responses.GET, re.compile(rf"{re.escape(SITE)}/s\d*\.xml"), callback=tree)
    code, out, _ = run_cli(
        capsys, "audit", f"{SITE}/s.xml", "--format", "json", "--db", corpus_db, "--host-delay", "0"
    )
    assert code == 2
    assert len(fetched) == 50  # feeds.MAX_DOCUMENTS
    errors = [d["error"] for d in documents(out) if d["status"] == "error"]
    assert len(errors) == 2, errors  # the indexes nested too deep once, the cap once: never w³
    assert "sitemap index nested deeper than 2 levels: not followed (and 42 more like it)" in errors[0]
    assert "stopped after 50 sitemap/feed documents (max_documents): 7 more listed, not fetched" in errors[1]


@responses.activate
def test_a_local_sitemap_index_is_followed_not_fetched_as_pages(tmp_path: Path) -> None:
    responses.get(f"{SITE}/robots.txt", status=404)
    responses.get(f"{SITE}/a.xml", body=_urlset([f"{SITE}/p"]), content_type="application/xml")
    responses.get(f"{SITE}/p", body=STRIPPED.read_bytes(), content_type="text/html")
    index = tmp_path / "sitemap.xml"
    index.write_bytes(_index([f"{SITE}/a.xml"]))
    with Fetcher(FetchOptions(host_delay=0), sleep=lambda s: None) as fetcher:
        items = list(read_pages([str(index)], fetcher=fetcher))
    assert [(type(i).__name__, i.id) for i in items] == [("Page", f"{SITE}/p")]


# --------------------------------------------------------------------------- 5. invalid Unicode in JSONL


@pytest.fixture
def surrogates(tmp_path: Path) -> Path:
    """Valid JSON, invalid Unicode: a lone surrogate in one record's text, another's id."""
    path = tmp_path / "stories.jsonl"
    story = (SEEDS / "wire" / "stories.jsonl").read_text().splitlines()[0]
    good = json.loads(story)
    lines = [
        json.dumps({**good, "id": "first"}),
        '{"id": "x", "agency": "AP", "text": "\\ud800 broken by a cut emoji"}',
        '{"id": "y\\udc80", "agency": "AP", "text": "An id that is not text."}',
        '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({**good, "id": "last", "text": good["text"] + " Updated."}),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


SURROGATE_ERRORS = [
    "stories.jsonl:2: line 2: 'text' holds a lone surrogate (\\ud800), which is not valid Unicode",
    "stories.jsonl:3: line 3: 'id' holds a lone surrogate (\\udc80), which is not valid Unicode",
    "stories.jsonl:4: line 4: malformed JSON: nested too deep",
]


def error_lines(err: str) -> list[str]:
    return [line.split("/")[-1] for line in err.splitlines() if line.startswith("provenance: error:")]


def test_corpus_add_keeps_the_valid_stories_of_a_batch(
    capsys: pytest.CaptureFixture[str], surrogates: Path, db_url: str
) -> None:
    code, _, err = run_cli(capsys, "corpus", "add", str(surrogates), "--db", db_url)
    assert code == 2
    assert error_lines(err) == SURROGATE_ERRORS
    assert "corpus: 2 added" in err
    code, out, _ = run_cli(capsys, "corpus", "list", "--db", db_url)
    assert code == 0 and sorted(line.split("\t")[0] for line in out.splitlines()) == ["first", "last"]


def test_audit_and_extract_go_on_past_invalid_unicode(
    capsys: pytest.CaptureFixture[str], surrogates: Path, corpus_db: str
) -> None:
    code, out, err = run_cli(capsys, "audit", str(surrogates), "--format", "json", "--db", corpus_db)
    assert code == 2
    assert error_lines(err) == SURROGATE_ERRORS
    assert [d["status"] for d in documents(out)] == ["ok", "error", "error", "error", "ok"]
    code, out, err = run_cli(capsys, "audit", str(surrogates), "--db", corpus_db)  # the table prints too
    assert code == 2 and "Traceback" not in err
    code, out, err = run_cli(capsys, "extract", str(surrogates), "--format", "json")
    assert code == 2
    assert error_lines(err) == SURROGATE_ERRORS
    assert [d["id"] for d in documents(out)][::4] == ["first", "last"]


def test_invalid_unicode_from_metadata_or_file_names_is_replaced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus_db: str
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "front.md").write_text('---\ntitle: "Cut \\ud800 title"\n---\n\nThe body of the page.\n')
    (site / "jsonld.html").write_text(
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "H \\ud800",'
        ' "author": {"name": "N \\udc00"}}</script></head><body><p>Some body text.</p></body></html>'
    )
    (site / os.fsdecode(b"name-\xff.txt")).write_text("A page whose name is not UTF-8.\n")
    code, out, err = run_cli(capsys, "audit", str(site), "--format", "json", "--db", corpus_db)
    assert code in (0, 1), err
    assert "internal error" not in err
    docs = documents(out)
    assert all(d["status"] == "ok" for d in docs)
    assert {d["id"].rsplit("/", 1)[-1] for d in docs} == {"front.md", "jsonld.html", "name-\ufffd.txt"}
    code, out, err = run_cli(capsys, "extract", str(site), "--format", "json")
    assert code == 0, err
    assert "Cut \ufffd title" in {d["title"] for d in documents(out)}


def test_read_stories_never_yields_a_lone_surrogate(tmp_path: Path) -> None:
    page = tmp_path / "story.md"
    page.write_text('---\nauthor: "By A \\ud800"\nsource: "AP \\udc00"\n---\n\nThe story text.\n')
    (item,) = read_stories([str(page)], agency="AP")
    assert not isinstance(item, InputError)
    assert item.byline == "By A \ufffd" and item.page.meta["source"] == "AP \ufffd"
    assert all("\ud800" not in line.text and "\udc00" not in line.text for line in item.page.lines)


# --------------------------------------------------------------------------- 6. baseline shapes


NOT_BASELINE = "not a provenance baseline: "


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[1, 2]", NOT_BASELINE + "a JSON object was expected, not a list"),
        ('"baseline"', NOT_BASELINE + "a JSON object was expected, not a string"),
        ('{"version": 2, "findings": 5}', "'findings' must be a list, not a number"),
        ('{"version": 2, "findings": null}', "'findings' must be a list, not null"),
        ('{"version": 2, "findings": {"page": "a"}}', "'findings' must be a list, not an object"),
        ('{"version": 2, "findings": [["a"]]}', "finding 1 must be an object, not a list"),
        ('{"version": 2, "findings": [{"page": "a"}]}', "finding 1 lacks page, rule or fingerprint"),
        ("{", "not JSON: Expecting property name enclosed in double quotes (line 1, column 2)"),
        ("[" * 100_000, NOT_BASELINE + "JSON nested too deep"),
    ],
    ids=["list", "string", "number", "null", "object", "entry-list", "entry-keys", "broken", "deep"],
)
def test_a_malformed_baseline_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus_db: str, content: str, reason: str
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    code, _, err = run_cli(capsys, "audit", str(STRIPPED), "--baseline", str(baseline), "--db", corpus_db)
    assert code == 2
    assert err.strip() == f"provenance: error: cannot read baseline: {baseline}: {reason}"


def test_a_baseline_that_is_not_utf8_is_a_one_line_error(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ValueError, match=r"not UTF-8 text \(byte 0\)$"):
        load_baseline(baseline, tmp_path)


# --------------------------------------------------------------------------- 7. markers only from local files
# The decision is the audit's (provenance.audit.markers_honoured); the pages read here keep
# their markers whatever their origin, so that a marker not honoured is reported.

MARKER = "<!-- provenance: ignore AP-CREDIT licensed rewrite -->"
IGNORED = "PROVENANCE-IGNORED-MARKER"


def marked_page() -> bytes:
    return STRIPPED.read_bytes().replace(b"</body>", MARKER.encode() + b"\n</body>", 1)


def rules_of(out: str) -> dict[str, bool]:
    """Rule -> suppressed, for the one page audited."""
    (doc,) = documents(out)
    return {f["rule"]: f["suppressed"] for f in doc["findings"]}


def test_a_marker_in_a_local_file_is_honoured(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus_db: str
) -> None:
    monkeypatch.chdir(tmp_path)  # the repository checked: the page is in it
    page = tmp_path / "copy.html"
    page.write_bytes(marked_page())
    _, out, _ = run_cli(capsys, "audit", str(page), "--format", "json", "--db", corpus_db)
    assert rules_of(out)["AP-CREDIT"] is True
    assert IGNORED not in rules_of(out)


def test_a_marker_on_standard_input_is_reported_not_honoured(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, corpus_db: str
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(marked_page())))
    _, out, _ = run_cli(capsys, "audit", "-", "--format", "json", "--db", corpus_db)
    assert rules_of(out)["AP-CREDIT"] is False
    assert rules_of(out)[IGNORED] is False


@responses.activate
def test_a_marker_on_a_fetched_or_listed_page_is_reported_not_honoured(
    capsys: pytest.CaptureFixture[str], corpus_db: str
) -> None:
    responses.get(f"{SITE}/robots.txt", status=404)
    responses.get(f"{SITE}/copy", body=marked_page(), content_type="text/html")
    responses.get(f"{SITE}/sitemap.xml", body=_urlset([f"{SITE}/copy"]), content_type="application/xml")
    for source in (f"{SITE}/copy", f"{SITE}/sitemap.xml"):
        _, out, _ = run_cli(
            capsys, "audit", source, "--format", "json", "--db", corpus_db, "--host-delay", "0"
        )
        assert rules_of(out)["AP-CREDIT"] is False, source
        assert IGNORED in rules_of(out), source
