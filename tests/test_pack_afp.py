"""The AFP pack: its content, what it detects (and leaves out), and a positive and a negative
example for every rule. Example lines are invented; no agency copy is quoted."""

from __future__ import annotations

from pathlib import Path

import pytest
from packtools import audit, detect_texts, finding, make_match, rules

from provenance.model import Derivation, Link, Match, Story
from provenance.notices import notice_difference
from provenance.packs import RulePack, load_packs, pack_for

ROOT = Path(__file__).resolve().parent.parent

HEADLINE = "Floods cut off river towns as rain keeps falling"
F1 = "Floodwater cut off three river towns on Monday, forcing hundreds of families onto rooftops to wait for help."
F2 = "Rescue teams using small boats reached the worst-hit districts overnight, local officials said."
F3 = "Forecasters warned that more rain was expected before the end of the week across the whole region."
PROSE = "Officials met on Tuesday to discuss the plan in detail, and more talks are due next week."
NOTICE = "Copyright 2024 AFP. All rights reserved."
DATELINE = "RIVERTON (AFP) - "


@pytest.fixture(scope="module")
def afp(packs: list[RulePack]) -> RulePack:
    pack = pack_for(packs, "AFP")
    assert pack is not None
    return pack


def story(byline: str | None = "By Claire DUVAL", **kw: object) -> Story:
    return Story(id="afp-1", agency="AFP", text=" ".join((F1, F2, F3)), byline=byline, **kw)  # type: ignore[arg-type]


def match(st: Story | None = None, derivation: Derivation = "verbatim") -> Match:
    return make_match(st or story(), derivation)


run = detect_texts


def client_page(*, notice: str | None = NOTICE, byline: str = "By Claire DUVAL / AFP") -> list[str]:
    """A client running the AFP story as delivered: byline, dateline, and (optionally) a notice."""
    texts = [HEADLINE, byline, f"{DATELINE}{F1}", F2, F3]
    return [*texts, notice] if notice else texts


def stripped_page(byline: str = "By Kevin Marsh, Staff Writer") -> list[str]:
    return [HEADLINE, byline, F1, F2, F3, "© 2024 Valley Courier"]


# -- the pack ----------------------------------------------------------------------------------


def test_rule_ids(afp: RulePack) -> None:
    assert {r.key: r.rule for r in afp.requirements} == {
        "credit": "AFP-CREDIT",
        "notice": "AFP-NOTICE-MISSING",
        "miscredit": "AFP-MISCREDIT",
        "notice_form": "AFP-NOTICE-FORM",
        "byline": "AFP-BYLINE",
        "rewrite": "AFP-REWRITE",
        "link": "AFP-LINK",
        "license": "AFP-LICENSE",
        "killed": "AFP-KILLED",
        "embargo": "AFP-EMBARGO",
    }


def test_requirements(afp: RulePack) -> None:
    for key in ("credit", "notice_form", "byline", "rewrite", "license"):
        assert afp.requirement(key) is not None, key
    assert afp.requirement("notice") is None  # declared, not checked: clients rarely show one
    link = afp.requirement("link")
    assert link is not None and link.required == "when-claimed"
    rewrite = afp.requirement("rewrite")
    assert rewrite is not None and rewrite.derivations == ("spun",)
    assert {r.severity for r in afp.requirements} <= {"error", "warning", "info"}


def test_aliases_notice_and_domains(afp: RulePack) -> None:
    assert set(afp.aliases) == {"Agence France-Presse", "Agence France Presse", "AFP"}
    assert afp.name == "Agence France-Presse"
    assert afp.notice.canonical == "Copyright {year} AFP. All rights reserved."
    assert "© {year} AFP" in afp.notice.accepted
    assert afp.link_domains == ("afp.com",)
    assert pack_for([afp], "agence france-presse") is afp


