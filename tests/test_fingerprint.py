"""The vectorised simhash against the reference package, and the fingerprint schemes."""

from __future__ import annotations

import random

import numpy as np
import pytest
from simhash import Simhash

from provenance.fingerprint import (
    SCHEMES,
    TokenHasher,
    fingerprint_text,
    hamming,
    hash_strings,
    shingle_hashes,
    simhash,
    to_signed,
    to_unsigned,
)
from provenance.text import shingles, tokens

TEXT = (
    "The central bank raised its benchmark rate by a quarter point on Tuesday, citing stubborn "
    "inflation in services and a labour market that has barely cooled since the spring."
)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_bit_identical_to_reference_on_shingles(n: int) -> None:
    features = shingles(tokens(TEXT), n)
    assert simhash(hash_strings(features)) == Simhash(features).value


def test_bit_identical_to_reference_with_weights() -> None:
    rng = random.Random(7)
    features = [f"feature-{i}" for i in range(500)]
    weights = [rng.randint(1, 80) for _ in features]  # above and below the reference's batching cut-off
    ours = simhash(hash_strings(features), np.array(weights))
    assert ours == Simhash(list(zip(features, weights, strict=True))).value


def test_bit_identical_on_many_random_texts() -> None:
    rng = random.Random(3)
    vocab = tokens(TEXT) + [f"w{i}" for i in range(300)]
    for _ in range(50):
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 400))]
        features = shingles(words, 3)
        assert simhash(hash_strings(features)) == Simhash(features).value


def test_signed_storage_round_trip() -> None:
    for value in (0, 1, 2**63 - 1, 2**63, 2**64 - 1):
        stored = to_signed(value)
        assert -(2**63) <= stored < 2**63
        assert to_unsigned(stored) == value


def test_shingle_hashes_are_order_sensitive() -> None:
    h = TokenHasher()
    a = shingle_hashes(h(["a", "b", "c"]), 3)
    b = shingle_hashes(h(["c", "b", "a"]), 3)
    assert a.size == b.size == 1 and a[0] != b[0]


def test_near_copies_are_near_and_other_texts_far() -> None:
    edited = TEXT.replace("Tuesday", "Wednesday")
    other = "A wildfire forced thousands to flee their homes in the hills above the city on Sunday night."
    doc = {fp.scheme: fp.value for fp in fingerprint_text(TEXT * 3) if fp.level == "document"}
    near = {fp.scheme: fp.value for fp in fingerprint_text(edited * 3) if fp.level == "document"}
    far = {fp.scheme: fp.value for fp in fingerprint_text(other * 6) if fp.level == "document"}
    assert hamming(doc["shingle3"], near["shingle3"]) <= 12
    assert hamming(doc["shingle3"], far["shingle3"]) > 12


def test_every_fingerprint_names_its_scheme_and_version() -> None:
    fps = fingerprint_text(TEXT + "\n\n" + TEXT)
    assert {fp.scheme_key for fp in fps} <= {s.key for s in SCHEMES}
    assert {fp.level for fp in fps} == {"document", "paragraph", "sentence", "anchor"}
    para = [fp for fp in fps if fp.level == "paragraph"]
    assert [fp.position for fp in para] == [0, 1]


def test_batch_equals_one_by_one() -> None:
    from provenance.fingerprint import simhash_batch

    rng = np.random.default_rng(5)
    sets = [
        rng.integers(0, 2**63, size=n, dtype=np.uint64) * np.uint64(2)
        for n in (0, 1, 2, 7, 64, 300, 0, 5, 70_000)
    ]  # 70,000: past the 16-bit lanes
    assert simhash_batch(sets).tolist() == [simhash(s) for s in sets]
    assert simhash_batch([]).size == 0


def test_many_equals_one_by_one() -> None:
    from provenance.fingerprint import simhash_many

    h = TokenHasher()
    rng = random.Random(9)
    vocab = [f"w{i}" for i in range(50)]
    sizes = [0, 1, 2, 3, 5, 40, 200, 20_000]  # 20,000: texts that span cache-sized chunks
    lists = [[rng.choice(vocab) for _ in range(rng.choice(sizes))] for _ in range(60)]
    want = [simhash(shingle_hashes(h(w), 3)) if w else 0 for w in lists]
    assert simhash_many(lists).tolist() == want


