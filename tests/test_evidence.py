"""Evidence of copying: shared wording weighed against what independent reports share.

Small hand-written fixtures (the port strike story of ``fixtures/match``); the thresholds
themselves are calibrated on real pages by ``eval/real_copies.py --calibrate``.
"""

from __future__ import annotations

from pathlib import Path

from provenance.evidence import FREE_WORDS, PROOF, assess, heaviest_chain, shared_runs, tokenize
from provenance.match import best_match, match_all
from provenance.model import Story
from provenance.text import normalize

FIXTURES = Path(__file__).parent / "fixtures" / "match"
STORY_TEXT = normalize((FIXTURES / "story.txt").read_text(encoding="utf-8"))
STORY = Story(id="ap-1", agency="AP", text=STORY_TEXT)
INDEPENDENT = normalize((FIXTURES / "independent.txt").read_text(encoding="utf-8"))

# An unrelated page of the kind a copied passage sits in: a site's own text, long.
FILLER = normalize(
    "The city council met on Tuesday evening to discuss the budget for the coming year. "
    "Members debated funding for parks, libraries and road repairs for more than three hours. "
    "A vote is expected next month after a public hearing at the town hall.\n\n"
    "In other news, the high school football team won its third game in a row on Friday. "
    "The coach praised the defence and said the players had worked hard all summer.\n\n"
    "Weather forecasters expect rain through the weekend, with temperatures well below "
    "the seasonal average and strong winds along the coast on Sunday."
)

ONE_SENTENCE = (  # the story's second sentence, unquoted, 30 words
    "The strike, the first at the port in 14 years, involves about 3,200 members of the Coastal "
    "Dockworkers Union, which said the operators had refused to guarantee that new automated "
    "cranes would not replace its members."
)


def evidence(page: str, story: str = STORY_TEXT):  # type: ignore[no-untyped-def]
    return assess(tokenize(normalize(story)), tokenize(normalize(page)))


def test_one_long_unquoted_sentence_in_a_long_page_proves_a_partial_copy() -> None:
    page = normalize(f"{FILLER}\n\n{ONE_SENTENCE}\n\n{FILLER}")
    assert evidence(page).copied >= PROOF
    match = best_match(page, [STORY])
    assert match is not None and match.derivation == "partial"
    passage = match.evidence[0]  # offsets on both sides slice the texts they quote
    assert page[passage.page_start : passage.page_end] == passage.page_text
    assert STORY_TEXT[passage.story_start : passage.story_end] == passage.story_text
    assert "Coastal Dockworkers Union" in passage.page_text


def test_two_shorter_sentences_in_order_prove_a_copy() -> None:
    first = "Dock workers at the port of Harborville walked off the job on Monday after talks over wages collapsed."
    second = "Operators said their final offer included a pledge to retrain workers whose jobs are affected by automation."
    page = normalize(f"{FILLER}\n\n{first} {second}\n\n{FILLER}")
    assert best_match(page, [STORY]) is not None
    alone = normalize(f"{FILLER}\n\n{second}\n\n{FILLER}")  # one of them alone is not enough
    assert evidence(alone).copied < evidence(page).copied


def test_an_independent_report_sharing_names_figures_and_a_quote_is_not_a_copy() -> None:
    assert evidence(INDEPENDENT).copied < PROOF
    assert best_match(INDEPENDENT, [STORY]) is None


def test_quoted_speech_and_names_are_no_evidence() -> None:
    quote = (
        '"We have bargained in good faith for six months, and we were met with a wall," '
        "union president Carla Mendes told reporters."
    )
    page = normalize(
        f"{FILLER}\n\n{quote}\n\nThe Harborville Port Authority and the Coastal Dockworkers Union did not comment."
    )
    found = evidence(page)
    assert found.copied < PROOF
    assert best_match(page, [STORY]) is None


def test_a_phrase_repeated_on_both_sides_counts_once() -> None:
    phrase = "talks over wages and automation collapsed late on a quiet night"
    story = normalize(". ".join(f"Item {i}: {phrase}" for i in range(8)) + ".")
    page = normalize(f"{FILLER} " + ". ".join(f"Note {i} says {phrase}" for i in range(8)) + ".")
    once = evidence(normalize(f"{FILLER} Note 1 says {phrase}."), story)
    assert once.copied > 0
    assert evidence(page, story).copied == once.copied


