"""Issue 13: a copy dressed to hide from matching still matches, and says how it hid.

The variants are made here from the seed page ``ap-verbatim-stripped.html`` (a verbatim copy
of a demo story), as a copier would make them: the text nodes changed, the markup kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SEEDS, run_cli

from provenance.text import mixed_script, normalize, tokens

SEED = SEEDS / "pages" / "ap-verbatim-stripped.html"
LOOKALIKES = str.maketrans("aeopcxy", "аеорсху")  # Cyrillic letters drawn like Latin ones


def _text_nodes(html: str, change) -> str:  # type: ignore[no-untyped-def]
    """The page with every text node between tags changed (scripts and styles left alone)."""
    return re.sub(r">([^<]+)<", lambda m: ">" + change(m.group(1)) + "<", html)


def _audit(tmp_path: Path, html: str, corpus_db: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    page = tmp_path / "variant.html"
    page.write_text(html, encoding="utf-8")
    _, out, _ = run_cli(capsys, "audit", str(page), "--format", "json", "--db", corpus_db)
    (document,) = json.loads(out)["documents"]
    return document


@pytest.fixture
def original(tmp_path: Path, corpus_db: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    return _audit(tmp_path, SEED.read_text(encoding="utf-8"), corpus_db, capsys)


def test_the_original_matches_and_is_no_manipulation(original: dict) -> None:  # type: ignore[type-arg]
    assert original["match"]["derivation"] == "verbatim"
    assert "MANIPULATION" not in {f["rule"] for f in original["findings"]}


@pytest.mark.parametrize("every", [1, 3])  # all words, or about a third of them
def test_lookalike_letters_still_match_and_are_named(
    every: int,
    original: dict,
    tmp_path: Path,
    corpus_db: str,
    capsys: pytest.CaptureFixture[str],  # type: ignore[type-arg]
) -> None:
    def swap(text: str) -> str:
        words = text.split(" ")
        return " ".join(w.translate(LOOKALIKES) if i % every == 0 else w for i, w in enumerate(words))

    document = _audit(tmp_path, _text_nodes(SEED.read_text(encoding="utf-8"), swap), corpus_db, capsys)
    assert document["match"]["story_id"] == original["match"]["story_id"]
    (finding,) = [f for f in document["findings"] if f["rule"] == "MANIPULATION"]
    assert finding["severity"] == "error" and "letters of another script" in finding["message"]
    rules = sorted(f["rule"] for f in document["findings"] if f["rule"] != "MANIPULATION")
    assert rules == sorted(f["rule"] for f in original["findings"])  # the same verdict otherwise


def test_reversed_text_under_an_override_still_matches_and_is_named(
    original: dict,
    tmp_path: Path,
    corpus_db: str,
    capsys: pytest.CaptureFixture[str],  # type: ignore[type-arg]
) -> None:
    def reverse(text: str) -> str:
        return "\u202e" + text[::-1] + "\u202c" if len(text.split()) > 5 else text

    document = _audit(tmp_path, _text_nodes(SEED.read_text(encoding="utf-8"), reverse), corpus_db, capsys)
    assert document["match"]["story_id"] == original["match"]["story_id"]
    (finding,) = [f for f in document["findings"] if f["rule"] == "MANIPULATION"]
    assert "right-to-left override" in finding["message"]


def test_invisible_characters_inside_words_do_not_split_them() -> None:
    text = normalize("cop\u200cy de\u200dtected by the\u2060 checker\u200e today\u202a")
    assert tokens(text) == ["copy", "detected", "by", "the", "checker", "today"]


def test_a_russian_word_is_not_a_mixed_one() -> None:
    assert not mixed_script("Москва") and mixed_script("Mоscow")


# --------------------------------------------------------------------------- hidden, buried, framed

JUNK = ["amber", "quartz", "violet", "harbor", "meadow", "cinder", "falcon", "granite"]


def _woven_junk(html: str) -> str:
    """Two junk words hidden by the page's stylesheet between every visible word of the story."""

    def weave(m: re.Match[str]) -> str:
        words = m.group(2).split(" ")
        woven = [
            f'{w} <span class="kx">{JUNK[i % 8]} {JUNK[(i + 3) % 8]}</span>' for i, w in enumerate(words)
        ]
        return m.group(1) + " ".join(woven) + m.group(3)

    html = re.sub(r"(<p>)([^<]+)(</p>)", weave, html)
    return html.replace("</head>", "<style>.kx { display: none }</style></head>")


def _buried(html: str) -> str:
    """The article wrapped in 300 nested elements."""
    return html.replace("<article>", "<div>" * 300 + "<article>").replace(
        "</article>", "</article>" + "</div>" * 300
    )


def _framed(html: str) -> str:
    """The article moved into an ``<iframe srcdoc>`` document."""
    start, end = html.index("<article>"), html.index("</article>") + len("</article>")
    inner = html[start:end].replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return html[:start] + f'<iframe srcdoc="{inner}"></iframe>' + html[end:]


@pytest.mark.parametrize(
    ("variant", "named"),
    [
        (_woven_junk, "hidden words woven into"),
        (_buried, "content nested"),
        (_framed, "inside an iframe srcdoc document"),
    ],
    ids=["hidden-junk", "deep-nesting", "iframe-srcdoc"],
)
def test_a_copy_hidden_buried_or_framed_still_matches_and_is_named(
    variant,  # type: ignore[no-untyped-def]
    named: str,
    original: dict,  # type: ignore[type-arg]
    tmp_path: Path,
    corpus_db: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _audit(tmp_path, variant(SEED.read_text(encoding="utf-8")), corpus_db, capsys)
    assert document["match"]["story_id"] == original["match"]["story_id"]
    (finding,) = [f for f in document["findings"] if f["rule"] == "MANIPULATION"]
    assert finding["severity"] == "error" and named in finding["message"], finding["message"]


def test_hidden_blocks_of_a_real_page_are_no_manipulation(
    original: dict,  # type: ignore[type-arg]
    tmp_path: Path,
    corpus_db: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Menus, dialogs and templates a page hides are blocks of their own, however long."""
    menu = "<ul>" + "".join(f"<li>Section {w} news and more {w} stories</li>" for w in JUNK * 20) + "</ul>"
    html = SEED.read_text(encoding="utf-8").replace(
        "<main>",
        f'<div style="display:none" class="mega-menu">{menu}</div><dialog><p>{" ".join(JUNK * 40)}</p></dialog><main>',
    )
    document = _audit(tmp_path, html, corpus_db, capsys)
    assert document["match"]["story_id"] == original["match"]["story_id"]
    assert "MANIPULATION" not in {f["rule"] for f in document["findings"]}