# -- datelines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "dateline"),
    [
        ("PARIS (AFP) - The government said on Monday.", "PARIS (AFP) -"),
        ("Paris (AFP) - The government said on Monday.", "Paris (AFP) -"),
        ("WASHINGTON, Jan 5 (AFP) - The court ruled.", "WASHINGTON, Jan 5 (AFP) -"),
        ("KYIV, Ukraine (AFP) \u2014 Officials said.", "KYIV, Ukraine (AFP) -"),
        ("Port-au-Prince (AFP) - Residents said.", "Port-au-Prince (AFP) -"),
        ("(AFP) - A court ruled on Friday.", "(AFP) -"),
    ],
)
def test_datelines(packs: list[RulePack], line: str, dateline: str) -> None:
    a = run(packs, HEADLINE, line)
    signal = next(s for s in a.of_kind("dateline"))
    assert (signal.agency, signal.text, signal.line) == ("AFP", dateline, 2)
    assert a.credits("AFP")


@pytest.mark.parametrize(
    "line",
    [
        "Australian Federal Police (AFP) officers searched two homes in Sydney on Monday.",
        "He said PARIS (AFP) - was the slug on the copy he saw that morning.",
        "The news agency (AFP) reported it first.",
    ],
)
def test_not_datelines(packs: list[RulePack], line: str) -> None:
    assert not run(packs, HEADLINE, line).of_kind("dateline")


def test_dateline_after_byline_on_one_line(packs: list[RulePack]) -> None:
    a = run(packs, f"By Claire DUVAL / AFP PARIS (AFP) - {PROSE} {PROSE} {PROSE}")
    assert [(s.kind, s.agency) for s in a.signals] == [("byline", "AFP"), ("dateline", "AFP")]
    assert a.of_kind("byline")[0].names == ("Claire Duval",)


# -- bylines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Claire DUVAL / AFP", ("Claire Duval",)),
        ("By CLAIRE DUVAL, AFP", ("Claire Duval",)),
        ("By Claire Duval - Agence France-Presse", ("Claire Duval",)),
        ("By Claire Duval and Tom Reyes, AFP", ("Claire Duval", "Tom Reyes")),
        ("By Claire Duval for AFP", ("Claire Duval",)),
        ("By Claire Duval with AFP", ("Claire Duval",)),
        ("Claire Duval, AFP", ("Claire Duval",)),
        ("Claire DUVAL, AFP correspondent", ("Claire Duval",)),
        ("AFP correspondent", ()),
        ("By AFP", ()),
        ("By Agence France-Presse", ()),
        ("By AFP Staff Writers", ()),
        ("AFP staff", ()),
        ("AFP | 14 Jul 2018", ()),
        ("Agence France-Presse - July 16, 2018", ()),
    ],
)
def test_bylines(packs: list[RulePack], line: str, names: tuple[str, ...]) -> None:
    a = run(packs, HEADLINE, line, PROSE)
    (signal,) = a.of_kind("byline")
    assert (signal.agency, signal.names) == ("AFP", names)
    assert a.credits("AFP")


@pytest.mark.parametrize(
    "line",
    [
        "Claire Duval | AFP",  # a photo credit under a picture
        "Claire Duval / AFP",  # a photo credit
        "By AFP estimates, the toll rose again.",
        "By Claire Duval, AFP officers said",
        "By Kevin Marsh, Staff Writer",
    ],
)
def test_not_agency_bylines(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, line, PROSE)
    assert not a.credits("AFP")
    assert all(s.agency != "AFP" for s in a.of_kind("byline"))


def test_meta_author_naming_afp_is_an_agency_byline(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, meta={"author": "Claire DUVAL, AFP"})
    (signal,) = a.of_kind("byline")
    assert (signal.where, signal.agency, signal.names) == ("meta", "AFP", ("Claire Duval",))


