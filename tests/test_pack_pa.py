"""The PA Media pack: its content, what it detects (and leaves out), and a positive and a
negative example for every rule. Example lines are invented; no agency copy is quoted."""

from __future__ import annotations

from pathlib import Path

import pytest
from packtools import audit, detect_texts, finding, make_match, rules

from provenance.model import Derivation, Link, Match, Story
from provenance.notices import notice_difference
from provenance.packs import RulePack, load_packs, pack_for

ROOT = Path(__file__).resolve().parent.parent

HEADLINE = "Council approves new bridge after long delay"
B1 = "Councillors approved plans for a new footbridge over the river on Tuesday after a debate lasting four hours."
B2 = "The bridge is expected to open in two years and will link the station with the old market square."
B3 = "Opponents said the cost had doubled since the scheme was first proposed and called for a review."
PROSE = "Officials met on Tuesday to discuss the plan in detail, and more talks are due next week."
NOTICE = "Copyright 2024 PA Media, All Rights Reserved."


@pytest.fixture(scope="module")
def pa(packs: list[RulePack]) -> RulePack:
    pack = pack_for(packs, "PA")
    assert pack is not None
    return pack


def story(byline: str | None = "By Owen Hale, PA Local Democracy Reporter", **kw: object) -> Story:
    return Story(id="pa-1", agency="PA", text=" ".join((B1, B2, B3)), byline=byline, **kw)  # type: ignore[arg-type]


def match(st: Story | None = None, derivation: Derivation = "verbatim") -> Match:
    return make_match(st or story(), derivation)


run = detect_texts


def client_page(*, notice: str | None = None, byline: str = "By Press Association") -> list[str]:
    """A UK paper running the PA story as delivered: an agency byline, no dateline (PA has none)."""
    texts = [HEADLINE, byline, B1, B2, B3]
    return [*texts, notice] if notice else texts


def stripped_page(byline: str = "By Kevin Marsh, Staff Writer") -> list[str]:
    return [HEADLINE, byline, B1, B2, B3, "© 2024 Valley Courier"]


# -- the pack ----------------------------------------------------------------------------------


def test_rule_ids(pa: RulePack) -> None:
    assert {r.key: r.rule for r in pa.requirements} == {
        "credit": "PA-CREDIT",
        "notice": "PA-NOTICE-MISSING",
        "miscredit": "PA-MISCREDIT",
        "notice_form": "PA-NOTICE-FORM",
        "byline": "PA-BYLINE",
        "rewrite": "PA-REWRITE",
        "link": "PA-LINK",
        "license": "PA-LICENSE",
        "killed": "PA-KILLED",
        "embargo": "PA-EMBARGO",
    }


def test_requirements(pa: RulePack) -> None:
    for key in ("credit", "notice_form", "byline", "rewrite", "license"):
        assert pa.requirement(key) is not None, key
    assert pa.requirement("notice") is None  # declared, not checked
    link = pa.requirement("link")
    assert link is not None and link.required == "when-claimed"
    rewrite = pa.requirement("rewrite")
    assert rewrite is not None and rewrite.derivations == ("spun",)


def test_aliases_notice_and_domains(pa: RulePack) -> None:
    assert set(pa.aliases) == {"PA Media", "Press Association", "PA"}
    assert pa.notice.canonical == "Copyright {year} PA Media, All Rights Reserved."
    assert set(pa.link_domains) == {"pamediagroup.com", "pa.media"}
    assert pack_for([pa], "press association") is pa
    assert pa.datelines == ()  # PA copy carries no dateline credit


# -- datelines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "LONDON (PA) - Ministers met on Tuesday.",
        "HARRISBURG, PA (AP) - The governor signed the budget on Tuesday.",
    ],
)
def test_no_pa_datelines(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, line)
    assert all(s.agency != "PA" for s in a.signals)


# -- bylines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Press Association", ()),
        ("By PA Media", ()),
        ("By PA", ()),
        ("By PA Reporters", ()),
        ("By PA Sport Staff", ()),
        ("PA Sport Staff", ()),
        ("PA Political Editor", ()),
        ("By Owen Hale, PA", ("Owen Hale",)),
        ("By OWEN HALE, PA Political Correspondent", ("Owen Hale",)),
        ("Owen Hale, PA Political Correspondent", ("Owen Hale",)),
        ("By Owen Hale - Press Association", ("Owen Hale",)),
        ("Owen Hale, Press Association", ("Owen Hale",)),
        ("By Owen Hale and Ruth Mills, PA", ("Owen Hale", "Ruth Mills")),
        ("PA Media | 5 January 2024", ()),
    ],
)
def test_bylines(packs: list[RulePack], line: str, names: tuple[str, ...]) -> None:
    a = run(packs, HEADLINE, line, PROSE)
    (signal,) = a.of_kind("byline")
    assert (signal.agency, signal.names) == ("PA", names)
    assert a.credits("PA")


