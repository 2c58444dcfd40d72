"""The hard cases, across all built-in packs at once (AFP, AP, PA, Reuters).

Each case runs with every pack loaded, so a pattern of one agency that fires on another's page
shows up here as an unexpected finding. Example lines are invented; no agency copy is quoted.
"""

from __future__ import annotations

import pytest
from packtools import audit, make_match, rules

from provenance.attribution import detect
from provenance.model import Derivation, Match, Story, TextLine
from provenance.packs import RulePack

P1 = "Dockworkers walked off the job at three ports on Monday, halting cargo worth millions of dollars."
P2 = "Union leaders said the strike would last until the shipping companies returned to the table."
P3 = "Retailers warned that shelves could empty within weeks if the dispute dragged on into the holidays."
R1 = "The central bank held its key rate at 4.5% on Wednesday, as expected by most economists polled."
R2 = "A spokesman told Reuters the decision was unanimous and that policy would stay tight for now."
F1 = "Floodwater cut off three river towns on Monday, forcing hundreds of families onto rooftops to wait for help."
F2 = "Rescue teams using small boats reached the worst-hit districts overnight, local officials said."
B1 = "Councillors approved plans for a new footbridge over the river on Tuesday after a debate lasting four hours."
B2 = "The bridge is expected to open in two years and will link the station with the old market square."

AP_NOTICE = "Copyright 2024 The Associated Press. All rights reserved."
REGISTERED = "Copyright \u00a9 2022 of the Associated Press. Copyright Registered."


def match(agency: str, text: str, byline: str | None, derivation: Derivation = "verbatim") -> Match:
    return make_match(Story(id=f"{agency.lower()}-1", agency=agency, text=text, byline=byline), derivation)


def ap_match() -> Match:
    return match("AP", " ".join((P1, P2, P3)), "By JANE DOE, Associated Press")


def reuters_match() -> Match:
    return match("Reuters", " ".join((R1, R2)), "By Lars Berg")


def ap_member_page(notice: str = AP_NOTICE) -> list[str]:
    return [
        "Port strike enters its second week",
        "By JANE DOE, Associated Press",
        f"PORT CALLOWAY (AP) - {P1}",
        P2,
        P3,
        notice,
    ]


def reuters_page(*, dateline: bool = True, sign_off: bool = True) -> list[str]:
    first = f"FRANKFURT, Oct 2 (Reuters) - {R1}" if dateline else R1
    texts = ["Central bank holds rates", first, R2]
    return [*texts, "(Reporting by Lars Berg; Editing by Helen Marsh)", "Reuters"] if sign_off else texts


# -- 1. an AP member paper's correct credit ----------------------------------------------------


def test_1_ap_member_paper_with_correct_credit_passes(packs: list[RulePack]) -> None:
    assert audit(packs, ap_member_page(), ap_match()) == []


# -- 2. the "Copyright Registered." notice -----------------------------------------------------


def test_2_registered_ap_notice_fails_notice_form_naming_the_difference(packs: list[RulePack]) -> None:
    findings = audit(packs, ap_member_page(notice=REGISTERED), ap_match())
    assert rules(findings) == ["AP-NOTICE-FORM"]
    (f,) = findings
    assert '"of the Associated Press." instead of "The Associated Press."' in f.message
    assert '"Copyright Registered." instead of "All rights reserved."' in f.message
    assert f.evidence == REGISTERED and f.line == 6


# -- 3. a Reuters story with its credits stripped ----------------------------------------------


def test_3_reuters_story_without_sign_off_and_dateline_fails_credit(packs: list[RulePack]) -> None:
    assert audit(packs, reuters_page(), reuters_match()) == []  # as delivered: credited
    findings = audit(packs, reuters_page(dateline=False, sign_off=False), reuters_match())
    assert rules(findings) == ["REUTERS-CREDIT"]


# -- 4. one credited Reuters sentence, no match ------------------------------------------------


def test_4_page_quoting_reuters_in_one_credited_sentence_passes(packs: list[RulePack]) -> None:
    sentence = "Wheat prices have risen 20% since January, Reuters reported on Tuesday."
    texts = [
        "Local bakery expands",
        "By Kevin Marsh",
        "The bakery will add 40 jobs this year, its owner said on Monday at the opening of a new shop.",
        sentence,
    ]
    lines = [TextLine(t, "body", i) for i, t in enumerate(texts, 1)]
    credit = [s for s in detect(lines, {}, packs).signals if s.agency]
    assert [(s.kind, s.agency, s.prose, s.text) for s in credit] == [("credit", "Reuters", True, sentence)]
    assert audit(packs, texts) == []  # a credited quote is not a copy


# -- 5. an unlicensed agency's story reposted with full credit ---------------------------------


def afp_page() -> tuple[list[str], Match]:
    texts = [
        "Floods cut off river towns",
        "By Claire DUVAL / AFP",
        f"RIVERTON (AFP) - {F1}",
        F2,
        "Copyright 2024 AFP. All rights reserved.",
    ]
    return texts, match("AFP", " ".join((F1, F2)), "By Claire DUVAL")


def pa_page() -> tuple[list[str], Match]:
    texts = ["Council approves new bridge", "By Press Association", B1, B2]
    return texts, match("PA", " ".join((B1, B2)), None)


CASES = {
    "Reuters": lambda: (reuters_page(), reuters_match()),
    "AFP": afp_page,
    "PA": pa_page,
}


@pytest.mark.parametrize("agency", ["Reuters", "AFP", "PA"])
def test_5_fully_credited_copy_of_an_unlicensed_agency_fails_license(
    packs: list[RulePack], agency: str
) -> None:
    texts, m = CASES[agency]()
    findings = audit(packs, texts, m, licensed=["AP"])
    assert rules(findings) == [f"{agency.upper()}-LICENSE"]
    assert "verbatim" in findings[0].message and findings[0].severity == "error"


@pytest.mark.parametrize("agency", ["Reuters", "AFP", "PA"])
def test_5_same_copy_passes_when_licensed_or_licence_not_configured(
    packs: list[RulePack], agency: str
) -> None:
    texts, m = CASES[agency]()
    assert audit(packs, texts, m, licensed=["AP", agency]) == []
    assert audit(packs, texts, m, licensed=None) == []


def test_5_licensed_ap_copy_passes_the_licence_check(packs: list[RulePack]) -> None:
    assert audit(packs, ap_member_page(), ap_match(), licensed=["AP"]) == []


# -- across packs ------------------------------------------------------------------------------


def test_agencies_photo_credits_on_an_unrelated_page_give_no_findings(packs: list[RulePack]) -> None:
    texts = [
        "Local bakery expands",
        "By Beth Carrow",
        "(AP Photo/Jane Doe)",
        "The bakery will add 40 jobs this year, its owner said on Monday at the opening of a new shop.",
        "Anna Lind / AFP",
        "Shoppers queue outside the new shop (Ruth Mills/PA)",
        "REUTERS/Kevin Lamarque",
        "\u00a9 2024 Daily Bugle, Erie, PA 16501. All rights reserved.",
    ]
    assert audit(packs, texts) == []


def test_agency_credit_line_is_not_a_reuters_contributor_line(packs: list[RulePack]) -> None:
    texts = [
        "Floods cut off river towns",
        "By Beth Carrow",
        "The river rose two metres overnight, and several roads were closed by the police in the morning.",
        "Additional reporting by AFP",
    ]
    assert audit(packs, texts) == []