# -- credits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Source: AFP",
        "Sources: AFP, Reuters",
        "- AFP",
        f"{PROSE} - AFP",
        "Agence France-Presse",
        "AFP contributed to this report.",
        f"{PROSE} (AFP)",
        f"{PROSE} jm/dw (AFP)",
        f"{PROSE} mb/rt (AFP, dpa, Reuters)",
        "(dpa, AFP)",
        "(AFP/Reuters)",
        "(RIVER 24 with AFP)",
        "(with AFP)",
        "With AFP",
        "The Local Times with AFP",
        f"{PROSE} - with AFP",
        "Additional reporting by AFP",
        "(With additional reporting from AFP and agencies)",
        "Via AFP",
    ],
)
def test_credit_lines(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, PROSE, line)
    assert a.credits("AFP")
    assert any(s.kind == "credit" and s.agency == "AFP" and not s.prose for s in a.signals)


@pytest.mark.parametrize(
    "line",
    [
        "AFP",  # alone on a line: the usual photo credit under an image
        "(AFP)",
        "Credit: AFP",
        "with agencies",  # names no agency
        "Source: agencies",
        "In an interview with AFP",
        "Speaking with AFP",
        "Claire Duval - AFP",  # a name, then the bare alias: a photo credit
    ],
)
def test_not_credits(packs: list[RulePack], line: str) -> None:
    assert not run(packs, HEADLINE, PROSE, line, PROSE).credits("AFP")


@pytest.mark.parametrize(
    "line",
    [
        "Brendan Vale, AFP/Getty Images",
        "Anna Lind | AFP | Getty Images",
        "AFP via Getty Images",
        "Agence France-Presse \u2014 Getty Images",
        "(Getty Images/AFP)",
        "(Photo by Anna LIND / AFP)",
        "(Photo credit should read ANNA LIND/AFP/Getty Images)",
        "Photograph by Anna Lind / AFP / Getty",
        "AFP PHOTO / Anna LIND",
        "/ AFP PHOTO / POOL / Anna LIND",
        "(AFP Photo/Anna Lind)",
        "AFP Video",
        "A boat passes the flooded square on Monday. Anna Lind / AFP",
        "Anna Lind/AFP",
        "(AFP/File)",
        "Photo: AFP",
        "Image source, AFP",
        "Photo: Anna Lind / AFP",
        "\u00a9 AFP",
        "\u00a9 AFP/Anna Lind",
    ],
)
def test_photo_credits_are_not_credits(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, line, PROSE, PROSE)
    assert not a.credits("AFP")
    assert "AFP" not in a.agencies_detected


@pytest.mark.parametrize(
    "sentence",
    [
        "The river burst its banks overnight, AFP reported on Tuesday.",
        "The river burst its banks overnight, the AFP news agency reported.",
        "The river burst its banks overnight, Agence France-Presse reported.",
    ],
)
def test_prose_credits(packs: list[RulePack], sentence: str) -> None:
    (signal,) = [s for s in run(packs, HEADLINE, f"{PROSE} {sentence}").signals if s.agency]
    assert (signal.kind, signal.agency, signal.prose, signal.text) == ("credit", "AFP", True, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The river burst its banks overnight, according to AFP.",
        "The river burst its banks overnight, according to French news agency AFP.",
    ],
)
def test_mentions_cite_a_fact_and_credit_nothing(packs: list[RulePack], sentence: str) -> None:
    a = run(packs, HEADLINE, f"{PROSE} {sentence}")
    (signal,) = [s for s in a.signals if s.agency]
    assert (signal.kind, signal.agency, signal.prose, signal.text) == ("mention", "AFP", True, sentence)
    assert not a.credits("AFP")


@pytest.mark.parametrize(
    "line",
    [
        # AFP's own wording travels with a stripped copy
        "A spokesman told AFP that the decision was final and talks would not resume this year.",
        "The toll rose to 12, according to an AFP tally of figures released by the ministry.",
        "The toll rose to 12, according to AFP calculations based on figures from the ministry.",
        "An AFP correspondent saw smoke rising over the centre of the town on Monday afternoon.",
        # the Australian Federal Police
        "The man was charged, according to the AFP, which said more arrests could follow soon.",
        "The AFP reported that two men had been charged after a long investigation in Sydney.",
    ],
)
def test_agency_own_wording_and_police_are_not_credits(packs: list[RulePack], line: str) -> None:
    assert not run(packs, HEADLINE, PROSE, line, PROSE).credits("AFP")


