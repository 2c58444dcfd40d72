"""A page built from several wire stories reports every one of them, live and from the database.

The fixture stories are invented here: two unrelated wire stories of two paragraphs of four
long sentences each, and a round-up page made of the first paragraph of each, verbatim.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import run_cli as run
from sqlalchemy import select

from provenance import store
from provenance.audit import analyse, merged
from provenance.extract import page_from_text
from provenance.formats import html as html_format
from provenance.formats import markdown_report
from provenance.model import Finding, Match, PageResult, Story
from provenance.packs import RulePack
from provenance.report import AuditReport, report_dict

BRIDGE = [
    "Engineers closed the Marlow Creek bridge in the town of Hollis Ridge on Monday after a routine "
    "inspection found deep cracks in two of the steel beams that carry its eastern span.",
    "The two-lane bridge, built in 1958, carries about 11,000 vehicles a day between the town centre and "
    "the industrial park on the far side of the creek.",
    "County officials set up a detour through the neighbouring village of Ashby Cross, which adds roughly "
    "twenty minutes to the trip for commuters and delivery trucks.",
    "The inspection team had been due to return in the autumn but moved its visit forward after residents "
    "reported a loud banging noise whenever heavy lorries crossed.",
    "A temporary footbridge for pedestrians and cyclists is expected to open within three weeks, according "
    "to a notice posted on the county website on Monday evening.",
    "Repairs to the beams could take most of the year, and the county has asked the state transport "
    "department for emergency funds to cover the cost.",
    "Local business owners said the closure would hurt shops on Mill Street, which depend on shoppers "
    "driving over from the housing estates east of the creek.",
    "The last major work on the bridge was a resurfacing project in 2011 that replaced the road deck and "
    "added new safety barriers along both sides.",
]
COPPER = [
    "Copper producer Veltrana Mining reported a sharp drop in quarterly profit on Thursday as lower metal "
    "prices and a three-week strike at its largest mine cut into revenue.",
    "Net income for the three months to September fell to 412 million dollars from 690 million dollars a "
    "year earlier, the company said in a statement to the stock exchange.",
    "Output at the Cerro Alto mine in the northern highlands slipped by nearly a fifth during the strike, "
    "which ended in August after workers accepted a new wage deal.",
    "The company kept its forecast for full-year production unchanged, saying a new processing plant at "
    "its southern site would make up for most of the lost tonnes.",
    "Shares in Veltrana fell more than four percent in early trading, their lowest level since the spring, "
    "before recovering some of the losses by the afternoon.",
    "Analysts had expected a smaller decline in profit, pointing to rising demand for copper from makers "
    "of electric cars and power grid equipment in Asia.",
    "The company also said it would cut its interim dividend by a third and spend more on exploration "
    "near its existing mines over the next two years.",
    "Veltrana employs about 14,000 people across three countries and is one of the largest private "
    "employers in the region where its main mines are located.",
]


def _story_text(sentences: list[str]) -> str:
    """Two paragraphs of four sentences, as a wire story is stored."""
    return " ".join(sentences[:4]) + "\n\n" + " ".join(sentences[4:])


BRIDGE_STORY = Story(id="ap-test-bridge", agency="AP", text=_story_text(BRIDGE))
COPPER_STORY = Story(id="reuters-test-copper", agency="Reuters", text=_story_text(COPPER))
ROUND_UP = " ".join(BRIDGE[:4]) + "\n\n" + " ".join(COPPER[:4]) + "\n"  # first paragraph of each
SINGLE = " ".join(BRIDGE[:4]) + "\n"


def _analyse(text: str, stories: list[Story], packs: list[RulePack]) -> PageResult:
    return analyse(page_from_text(text, id="p.txt", source="p.txt"), stories, packs)


# --- the pure core ----------------------------------------------------------------------------


def test_a_page_copying_two_stories_has_two_matches_best_first(packs: list[RulePack]) -> None:
    result = _analyse(ROUND_UP, [BRIDGE_STORY, COPPER_STORY], packs)
    assert {m.story.id for m in result.matches} == {BRIDGE_STORY.id, COPPER_STORY.id}
    assert result.match is result.matches[0]
    coverages = [m.coverage for m in result.matches]
    assert coverages == sorted(coverages, reverse=True)
    rules = {f.rule for f in result.findings}
    assert {"AP-CREDIT", "REUTERS-CREDIT"} <= rules  # each match brings its own agency's findings
    keys = [(f.rule, f.severity, f.message, f.evidence, f.line) for f in result.findings]
    assert len(keys) == len(set(keys))


def test_a_page_copying_one_story_has_it_as_its_only_match(packs: list[RulePack]) -> None:
    result = _analyse(SINGLE, [BRIDGE_STORY, COPPER_STORY], packs)
    assert result.match is not None and result.match.story.id == BRIDGE_STORY.id
    assert result.matches == [result.match]
    unrelated = _analyse(" ".join(COPPER[4:]) + "\n", [BRIDGE_STORY], packs)
    assert unrelated.match is None and unrelated.matches == []


def test_two_stories_of_one_agency_give_each_finding_once(packs: list[RulePack]) -> None:
    second_ap = Story(id="ap-test-copper", agency="AP", text=COPPER_STORY.text)
    both = _analyse(ROUND_UP, [BRIDGE_STORY, second_ap], packs)
    alone = _analyse(ROUND_UP, [BRIDGE_STORY], packs)
    assert len(both.matches) == 2
    assert [f.rule for f in both.findings].count("AP-CREDIT") == 1
    assert {f.rule for f in both.findings} >= {f.rule for f in alone.findings}


def test_versions_of_a_matched_story_are_not_further_matches(packs: list[RulePack]) -> None:
    update = Story(id="ap-test-bridge-v2", agency="AP", text=BRIDGE_STORY.text, versions=(BRIDGE_STORY.id,))
    first = Story(id=BRIDGE_STORY.id, agency="AP", text=BRIDGE_STORY.text, versions=(update.id,))
    result = _analyse(ROUND_UP, [first, update, COPPER_STORY], packs)
    ids = [m.story.id for m in result.matches]
    assert len(ids) == 2 and COPPER_STORY.id in ids
    assert len({BRIDGE_STORY.id, update.id} & set(ids)) == 1


def test_a_story_sharing_only_what_the_best_match_explains_is_not_a_further_match(
    packs: list[RulePack],
) -> None:
    """Two agencies' stories of one event share phrases: a page copying one of them is not
    also a copy of the other because the other holds some of the copied sentences."""
    echo = Story(
        id="reuters-test-bridge", agency="Reuters", text=_story_text([BRIDGE[0], BRIDGE[1], *COPPER[4:]])
    )
    result = _analyse(SINGLE, [BRIDGE_STORY, echo], packs)
    assert [m.story.id for m in result.matches] == [BRIDGE_STORY.id]
    alone = _analyse(SINGLE, [echo], packs)
    assert [m.story.id for m in alone.matches] == [echo.id]  # on its own it is a (partial) match


def test_shared_web_furniture_proves_nothing(packs: list[RulePack]) -> None:
    furniture = "Leave a Reply\n\nYour email address will not be published. Required fields are marked"
    story = Story(id="afp-test-short", agency="AFP", text=" ".join(COPPER[:2]) + "\n\n" + furniture)
    page = " ".join(BRIDGE[:2]) + "\n\n" + furniture + "\n"
    assert _analyse(page, [story], packs).matches == []


def test_merged_drops_exact_duplicates_only() -> None:
    credit = Finding("AP-CREDIT", "error", "No AP credit.", "", None)
    rewrite_a = Finding("AP-REWRITE", "info", "Rewritten.", "edited copy")
    rewrite_b = Finding("AP-REWRITE", "info", "Rewritten.", "spun copy")
    assert merged([[credit, rewrite_a], [credit, rewrite_b]]) == [credit, rewrite_a, rewrite_b]


def test_page_result_keeps_match_as_the_first_of_matches() -> None:
    first = Match(BRIDGE_STORY, "partial", 0.9, 0.5, 0.5, 0.0, True)
    second = Match(COPPER_STORY, "partial", 0.9, 0.4, 0.4, 0.0, True)
    assert PageResult("p", "p", None, "ok", match=first).matches == [first]
    assert PageResult("p", "p", None, "ok", matches=[first, second]).match is first
    assert PageResult("p", "p", None, "ok").matches == []
    with pytest.raises(ValueError, match="first of matches"):
        PageResult("p", "p", None, "ok", match=second, matches=[first, second])


# --- reports ----------------------------------------------------------------------------------


def _report(result: PageResult) -> AuditReport:
    return AuditReport(1, datetime(2026, 11, 28, 12, 0, 0), None, "0.1.0", [result])


def test_json_lists_every_match_shaped_like_match(packs: list[RulePack]) -> None:
    (doc,) = report_dict(_report(_analyse(ROUND_UP, [BRIDGE_STORY, COPPER_STORY], packs)))["documents"]
    assert len(doc["matches"]) == 2 and doc["matches"][0] == doc["match"]
    for entry in doc["matches"]:
        assert set(entry) == set(doc["match"])
        assert entry["citation"]["story_id"] == entry["story_id"]
        assert entry["citation"]["passages"] == len(entry["evidence"])
    (single,) = report_dict(_report(_analyse(SINGLE, [BRIDGE_STORY], packs)))["documents"]
    assert single["matches"] == [single["match"]]
    (none,) = report_dict(_report(_analyse(SINGLE, [COPPER_STORY], packs)))["documents"]
    assert none["match"] is None and none["matches"] == []


def test_html_and_markdown_name_the_other_matched_stories(packs: list[RulePack]) -> None:
    result = _analyse(ROUND_UP, [BRIDGE_STORY, COPPER_STORY], packs)
    other = result.matches[1].story
    html = html_format.render(_report(result))
    assert "Other matched stories" in html and f"{other.id} ({other.agency}): " in html
    assert "(AP) requirements" in html and "(Reuters) requirements" in html  # each agency's pack
    assert "and of 1 other story" in html  # in the verdict
    markdown = markdown_report.render(_report(result))
    assert f"**Also copies:** {other.id} ({other.agency}): " in markdown
    single = markdown_report.render(_report(_analyse(SINGLE, [BRIDGE_STORY], packs)))
    assert "Also copies" not in single


# --- the database and history -----------------------------------------------------------------


@pytest.fixture
def round_up_site(tmp_path: Path, capsys: pytest.CaptureFixture[str], db_url: str) -> Path:
    """The two stories in the corpus of ``db_url``, and a directory with the round-up page."""
    wire = tmp_path / "wire.jsonl"
    wire.write_text(
        "".join(
            json.dumps({"id": s.id, "agency": s.agency, "text": s.text}) + "\n"
            for s in (BRIDGE_STORY, COPPER_STORY)
        ),
        encoding="utf-8",
    )
    assert run(capsys, "corpus", "add", str(wire), "--db", db_url)[0] == 0
    site = tmp_path / "site"
    site.mkdir()
    (site / "round-up.txt").write_text(ROUND_UP, encoding="utf-8")
    (site / "single.txt").write_text(SINGLE, encoding="utf-8")
    return site


def test_an_audit_saves_every_match_and_history_loads_them_back(
    capsys: pytest.CaptureFixture[str], round_up_site: Path, corpus_db: str
) -> None:
    code, out, _ = run(capsys, "audit", str(round_up_site), "--format", "json", "--db", corpus_db)
    assert code in (0, 1)
    live = json.loads(out)
    docs = {Path(d["id"]).name: d for d in live["documents"]}
    round_up, single = docs["round-up.txt"], docs["single.txt"]
    assert [m["story_id"] for m in round_up["matches"]] in (
        [BRIDGE_STORY.id, COPPER_STORY.id],
        [COPPER_STORY.id, BRIDGE_STORY.id],
    )
    assert round_up["match"] == round_up["matches"][0]
    assert [m["story_id"] for m in single["matches"]] == [BRIDGE_STORY.id]
    assert live["summary"]["matches"] == 2  # pages with a match, not matches

    factory = store.open_database(corpus_db)
    with factory() as session:
        rows = session.execute(
            select(
                store.PageRow.page_id,
                store.MatchRow.rank,
                store.MatchRow.story_external_id,
                store.MatchRow.story_id,
            )
            .join(store.PageRow, store.PageRow.id == store.MatchRow.page_id)
            .order_by(store.MatchRow.rank)
        ).all()
    saved = {}
    for page_id, rank, story_id, story_row in rows:
        saved.setdefault(Path(page_id).name, []).append((rank, story_id))
        assert story_row is not None  # linked to the corpus row
    assert saved["round-up.txt"] == [(i, m["story_id"]) for i, m in enumerate(round_up["matches"])]
    assert saved["single.txt"] == [(0, BRIDGE_STORY.id)]

    code, out, _ = run(capsys, "report", "latest", "--format", "json", "--db", corpus_db)
    assert code == 0
    again = json.loads(out)
    assert again["summary"] == live["summary"]
    for a, b in zip(live["documents"], again["documents"], strict=True):
        for key in ("id", "match", "matches", "findings"):
            assert a[key] == b[key], key