@pytest.mark.parametrize(
    "line",
    [
        "By Owen Hale, Harrisburg, PA",  # a place in Pennsylvania
        "Owen Hale, Pittsburgh, PA",
        "Owen Hale, PA",  # without "By" or a title: as likely an address or a picture credit
        "By Owen Hale, PA Consulting",
        "By PA rules, the fund closes in May.",
        "Owen Hale/PA Wire",
    ],
)
def test_not_pa_bylines(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, line, PROSE)
    assert not a.credits("PA")
    assert all(s.agency != "PA" for s in a.of_kind("byline"))


# -- credits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Source: PA",
        "Source: PA Media",
        "Source: Press Association",
        "Source: PA Wire",
        "- PA",
        f"{PROSE} - PA",
        "Press Association",
        "PA Media",
        "PA contributed to this report.",
        "Additional reporting by PA",
        "Additional reporting by PA and agencies",
        "(Additional reporting by agencies and Press Association)",
        "Via PA",
    ],
)
def test_credit_lines(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, PROSE, line)
    assert any(s.kind == "credit" and s.agency == "PA" and not s.prose for s in a.signals)


@pytest.mark.parametrize(
    "line",
    [
        "PA",  # alone on a line: a picture credit
        "(PA)",  # PA's own caption credit
        f"{PROSE} (PA)",
        "Source: PA Department of Health",
        "Credit: PA",
    ],
)
def test_not_credits(packs: list[RulePack], line: str) -> None:
    assert not run(packs, HEADLINE, PROSE, line, PROSE).credits("PA")


@pytest.mark.parametrize(
    "line",
    [
        "Crowds gathered outside the town hall on Tuesday (Owen Hale/PA)",
        "Owen Hale/PA Wire",
        "Owen Hale / PA",
        "PA Wire",
        "PA Wire/PA Images",
        "PA Images",
        "Picture: PA Wire",
        "Photo: PA",
        "Credit: Owen Hale/PA",
        "Image source, PA Media",
        "(Ruth Mills/PA via AP)",
        "\u00a9 PA",
    ],
)
def test_photo_credits_are_not_credits(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, line, PROSE, PROSE)
    assert not a.credits("PA")
    assert "PA" not in a.agencies_detected


@pytest.mark.parametrize(
    "sentence",
    [
        "The council will vote again next month, the PA news agency reported.",
        "The council will vote again next month, PA Media reported on Tuesday.",
    ],
)
def test_prose_credits(packs: list[RulePack], sentence: str) -> None:
    (signal,) = [s for s in run(packs, HEADLINE, f"{PROSE} {sentence}").signals if s.agency]
    assert (signal.kind, signal.agency, signal.prose, signal.text) == ("credit", "PA", True, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The council will vote again next month, according to the Press Association.",
    ],
)
def test_mentions_cite_a_fact_and_credit_nothing(packs: list[RulePack], sentence: str) -> None:
    a = run(packs, HEADLINE, f"{PROSE} {sentence}")
    (signal,) = [s for s in a.signals if s.agency]
    assert (signal.kind, signal.agency, signal.prose, signal.text) == ("mention", "PA", True, sentence)
    assert not a.credits("PA")


@pytest.mark.parametrize(
    "line",
    [
        # PA's own wording travels with a stripped copy
        "A spokesman told the PA news agency that the decision was final and talks would resume.",
        "PA understands that the minister will step down later on Tuesday after weeks of pressure.",
        # the Palestinian Authority, Pennsylvania, a public-address system
        "PA security forces arrested five men in the city on Monday, officials said later that day.",
        "The PA reported a rise in arrests over the past year, officials in the city said on Monday.",
        "The announcement came over the PA system just before the start of the second half.",
        "The plant is in Erie, PA and employs about 400 people, the company said in a statement.",
    ],
)
def test_other_pas_are_not_credits(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, PROSE, line, PROSE)
    assert not a.credits("PA") and "PA" not in a.agencies_detected


# -- contributors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("PA reporters Owen Hale and Ruth Mills contributed to this report.", ("Owen Hale", "Ruth Mills")),
        ("Owen Hale of PA contributed to this report.", ("Owen Hale",)),
        ("Additional reporting by Ruth Mills, PA", ("Ruth Mills",)),
    ],
)
def test_contributor_lines(packs: list[RulePack], line: str, names: tuple[str, ...]) -> None:
    a = run(packs, HEADLINE, PROSE, line)
    (signal,) = [s for s in a.of_kind("contributor") if s.agency == "PA"]
    assert signal.names == names
    assert not a.credits("PA")  # shows where the text comes from, but is no credit


