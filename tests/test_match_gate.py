"""Issue 15, item 6: the candidates :class:`provenance.match._Gate` turns away are exactly ones
no alignment would have matched, and the outline a text is tokenised from is its tokens.

Held on seeded mixtures of a story's sentences, spun and cut copies, other stories and
random sentences sharing set phrases; and, when ../shared is present, on every query and
reference of the real ``wire-copies`` pages.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from provenance import match
from provenance.evidence import FREE_WORDS, Tokens, evidence_bound, outline, stem_grams, tokenize
from provenance.model import Story
from provenance.spinner import spin
from provenance.text import (
    FUNCTION_WORDS,
    in_skeleton,
    normalize,
    quoted_ranges,
    sentences,
    stem_words,
    token_spans,
)

FIXTURES = Path(__file__).parent / "fixtures" / "match"
STORY_TEXT = normalize((FIXTURES / "story.txt").read_text(encoding="utf-8"))
INDEPENDENT = normalize((FIXTURES / "independent.txt").read_text(encoding="utf-8"))
WIRE_COPIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "wire-copies"

PHRASES = [
    "said in a statement on Monday",
    "for the first time in",
    "at the end of the year",
    "one of the most",
    "the police said",
    "according to the ministry",
    '"We will not give up," she said.',
    "12 people were killed",
]
WORDS = [
    "the",
    "a",
    "of",
    "in",
    "on",
    "to",
    "river",
    "council",
    "vote",
    "fire",
    "city",
    "said",
    "police",
    "monday",
    "two",
    "12",
    "new",
    "report",
]


def _tokenize_before(text: str) -> Tokens:
    """``evidence.tokenize`` as it was, in one loop, before the outline was split off it."""
    quoted = quoted_ranges(text)
    qi = 0
    words, starts, ends, sentence, in_quote, skeleton, fact, spans = [], [], [], [], [], [], [], []
    for number, span in enumerate(sentences(text)):
        spans.append((span.start, span.end))
        for word, start, end in token_spans(span.text):
            pos = span.start + start
            while qi < len(quoted) and quoted[qi][1] <= pos:
                qi += 1
            words.append(word)
            starts.append(pos)
            ends.append(span.start + end)
            sentence.append(number)
            in_quote.append(qi < len(quoted) and quoted[qi][0] <= pos < quoted[qi][1])
            kept = in_skeleton(text, word, pos)
            skeleton.append(kept)
            fact.append(kept and word not in FUNCTION_WORDS)
    return Tokens(
        tuple(words),
        tuple(stem_words(words)),
        tuple(starts),
        tuple(ends),
        tuple(sentence),
        tuple(in_quote),
        tuple(skeleton),
        tuple(fact),
        tuple(spans),
    )


def _random_sentence(rng: random.Random) -> str:
    parts = [
        rng.choice(PHRASES) if rng.random() < 0.3 else rng.choice(WORDS) for _ in range(rng.randint(3, 16))
    ]
    return " ".join(parts).capitalize() + "."


def _texts(seed: int, count: int) -> list[str]:
    """Pages and stories alike: pieces of the fixture story (as is, spun, cut), of an
    independent report of its event, and random sentences full of set phrases."""
    rng = random.Random(seed)
    story_sentences = [s.text for s in sentences(STORY_TEXT)]
    other = [s.text for s in sentences(INDEPENDENT)]
    out = []
    for n in range(count):
        pieces: list[str] = []
        for _ in range(rng.randint(0, 12)):
            roll = rng.random()
            if roll < 0.35:
                pieces.append(rng.choice(story_sentences))
            elif roll < 0.55:
                pieces.append(rng.choice(other))
            else:
                pieces.append(_random_sentence(rng))
        text = " ".join(pieces)
        if n % 3 == 0:
            text = spin(text, rate=rng.choice((0.3, 0.6)), seed=n).text
        out.append(normalize(text))
    return [*out, STORY_TEXT, INDEPENDENT, ""]


def _hostile(seed: int, count: int = 300) -> list[str]:
    """Short strings of odd spaces, marks, dots and quotes, normalised as pages are."""
    rng = random.Random(seed)
    alphabet = "ab Z9 U.S. \t\n\n\x1c\x1f.!?-'\"_,é\u00a0\u2019\u201c\u200bİ"
    return [normalize("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(2))
def test_tokens_are_read_from_the_outline_as_before(seed: int) -> None:
    for text in [*_texts(seed, 40), *_hostile(seed)]:
        assert tokenize(text) == _tokenize_before(text)
        words = outline(text)
        assert tokenize(text, words) == _tokenize_before(text)
        assert (words.words, words.stems, words.sentence) == (
            tokenize(text).words,
            tokenize(text).stems,
            tokenize(text).sentence,
        )


def _assert_exact(page_text: str, story_texts: list[str]) -> int:
    """Every story the gate turns away has no derivation (and no pair); returns how many it turned away."""
    page_words = outline(page_text)
    gate = match._Gate.of(page_words)
    page = match.prepare(page_text, page_words)
    refused = 0
    for text in story_texts:
        words = outline(text)
        alignment = match.align(page_text, text, page, match.prepare(text, words))
        assert alignment.evidence.copied <= evidence_bound(words.stems, stem_grams(page_words.stems))
        if not gate.admits(words):
            refused += 1
            assert alignment.derivation() is None and not alignment.pairs, (page_text[:80], text[:80])
    return refused


@pytest.mark.parametrize("seed", range(3))
def test_the_gate_turns_away_only_candidates_without_a_derivation(seed: int) -> None:
    texts = _texts(seed, 30)
    refused = sum(_assert_exact(page, texts) for page in texts)
    assert refused  # and it does turn some away


def test_the_evidence_bound_of_a_copy_is_its_stretches_of_shared_grams() -> None:
    words = outline(STORY_TEXT)
    assert (
        evidence_bound(words.stems, stem_grams(words.stems)) == len(words.stems) - FREE_WORDS
    )  # one stretch
    assert evidence_bound(words.stems, frozenset()) == 0
    assert evidence_bound((), stem_grams(words.stems)) == 0


def test_match_all_gives_what_it_gives_without_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts(7, 24)
    stories = [Story(id=f"s{i}", agency="AP", text=t) for i, t in enumerate(texts)]
    rng = random.Random(7)
    pages = [*texts[:12], spin(STORY_TEXT, rate=0.5, seed=2).text]
    candidates = [rng.sample(stories, 8) for _ in pages]
    gated = [match.match_all(page, cands) for page, cands in zip(pages, candidates, strict=True)]
    monkeypatch.setattr(match._Gate, "admits", lambda self, story: True)
    assert gated == [match.match_all(page, cands) for page, cands in zip(pages, candidates, strict=True)]
    assert any(gated)  # some pages do match


@pytest.mark.skipif(not WIRE_COPIES.is_dir(), reason="shared/data/wire-copies is not present")
def test_the_gate_is_exact_on_the_real_copies() -> None:
    import json

    refused = pairs = 0
    for folder in sorted(p for p in WIRE_COPIES.iterdir() if (p / "references.jsonl").is_file()):
        with (folder / "references.jsonl").open(encoding="utf-8") as f:
            references = [normalize(json.loads(line)["text"]) for line in f if line.strip()]
        with (folder / "queries.jsonl").open(encoding="utf-8") as f:
            queries = [normalize(json.loads(line)["text"]) for line in f if line.strip()]
        for query in queries:
            refused += _assert_exact(query, references)
            pairs += len(references)
    assert pairs and refused > pairs // 2  # most pairs are of other events: turned away
