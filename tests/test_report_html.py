"""The HTML and Markdown reports: end to end on the seeds, hostile text by hand, and in a browser.

The HTML report is opened by people, on pages written by whoever we audit, so the tests pin
down what matters most: it loads nothing from anywhere, every third-party string is shown as
text (never markup), and the evidence a rights team acts on (aligned passages, verbatim and
rewritten, the words a spinner changed, offsets) is there. When Chromium is installed, the
report is rendered headless: the DOM must hold the highlighted passages and the screenshot
must show them painted (their fill colours are found in the pixels, which also proves the
Content-Security-Policy lets the inline stylesheet through). The screenshot is kept at
``$PROVENANCE_ARTIFACTS/report-evidence.png`` (else the test's tmp dir) and its path printed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest
from conftest import SEEDS

from provenance.cli import main
from provenance.formats import FORMATS, markdown_report
from provenance.formats import html as html_format
from provenance.model import Attribution, Finding, Match, Page, PageResult, Passage, Signal, Story
from provenance.report import AuditReport

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
LOADING_TAGS = (
    "script",
    "link",
    "img",
    "iframe",
    "frame",
    "object",
    "embed",
    "video",
    "audio",
    "source",
    "base",
)

# --------------------------------------------------------------------------- fixtures


def _audit(db_url: str, tmp_path: Path, fmt: str) -> str:
    out = tmp_path / f"report.{fmt}"
    assert main(["corpus", "add", str(SEEDS / "wire"), "--db", db_url, "-q"]) == 0
    code = main(["audit", str(SEEDS / "pages"), "--format", fmt, "--output", str(out), "--db", db_url, "-q"])
    assert code == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture
def seed_html(db_url: str, tmp_path: Path) -> tuple[Path, str]:
    text = _audit(db_url, tmp_path, "html")
    return tmp_path / "report.html", text


@pytest.fixture
def seed_json(db_url: str, tmp_path: Path) -> dict:
    return json.loads(_audit(db_url, tmp_path, "json"))


def _hostile_report() -> AuditReport:
    """A report where every third-party string tries to be markup, a link or a table cell."""
    story = Story(
        id=f"ap-1{XSS}",
        agency="AP",
        text=f"Story {XSS} text about the strike at the port, said the union.",
        url="javascript:alert(1)",
        title=f"Story title {XSS}",
        byline=f"By {XSS}",
        contributors=(XSS,),
    )
    page_text = f"Page {XSS} text about the strike at the port, stated the union."
    match = Match(
        story=story,
        derivation="spun",
        similarity=0.8,
        coverage=0.9,
        verbatim_share=0.3,
        rewritten_share=0.6,
        order_kept=True,
        evidence=(
            Passage(0, 30, 0, 30, "verbatim", 1.0, f"Page {XSS}", f"Story {XSS}"),
            Passage(31, 66, 31, 64, "rewritten", 0.7, page_text, story.text),
        ),
    )
    page = Page(
        id="hostile.html",
        source="hostile.html",
        text=page_text,
        url='https://evil.example/a"onmouseover="alert(1)',
        title=f"# Title | {XSS} > quote",
        content_hash="abc123",
        meta={"site_name": XSS, "canonical": "data:text/html,<script>alert(1)</script>"},
    )
    signals = [
        Signal("byline", f"By {XSS}", "body", 3, names=(XSS,)),
        Signal("notice", f"© 2024 {XSS}", "footer", 9, agency="AP"),
        Signal("link", "javascript:alert(1)", "body", 4, agency="AP"),
    ]
    findings = [
        Finding("AP-CREDIT", "error", f"message {XSS} | pipe", evidence=XSS, line=3),
        Finding("AP-BYLINE", "warning", f"byline {XSS}", suppressed=True, suppressed_by=f"inline: {XSS}"),
    ]
    results = [
        PageResult(
            "hostile.html", "hostile.html", page.url, "ok", None, page, match, Attribution(signals), findings
        ),
        PageResult(f"broken{XSS}", f"broken{XSS}", None, "error", error=f"cannot read {XSS}"),
    ]
    return AuditReport(7, datetime(2024, 6, 1, 12, 0, 0), datetime(2024, 6, 1, 12, 0, 3), "0.1.0", results)


# --------------------------------------------------------------------------- helpers


def _assert_loads_nothing(text: str) -> None:
    """No element, attribute or CSS rule that would fetch anything or run a script."""
    assert not re.search(
        r"<(?:link|script|img|style|iframe|source|video|audio|embed|object)\b[^>]*\b(?:src|href|srcset|data)\s*=",
        text,
        re.IGNORECASE,
    )
    doc = lxml.html.document_fromstring(text)
    for tag in LOADING_TAGS:
        assert not doc.xpath(f"//{tag}"), f"<{tag}> in the report"
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name in element.attrib:
            assert not name.lower().startswith("on"), f"event handler {name} on <{element.tag}>"
        assert not {"src", "srcset", "style", "background", "poster"} & set(element.attrib), element.tag
    for anchor in doc.xpath("//a[@href]"):
        href = anchor.get("href")
        assert href.startswith("#") or re.fullmatch(r"https?://\S+", href), href
        if not href.startswith("#"):
            assert "noreferrer" in anchor.get("rel", "")
    for style in doc.xpath("//style"):
        assert not re.search(r"@import|url\s*\(|https?:", style.text_content(), re.IGNORECASE)
    policy = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy and "default-src 'none'" in policy[0]


def _section(doc: lxml.html.HtmlElement, page_id: str) -> lxml.html.HtmlElement:
    for section in doc.xpath("//section[contains(@class, 'page ')]"):
        if page_id in section.text_content():
            return section
    raise AssertionError(f"no section for {page_id}")


# --------------------------------------------------------------------------- HTML, end to end


def test_formats_are_registered() -> None:
    assert FORMATS["html"] is html_format.render
    assert FORMATS["markdown"] is markdown_report.render


def test_seed_report_is_self_contained_and_complete(seed_html: tuple[Path, str], seed_json: dict) -> None:
    _, text = seed_html
    assert text.startswith("<!DOCTYPE html>")
    _assert_loads_nothing(text)
    doc = lxml.html.document_fromstring(text)
    documents = seed_json["documents"]

    # header and summary
    header = doc.xpath("//header")[0].text_content()
    assert "Run " in header and "provenance " in header
    captions = [c.text_content() for c in doc.xpath("//caption")]
    assert "By site" in captions and "By rule" in captions
    assert any(c.startswith("By agency") for c in captions)
    assert "Pages, most urgent first" in captions

    # one section per page, one findings row per finding, as in the JSON contract
    assert len(doc.xpath("//section[contains(@class, 'page ')]")) == len(documents)
    assert len(doc.xpath("//table[@class='findings']/tbody/tr")) == sum(len(d["findings"]) for d in documents)
    for d in documents:
        section = _section(doc, d["id"])
        rules = {code.text_content() for code in section.xpath(".//table[@class='findings']//code")}
        assert rules == {f["rule"] for f in d["findings"]}
        if d["match"]:
            content = section.text_content()
            assert d["match"]["story_id"] in content
            assert d["content_hash"] in content
            assert len(section.xpath(".//figure[contains(@class, 'passage ')]")) == len(
                d["match"]["evidence"]
            )

    # evidence: both kinds, side by side, with offsets, the legend and the spinner's words marked
    assert doc.xpath("//div[contains(@class, 'evidence-verbatim')]")
    assert doc.xpath("//div[contains(@class, 'evidence-rewritten')]")
    assert doc.xpath("//div[contains(@class, 'evidence-rewritten')]/ins[@class='diff']")
    assert doc.xpath("//div[contains(@class, 'evidence-rewritten')]/del[@class='diff']")
    assert not doc.xpath("//div[contains(@class, 'evidence-verbatim')]/ins")
    assert doc.xpath("//div[@class='legend']")
    spun = _section(doc, "ap-spun.txt")
    caption = spun.xpath(".//figure[contains(@class, 'passage-rewritten')]/figcaption")[0].text_content()
    assert re.search(r"page chars [\d,]+–[\d,]+ · story chars [\d,]+–[\d,]+", caption)
    changed = {el.text_content().strip(" .,") for el in spun.xpath(".//ins[@class='diff']")}
    assert "inks" in " ".join(changed) or "inked" in changed  # "signed" -> "inked" by the spinner

    # attribution found vs required: the canonical notice and the breached requirement
    stripped = _section(doc, "ap-verbatim-stripped.html")
    requirements = stripped.xpath(".//table[@class='requirements']")[0].text_content()
    assert "Copyright {year} The Associated Press. All rights reserved." in requirements
    assert "breached: AP-CREDIT" in requirements


def test_hostile_text_is_shown_as_text() -> None:
    text = html_format.render(_hostile_report())
    assert XSS not in text
    assert text.count(XSS_ESCAPED) >= 10  # title, passages, story, finding, evidence, signals, error...
    assert 'onmouseover="' not in text
    _assert_loads_nothing(text)
    doc = lxml.html.document_fromstring(text)
    # the text a reader sees is exactly the hostile string, not something the browser ran
    assert XSS in doc.xpath("//section[contains(@class, 'page ')]//h3")[0].text_content()
    rewritten = doc.xpath("//div[contains(@class, 'evidence-rewritten')]")
    assert "stated" in {el.text_content() for el in rewritten[0].xpath("./ins")}
    assert "said" in {el.text_content() for el in rewritten[1].xpath("./del")}
    suppressed = doc.xpath("//tr[@class='suppressed']")[0].text_content()
    assert f"suppressed — inline: {XSS}" in suppressed
    error = _section(doc, f"broken{XSS}")
    assert "unreadable" in error.text_content() and f"cannot read {XSS}" in error.text_content()


def test_long_passages_are_cut_in_the_middle_with_offsets() -> None:
    body = " ".join(f"word{i}" for i in range(5000))
    story = Story(id="ap-long", agency="AP", text=body)
    match = Match(
        story,
        "verbatim",
        1.0,
        1.0,
        1.0,
        0.0,
        True,
        (Passage(0, len(body), 0, len(body), "verbatim", 1.0, body, body),),
    )
    page = Page(id="long.txt", source="long.txt", text=body)
    report = AuditReport(
        1,
        datetime(2024, 1, 1),
        None,
        "0.1.0",
        [PageResult("long.txt", "long.txt", None, "ok", page=page, match=match)],
    )
    text = html_format.render(report)
    assert len(text) < 40_000  # the passage is over 40,000 characters a side
    assert text.count("characters omitted") == 2
    assert f"chars 0–{len(body):,}" in text
    assert "word0 " in text and "word4999" in text  # head and tail both shown


def test_word_diff_marks_only_changed_words() -> None:
    page, story = html_format.word_diff("The club stated on Monday.", "The club said on Monday.")
    assert [t for t, changed in page if changed] == ["stated"]
    assert [t for t, changed in story if changed] == ["said"]
    assert "".join(t for t, _ in page) == "The club stated on Monday."
    same, _ = html_format.word_diff("Case, and punctuation!", "case and punctuation")
    assert not any(changed for _, changed in same)


def test_site_is_host_or_directory() -> None:
    def result(source: str, url: str | None = None) -> PageResult:
        return PageResult(source, source, url, "ok")

    assert (
        html_format.site_of(result("https://www.example.com/a", "https://www.example.com/a"))
        == "www.example.com"
    )
    assert html_format.site_of(result("pages/news/a.html")) == "pages/news"
    assert html_format.site_of(result("dump.jsonl:12")) == "dump.jsonl"
    assert html_format.site_of(result("feed.xml -> https://news.example/x")) == "news.example"
    assert html_format.site_of(result("-")) == "standard input"


# --------------------------------------------------------------------------- Markdown


def test_seed_markdown_report(corpus_db: str, tmp_path: Path, seed_json: dict) -> None:
    text = _audit(corpus_db, tmp_path, "markdown")
    lines = text.splitlines()
    assert lines[0].startswith("# provenance audit, run ")
    assert "| Pages | Matched | Findings |" in text
    for rule in {f["rule"] for d in seed_json["documents"] for f in d["findings"]}:
        assert re.search(rf"^\| {re.escape(rule)} \| (error|warning|info) \|", text, re.MULTILINE)
    assert "## Pages with findings" in text and "## Other pages" in text
    quotes = [line for line in lines if line.startswith("   > ")]
    assert quotes and all(len(q) <= 5 + 300 + 40 for q in quotes)  # ~300 chars, escapes aside
    assert re.search(r"page chars [\d,]+–[\d,]+, story chars [\d,]+–[\d,]+", text)
    assert "*rewritten*" in text and "*verbatim*" in text


def test_markdown_escapes_third_party_text() -> None:
    text = markdown_report.render(_hostile_report())
    assert XSS not in text
    assert not re.search(r"(?<!\\)<(?!https://)", text)  # every "<" escaped, bar http(s) autolinks
    assert r"\<script\>alert(1)\</script\>" in text
    assert r"message \<script\>alert(1)\</script\> \| pipe" in text
    assert r"### 1. # Title \| \<script\>" in text
    assert "<javascript:" not in text  # not an autolink
    for line in text.splitlines():
        if line.startswith("   > "):
            assert not re.match(r"   > (?:[#>+=-]|\d+[.)]\s)", line)
    assert markdown_report.md("> quoted", start=True) == r"\> quoted"
    assert markdown_report.md("1. item", start=True) == r"1\. item"
    assert markdown_report.md("version 0.1.0") == "version 0.1.0"
    assert markdown_report.md("a | b\n# c") == r"a \| b # c"


# --------------------------------------------------------------------------- in a browser


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _png_rows(path: Path) -> Iterator[bytes]:
    """The rows of an 8-bit RGB(A), non-interlaced PNG, unfiltered: enough to look at pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    width = height = bpp = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            chunks.append(body)
    raw = zlib.decompress(b"".join(chunks))
    size = width * bpp
    prev = bytearray(size)
    for y in range(height):
        kind, line = raw[y * (size + 1)], bytearray(raw[y * (size + 1) + 1 : (y + 1) * (size + 1)])
        if kind == 1:
            for i in range(bpp, size):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(size):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(size):
                a, b = (line[i - bpp], prev[i]) if i >= bpp else (0, prev[i])
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        yield bytes(line)
        prev = line


