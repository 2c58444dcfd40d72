"""Issue 13, item 2: text as a reader sees it, on pages written by those the tool checks.

A copier hides junk words between the visible ones (to defeat matching) or hides a credit
no reader sees (to pass the credit check); or nests the story deeper than the parser keeps,
or puts it where the extractor does not look (``<iframe srcdoc>``, SVG text). Every fixture
is written inline. Tests named ``..._guard`` hold behaviour that already held (nothing
visible is taken for hidden); every other test failed before the change.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import SEEDS, run_cli

from provenance.extract import page_from_html
from provenance.model import Page
from provenance.text import tokens

VISIBLE = (
    "The storm closed ports along the Gulf Coast on Tuesday, and officials said crews would "
    "reopen them within days once the shipping channels had been surveyed for debris."
)
SECOND = (
    "Harbor pilots said the delays could cost shippers millions of dollars, and the Coast Guard "
    "warned boaters to stay away from the channels until the buoys were back in place."
)


def page(html: str) -> Page:
    return page_from_html(html, id="t", source="t")


def junked(hide: str, style: str = "", body: str = "<body>") -> str:
    """A story page whose first paragraph has a junk word hidden between every visible word.

    ``hide`` wraps one junk word (``{}``); the junk words are distinct (``zq0x``, ``zq1x``…)
    as a copier's would be, so that nothing deduplicates them.
    """
    words = VISIBLE.split()
    paragraph = " ".join([words[0], *(f"{hide.format(f'zq{i}x')} {w}" for i, w in enumerate(words[1:]))])
    return f"""<html><head><title>Storm closes ports</title><style>{style}</style></head>
{body}<article><h1>Storm closes ports</h1>
<p>{paragraph}</p>
<p>{SECOND}</p></article></body></html>"""


def assert_junk_hidden(result: Page) -> None:
    lines = " ".join(line.text for line in result.lines)
    for text in (result.text, lines):
        assert "zq" not in text
    assert VISIBLE in result.text and VISIBLE in lines
    hidden = result.hidden_text.split()
    assert [w for w in hidden if w.startswith("zq")] == [f"zq{i}x" for i in range(len(VISIBLE.split()) - 1)]


# --------------------------------------------------------------------------- hiding techniques

TECHNIQUES = {
    "stylesheet-class": ('<span class="kx">{}</span>', ".kx { display: none }"),
    "stylesheet-tag-class": ('<i class="kx">{}</i>', "i.kx{visibility:hidden}"),
    "stylesheet-id-list": ('<b class="a kx">{}</b>', "#nothing, .kx{display:none!important}"),
    "font-size-0": ('<span class="kx">{}</span>', ".kx{font-size:0px}"),
    "font-size-0-em-inline": ('<span style="font-size: 0em">{}</span>', ""),
    "font-shorthand-0": ('<span class="kx">{}</span>', ".kx{font:0/0 a}"),
    "opacity-0": ('<span class="kx">{}</span>', ".kx{opacity:0}"),
    "opacity-0-inline": ('<span style="opacity:0.0">{}</span>', ""),
    "off-screen": ('<span class="kx">{}</span>', ".kx{position:absolute;left:-9999px}"),
    "off-screen-inline": ('<span style="position:fixed; top:-10000px">{}</span>', ""),
    "text-indent": (
        '<span class="kx">{}</span>',
        ".kx{display:inline-block;text-indent:-9999px;overflow:hidden}",
    ),
    "clip-rect": (
        '<span class="kx">{}</span>',
        ".kx{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    ),
    "white-on-white-inline": ('<span style="color:#fff;background:#fff">{}</span>', ""),
    "white-on-white-stylesheet": ('<span class="kx">{}</span>', "body{background:#ffffff} .kx{color:white}"),
    "white-on-white-in-media": (
        '<span class="kx">{}</span>',
        "@media screen and (min-width: 0) { body{background-color:rgb(255,255,255)} .kx{color:#FFF} }",
    ),
    "transparent-text": ('<span style="color:transparent">{}</span>', ""),
}


@pytest.mark.parametrize(("hide", "style"), TECHNIQUES.values(), ids=TECHNIQUES.keys())
def test_junk_hidden_between_every_word_is_neither_body_nor_line_but_hidden_text(
    hide: str, style: str
) -> None:
    assert_junk_hidden(page(junked(hide, style)))


def test_white_text_on_a_white_body_declared_by_attributes() -> None:
    assert_junk_hidden(page(junked('<font color="white">{}</font>', body='<body bgcolor="#FFFFFF">')))


def test_a_credit_hidden_by_a_stylesheet_class_is_not_a_line() -> None:
    result = page(f"""<html><head><style>.x{{display:none}}</style></head><body>
    <article><p>{VISIBLE}</p><p class="x">By The Associated Press</p><p>{SECOND}</p></article></body></html>""")
    assert not any("Associated Press" in line.text for line in result.lines)
    assert "Associated Press" not in result.text
    assert result.hidden_text == "By The Associated Press"


def test_a_credit_hidden_by_an_exact_rule_inside_media_that_always_applies() -> None:
    result = page(f"""<html><head><style>@media all {{ p.credit {{ visibility: hidden }} }}</style></head>
    <body><article><p>{VISIBLE}</p><p class="credit">(AP)</p></article></body></html>""")
    assert not any("(AP)" in line.text for line in result.lines)


# --------------------------------------------------------------------------- what stays visible


def test_responsive_bylines_shown_at_some_width_stay_visible_guard() -> None:
    style = """@media (max-width: 767.98px) { .desktop { display: none } }
    @media (min-width: 768px) { .mobile { display: none } }
    @media print { .story { display: none } }"""
    result = page(f"""<html><head><style>{style}</style></head><body><article class="story">
    <p class="mobile">By Jane Doe, AP</p><p class="desktop">By Jane Doe, Associated Press</p>
    <p>{VISIBLE}</p></article></body></html>""")
    texts = [line.text for line in result.lines]
    assert "By Jane Doe, AP" in texts and "By Jane Doe, Associated Press" in texts
    assert VISIBLE in result.text


def test_font_size_zero_parent_with_sized_children_stays_visible_guard() -> None:
    """The inline-block white-space trick: the parent's own text is unseen, not its children."""
    result = page(f"""<html><body><article><p>{VISIBLE}</p>
    <ul style="font-size:0"><li style="font-size:16px">Share this story</li> <li style="font-size:1rem">Print</li></ul>
    </article></body></html>""")
    texts = [line.text for line in result.lines]
    assert "Share this story" in texts and "Print" in texts


