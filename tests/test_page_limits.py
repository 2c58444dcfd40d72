"""Issue 13: a page past what an article can be is refused loudly, in bounded time and memory;
normalising is bounded and idempotent (the floods and expanders of the fuzz harness)."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from conftest import run_cli

from provenance.attribution import detect
from provenance.extract import ExtractionError, page_from_html, page_from_text
from provenance.limits import MAX_CHARS, MAX_ELEMENTS, MAX_LINES, nfkc_size
from provenance.markdown import page_from_markdown
from provenance.model import TextLine
from provenance.packs import load_packs
from provenance.text import normalize, stream_safe

STORY = "Officials said the bridge would reopen on Monday after repairs, the ministry said."


def test_a_million_paragraphs_are_refused_before_parsing() -> None:
    html = "<html><body>" + "<p>x</p>" * (MAX_ELEMENTS + 1) + "</body></html>"
    with pytest.raises(ExtractionError, match=r"too large to audit: 100,00\d elements \(at most 100,000"):
        page_from_html(html, id="p", source="p.html")


def test_text_past_the_limit_is_refused_in_every_format() -> None:
    flood = "word " * (MAX_CHARS // 5 + 1)
    for build in (page_from_text, page_from_markdown):
        with pytest.raises(ExtractionError, match="characters of text"):
            build(flood, id="p", source="p")
    with pytest.raises(ExtractionError, match="characters of text"):
        page_from_html(f"<html><body><p>{flood}</p></body></html>", id="p", source="p.html")


def test_too_many_short_lines_are_refused() -> None:
    with pytest.raises(ExtractionError, match=r"20,001 lines of text \(at most 20,000"):
        page_from_text("a\n" * (MAX_LINES + 1), id="p", source="p.txt")


def test_an_nfkc_expander_is_counted_as_it_will_expand() -> None:
    bomb = "\ufdfa" * 60_000  # 60,000 characters; NFKC makes each 18
    assert nfkc_size(bomb) == 1_080_000 == len(unicodedata.normalize("NFKC", bomb))
    with pytest.raises(ExtractionError, match="1,080,000 characters of text"):
        page_from_text(bomb, id="p", source="p.txt")
    with pytest.raises(ExtractionError, match="1,080,000 characters of text"):
        page_from_html(f"<html><body><p>{bomb}</p></body></html>", id="p", source="p.html")


def test_a_page_just_under_the_limits_is_read() -> None:
    page = page_from_text((STORY + "\n\n") * 100 + "\ufdfa" * 100, id="p", source="p.txt")
    assert STORY in page.text


def test_a_long_run_of_combining_marks_is_cut_not_sorted_for_seconds() -> None:
    text = "a" + "\u0301\u0316" * 50_000 + " bridge"
    started = time.perf_counter()
    clean = normalize(text)
    assert time.perf_counter() - started < 5  # NFKC over the whole run took 4 s a call
    assert clean.endswith(" bridge")
    assert sum(1 for c in clean if unicodedata.combining(c)) <= 30  # NFKC composes "á" from one
    assert stream_safe("e\u0301") == "e\u0301"


def test_normalising_twice_changes_nothing() -> None:
    samples = [
        "The \u202edias slaiciffo\u202c today",
        "\u202eSSERP DETAICOSSA EHT YB",
        "ﬁne \ufdfa “quoted” — dash\u00a0space",
        "e\u0301" + "\u0301" * 40,
    ]
    for text in samples:
        once = normalize(text)
        assert normalize(once) == once


def test_a_credit_stored_reversed_is_read_as_a_reader_sees_it() -> None:
    (ap,) = [p for p in load_packs() if p.id == "AP"]
    line = TextLine(normalize("\u202eSSERP DETAICOSSA EHT YB"), "body", 1)
    assert line.text == "BY THE ASSOCIATED PRESS"
    assert detect([line], {}, [ap]).credits("AP")


def test_more_invisible_characters_are_dropped() -> None:
    hidden = "\u202d\u2061\u2062\u2063\u2064\u180e\u034f\U000e0001\U000e0041"
    assert normalize(f"co{hidden}py") == "copy"


def test_an_oversized_page_fails_the_run_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "flood.txt").write_text("a\n" * (MAX_LINES + 1), encoding="utf-8")
    (tmp_path / "story.txt").write_text(STORY + "\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "extract", str(tmp_path), "--format", "json")
    assert code == 2
    assert "flood.txt: too large to audit: 20,001 lines of text" in err
    assert STORY in out


def test_max_size_caps_local_files_as_it_caps_fetched_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "long.txt"
    page.write_text((STORY + "\n\n") * 7_000, encoding="utf-8")  # 600 KB, within the page limits
    code, _, err = run_cli(capsys, "extract", str(page), "--format", "json", "--max-size", "0.5")
    assert code == 2 and "long.txt: too large: more than 512 KB" in err
    code, out, _ = run_cli(capsys, "extract", str(page), "--format", "json")
    assert code == 0 and STORY in out


def test_a_line_of_overrides_without_words_is_scanned_once() -> None:
    started = time.perf_counter()
    page = page_from_text("\u202e!" * 200_000 + "\nThe story.", id="p", source="p.txt")
    assert time.perf_counter() - started < 5  # once per override: minutes
    assert not page.reversed_text