# -- notices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        NOTICE,
        "Copyright (c) PA Media Ltd 2020, All Rights Reserved.",
        "Copyright (c) Press Association Ltd 2018, All Rights Reserved.",
        "\u00a9 Press Association 2016",
        "\u00a9 2024 PA",
    ],
)
def test_notices(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, PROSE, line)
    (signal,) = [s for s in a.of_kind("notice") if s.agency == "PA"]
    assert signal.text == line
    assert not a.credits("PA")


@pytest.mark.parametrize(
    "line",
    [
        "\u00a9 2024 Daily Bugle, 12 Main Street, Erie, PA 16501. All rights reserved.",
        "\u00a9 2024 PA Consulting Group. All rights reserved.",
        "\u00a9 2024 Daily Bugle. Some stories come from PA Media and other agencies.",
    ],
)
def test_not_pa_notices(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, PROSE, line)
    assert not [s for s in a.of_kind("notice") if s.agency == "PA"]


@pytest.mark.parametrize(
    "notice",
    [
        NOTICE,
        "\u00a9 2024 PA Media. All rights reserved.",
        "Copyright (c) PA Media Ltd. 2021, All Rights Reserved.",
        "\u00a9 PA Media 2023",
        "Copyright (c) Press Association Ltd. 2018, All Rights Reserved.",
        "\u00a9 Press Association 2016",
    ],
)
def test_accepted_notices(pa: RulePack, notice: str) -> None:
    assert notice_difference(notice, pa) is None


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        ("\u00a9 2024 PA", '"Copyright 2024 PA" instead of "Copyright 2024 PA Media"'),
        (
            "Copyright \u00a9 2022 of the PA Media. Copyright Registered.",
            '"of the PA Media." instead of "PA Media"; extra "Copyright Registered."',
        ),
    ],
)
def test_notice_differences(pa: RulePack, notice: str, expected: str) -> None:
    assert notice_difference(notice, pa) == expected


# -- PA-CREDIT ---------------------------------------------------------------------------------


def test_credit_positive(packs: list[RulePack]) -> None:
    f = finding(audit(packs, stripped_page(), match()), "PA-CREDIT")
    assert f.severity == "error" and "PA Media" in f.message


def test_credit_positive_picture_credit_alone(packs: list[RulePack]) -> None:
    texts = [HEADLINE, "By Owen Hale", "Crowds gathered on Tuesday (Ruth Mills/PA)", B1, B2, B3, "PA"]
    assert rules(audit(packs, texts, match())) == ["PA-CREDIT"]


@pytest.mark.parametrize(
    "texts",
    [
        client_page(),
        client_page(byline="By Owen Hale, PA"),
        [HEADLINE, "By Owen Hale", B1, B2, B3, "Additional reporting by PA"],
        [HEADLINE, B1, B2, B3, "Source: PA Media"],
    ],
)
def test_credit_negative(packs: list[RulePack], texts: list[str]) -> None:
    assert "PA-CREDIT" not in rules(audit(packs, texts, match()))


def test_credit_without_match_from_contributor_line(packs: list[RulePack]) -> None:
    texts = [HEADLINE, B1, B2, B3, "Owen Hale of PA contributed to this report."]
    assert rules(audit(packs, texts)) == ["PA-CREDIT"]


# -- PA-NOTICE-MISSING -------------------------------------------------------------------------


def test_notice_missing_negative(packs: list[RulePack]) -> None:
    """Not required by the built-in pack: a credited copy without a notice passes."""
    assert audit(packs, client_page(), match()) == []


def test_notice_missing_positive_when_a_user_pack_requires_it(tmp_path: Path) -> None:
    text = (ROOT / "rules" / "pa.toml").read_text(encoding="utf-8")
    assert '[requirements.notice]\nid = "PA-NOTICE-MISSING"' in text and text.count("required = false") == 1
    (tmp_path / "pa.toml").write_text(text.replace("required = false", "required = true"), encoding="utf-8")
    packs = load_packs([tmp_path])
    f = finding(audit(packs, client_page(), match()), "PA-NOTICE-MISSING")
    assert f.severity == "warning" and f.line is None
    assert audit(packs, client_page(notice=NOTICE), match()) == []


# -- PA-NOTICE-FORM ----------------------------------------------------------------------------