def test_rules_that_may_show_or_cannot_be_read_hide_nothing_guard() -> None:
    style = """.menu { display: none } .open .menu { display: block }
    .dim { color: #fff }
    .hero { color: #fff; background: #fff url(hero.jpg) }
    .odd { display: var(--hidden) } .half { opacity: .5 }
    a:hover .tip { display: none }"""
    result = page(f"""<html><head><style>{style}</style></head><body><article><p>{VISIBLE}</p>
    <p class="menu">Menu entry</p><p class="dim">Dim text</p><p class="hero">Hero text</p>
    <p class="odd">Odd text</p><p class="half">Half text</p><p class="tip">Tip text</p></article></body></html>""")
    texts = [line.text for line in result.lines]
    for shown in ("Menu entry", "Dim text", "Hero text", "Odd text", "Half text", "Tip text"):
        assert shown in texts


def test_a_hostile_stylesheet_is_read_in_linear_time_guard() -> None:
    nasty = (
        ("/*" + "a" * 10) * 20_000 + '"\\"' * 50_000 + "{" * 100_000 + ".a,.b{" * 20_000 + "@media (" * 10_000
    )
    started = time.perf_counter()
    result = page(
        f"<html><head><style>{nasty}</style><style>{nasty[::-1]}</style></head><body><p>{VISIBLE}</p></body></html>"
    )
    assert time.perf_counter() - started < 10
    assert VISIBLE in result.text


# --------------------------------------------------------------------------- deep nesting, srcdoc, SVG


@pytest.mark.parametrize("depth", [254, 5_000, 90_000])
def test_deeply_nested_story_keeps_its_text(depth: int) -> None:
    html = (
        "<html><head><style>.kx{display:none}</style></head><body>"
        + "<div>" * depth
        + f"<article><p>{VISIBLE.replace(' reopen ', ' <span class=kx>zq0x</span> reopen ')}</p><p>{SECOND}</p></article>"
        + "</div>" * depth
        + '<footer class="site-footer">Copyright 2024 The Associated Press</footer></body></html>'
    )
    result = page(html)
    lines = [line.text for line in result.lines]
    assert VISIBLE in result.text and SECOND in result.text
    assert VISIBLE in lines and "zq0x" not in result.text and result.hidden_text == "zq0x"
    assert [ln.where for ln in result.lines if "Copyright" in ln.text] == ["footer"]


def test_iframe_srcdoc_document_is_read_with_its_own_styles() -> None:
    inner = f'<style>.kx{{display:none}}</style><p>{VISIBLE}</p><p class="kx">zq0x</p><p>By The Associated Press</p>'
    srcdoc = inner.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    result = page(f"""<html><body><h1>Storm</h1><iframe srcdoc="{srcdoc}">fallback words</iframe>
    <p class="kx">Outer paragraph the inner style does not reach.</p></body></html>""")
    texts = [line.text for line in result.lines]
    assert VISIBLE in texts and "By The Associated Press" in texts
    assert "Outer paragraph the inner style does not reach." in texts
    assert VISIBLE in result.text
    assert "fallback" not in " ".join(texts) and "zq0x" not in " ".join(texts)
    assert result.hidden_text == "zq0x"