# -- contributors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "names"),
    [
        (
            "AFP correspondents Claire Duval in Riverton and Tom Reyes in Lakeside contributed to this report.",
            ("Claire Duval", "Tom Reyes"),
        ),
        ("Claire Duval of AFP contributed to this report.", ("Claire Duval",)),
        ("Tom Reyes from Agence France-Presse also contributed.", ("Tom Reyes",)),
    ],
)
def test_contributor_lines(packs: list[RulePack], line: str, names: tuple[str, ...]) -> None:
    a = run(packs, HEADLINE, PROSE, line)
    (signal,) = [s for s in a.of_kind("contributor") if s.agency == "AFP"]
    assert signal.names == names
    assert a.agencies_detected == ["AFP"]
    assert not a.credits("AFP")  # shows where the text comes from, but is no credit


def test_desk_sign_off_is_not_a_contributor_line(packs: list[RulePack]) -> None:
    """AFP's "burs-jm/dw" names nobody, and other outlets sign off with initials too."""
    a = run(packs, HEADLINE, PROSE, "burs-jm/dw")
    assert not a.of_kind("contributor") and a.agencies_detected == []


# -- notices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "notice"),
    [
        (NOTICE, NOTICE),
        ("\u00a9 AFP 2018", "\u00a9 AFP 2018"),
        ("Posted in World. \u00a9 2024 AFP", "\u00a9 2024 AFP"),
        ("Copyright \u00a9 2024 Agence France-Presse", "Copyright \u00a9 2024 Agence France-Presse"),
        (
            "Copyright \u00a9 2022 of the AFP. Copyright Registered. Sign up for our newsletter today.",
            "Copyright \u00a9 2022 of the AFP. Copyright Registered.",
        ),
    ],
)
def test_notices(packs: list[RulePack], line: str, notice: str) -> None:
    a = run(packs, HEADLINE, PROSE, line)
    (signal,) = [s for s in a.of_kind("notice") if s.agency == "AFP"]
    assert signal.text == notice
    assert not a.credits("AFP")


@pytest.mark.parametrize(
    "line",
    [
        "\u00a9 2024 Daily Bugle. All rights reserved.",
        "\u00a9 2024 Daily Bugle. Some stories come from AFP and other agencies.",
        "The copyright case between AFP and the platform is due in court next year, lawyers said.",
    ],
)
def test_not_afp_notices(packs: list[RulePack], line: str) -> None:
    assert not [s for s in run(packs, HEADLINE, PROSE, line).of_kind("notice") if s.agency == "AFP"]


@pytest.mark.parametrize(
    "notice",
    [
        "Copyright 2024 AFP. All rights reserved.",
        "\u00a9 2024 AFP. All Rights Reserved",
        "\u00a9 2024 AFP",
        "\u00a9 AFP 2018",
        "(c) 2024 Agence France-Presse",
        "Copyright \u00a9 2024 Agence France Presse. All rights reserved.",
    ],
)
def test_accepted_notices(afp: RulePack, notice: str) -> None:
    assert notice_difference(notice, afp) is None


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        (
            "Copyright \u00a9 2022 of the AFP. Copyright Registered.",
            '"of the AFP." instead of "AFP"; extra "Copyright Registered."',
        ),
        ("\u00a9 2024 France Presse", '"France Presse" instead of "Agence France Presse"'),
    ],
)
def test_notice_differences(afp: RulePack, notice: str, expected: str) -> None:
    assert notice_difference(notice, afp) == expected


# -- AFP-CREDIT --------------------------------------------------------------------------------


