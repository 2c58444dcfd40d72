"""Alignment and derivation classes on small hand-written fixtures."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from provenance import match
from provenance.match import align, best_match, verify
from provenance.model import Story
from provenance.text import normalize, paragraphs

FIXTURES = Path(__file__).parent / "fixtures" / "match"
STORY_TEXT = normalize((FIXTURES / "story.txt").read_text(encoding="utf-8"))
STORY = Story(id="ap-1", agency="AP", text=STORY_TEXT)

# A tiny spinner: the kind of word-for-word synonym swap aggregators use.
SYNONYMS = {
    "workers": "labourers",
    "walked": "strolled",
    "job": "occupation",
    "talks": "discussions",
    "wages": "salaries",
    "collapsed": "fell apart",
    "late": "belated",
    "night": "evening",
    "halting": "stopping",
    "loading": "filling",
    "ships": "vessels",
    "busiest": "most active",
    "harbor": "port",
    "coast": "shoreline",
    "strike": "walkout",
    "involves": "includes",
    "members": "individuals",
    "said": "stated",
    "operators": "administrators",
    "refused": "declined",
    "guarantee": "assure",
    "automated": "computerized",
    "cranes": "hoists",
    "replace": "supplant",
    "waiting": "holding up",
    "afternoon": "evening",
    "warned": "cautioned",
    "shipments": "consignments",
    "delayed": "postponed",
    "weeks": "many days",
    "dispute": "question",
    "settled": "resolved",
    "quickly": "rapidly",
    "final": "last",
    "offer": "proposal",
    "raise": "increase",
    "pledge": "promise",
    "retrain": "re-educate",
    "affected": "influenced",
    "accused": "blamed",
    "walking": "strolling",
    "deal": "arrangement",
    "reach": "span",
    "estimate": "gauge",
    "costs": "expenses",
    "economy": "market",
    "roughly": "generally",
    "retailers": "merchants",
    "begun": "started",
    "rerouting": "diverting",
    "cargo": "freight",
    "smaller": "more modest",
    "urged": "encouraged",
    "return": "go back",
    "negotiations": "arrangements",
    "offered": "advertised",
    "services": "administrations",
    "rule": "preclude",
    "asking": "inquiring",
    "court": "tribunal",
    "order": "request",
    "threatened": "undermined",
    "fuel": "fuel",
    "supplies": "provisions",
    "expected": "anticipated",
    "resume": "continue",
    "according": "as per",
    "familiar": "acquainted",
    "private": "confidential",
    "first": "initial",
    "estimate ": "appraise",
    "regional": "territorial",
    "further": "farther",
}


def spin(text: str) -> str:
    def swap(m: re.Match[str]) -> str:
        word = m.group()
        new = SYNONYMS.get(word.lower(), word)
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"[A-Za-z]+", swap, text)


def test_verbatim_copy_without_credit() -> None:
    page = STORY_TEXT.replace("HARBORVILLE (AP) - ", "HARBORVILLE - ")
    m = verify("Port strike\n\n" + page + "\n\nRelated Articles\n\nBack to top", STORY)
    assert m is not None and m.derivation == "verbatim"
    assert m.coverage > 0.95 and m.order_kept


def test_edited_copy() -> None:
    paras = [p.text for p in paragraphs(STORY_TEXT)]
    kept = [
        "Harborville's docks fell silent on Monday as a long-feared strike began.",
        *paras[1:5],
        *paras[6:7],
    ]
    kept[2] = kept[2].replace("six months", "half a year")
    m = verify("\n\n".join(kept), STORY)
    assert m is not None and m.derivation == "edited"
    assert 0.5 <= m.coverage < 0.9


def test_spun_copy() -> None:
    m = verify(spin(STORY_TEXT), STORY)
    assert m is not None and m.derivation == "spun", m
    assert m.rewritten_share > m.verbatim_share


def test_partial_copy() -> None:
    paras = [p.text for p in paragraphs(STORY_TEXT)]
    own = [
        "City council members met on Monday to discuss a new budget for road repairs and parks.",
        "The mayor said the plan would be put to a vote next month after public hearings.",
    ]
    page = "\n\n".join(
        [*own, paras[3], paras[4], "Council members also approved new bus routes for the east side."]
    )
    m = verify(page, STORY)
    assert m is not None and m.derivation == "partial"
    assert m.coverage < 0.5


def test_independent_report_of_same_event_is_not_a_copy() -> None:
    page = normalize((FIXTURES / "independent.txt").read_text(encoding="utf-8"))
    assert verify(page, STORY) is None


def test_shared_quotation_alone_is_not_a_copy() -> None:
    quote = '"We have bargained in good faith for six months, and we were met with a wall," union president Carla Mendes told reporters outside the main gate.'
    page = f"The strike began on Monday.\n\n{quote}\n\nShops near the port closed early."
    assert verify(page, STORY) is None


def test_evidence_has_offsets_on_both_sides() -> None:
    page = "Intro written by the site.\n\n" + STORY_TEXT
    m = verify(page, STORY)
    assert m is not None and m.evidence
    for p in m.evidence:
        assert page[p.page_start : p.page_end] == p.page_text
        assert STORY_TEXT[p.story_start : p.story_end] == p.story_text


def test_closest_version_wins() -> None:
    paras = [p.text for p in paragraphs(STORY_TEXT)]
    v2_text = "\n\n".join(
        [*paras[:6], "Late Monday, the union said it would meet the mediator on Tuesday.", *paras[6:]]
    )
    v1 = STORY
    v2 = Story(id="ap-1-v2", agency="AP", text=v2_text, published="2024-05-06T18:00:00")
    m = best_match(v2_text, [v1, v2])
    assert m is not None and m.story.id == "ap-1-v2"
    m = best_match(STORY_TEXT, [v2, v1])
    assert m is not None and m.story.id == "ap-1"


@pytest.mark.parametrize("text", ["", "Short.", "\n\n\n"])
def test_degenerate_pages(text: str) -> None:
    assert verify(text, STORY) is None
    assert align(text, STORY_TEXT).coverage == 0.0


def test_same_story_versions() -> None:
    from provenance.match import same_story

    paras = [p.text for p in paragraphs(STORY_TEXT)]
    update = Story(
        id="ap-1-v2",
        agency="AP",
        text="\n\n".join([*paras, "Talks resumed late on Tuesday."]),
        published="2024-05-06T21:00:00",
    )
    first = Story(id="ap-1", agency="AP", text=STORY_TEXT, published="2024-05-06T18:00:00")
    assert same_story(first, update)
    assert not same_story(first, Story(id="r-1", agency="Reuters", text=update.text))
    assert not same_story(
        first, Story(id="ap-9", agency="AP", text=update.text, published="2024-06-30T10:00:00")
    )
    independent = normalize((FIXTURES / "independent.txt").read_text(encoding="utf-8"))
    assert not same_story(first, Story(id="ap-2", agency="AP", text=independent))


@pytest.mark.parametrize("rate", [0.4, 0.6])
def test_spinner_copies_are_found_as_spun(rate: float) -> None:
    from provenance.spinner import random_intro, spin

    copy = spin(STORY_TEXT, rate=rate, drop=0.1, reorder=0.1, intro=random_intro(3), seed=3)
    assert copy.rate >= rate - 0.1
    m = verify(copy.text, STORY)
    assert m is not None and m.derivation == "spun", m
    assert m.evidence


def test_retrieval_nominates_spun_copies_and_verification_refutes_independent_reports() -> None:
    """Retrieval is generous (an independent report sharing a name of five words is a
    candidate); the alignment is what refutes it."""
    from provenance import retrieval
    from provenance.fingerprint import fingerprint_text
    from provenance.spinner import spin

    independent = normalize((FIXTURES / "independent.txt").read_text(encoding="utf-8"))
    index = retrieval.CorpusIndex([(1, fingerprint_text(STORY_TEXT))])
    copy = normalize(spin(STORY_TEXT, rate=0.5, seed=1).text)
    fps = fingerprint_text(copy)
    assert retrieval.select(index.near(fps), fps) == [1]
    assert best_match(copy, [STORY]) is not None
    assert best_match(independent, [STORY]) is None


def test_the_ratio_bound_never_falls_below_the_ratio_a_pair_is_graded_by() -> None:
    """:func:`provenance.match._ratio_bound` lets :func:`_pair` skip the alignment of a pair
    below the rewrite threshold; it may skip only pairs the alignment would have refused."""
    rng = random.Random(3)
    words = [
        "the",
        "a",
        "of",
        "police",
        "said",
        "on",
        "monday",
        "that",
        "fire",
        "river",
        "city",
        "council",
        "vote",
        "12",
        "two",
    ]
    skipped = 0
    for _ in range(400):
        a = " ".join(rng.choice(words) for _ in range(rng.randint(3, 25))).capitalize() + "."
        b = " ".join(rng.choice(words) for _ in range(rng.randint(3, 40))).capitalize() + "."
        story, page = match.prepare(a).sentences[0], match.prepare(b).sentences[0]
        ratio, matched, _ = match._compare(story, page)
        if len(page.words) > len(story.words) and matched >= match.MIN_SENTENCE_TOKENS:
            ratio = max(ratio, matched / len(story.words))
        bound = match._ratio_bound(story, page)
        assert bound >= ratio - 1e-12
        skipped += bound < match.REWRITE_RATIO
    assert skipped  # the bound does skip some pairs