def test_fingerprint_text_equals_fingerprinting_each_span_on_its_own() -> None:
    """Tokenising once and slicing gives exactly what tokenising every span would."""
    import json
    from pathlib import Path

    from provenance.fingerprint import SCHEMES, anchors, fingerprint_text, simhash_batch
    from provenance.text import Span, normalize, paragraphs, sentences

    stories = Path(__file__).resolve().parent.parent / "seeds" / "wire" / "stories.jsonl"
    texts = [
        json.loads(line)["text"] for line in stories.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    texts += [
        "He said so (in private.) Officials Later denied it. The U.S. Senate met at 9 a.m. on Monday.\n\n"
        'She asked: "Why?" Nobody In the room answered her question about the Budget of 2024.',
        "short.",
        "",
    ]
    for text in (normalize(t) for t in texts):
        want = []
        levels = {
            "document": [Span(0, len(text), text)],
            "paragraph": paragraphs(text),
            "sentence": sentences(text),
            "anchor": anchors(text),
        }
        for scheme in SCHEMES:
            for level in scheme.levels:
                kept = [
                    (i, sp)
                    for i, sp in enumerate(levels[level])
                    if scheme.features(sp.text).size >= scheme.min_tokens
                ]
                values = simhash_batch([scheme.features(sp.text) for _, sp in kept])
                want += [
                    (scheme.name, level, i, sp.start, sp.end, int(v))
                    for (i, sp), v in zip(kept, values, strict=True)
                ]
        got = [
            (fp.scheme, fp.level, fp.position, fp.start, fp.end, fp.value) for fp in fingerprint_text(text)
        ]
        assert got == want


def test_a_passage_shared_anywhere_gives_both_texts_an_anchor() -> None:
    """Winnowing's guarantee: any eight words in a row that two texts share give one anchor to both,
    whatever surrounds them and wherever sentences break; inflections do not matter (stems)."""
    from provenance.fingerprint import ANCHOR_WINDOW, ANCHOR_WORDS
    from provenance.text import normalize

    def anchor_values(text: str) -> set[int]:
        return {fp.value for fp in fingerprint_text(normalize(text)) if fp.level == "anchor"}

    rng = random.Random(3)
    vocab = [f"word{i}" for i in range(400)]
    passage = "the freighter lost power and rammed into a support of the bridge before dawn"
    shared = ANCHOR_WINDOW + ANCHOR_WORDS - 1
    passage = " ".join(passage.split()[:shared])  # exactly as long as the guarantee
    for trial in range(50):
        before = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 40)))
        after = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 40)))
        other = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 40)))
        story = f"{before} {passage}. {after}"
        page = f"{other}. {passage.replace('rammed', 'rams').capitalize()} {after[:20]}"
        assert anchor_values(story) & anchor_values(page), trial


def test_fingerprinting_texts_together_equals_one_by_one() -> None:
    """A corpus load's workers fingerprint a task's stories in one go: every text gets exactly
    the rows it gets alone, whatever its neighbours (short ones, empty ones, long ones)."""
    from provenance.fingerprint import fingerprint_rows, fingerprint_rows_many

    rng = random.Random(17)
    vocab = [f"w{i}" for i in range(40)] + ["The", "Senate", "said", "on", "Monday", "2024", "a.m."]

    def text() -> str:
        words = [rng.choice(vocab) for _ in range(rng.choice([0, 1, 4, 5, 6, 8, 9, 30, 400]))]
        return ". ".join(" ".join(words[i : i + 9]) for i in range(0, len(words), 9))

    texts = [text() for _ in range(120)]
    for size in (1, 2, 7, 120):
        for start in range(0, len(texts), size):
            batch = texts[start : start + size]
            assert fingerprint_rows_many(batch) == [fingerprint_rows(t) for t in batch]
    assert fingerprint_rows_many([]) == []
    assert sum(len(rows) for rows in fingerprint_rows_many(texts)) > 1000  # the test has teeth