def test_notice_form_positive(packs: list[RulePack]) -> None:
    findings = audit(packs, client_page(notice="\u00a9 2024 PA"), match())
    f = finding(findings, "PA-NOTICE-FORM")
    assert '"Copyright 2024 PA" instead of "Copyright 2024 PA Media"' in f.message
    assert f.evidence == "\u00a9 2024 PA" and f.line == 6
    assert rules(findings) == ["PA-NOTICE-FORM"]


@pytest.mark.parametrize(
    "notice",
    [NOTICE, "Copyright (c) PA Media Ltd 2022, All Rights Reserved.", "\u00a9 Press Association 2019"],
)
def test_notice_form_negative(packs: list[RulePack], notice: str) -> None:
    assert audit(packs, client_page(notice=notice), match()) == []


# -- PA-BYLINE ---------------------------------------------------------------------------------


def test_byline_positive(packs: list[RulePack]) -> None:
    f = finding(audit(packs, stripped_page(), match()), "PA-BYLINE")
    assert "Kevin Marsh" in f.message and "PA Media" in f.message
    assert f.evidence == "By Kevin Marsh, Staff Writer" and f.line == 2


@pytest.mark.parametrize(
    ("texts", "m"),
    [
        (client_page(byline="By Owen Hale"), match()),  # the story's own writer
        (client_page(byline="By OWEN HALE"), match()),
        (client_page(byline="By Ruth Mills"), match(story(contributors=("Owen Hale", "Ruth Mills")))),
        ([HEADLINE, "Kevin Marsh", "Press Association", B1, B2, B3], match()),  # the byline names PA
        (stripped_page(), match(derivation="partial")),  # a partial copy keeps the page's own byline
    ],
)
def test_byline_negative(packs: list[RulePack], texts: list[str], m: Match) -> None:
    assert "PA-BYLINE" not in rules(audit(packs, texts, m))


# -- PA-REWRITE --------------------------------------------------------------------------------


def test_rewrite_positive(packs: list[RulePack]) -> None:
    f = finding(audit(packs, client_page(), match(derivation="spun")), "PA-REWRITE")
    assert f.severity == "warning" and "spun" in f.message


@pytest.mark.parametrize("derivation", ["verbatim", "edited", "partial"])
def test_rewrite_negative(packs: list[RulePack], derivation: Derivation) -> None:
    """PA copy is written to be cut and re-edited by the papers taking it."""
    assert "PA-REWRITE" not in rules(audit(packs, client_page(), match(derivation=derivation)))


# -- PA-LINK -----------------------------------------------------------------------------------

CLAIM_LINK = "Read the full story at the agency's website."


def test_link_positive_when_claimed(packs: list[RulePack]) -> None:
    f = finding(audit(packs, [*client_page(), CLAIM_LINK], match()), "PA-LINK")
    assert f.severity == "warning" and f.evidence == CLAIM_LINK and f.line == 6


@pytest.mark.parametrize(
    "href", ["https://pa.media/news/council-bridge", "https://www.pamediagroup.com/stories/1"]
)
def test_link_negative_with_a_link(packs: list[RulePack], href: str) -> None:
    links = [Link(href, "PA Media")]
    assert audit(packs, [*client_page(), CLAIM_LINK], match(), links=links) == []


def test_link_negative_without_claim(packs: list[RulePack]) -> None:
    assert "PA-LINK" not in rules(audit(packs, client_page(), match()))


# -- PA-LICENSE --------------------------------------------------------------------------------


def test_license_positive(packs: list[RulePack]) -> None:
    findings = audit(packs, client_page(), match(), licensed=["AP"])
    f = finding(findings, "PA-LICENSE")
    assert f.severity == "error" and "PA Media" in f.message
    assert rules(findings) == ["PA-LICENSE"]


@pytest.mark.parametrize("licensed", [None, ["PA"], ["AP", "pa"], ["Press Association"]])
def test_license_negative(packs: list[RulePack], licensed: list[str] | None) -> None:
    assert audit(packs, client_page(), match(), licensed=licensed) == []


# -- scope -------------------------------------------------------------------------------------


def test_page_with_only_pa_pictures_is_not_a_copy(packs: list[RulePack]) -> None:
    texts = [HEADLINE, "By Beth Carrow", "The new bridge design (Ruth Mills/PA)", PROSE, "PA Wire", PROSE]
    assert audit(packs, texts) == []


def test_pennsylvania_site_footer_is_not_a_pa_copy(packs: list[RulePack]) -> None:
    texts = [
        HEADLINE,
        "By Beth Carrow",
        PROSE,
        PROSE,
        "\u00a9 2024 Erie Valley News, 12 Main Street, Erie, PA 16501. All rights reserved.",
    ]
    assert audit(packs, texts) == []