def test_credit_positive(packs: list[RulePack]) -> None:
    f = finding(audit(packs, stripped_page(), match()), "AFP-CREDIT")
    assert f.severity == "error" and "Agence France-Presse" in f.message


def test_credit_positive_photo_credit_alone(packs: list[RulePack]) -> None:
    texts = [HEADLINE, "Anna Lind / AFP", "By Claire Duval", F1, F2, F3]
    assert rules(audit(packs, texts, match())) == ["AFP-CREDIT"]


@pytest.mark.parametrize(
    "texts",
    [
        [HEADLINE, "By Claire Duval", f"{DATELINE}{F1}", F2, F3],
        [HEADLINE, "By Claire Duval", F1, F2, F3, "Source: AFP"],
        [HEADLINE, "By Claire Duval", F1, F2, f"{F3} (AFP)"],
        [HEADLINE, "By AFP", F1, F2, F3],
        [HEADLINE, F1, F2, F3, "(RIVER 24 with AFP)"],
    ],
)
def test_credit_negative(packs: list[RulePack], texts: list[str]) -> None:
    assert "AFP-CREDIT" not in rules(audit(packs, texts, match()))


def test_credit_without_match_from_contributor_line(packs: list[RulePack]) -> None:
    texts = [HEADLINE, F1, F2, F3, "Claire Duval of AFP contributed to this report."]
    assert rules(audit(packs, texts)) == ["AFP-CREDIT"]


# -- AFP-NOTICE-MISSING ------------------------------------------------------------------------


def test_notice_missing_negative(packs: list[RulePack]) -> None:
    """Not required by the built-in pack: a credited copy without a notice passes."""
    assert audit(packs, client_page(notice=None), match()) == []


def test_notice_missing_positive_when_a_user_pack_requires_it(tmp_path: Path) -> None:
    text = (ROOT / "rules" / "afp.toml").read_text(encoding="utf-8")
    old = '[requirements.notice]\nid = "AFP-NOTICE-MISSING"'
    assert old in text and text.count("required = false") == 1
    (tmp_path / "afp.toml").write_text(text.replace("required = false", "required = true"), encoding="utf-8")
    packs = load_packs([tmp_path])
    f = finding(audit(packs, client_page(notice=None), match()), "AFP-NOTICE-MISSING")
    assert f.severity == "warning" and f.line is None
    assert audit(packs, client_page(), match()) == []


# -- AFP-NOTICE-FORM ---------------------------------------------------------------------------


def test_notice_form_positive(packs: list[RulePack]) -> None:
    notice = "Copyright \u00a9 2022 of the AFP. Copyright Registered."
    findings = audit(packs, client_page(notice=notice), match())
    f = finding(findings, "AFP-NOTICE-FORM")
    assert '"of the AFP." instead of "AFP"' in f.message and "Copyright Registered." in f.message
    assert f.evidence == notice and f.line == 6
    assert rules(findings) == ["AFP-NOTICE-FORM"]


@pytest.mark.parametrize("notice", [NOTICE, "\u00a9 AFP 2024", "\u00a9 2024 Agence France-Presse"])
def test_notice_form_negative(packs: list[RulePack], notice: str) -> None:
    assert audit(packs, client_page(notice=notice), match()) == []


# -- AFP-BYLINE --------------------------------------------------------------------------------


def test_byline_positive(packs: list[RulePack]) -> None:
    f = finding(audit(packs, stripped_page(), match()), "AFP-BYLINE")
    assert "Kevin Marsh" in f.message and "Agence France-Presse" in f.message
    assert f.evidence == "By Kevin Marsh, Staff Writer" and f.line == 2


def test_byline_positive_with_dateline(packs: list[RulePack]) -> None:
    assert rules(audit(packs, client_page(byline="By Kevin Marsh"), match())) == ["AFP-BYLINE"]