def _css_colour(name: str) -> bytes:
    found = re.search(rf"--{name}:\s*#([0-9a-fA-F]{{6}})", html_format._css())
    assert found, name
    return bytes.fromhex(found.group(1))


def test_report_renders_in_chromium(
    seed_html: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    report, _ = seed_html
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ]
    url = report.resolve().as_uri()

    dom = subprocess.run(
        [browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=180, check=True
    ).stdout
    assert 'class="evidence evidence-verbatim"' in dom and 'class="evidence evidence-rewritten"' in dom
    assert '<ins class="diff">' in dom and '<del class="diff">' in dom
    assert "Mateo Ferraz" in dom  # a passage of the spun page, as text

    # Tall enough to reach the side-by-side evidence of the spun copy (most urgent first: the
    # killed and embargoed copies of the wire-format seeds come before it).
    shot = tmp_path / "report-evidence.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1280,16000", url],
        capture_output=True,
        timeout=180,
        check=True,
    )
    artifacts = Path(os.environ.get("PROVENANCE_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)
    kept = artifacts / "report-evidence.png"
    if kept != shot:
        shutil.copyfile(shot, kept)
        shutil.copyfile(report, artifacts / "report-evidence.html")
    with capsys.disabled():  # shown in CI logs, captured output or not
        print(f"\nHTML report screenshot: {kept}")
    assert shot.stat().st_size > 50_000

    # The passages are painted: rows with a wide run of each evidence fill (a passage box, not
    # just the legend's swatch). Their colours come from the stylesheet, so seeing them also
    # shows the CSP admitted it. Stop decoding once both are seen.
    verbatim, rewritten = _css_colour("verbatim-bg"), _css_colour("rewritten-bg")
    seen = {verbatim: 0, rewritten: 0}
    colours: set[bytes] = set()
    for row in _png_rows(shot):
        if len(colours) < 3:
            colours.update(row[i : i + 3] for i in range(0, len(row), 97))
        for colour in seen:
            if row.count(colour) >= 150:
                seen[colour] += 1
        if min(seen.values()) >= 40:
            break
    assert len(colours) > 1, "blank screenshot"
    assert seen[verbatim] >= 40, "no verbatim passage painted"
    assert seen[rewritten] >= 40, "no rewritten passage painted"
