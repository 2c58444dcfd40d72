"""Retrieval by passages: one shared sentence nominates its story, whatever surrounds it.

A long page (a round-up, a live blog, a page with its navigation) that copies one sentence
of a long story must make that story a candidate among many others, in memory and through
the database's block keys alike.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from provenance import corpus_store, lookup, retrieval, store
from provenance.fingerprint import fingerprint_text
from provenance.model import Story
from provenance.text import normalize

FIXTURES = Path(__file__).parent / "fixtures" / "match"
STORY_TEXT = normalize((FIXTURES / "story.txt").read_text(encoding="utf-8"))
SENTENCE = (
    "Economists estimate that each day of the stoppage costs the regional economy roughly $85 million, "
    "and retailers have begun rerouting cargo to smaller ports further south."
)
VOCAB = [
    f"{stem}{n}" for stem in ("harbor", "council", "market", "river", "school", "vote") for n in range(60)
]


def filler(rng: random.Random, paragraphs: int) -> str:
    return "\n\n".join(
        " ".join(rng.choice(VOCAB) for _ in range(rng.randint(30, 60))) + "." for _ in range(paragraphs)
    )


def corpus(rng: random.Random) -> list[tuple[int, Story]]:
    long_story = f"{filler(rng, 10)}\n\n{STORY_TEXT}\n\n{filler(rng, 10)}"
    others = [(n, Story(id=f"other-{n}", agency="AP", text=normalize(filler(rng, 8)))) for n in range(2, 120)]
    return [(1, Story(id="strike", agency="AP", text=normalize(long_story))), *others]


def page_with_one_sentence(rng: random.Random) -> str:
    return normalize(
        f"Menu Home News Sport\n\n{filler(rng, 30)}\n\n{SENTENCE}\n\n{filler(rng, 30)}\n\nCopyright"
    )


def test_one_shared_sentence_nominates_its_story_in_memory() -> None:
    rng = random.Random(4)
    index = retrieval.CorpusIndex((n, fingerprint_text(s.text)) for n, s in corpus(rng))
    page = page_with_one_sentence(rng)
    fingerprints = fingerprint_text(page)
    hits = index.near(fingerprints)
    assert retrieval.select(hits, fingerprints)[:1] == [1]
    anchors_only = [fp for fp in fingerprints if fp.scheme_key == "anchor5/1"]
    assert retrieval.select(index.near(anchors_only), anchors_only)[:1] == [1]  # the passage alone does it


def test_one_shared_sentence_nominates_its_story_through_the_database(db_url: str) -> None:
    rng = random.Random(5)
    factory = store.open_database(db_url)
    stories = corpus(rng)
    with store.transaction(factory) as session:
        done = corpus_store.upsert_stories(session, [(s, fingerprint_text(s.text)) for _, s in stories])
    row_of = {s.id: o.row_id for (_, s), o in zip(stories, done, strict=True)}
    page = page_with_one_sentence(rng)
    fingerprints = fingerprint_text(page)
    with factory() as session:
        hits = lookup.near_fingerprints(session, fingerprints)
    assert retrieval.select(hits, fingerprints)[:1] == [row_of["strike"]]


def test_the_database_lookup_keeps_exactly_the_candidates_within_k(db_url: str) -> None:
    """Queries a few bits off stored fingerprints share block keys with many stored rows,
    within ``k`` and beyond it: the database lookup keeps the same ones as the in-memory
    index (the distances are checked in SQL on both backends, :mod:`provenance.lookup`)."""
    rng = random.Random(11)
    stories = corpus(rng)
    factory = store.open_database(db_url)
    with store.transaction(factory) as session:
        done = corpus_store.upsert_stories(session, [(s, fingerprint_text(s.text)) for _, s in stories])
    row_of = {n: o.row_id for (n, _), o in zip(stories, done, strict=True)}
    stored = [fp for _, s in stories[:20] for fp in fingerprint_text(s.text)]
    queries = [
        replace(fp, value=fp.value ^ sum(1 << bit for bit in rng.sample(range(64), rng.randint(0, 6))))
        for fp in rng.sample(stored, 300)
    ]
    index = retrieval.CorpusIndex((n, fingerprint_text(s.text)) for n, s in stories)
    expected = {row_of[n]: dict(counts) for n, counts in index.near(queries).items()}
    with factory() as session:
        found = lookup.near_fingerprints(session, queries)
    assert found == expected
    assert any(count for counts in found.values() for count in counts.values())
