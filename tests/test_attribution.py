"""Attribution signals: datelines, bylines, credits, contributor lines and copyright notices."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from conftest import SEED_PAGE

from provenance.attribution import detect
from provenance.model import Attribution, Signal, TextLine, Where
from provenance.names import person_names, same_person
from provenance.notices import notice_difference
from provenance.packs import RulePack, pack_for

PROSE = "Officials met on Tuesday to discuss the plan in detail, and more talks are due next week."
HEADLINE = "Port strike enters its second week as talks stall"


@pytest.fixture(scope="module")
def ap(packs: list[RulePack]) -> RulePack:
    pack = pack_for(packs, "AP")
    assert pack is not None
    return pack


def seed_lines() -> list[TextLine]:
    """The seed page, one TextLine per file line (1-based), all in the body."""
    path = SEED_PAGE
    text = path.read_text(encoding="utf-8")
    return [TextLine(line, "body", i) for i, line in enumerate(text.split("\n"), 1)]


def lines(*texts: str, where: Where = "body") -> list[TextLine]:
    return [TextLine(t, where, i) for i, t in enumerate(texts, 1)]


def run(packs: list[RulePack], *texts: str, meta: Mapping[str, str] | None = None) -> Attribution:
    return detect(lines(*texts), meta or {}, packs)


def one(attribution: Attribution, kind: str, agency: str | None = "any") -> Signal:
    found = [s for s in attribution.signals if s.kind == kind and (agency == "any" or s.agency == agency)]
    assert len(found) == 1, attribution.signals
    return found[0]


# -- the seed page -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(packs: list[RulePack]) -> Attribution:
    return detect(seed_lines(), {}, packs)


def test_seed_detects_ap_without_crediting_it(seed: Attribution) -> None:
    assert seed.agencies_detected == ["AP"]
    assert not seed.credits("AP")
    assert not seed.of_kind("dateline") and not seed.of_kind("credit")


def test_seed_contributor_line_names_everyone(seed: Attribution) -> None:
    signal = one(seed, "contributor", "AP")
    assert signal.text.startswith("Karmanau reports from Kyiv")
    assert signal.names == (
        "Karmanau",
        "Angela Charlton",
        "Sylvie Corbet",
        "Geir Moulson",
        "Jill Lawless",
        "Edith M. Lederer",
        "Jan M. Olsen",
        "Robert Burns",
    )


def test_seed_notice_is_cut_out_of_its_paragraph(seed: Attribution) -> None:
    signal = one(seed, "notice", "AP")
    assert signal.text == "Copyright © 2022 of the Associated Press. Copyright Registered."
    assert signal.line is not None and "Copyright ©" in seed_lines()[signal.line - 1].text


def test_seed_fake_byline(seed: Attribution) -> None:
    signal = one(seed, "byline")
    assert signal.agency is None
    assert signal.names == ("Dais Johnston",)
    assert seed_lines()[signal.line - 1].text == "Dais Johnston"  # type: ignore[operator]


def test_seed_notice_difference_names_what_differs(seed: Attribution, ap: RulePack) -> None:
    difference = notice_difference(one(seed, "notice").text, ap)
    assert difference is not None
    assert '"of the Associated Press." instead of "The Associated Press."' in difference
    assert '"Copyright Registered." instead of "All rights reserved."' in difference


# -- datelines ---------------------------------------------------------------------------------


def test_dateline_at_line_start(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, "MOSCOW (AP) - Russia said on Tuesday that some units would return.")
    signal = one(a, "dateline", "AP")
    assert signal.text == "MOSCOW (AP) -" and signal.line == 2
    assert a.credits("AP")


def test_dateline_after_normalisation_of_em_dash(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, "WASHINGTON, May 8 (Reuters) \u2014 The Federal Reserve held rates.")
    assert one(a, "dateline", "Reuters").text == "WASHINGTON, May 8 (Reuters) -"


def test_dateline_mid_line_is_not_a_dateline(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, "He said MOSCOW (AP) - was the slug on the wire copy he saw.")
    assert not a.of_kind("dateline")


def test_dateline_after_byline_on_one_line(packs: list[RulePack]) -> None:
    a = run(packs, f"By JANE DOE, Associated Press MOSCOW (AP) - {PROSE} {PROSE} {PROSE}")
    assert one(a, "dateline", "AP").text == "MOSCOW (AP) -"
    assert one(a, "byline", "AP").names == ("Jane Doe",)


# -- bylines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "agency", "names"),
    [
        ("By JANE DOE, Associated Press", "AP", ("Jane Doe",)),
        ("By Jane Doe - The Associated Press", "AP", ("Jane Doe",)),
        ("By JANE DOE and JOHN ROE, Associated Press", "AP", ("Jane Doe", "John Roe")),
        ("TOM REILLY, AP Sports Writer", "AP", ("Tom Reilly",)),
        ("By The Associated Press", "AP", ()),
        ("By Jane Doe | Reuters", "Reuters", ("Jane Doe",)),
        ("Reuters staff", "Reuters", ()),
    ],
)
def test_agency_bylines(packs: list[RulePack], line: str, agency: str, names: tuple[str, ...]) -> None:
    a = run(packs, HEADLINE, line, PROSE)
    signal = one(a, "byline")
    assert (signal.agency, signal.names) == (agency, names)
    assert a.credits(agency)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Kevin Marsh", ("Kevin Marsh",)),
        ("By Kevin Marsh, Staff Writer", ("Kevin Marsh",)),
        ("By KEVIN MARSH", ("Kevin Marsh",)),
        ("By Kevin Marsh, Staff Writer Aug. 18, 2024", ("Kevin Marsh",)),
        ("Posted by Jane Doe on March 3, 2024", ("Jane Doe",)),
        ("By Jane Doe and John Roe, Daily Bugle", ("Jane Doe", "John Roe")),
    ],
)
def test_person_bylines(packs: list[RulePack], line: str, names: tuple[str, ...]) -> None:
    a = run(packs, HEADLINE, line, PROSE, PROSE)
    signal = one(a, "byline")
    assert (signal.agency, signal.names, signal.line) == (None, names, 2)
    assert a.agencies_detected == []


@pytest.mark.parametrize(
    "line",
    [
        "By the time the troops arrived, the town was empty.",
        "By Tuesday, most residents had left.",
        "By Staff",
    ],
)
def test_by_sentences_are_not_bylines(packs: list[RulePack], line: str) -> None:
    assert not run(packs, HEADLINE, line, PROSE).of_kind("byline")


def test_meta_author_is_a_person_byline(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, meta={"author": "Kevin Marsh", "site_name": "Daily Bugle"})
    signal = one(a, "byline")
    assert (signal.where, signal.names, signal.agency) == ("meta", ("Kevin Marsh",), None)


def test_meta_author_naming_the_agency_is_an_agency_byline(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, meta={"jsonld:author": "Claire Dumont, Associated Press"})
    signal = one(a, "byline")
    assert (signal.where, signal.names, signal.agency) == ("jsonld", ("Claire Dumont",), "AP")


def test_site_name_is_not_a_person(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, meta={"author": "Valley Courier", "site_name": "The Valley Courier"})
    assert not a.of_kind("byline")


def test_bare_name_in_opening_lines(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, "Jane Doe", PROSE, PROSE, PROSE)
    assert one(a, "byline").names == ("Jane Doe",)


def test_bare_name_above_agency_line_is_an_agency_byline(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, "JANE DOE", "Associated Press", PROSE, PROSE)
    signal = one(a, "byline")
    assert (signal.agency, signal.names) == ("AP", ("Jane Doe",))
    assert a.credits("AP")


def test_bare_name_in_closing_zone(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, PROSE, PROSE, "Dais Johnston", "Related Articles")
    assert one(a, "byline").names == ("Dais Johnston",)


def test_bare_name_next_to_a_site_notice(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, PROSE, "© 2024 Daily Bugle. All rights reserved.", "Jane Doe", PROSE)
    assert one(a, "byline").names == ("Jane Doe",)


def test_bare_name_mid_body_is_a_subheading(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, PROSE, PROSE, "Vladimir Putin", PROSE, PROSE)
    assert not a.of_kind("byline")


def test_headline_first_line_is_not_a_name(packs: list[RulePack]) -> None:
    assert not run(packs, "Putin Warns West", PROSE, PROSE).of_kind("byline")


@pytest.mark.parametrize(
    "furniture",
    [
        "Related Articles",
        "Back to top button",
        "Share This Story",
        "Advertisement",
        "Top Stories",
        "Contact Us",
    ],
)
def test_site_furniture_is_not_a_name(packs: list[RulePack], furniture: str) -> None:
    assert not run(packs, HEADLINE, PROSE, PROSE, furniture).of_kind("byline")


def test_menu_items_are_not_names(packs: list[RulePack]) -> None:
    menu = ("Valley Courier", "Local", "Fire Updates", "Schools", "Real Estate", "Classifieds")
    a = detect(lines(*menu, where="header") + lines(HEADLINE, PROSE, PROSE), {}, packs)
    assert not a.of_kind("byline")


# -- credits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        ("Source: Associated Press", "AP"),
        ("Credit: AP", "AP"),
        ("- The Associated Press", "AP"),
        ("The Associated Press contributed to this report.", "AP"),
        ("Source: Reuters", "Reuters"),
        ("Reuters", "Reuters"),
        ("Information from Reuters was used in this report.", "Reuters"),
    ],
)
def test_credit_lines(packs: list[RulePack], line: str, agency: str) -> None:
    a = run(packs, HEADLINE, PROSE, PROSE, line)
    signal = one(a, "credit", agency)
    assert signal.line == 4
    assert a.credits(agency)


def test_credit_ending_a_paragraph(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, f"{PROSE} - The Associated Press")
    assert a.credits("AP")


@pytest.mark.parametrize(
    "line",
    [
        "(AP Photo/Jane Doe)",
        "A firefighter walks past a burning home. (AP Photo/Evan Vucci, File)",
        "Evan Vucci/AP",
        "Photo: AP",
        "Photo credit: The Associated Press",
        "REUTERS/Kevin Lamarque/File Photo",
        "Photo: Reuters",
    ],
)
def test_photo_credits_do_not_credit_the_text(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, line, PROSE, PROSE)
    assert not a.credits("AP") and not a.credits("Reuters")
    assert a.agencies_detected == []


def test_prose_credit_is_kept_as_a_body_credit(packs: list[RulePack]) -> None:
    sentence = "The company plans to cut 500 jobs over two years, Reuters reported on Tuesday."
    a = detect([TextLine(f"{PROSE} {sentence}", "footer", 7)], {}, packs)
    signal = one(a, "credit", "Reuters")
    assert (signal.text, signal.where, signal.line) == (sentence, "body", 7)


@pytest.mark.parametrize(
    "line",
    [
        "A spokesman told Reuters on Monday that the deal was off, and talks would resume.",
        "The price rose 4%, according to Reuters calculations based on official data.",
        "The figure was 12%, according to an AP tally of state data released this week.",
        "The results come from an AP-NORC poll conducted in March among 1,000 adults.",
        "The official spoke to The Associated Press on condition of anonymity.",
    ],
)
def test_agency_own_wording_is_not_a_credit(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, PROSE, line, PROSE)
    assert not a.credits("AP") and not a.credits("Reuters")


# -- contributors ------------------------------------------------------------------------------


def test_contributor_line_shows_origin_but_is_no_credit(packs: list[RulePack]) -> None:
    line = "Associated Press writer Paul Brenner in Vellmont contributed to this report."
    a = run(packs, HEADLINE, PROSE, PROSE, line)
    assert one(a, "contributor", "AP").names == ("Paul Brenner",)
    assert a.agencies_detected == ["AP"]
    assert not a.credits("AP")
    assert not a.of_kind("byline")


def test_reuters_contributor_line(packs: list[RulePack]) -> None:
    line = "(Reporting by Lars Berg; Additional reporting by Ana Petric in Dravo; Editing by Helen Marsh)"
    a = run(packs, HEADLINE, PROSE, line)
    assert one(a, "contributor", "Reuters").names == ("Lars Berg", "Ana Petric", "Helen Marsh")
    assert not a.credits("Reuters")


def test_contributor_of_the_agency(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, "Jane Doe of The Associated Press contributed to this report.")
    assert one(a, "contributor", "AP").names == ("Jane Doe",)


# -- notices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "notice"),
    [
        (
            "Copyright 2024 The Associated Press. All rights reserved.",
            "Copyright 2024 The Associated Press. All rights reserved.",
        ),
        (
            "Copyright 2024 The Associated Press. All rights reserved. This material may not be "
            "published, broadcast, rewritten or redistributed. Sign up for our newsletter today.",
            "Copyright 2024 The Associated Press. All rights reserved. This material may not be "
            "published, broadcast, rewritten or redistributed.",
        ),
        ("Posted in World. © 2023 AP", "© 2023 AP"),
        ("(c) 2024 The Associated Press", "(c) 2024 The Associated Press"),
    ],
)
def test_ap_notices(packs: list[RulePack], line: str, notice: str) -> None:
    a = run(packs, HEADLINE, PROSE, line)
    assert one(a, "notice", "AP").text == notice
    assert not a.credits("AP")


def test_site_notice_is_reported_without_agency(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, "© 2024 Daily Bugle. All rights reserved. Privacy policy")
    (notice,) = a.of_kind("notice")
    assert notice.agency is None and notice.text == "© 2024 Daily Bugle. All rights reserved."
    assert a.agencies_detected == []


def test_prose_about_copyright_is_not_a_notice(packs: list[RulePack]) -> None:
    line = "The copyright lawsuit between AP and the startup is set for trial next year in federal court."
    assert not run(packs, HEADLINE, PROSE, line).of_kind("notice")


def test_jsonld_fields(packs: list[RulePack]) -> None:
    meta = {
        "jsonld:copyrightHolder": "The Associated Press",
        "jsonld:creditText": "AP Photo/Jane Doe",
        "jsonld:sourceOrganization": "Reuters",
    }
    a = run(packs, HEADLINE, PROSE, meta=meta)
    assert {(s.kind, s.agency, s.where) for s in a.signals} == {
        ("notice", "AP", "jsonld"),
        ("notice", "Reuters", "jsonld"),
    }
    assert not a.credits("AP")  # a photo credit in creditText credits the photo


def test_jsonld_credit_text(packs: list[RulePack]) -> None:
    a = run(packs, HEADLINE, PROSE, meta={"jsonld:creditText": "The Associated Press"})
    assert one(a, "credit", "AP").where == "jsonld"


# -- notice_difference -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "notice",
    [
        "Copyright 2024 The Associated Press. All rights reserved.",
        "© 2019 The Associated Press. All Rights Reserved",
        "(c) 2024 the associated press.  all rights reserved.",
        "Copyright © 2024 The Associated Press. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed.",
        "Copyright 2024 The Associated Press. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed without permission.",
    ],
)
def test_accepted_notices(ap: RulePack, notice: str) -> None:
    assert notice_difference(notice, ap) is None


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        ("Copyright 2024 The Associated Press.", 'missing "All rights reserved."'),
        ("Copyright 2024 AP. All rights reserved.", '"AP." instead of "The Associated Press."'),
        (
            "© 2024 Associated Press",
            '"Associated Press" instead of "The Associated Press."; missing "All rights reserved."',
        ),
        (
            "Copyright © 2022 of the Associated Press. Copyright Registered.",
            '"of the Associated Press." instead of "The Associated Press."; '
            '"Copyright Registered." instead of "All rights reserved."',
        ),
    ],
)
def test_notice_differences(ap: RulePack, notice: str, expected: str) -> None:
    assert notice_difference(notice, ap) == expected


# -- names -------------------------------------------------------------------------------------


def test_person_names(packs: list[RulePack]) -> None:
    assert person_names("By JANE DOE and JOHN ROE, Associated Press", packs) == ("Jane Doe", "John Roe")
    assert person_names("By TOM REILLY, AP Sports Writer", packs) == ("Tom Reilly",)
    assert person_names("By Sofia Lindqvist", packs) == ("Sofia Lindqvist",)
    assert person_names("By The Associated Press", packs) == ()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Karmanau", "Yuras Karmanau", True),
        ("JANE DOE", "Jane Doe", True),
        ("J. Doe", "Jane Doe", True),
        ("Jane A. Doe", "Jane Doe", True),
        ("José Núñez", "Jose Nunez", True),
        ("Jane Doe", "John Doe", False),
        ("Dais Johnston", "Robert Burns", False),
    ],
)
def test_same_person(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same


def test_meta_line_before_the_headline(packs: list[RulePack]) -> None:
    """A byline given as a meta line (as the corpus adds it) is read; the headline after it is not."""
    a = detect([TextLine("Jane Doe", "meta"), *lines("Putin Warns West", PROSE, PROSE)], {}, packs)
    signal = one(a, "byline")
    assert (signal.names, signal.where) == (("Jane Doe",), "meta")


@pytest.mark.parametrize(
    ("line", "kind", "agency"),
    [
        ("Jill Colvin, The Associated Press •", "byline", "AP"),
        ("The Associated Press | Sunday, July 15, 2018, 11:30 a.m.", "byline", "AP"),
        ("/ Source: Associated Press", "credit", "AP"),
        ("© 2018 Thomson/Reuters. All rights reserved.", "notice", "Reuters"),
        ("Reuters | Monday, July 16, 2018", "byline", "Reuters"),
    ],
)
def test_credit_forms_seen_on_real_pages(packs: list[RulePack], line: str, kind: str, agency: str) -> None:
    a = run(packs, HEADLINE, line, PROSE)
    assert one(a, kind, agency).agency == agency


@pytest.mark.parametrize("line", ["Marcellus Stein | AP", "Kevin Lamarque/Reuters", "Photo: Jane Doe/AP"])
def test_photo_credits_seen_on_real_pages_are_not_credits(packs: list[RulePack], line: str) -> None:
    a = run(packs, HEADLINE, PROSE, line, PROSE)
    assert not a.credits("AP") and not a.credits("Reuters")


@pytest.mark.parametrize(
    ("line", "prose"),
    [
        ("(With inputs from Reuters)", False),
        ("Prices rose for a third day. -- With Reuters", False),
        ("This article was originally published by Reuters.", False),
        ("Reuter", False),  # the sign-off of Reuters' own archive
        ("Shares fell 5 percent on Monday, reported Reuters.", True),
        ("The ministry confirmed the talks, citing Reuters.", True),
    ],
)
def test_reuters_credit_phrasings_seen_on_real_pages(packs: list[RulePack], line: str, prose: bool) -> None:
    found = run(packs, line)
    assert found.credits("Reuters")
    assert one(found, "credit", "Reuters").prose is prose


@pytest.mark.parametrize(
    "line", ["He told Reuters on Monday.", "Photo: Reuters", "A Reuters reporter saw it."]
)
def test_inline_mentions_of_reuters_are_not_credits(packs: list[RulePack], line: str) -> None:
    assert not run(packs, line).credits("Reuters")


def test_a_reuters_21578_story_names_its_agency_by_its_sign_off(packs: list[RulePack], tmp_path) -> None:  # type: ignore[no-untyped-def]
    from provenance.corpus import to_story
    from provenance.sources import read_stories

    path = tmp_path / "reut.txt"
    path.write_text(
        "Acme Corp said first quarter profit rose 12 pct on higher sales of machine tools.\nReuter\n"
    )
    (item,) = read_stories([str(path)])
    story = to_story(item, packs)  # type: ignore[arg-type]
    assert not hasattr(story, "error") and story.agency == "Reuters"


def test_an_outlets_own_additional_reporting_line_is_not_a_reuters_contributor_line(
    packs: list[RulePack],
) -> None:
    assert run(packs, "Additional reporting by Joseph Hudak").agencies_detected == []
    tail = run(packs, "Reporting by Jane Doe; Editing by John Roe")
    assert one(tail, "contributor", "Reuters").names == ("Jane Doe", "John Roe")
