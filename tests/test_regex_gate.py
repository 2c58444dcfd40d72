"""A gate never skips a search that would have matched, and attribution is unchanged by gates."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

import provenance.attribution as attribution
from provenance import regex_gate
from provenance.extract import ExtractionError, page_from_html
from provenance.model import Page
from provenance.packs import load_packs
from provenance.regex_gate import ALWAYS, any_of, gate

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "seeds" / "pages").glob("*.html")) + sorted(
    (ROOT / "tests" / "fixtures" / "html").glob("*.html")
)


def _literals(pattern: str, flags: int = 0) -> set[tuple[str, ...]]:
    return {
        tuple(sorted(lit for lit, _ in clause)) for clause in gate(re.compile(pattern, flags)).literal_clauses
    }


def test_literals_of_sequences_branches_and_groups() -> None:
    assert _literals(r"contributed\s+to") == {("contributed",), ("to",)}
    assert _literals(r"(?:The\s+)?(?:Associated\s+Press|AP)\b") == {("AP", "Associated")}
    assert _literals(r"x(?=\s*Reuters)") == {("Reuters",)}  # a lookahead reads the string too
    assert _literals(r"(?!Reuters)\w+") == set()  # a negative one requires nothing
    assert _literals(r"(?:Reuters)?\d+") == set()  # nor does an optional group
    assert _literals(r"\([cC]\)") == {("(c)",)}  # either case of one letter
    assert _literals(r"©") == {("©",)}


def test_case_blind_literals_are_checked_case_blind() -> None:
    g = gate(re.compile(r"(?i:contributed)"))
    assert g.allows("CONTRIBUTED to this report") and not g.allows("no credit here")
    assert gate(re.compile("reuters", re.IGNORECASE)).allows("REUTERS")
    # Beyond ASCII, lower-casing is not how re folds case: a gate does not judge.
    assert gate(re.compile(r"(?i:istanbul)")).allows("\u0130STANBUL")


def test_a_branch_with_a_free_alternative_requires_nothing() -> None:
    assert gate(re.compile(r"(?:Reuters|\d+)")) is not ALWAYS
    assert gate(re.compile(r"(?:Reuters|\d+)")).allows("4 dead") is True


def _pages() -> list[Page]:
    pages = []
    for path in PAGES:
        try:
            pages.append(page_from_html(path.read_bytes(), id=path.name, source=str(path)))
        except ExtractionError:  # fixtures of broken pages
            continue
    return pages


def _lines() -> list[str]:
    lines = [line.text for page in _pages() for line in page.lines]
    rng = random.Random(3)
    words = " ".join(lines).split()
    lines += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(400)]
    return lines


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return _lines()


def test_no_pack_pattern_matches_a_line_its_gate_refuses(lines: list[str]) -> None:
    refused = 0
    for pack in load_packs():
        patterns = [
            *pack.ignore,
            *pack.bylines,
            *pack.datelines,
            *pack.credits,
            *pack.prose_credits,
            *pack.contributors,
            *pack.companions,
            pack.notice.marker,
        ]
        for pattern in patterns:
            for text in lines:
                if not gate(pattern).allows(text):
                    refused += 1
                    assert pattern.search(text) is None, (pattern.pattern, text)
        whole = any_of(patterns[len(pack.ignore) :])
        for text in lines:
            if not whole.allows(text):
                assert not any(p.search(text) for p in patterns[len(pack.ignore) :]), text
    assert refused > 1000  # the gates do skip most searches


def test_detect_finds_the_same_signals_without_gates(monkeypatch: pytest.MonkeyPatch) -> None:
    packs = load_packs()
    pages = _pages()
    gated = [attribution.detect(p.lines, p.meta, packs) for p in pages]
    monkeypatch.setattr(attribution, "gate", lambda _pattern: regex_gate.ALWAYS)
    monkeypatch.setattr(attribution, "_pack_gate", lambda _pack: regex_gate.ALWAYS)
    assert [attribution.detect(p.lines, p.meta, packs) for p in pages] == gated