def test_svg_text_is_read_but_not_its_titles_or_hidden_text() -> None:
    result = page(f"""<html><body><article><p>{VISIBLE}</p>
    <svg width="300" height="80"><title>Tooltip only</title><desc>Described</desc>
    <text x="4" y="20">Reporting by <tspan font-weight="bold">The Associated Press</tspan></text>
    <text x="4" y="40" font-size="0">zq0x</text><text x="4" y="60" fill="none">zq1x</text>
    <defs><text y="10">Template text</text></defs></svg></article></body></html>""")
    texts = [line.text for line in result.lines]
    assert "Reporting by The Associated Press" in texts
    for unseen in ("Tooltip only", "Described", "zq0x", "zq1x", "Template text"):
        assert unseen not in " ".join(texts)
    assert result.hidden_text == "zq0x zq1x"


def test_a_jsonld_block_nested_1000_deep_is_skipped_and_the_page_analysed() -> None:
    deep = "[" * 1000 + "]" * 1000
    article = '{"@type": "NewsArticle", "author": {"name": "Ann Writer"}, "creditText": "AP"}'
    result = page(f"""<html><head><script type="application/ld+json">{deep}</script>
    <script type="application/ld+json">{{"a": {deep}}}</script>
    <script type="application/ld+json">{article}</script></head>
    <body><article><p>{VISIBLE}</p></article></body></html>""")
    assert VISIBLE in result.text
    assert result.meta["jsonld:author"] == "Ann Writer"
    assert result.jsonld == [{"@type": "NewsArticle", "author": {"name": "Ann Writer"}, "creditText": "AP"}]


def test_zero_width_and_bidi_controls_do_not_split_words_guard() -> None:
    """Held by ``text.normalize`` (every line and the body go through it), checked here on a page."""
    glued = "fire\u200dfighters re\u2060opened the\u200b port\u200e and\u202a the\u202c chan\u2066nels\u2069"
    reversed_credit = "\u202esserP detaicossA ehT yB\u202c"  # stored reversed
    result = page(
        f"<html><body><article><p>{VISIBLE}</p><p>Then {glued}.</p><p>{reversed_credit}</p></article></body></html>"
    )
    for words in (tokens(result.text), tokens(" ".join(line.text for line in result.lines))):
        assert {"firefighters", "reopened", "port", "channels"} <= set(words)
    assert any("By The Associated Press" in line.text for line in result.lines)


def test_a_paragraph_stored_reversed_under_an_override_reads_in_order_in_the_body() -> None:
    """trafilatura drops U+202E; the body is put in reading order before, and the page says
    it held reversed text (the override itself is gone, as ``text.normalize`` drops it)."""
    stored = "\u202e" + VISIBLE[::-1] + "\u202c"
    result = page(f"<html><body><article><p>{stored}</p><p>{SECOND}</p></article></body></html>")
    assert VISIBLE in result.text and SECOND in result.text and "\u202e" not in result.text
    assert VISIBLE in [line.text for line in result.lines]
    assert result.reversed_text
    assert not page(f"<html><body><p>{VISIBLE}</p><p>\u202e\u202c{SECOND}</p></body></html>").reversed_text


# --------------------------------------------------------------------------- through the command line


def _with_junk_between_words(html: str) -> str:
    """The seed page with two junk words hidden by a stylesheet class between every visible
    word of its paragraphs (distinct pairs, as a copier's would be)."""
    import itertools
    import re

    pool = [
        "amber",
        "quartz",
        "violet",
        "harbor",
        "meadow",
        "cinder",
        "falcon",
        "granite",
        "velvet",
        "orchid",
    ]
    pairs = itertools.cycle([(a, b) for a in pool for b in pool if a != b])

    def junk(m: re.Match[str]) -> str:
        words = m.group(2).split(" ")
        hidden = [f'<span class="kx">{a} {b}</span> {w}' for w, (a, b) in zip(words[1:], pairs, strict=False)]
        return m.group(1) + " ".join([words[0], *hidden]) + m.group(3)

    junked_html, count = re.subn(r"(<p>)(.*?)(</p>)", junk, html, flags=re.S)
    assert count >= 5
    return junked_html.replace("</head>", "<style>.kx { display: none }</style>\n</head>")


def test_cli_copy_with_junk_hidden_by_a_stylesheet_matches_as_the_clean_copy(
    capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path
) -> None:
    clean = SEEDS / "pages" / "ap-verbatim-stripped.html"
    junked_page = tmp_path / "junked.html"
    junked_page.write_text(_with_junk_between_words(clean.read_text(encoding="utf-8")), encoding="utf-8")
    matches = []
    for source in (clean, junked_page):
        _, out, _ = run_cli(capsys, "audit", str(source), "--db", corpus_db, "--format", "json", "--no-save")
        (doc,) = json.loads(out)["documents"]
        assert doc["status"] == "ok" and doc["match"], doc
        matches.append(doc["match"])
    before, after = matches
    assert after["story_id"] == before["story_id"]
    assert after["derivation"] in ("verbatim", "edited")
    assert (after["similarity"], after["coverage"]) == (before["similarity"], before["coverage"])
    quoted = " ".join(e["page"]["text"] for e in after["evidence"])
    assert not {"amber", "quartz", "violet", "harbor"} & set(
        tokens(quoted)
    )  # the evidence is what readers see
