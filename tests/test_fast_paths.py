"""Issue 15, item 6: the fast paths taken for speed give exactly what the general code gives.

Each shortcut (ASCII text, cached class-name tests, cached URL splitting, gates hoisted out of
the line scan) is held, on seeded random inputs, to a copy of the code it replaced; the
caches across pages keep nothing long (:mod:`provenance.memo`). That whole pages stay the
same is ``eval/identical.py``'s to show, on the real pages of ../shared.
"""

from __future__ import annotations

import random
import re
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from provenance import links, text, visible
from provenance.attribution import detect
from provenance.memo import short_text_cache
from provenance.model import TextLine
from provenance.packs import load_packs

_ALPHABET = "ab Z9 \t\n\r\f\v\x0b\x1c\x1d\x1e\x1f.-'_,é\u00a0\u2019\u200b"


def _strings(seed: int, count: int = 500, ascii_only: bool = False) -> list[str]:
    rng = random.Random(seed)
    alphabet = "".join(c for c in _ALPHABET if c.isascii()) if ascii_only else _ALPHABET
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(count)]


def _normalize_before(value: str) -> str:
    """``text.normalize`` of ASCII text as it was, without the one-line shortcut."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in value.split("\n")]
    return re.sub(r"\n\s*\n+", "\n\n", "\n".join(lines)).strip()


@pytest.mark.parametrize("seed", range(3))
def test_normalize_of_one_ascii_line_is_the_general_one(seed: int) -> None:
    for value in _strings(seed, ascii_only=True):
        assert text.normalize(value) == _normalize_before(value), repr(value)


@pytest.mark.parametrize("seed", range(3))
def test_one_line_of_ascii_text_is_normalized_then_split(seed: int) -> None:
    for value in [*_strings(seed, ascii_only=True), *_strings(seed + 10)]:
        assert visible.one_line(value) == " ".join(text.normalize(value).split()), repr(value)


@pytest.mark.parametrize("seed", range(3))
def test_token_spans_of_ascii_text_are_the_per_word_ones(seed: int) -> None:
    rng = random.Random(seed)
    words = ["Reuters", "AP's", "U.S.", "x-ray", "2019", "Ünïcode", "ΑΒΓ", "_x_", "it's", "e.g."]
    for _ in range(300):
        value = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        expected = [(text._token(m.group()), m.start(), m.end()) for m in text._WORD.finditer(value)]
        assert text.token_spans(value) == expected, repr(value)


def test_cached_class_and_landmark_tests_read_like_the_markup() -> None:
    page = lxml_html.fromstring(
        "<div><p class='sr-only'>a</p><p class='hidden md:block'>b</p><p class='Hidden'>c</p>"
        "<div class='site-footer'>d</div><div id='masthead'>e</div><div class='footerless'>f</div>"
        "<figure class='photo-credit'>g</figure><p>h</p><p class='sr-only'>i</p></div>"
    )
    hidden = [el.text for el in page.iter("p") if visible._hidden_by_markup(el)]
    assert hidden == ["a", "c", "i"]
    where = {el.text: visible.landmark(el, el.tag) for el in page.iter("div") if el.text}
    assert where == {"d": "footer", "e": "header", "f": "footer"}
    assert visible.line_role(page.find("figure"), "figure", "text", lambda _: True) == "caption"


def test_cached_url_splitting_gives_what_splitting_gives() -> None:
    for url in ["https://www.Reuters.com/a/?x=1", "http://apnews.com", "http://[::1", "", "//x.org/p/"]:
        try:
            host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        except ValueError:
            host = ""
        assert links.host_of(url) == links.host_of(url) == host
    assert links.url_key("https://WWW.apnews.com/article/x/") == "apnews.com/article/x"
    assert links._resolve("https://a.org/b/", "../c") == "https://a.org/c"
    assert links._resolve("https://a.org/", "ftp://a.org/x") is None


def test_hoisted_pack_gates_find_the_same_signals() -> None:
    packs = load_packs()
    lines = [
        TextLine("By Jane Doe, Associated Press", "header", 1),
        TextLine("WASHINGTON (AP) — The Senate voted on Tuesday.", "body", 2),
        TextLine("Reporting by John Smith; Editing by Ann Lee", "body", 3),
        TextLine("Copyright 2024 The Associated Press. All rights reserved.", "footer", 4),
        TextLine("Nothing to see here", "body", 5),
    ]
    found = [(s.kind, s.agency, s.line) for s in detect(lines, {}, packs).signals]
    assert found == [
        ("byline", "AP", 1),
        ("dateline", "AP", 2),
        ("contributor", "Reuters", 3),
        ("notice", "AP", 4),
    ]


def test_short_text_cache_keeps_short_calls_only() -> None:
    calls: list[str] = []

    @short_text_cache(maxsize=4, max_chars=10)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert [shout("abc"), shout("abc"), shout("x" * 11), shout("x" * 11)] == [
        "ABC",
        "ABC",
        "X" * 11,
        "X" * 11,
    ]
    assert calls == ["abc", "x" * 11, "x" * 11]  # the long one is computed each time, never kept
    assert shout.cache_info().currsize == 1  # type: ignore[attr-defined]
