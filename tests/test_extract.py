"""Tests for provenance.extract: body text, visible lines, metadata and decoding."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from provenance import extract
from provenance.extract import ExtractionError, decode, page_from_html, page_from_text
from provenance.model import Page, TextLine
from provenance.text import normalize, tokens

HTML = Path(__file__).resolve().parent / "fixtures" / "html"
BENCHMARK = Path(__file__).resolve().parents[2] / "shared" / "data" / "article-extraction"


def load(name: str) -> Page:
    return page_from_html((HTML / name).read_bytes(), id=name, source=str(HTML / name))


def source_line(name: str, needle: str) -> int:
    """1-based line of the fixture file where ``needle`` first appears."""
    for number, line in enumerate((HTML / name).read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {name}")


def line_with(page: Page, needle: str) -> TextLine:
    found = [line for line in page.lines if needle in line.text]
    assert len(found) == 1, f"{needle!r}: {found}"
    return found[0]


# --------------------------------------------------------------------------- a wire story page


@pytest.fixture(scope="module")
def wire() -> Page:
    return load("wire_story.html")


def test_body_is_the_article_paragraphs_separated_by_blank_lines(wire: Page) -> None:
    paragraphs = wire.text.split("\n\n")
    assert paragraphs[0].startswith("HOUSTON (AP) - A late-season storm")  # em dash normalised
    assert '"We have not seen a storm' in wire.text  # curly quotes normalised
    assert "contributed to this report" in paragraphs[-1]
    assert all(p and "\n" not in p for p in paragraphs)


def test_byline_and_footer_copyright_are_lines_but_not_body(wire: Page) -> None:
    byline = line_with(wire, "By JANE DOE and ROB LEE")
    footer = line_with(wire, "Copyright 2024 The Associated Press")
    assert (byline.where, byline.line) == ("body", source_line("wire_story.html", "By JANE DOE"))
    assert footer.where == "footer"
    assert footer.line == source_line("wire_story.html", '<p class="wire">Copyright')
    for text in ("By JANE DOE", "Copyright 2024", "All rights reserved", "© 2024"):
        assert text not in wire.text


def test_lines_know_header_body_footer_and_source_line(wire: Page) -> None:
    assert [(ln.text, ln.where) for ln in wire.lines[:4]] == [
        ("The Example Gazette", "header"),
        ("Home", "header"),
        ("News", "header"),
        ("Sports", "header"),
    ]
    assert line_with(wire, "Home").line == source_line("wire_story.html", ">Home<")
    caption = line_with(wire, "(AP Photo/Sam Ray)")
    assert (caption.where, caption.line) == ("body", source_line("wire_story.html", "AP Photo/Sam Ray"))
    assert line_with(wire, "© 2024 The Example Gazette").where == "footer"
    numbers = [ln.line for ln in wire.lines]
    assert numbers == sorted(numbers)  # document order


def test_br_splits_a_block_into_lines_with_the_br_line(wire: Page) -> None:
    notice = line_with(wire, "may not be published, broadcast")
    assert notice.text == "This material may not be published, broadcast, rewritten or redistributed."
    assert notice.where == "footer"
    assert notice.line == source_line("wire_story.html", "<br>This material")


def test_invisible_text_is_not_a_line(wire: Page) -> None:
    everything = "\n".join(ln.text for ln in wire.lines)
    for hidden in ("do not show me", "enable JavaScript", "hidden offers", "color", "Storm closes ports |"):
        assert hidden not in everything
    assert "hidden offers" not in wire.text


def test_title_and_meta(wire: Page) -> None:
    assert wire.title == "Storm closes ports along Gulf Coast"
    assert wire.meta.get("og:title") == "Storm closes ports along Gulf Coast"
    assert {k: v for k, v in wire.meta.items() if not k.startswith("og:")} == {
        "author": "Jane Doe; Rob Lee",
        "published": "2024-10-02T14:05:00Z",
        "site_name": "The Example Gazette",
        "canonical": "https://gazette.example/2024/storm-ports",
        "description": "A late-season storm closed ports from Texas to Alabama.",
        "jsonld:author": "Jane Doe; Rob Lee",
        "jsonld:publisher": "The Example Gazette",
        "jsonld:creditText": "The Associated Press",
        "jsonld:copyrightNotice": "Copyright 2024 The Associated Press. All rights reserved.",
        "jsonld:sourceOrganization": "The Associated Press",
        "jsonld:dateline": "HOUSTON",
    }


def test_content_hash_is_sha256_of_raw_bytes(wire: Page) -> None:
    assert wire.content_hash == hashlib.sha256((HTML / "wire_story.html").read_bytes()).hexdigest()
    as_str = page_from_html("<p>Some text here.</p>", id="s", source="s")
    assert as_str.content_hash == hashlib.sha256(b"<p>Some text here.</p>").hexdigest()


# --------------------------------------------------------------------------- JSON-LD graph, class names


@pytest.fixture(scope="module")
def graph() -> Page:
    return load("graph.html")


def test_jsonld_graph_references_and_lists(graph: Page) -> None:
    assert graph.meta["jsonld:author"] == "Ann Writer"
    assert graph.meta["jsonld:publisher"] == "Riverside Times"
    assert graph.meta["jsonld:copyrightHolder"] == "Riverside Times"
    assert graph.meta["jsonld:isBasedOn"] == "https://wire.example/story/1; Reuters report"
    assert graph.meta["published"] == "2024-03-04"
    assert graph.meta["author"] == "Ann Writer"


def test_class_and_id_names_place_lines(graph: Page) -> None:
    assert graph.lines[0] == TextLine("Riverside Times", "header", 22)  # id="masthead"
    assert line_with(graph, "The city council approved").where == "body"  # "has-header" wrapper
    assert line_with(graph, "Copyright Riverside Times 2024").where == "footer"  # class="page-footer"
    assert line_with(graph, "Terms").where == "footer"  # a nav inside a footer stays footer


def test_inline_elements_join_and_side_by_side_spans_do_not_glue(graph: Page) -> None:
    assert line_with(graph, "Council approves").text == "Council approves budget"
    assert line_with(graph, "Ann Writer").text == "By Ann Writer"
    assert graph.lines[0].text == "Riverside Times"  # <span>Riverside</span><span>Times</span>


def test_hidden_elements_are_neither_lines_nor_body(graph: Page) -> None:
    for hidden in ("Hidden paragraph", "Screen reader only", "a comment"):
        assert not any(hidden in ln.text for ln in graph.lines)
        assert hidden not in graph.text
    assert line_with(graph, "Shown on desktops").where == "body"  # "hidden md:block"


def test_leading_headline_is_not_body(graph: Page) -> None:
    assert graph.title == "Council approves budget"
    assert graph.text.startswith("The city council approved")
    assert graph.lines[1] == TextLine("Council approves budget", "body", 25, "heading")  # still a line


def test_article_header_holding_the_story_is_body() -> None:
    paragraph = "Officials said the river rose overnight and flooded the lower town, closing roads. " * 2
    html = f"""<html><body><header class="site-header"><a href="/">Home</a></header>
    <div class="article-header"><h1>Flood</h1>
    <p>{paragraph}</p><p>{paragraph}</p><p>{paragraph}</p></div>
    <div class="footer-links"><a href="/about">About us</a></div></body></html>"""
    page = page_from_html(html, id="h", source="h")
    assert line_with(page, "Home").where == "header"
    assert {ln.where for ln in page.lines if "river rose" in ln.text} == {"body"}
    assert line_with(page, "About us").where == "footer"


# --------------------------------------------------------------------------- encodings and robustness


def test_latin1_page_declared_in_meta() -> None:
    page = load("latin1.html")
    assert page.title == "Café reopens in São Paulo"
    assert "owner José Araújo, who paid £1,200" in page.text
    assert line_with(page, "© 2024 Reuters").where == "footer"  # class="copyright"


def test_decode_text_is_strict_utf8() -> None:
    assert decode("café".encode()) == "café"
    assert decode(b"\xef\xbb\xbfhello") == "hello"
    with pytest.raises(ExtractionError, match=r"^invalid UTF-8 at byte 4$"):
        decode(b"abc \xff def")
    with pytest.raises(ExtractionError, match="invalid UTF-8"):
        decode("café".encode("latin-1"))  # text has no charset to declare


def test_decode_html_honours_bom_and_declared_charset() -> None:
    assert decode("<p>é</p>".encode("utf-16"), html=True) == "<p>é</p>"
    declared = '<meta charset="windows-1252"><p>\u201cquoted\u201d</p>'
    assert decode(declared.encode("cp1252"), html=True) == declared
    with pytest.raises(ExtractionError, match="invalid UTF-8 at byte 3"):
        decode(b"<p>\xe9</p>", html=True)  # nothing declared: UTF-8, and the error is reported
    mislabelled = '<meta charset="no-such-codec"><p>ok é</p>'
    assert decode(mislabelled.encode(), html=True) == mislabelled


def test_decode_rejects_binary() -> None:
    with pytest.raises(ExtractionError, match=r"^binary file$"):
        decode(b"PK\x03\x04\x00\x00 zip")
    with pytest.raises(ExtractionError, match=r"^binary file$"):
        decode(bytes(range(1, 9)) * 20 + b"some text", html=True)


@pytest.mark.parametrize(
    "garbage",
    [
        b"<<<>>> <p>still text</p></div></div></span>",
        b"<html><body><p>unclosed <b>bold <i>italic",
        "<?xml version='1.0' encoding='iso-8859-1'?><html><body><p>xml declared</p></body></html>",
        "<p>a NUL \x00 and a surrogate \ud800 in a string</p>",
        b"<div>" * 200 + b"deep" + b"</div>" * 200,
        b"plain words, no markup at all",
    ],
    ids=["broken-tags", "unclosed", "xml-declaration", "nul-and-surrogate", "deep", "no-markup"],
)
def test_garbage_html_never_raises(garbage: bytes | str) -> None:
    page = page_from_html(garbage, id="g", source="g")
    assert page.text and page.lines


@pytest.mark.parametrize(
    "empty",
    [
        (HTML / "scripts_only.html").read_bytes(),
        b"",
        b"   \n ",
        "<html><head><title>Only a title</title></head><body><!-- nothing --></body></html>",
        '<body><div style="display: none">hidden</div><template><p>t</p></template><svg><text>x</text></svg>',
    ],
    ids=["scripts-only", "empty", "blank", "title-only", "hidden-only"],
)
def test_a_page_with_no_visible_text_is_an_extraction_error(empty: bytes | str) -> None:
    with pytest.raises(ExtractionError, match=r"^no text: page has no visible text$"):
        page_from_html(empty, id="e", source="e")


def test_fallback_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract.trafilatura, "extract", lambda *a, **k: None)
    page = load("wire_story.html")
    paragraphs = page.text.split("\n\n")
    assert paragraphs[0].startswith("HOUSTON (AP)")
    assert paragraphs[-1].startswith("Associated Press writer Kim Park")
    assert "By JANE DOE" not in page.text  # byline markup is not body
    assert "Waves crash" not in page.text  # nor is a figure caption
    assert "Copyright" not in page.text


def test_fallback_uses_lines_when_there_are_no_paragraphs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract.trafilatura, "extract", lambda *a, **k: None)
    page = page_from_html("<div><span>One</span></div><div>Two</div>", id="d", source="d")
    assert page.text == "One\n\nTwo"


def test_placeholder_dates_are_ignored() -> None:
    html = """<html><head><meta property="article:published_time" content="0001-01-01T00:00:00Z">
    </head><body><p>Text.</p><time datetime="2023-05-06T07:08:09Z">May 6</time></body></html>"""
    assert page_from_html(html, id="d", source="d").meta["published"] == "2023-05-06T07:08:09Z"


def test_article_author_url_is_not_an_author() -> None:
    html = """<html><head><meta property="article:author" content="https://facebook.com/someone">
    </head><body><article><p class="byline">By Pat Reporter</p><p>Text.</p></article>
    <form class="comment-form"><label class="author">Your name</label></form></body></html>"""
    assert page_from_html(html, id="a", source="a").meta["author"] == "By Pat Reporter"


# --------------------------------------------------------------------------- plain text


def test_page_from_text() -> None:
    text = (
        "Markets slip as oil rises\n\nNEW YORK (AP) \u2014 Stocks slipped.\r\n\r\n\r\nThe S&P 500 fell.  \n"
    )
    page = page_from_text(text, id="t", source="t.txt", url="https://x.example/t")
    assert page.title == "Markets slip as oil rises"
    assert page.text == "Markets slip as oil rises\n\nNEW YORK (AP) - Stocks slipped.\n\nThe S&P 500 fell."
    assert page.lines == [
        TextLine("Markets slip as oil rises", "body", 1),
        TextLine("NEW YORK (AP) - Stocks slipped.", "body", 3),
        TextLine("The S&P 500 fell.", "body", 6),
    ]
    assert (page.meta, page.url) == ({}, "https://x.example/t")


@pytest.mark.parametrize(
    "text",
    ["One paragraph only\nwith two lines.", "A single line\n", "x" * 201 + "\n\nbody"],
)
def test_text_title_needs_a_short_first_line_and_a_blank_line(text: str) -> None:
    assert page_from_text(text, id="t", source="t").title is None


@pytest.mark.parametrize("text", ["", "  \n\t\n"])
def test_empty_text_is_an_extraction_error(text: str) -> None:
    with pytest.raises(ExtractionError, match=r"^empty: no text$"):
        page_from_text(text, id="t", source="t")


# --------------------------------------------------------------------------- real pages


def _token_f1(gold: str, predicted: str) -> float:
    g, p = Counter(tokens(gold)), Counter(tokens(predicted))
    common = sum((g & p).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.skipif(not BENCHMARK.is_dir(), reason="shared/data/article-extraction is not present")
def test_real_news_pages_body_f1() -> None:
    """Every page of the article-extraction benchmark extracts, and bodies match the gold ones."""
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    scores = []
    for key, item in truth.items():
        raw = gzip.decompress((BENCHMARK / "html" / f"{key}.html.gz").read_bytes())
        page = page_from_html(raw, id=key, source=key, url=item["url"])
        assert page.lines, item["url"]
        scores.append(_token_f1(normalize(item["articleBody"]), page.text))
    mean = sum(scores) / len(scores)
    print(f"\narticle-extraction: {len(scores)} pages, mean token F1 of text vs articleBody = {mean:.4f}")
    assert len(scores) == len(truth) > 0
    assert mean >= 0.85


# --------------------------------------------------------------------------- one pass (issue 7)

_LANDMARK_PAGE = """<html><body><header class="site-header"><a href="/a">Home</a>
<nav hidden><a href="/b">Hidden menu</a></nav></header>
<div class="article-header"><article><p>Story text that is long enough to read.</p>
<a href="/c">In story</a></article></div><!-- note -->
<footer><nav><a href="/d">Footer nav</a></nav><div style="display:none"><a href="/e">x</a></div></footer>
</body></html>"""


def test_shared_landmarks_place_every_link_as_the_ancestor_walk_does() -> None:
    from provenance.visible import Landmarks, link_where, visible_lines

    root = extract._parse(_LANDMARK_PAGE)
    assert root is not None
    marks = Landmarks(root)
    visible_lines(root, marks)  # fills the cache for visible elements only
    anchors = list(root.iter("a"))
    assert [marks.where_of(a) for a in anchors] == [link_where(a) for a in anchors]
    assert [marks.where_of(a) for a in anchors] == ["header", "header", "body", "footer", "footer"]


def test_trafilatura_gets_a_copy_without_hidden_elements_and_comments() -> None:
    from provenance.visible import Landmarks

    root = extract._parse(_LANDMARK_PAGE)
    assert root is not None
    before = extract.etree.tostring(root)
    tree = extract._for_trafilatura(root, Landmarks(root))
    assert isinstance(tree, extract.lxml_html.HtmlElement)
    markup = extract.etree.tostring(tree, encoding="unicode")
    assert "Hidden menu" not in markup and "note" not in markup and 'href="/e"' not in markup
    assert "Footer nav" in markup
    assert extract.etree.tostring(root) == before  # the page's own tree is left as it was