@pytest.mark.parametrize(
    ("texts", "m"),
    [
        (client_page(byline="By Claire Duval"), match()),  # the story's own writer
        (client_page(byline="By CLAIRE DUVAL"), match()),
        (client_page(byline="By Tom Reyes"), match(story(contributors=("Claire Duval", "Tom Reyes")))),
        (client_page(byline="By Kevin Marsh with AFP"), match()),  # the byline names AFP
        (stripped_page(), match(derivation="partial")),  # a partial copy keeps the page's own byline
    ],
)
def test_byline_negative(packs: list[RulePack], texts: list[str], m: Match) -> None:
    assert "AFP-BYLINE" not in rules(audit(packs, texts, m))


# -- AFP-REWRITE -------------------------------------------------------------------------------


def test_rewrite_positive(packs: list[RulePack]) -> None:
    f = finding(audit(packs, client_page(), match(derivation="spun")), "AFP-REWRITE")
    assert f.severity == "warning" and "spun" in f.message and "spun" in f.evidence


@pytest.mark.parametrize("derivation", ["verbatim", "edited", "partial"])
def test_rewrite_negative(packs: list[RulePack], derivation: Derivation) -> None:
    """Clients may cut and re-edit AFP copy under an AFP credit; only spinning is flagged."""
    assert "AFP-REWRITE" not in rules(audit(packs, client_page(), match(derivation=derivation)))


# -- AFP-LINK ----------------------------------------------------------------------------------

CLAIM = "Read the original story at the agency's website."


def test_link_positive_when_claimed(packs: list[RulePack]) -> None:
    f = finding(audit(packs, [*client_page(), CLAIM], match()), "AFP-LINK")
    assert f.severity == "warning" and f.evidence == CLAIM and f.line == 7


@pytest.mark.parametrize(
    "links",
    [
        [Link("https://www.afp.com/en/news/1234", "AFP")],
        [Link("https://factcheck.afp.com/some-item", "fact check")],
    ],
)
def test_link_negative_with_a_link(packs: list[RulePack], links: list[Link]) -> None:
    assert audit(packs, [*client_page(), CLAIM], match(), links=links) == []


def test_link_negative_without_claim(packs: list[RulePack]) -> None:
    assert "AFP-LINK" not in rules(audit(packs, client_page(), match()))


def test_link_to_the_matched_story_counts(packs: list[RulePack]) -> None:
    st = story(url="https://news.example.org/world/floods-1")
    links = [Link("https://news.example.org/world/floods-1?ref=x", "original")]
    assert audit(packs, [*client_page(), CLAIM], match(st), links=links) == []


# -- AFP-LICENSE -------------------------------------------------------------------------------


def test_license_positive(packs: list[RulePack]) -> None:
    findings = audit(packs, client_page(), match(), licensed=["AP", "Reuters"])
    f = finding(findings, "AFP-LICENSE")
    assert f.severity == "error" and "verbatim" in f.message and "AP, Reuters" in f.evidence
    assert rules(findings) == ["AFP-LICENSE"]


@pytest.mark.parametrize("licensed", [None, ["AFP"], ["ap", "afp"], ["Agence France-Presse"]])
def test_license_negative(packs: list[RulePack], licensed: list[str] | None) -> None:
    assert audit(packs, client_page(), match(), licensed=licensed) == []


# -- scope -------------------------------------------------------------------------------------


def test_page_with_only_afp_photos_is_not_a_copy(packs: list[RulePack]) -> None:
    texts = [HEADLINE, "By Beth Carrow", "Anna Lind / AFP", PROSE, "(AFP Photo/Anna Lind)", PROSE]
    assert audit(packs, texts) == []


def test_police_page_is_not_an_afp_copy(packs: list[RulePack]) -> None:
    texts = [
        "Two charged after raids in Sydney",
        "By Beth Carrow",
        "Australian Federal Police (AFP) officers searched two homes in western Sydney on Monday.",
        "An AFP spokesperson said the investigation was continuing and more charges were possible.",
        "The AFP reported that the two men would appear in court later in the week, officials said.",
    ]
    assert audit(packs, texts) == []