def test_runs_out_of_the_story_order_do_not_add_up() -> None:
    story = tokenize(STORY_TEXT)
    sentences = [s for s in STORY_TEXT.split("\n\n") if not s.startswith('"')]
    forward = tokenize(normalize(" ".join(sentences)))
    backward = tokenize(normalize(" ".join(reversed(sentences))))
    assert heaviest_chain(tuple(shared_runs(story, backward))) < heaviest_chain(
        tuple(shared_runs(story, forward))
    )


def test_an_inflection_changed_by_an_editor_keeps_the_run_whole() -> None:
    edited = ONE_SENTENCE.replace("involves", "involved").replace("refused", "refuses")
    runs = [r for r in shared_runs(tokenize(STORY_TEXT), tokenize(normalize(edited))) if r.length >= 20]
    assert runs  # stems: "involves"/"involved", "refused"/"refuses" do not cut it
    assert runs[0].weight == runs[0].wording - FREE_WORDS


def test_a_page_joining_two_story_sentences_pairs_with_both() -> None:
    joined = (
        "Dock workers at the port of Harborville walked off the job on Monday after talks over wages and "
        "automation collapsed late Sunday night, halting the loading of container ships at the busiest harbor "
        "on the coast, and the strike, the first at the port in 14 years, involves about 3,200 members of the "
        "Coastal Dockworkers Union, which said the operators had refused to guarantee that new automated cranes "
        "would not replace its members."
    )
    match = best_match(normalize(joined), [STORY])
    assert match is not None
    assert sum(len(p.story_text) for p in match.evidence) > len(ONE_SENTENCE) * 1.5


def test_a_later_version_sharing_some_sentences_is_matched_to_the_story() -> None:
    """A write-thru: a new top and new paragraphs, with some of the first version kept."""
    update = normalize(
        "HARBORVILLE (AP) — Striking dock workers in Harborville rejected a mediator's proposal on Tuesday, "
        "deepening a standoff that has left dozens of ships stranded offshore.\n\n"
        "The strike, the first at the port in 14 years, involves about 3,200 members of the Coastal Dockworkers "
        "Union, which said the operators had refused to guarantee that new automated cranes would not replace "
        "its members.\n\n"
        "Economists estimate that each day of the stoppage costs the regional economy roughly $85 million, and "
        "retailers have begun rerouting cargo to smaller ports further south.\n\n"
        "The mediator, a retired judge, said she would meet both sides again on Thursday."
    )
    first_version = Story(id="ap-1", agency="AP", text=STORY_TEXT)
    matches = match_all(update, [first_version])
    assert [m.story.id for m in matches] == ["ap-1"]
    assert matches[0].evidence


def test_an_agency_formula_held_by_many_stories_is_no_evidence_for_any() -> None:
    formula = (
        "said it filed a registration statement with the securities and exchange commission covering "
        "a proposed offering of convertible subordinated debentures due in the year"
    )
    names = ["Acme", "Borlund", "Cresta", "Dovetail", "Everwood"]
    uses = [
        "new plants in Ohio",
        "repaying bank loans",
        "a fleet of barges",
        "research in Sweden",
        "a shopping mall near the river and the repayment of the short-term loans it took out last spring",
    ]
    stories = [
        Story(
            id=f"r-{n}",
            agency="Reuters",
            text=normalize(f"{n} Corp {formula} 2012. Proceeds will fund {use}."),
        )
        for n, use in zip(names, uses, strict=True)
    ]
    page = normalize(f"Zephyr Inc {formula} 2015. The company makes garden furniture and sells it online.")
    assert match_all(page, stories) == []
    assert best_match(page, stories[:1]) is not None  # against one story alone it is not known as a formula
    copy = normalize(
        f"Everwood Corp {formula} 2012. Proceeds will fund a shopping mall near the river and the repayment "
        "of the short-term loans it took out last spring, the company said."
    )
    assert [m.story.id for m in match_all(copy, stories)][:1] == ["r-Everwood"]
