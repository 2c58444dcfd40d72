"""Issue 11: findings a rights team can send. One fixture per case seen on real pages, each
failing before the fix (headlines and site names read as bylines, photo credits read as
notices, datelines inside a line missed, a byline judged with no story to compare, a cut
copy called a rewrite, front-matter bylines without a line)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from packtools import audit, detect_texts, make_match, reworded_passage, rules

from provenance.attribution import detect
from provenance.extract import page_from_html, page_from_text
from provenance.markdown import page_from_markdown
from provenance.model import Attribution, Story
from provenance.packs import RulePack, load_packs

OIL = (
    "LONDON (Reuters) - Oil prices rose on Monday as traders weighed supply cuts by major "
    "producers against signs of weaker demand in China and Europe."
)


@pytest.fixture(scope="module")
def packs() -> list[RulePack]:
    return load_packs()


def _html_attribution(html: str, packs: list[RulePack]) -> Attribution:
    page = page_from_html(html, id="p.html", source="p.html")
    return detect(page.lines, page.meta, packs, page.title)


def _byline_names(attribution: Attribution) -> set[str]:
    return {n for s in attribution.of_kind("byline") for n in s.names}


# --------------------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    "headline",
    [
        "Oil Prices Rise",
        "Stocks Slide",
        "Apple Beats Estimates",
        "Fed Holds Rates Steady",
        "Turkish-Greek Aegean Tension Abates",
    ],
)
def test_a_headline_is_never_a_byline(packs: list[RulePack], headline: str) -> None:
    html = (
        f"<html><body><header><a href='/'>Daily Bugle</a></header><main><h1>{headline}</h1>"
        f"<p>{OIL}</p><p>Brent crude futures were up 80 cents at $85.20 a barrel by 1000 GMT.</p>"
        "</main></body></html>"
    )
    assert not _byline_names(_html_attribution(html, packs))


def test_a_text_page_title_line_is_never_a_byline(packs: list[RulePack]) -> None:
    page = page_from_text(
        f"Turkish-Greek Aegean Tension Abates\n\nDaily Wire Desk\n\n{OIL}\n", id="p", source="p.txt"
    )
    attribution = detect(page.lines, page.meta, packs, page.title)
    assert "Turkish-Greek Aegean Tension Abates" not in _byline_names(attribution)


def test_a_headline_without_title_element_is_never_a_byline(packs: list[RulePack]) -> None:
    html = f"<html><body><nav>Home</nav><article><h2>Stocks Slide</h2><p>{OIL}</p></article></body></html>"
    assert not _byline_names(_html_attribution(html, packs))


def test_a_site_footer_label_is_never_a_byline(packs: list[RulePack]) -> None:
    html = (
        f"<html><body><article><p>{OIL}</p><p>Copyright 2019 The Associated Press. All rights reserved.</p>"
        "</article><footer><p>Mobile User Agreement</p></footer></body></html>"
    )
    assert "Mobile User Agreement" not in _byline_names(_html_attribution(html, packs))


def test_the_station_named_as_author_is_not_a_person(packs: list[RulePack]) -> None:
    publisher = detect_texts(packs, OIL, meta={"author": "CBS Detroit", "jsonld:publisher": "CBS Detroit"})
    assert not _byline_names(publisher)
    undeclared = detect_texts(packs, OIL, meta={"author": "CBS Detroit"})  # no site name given
    assert not _byline_names(undeclared)
    person = detect_texts(packs, OIL, meta={"author": "Jean DUPONT"})  # a capitalised surname is a person
    assert _byline_names(person) == {"Jean Dupont"}


def test_no_byline_finding_without_a_story_to_compare(packs: list[RulePack]) -> None:
    texts = [
        "Judge orders park reopened",
        "JANIE HAR",
        "SAN FRANCISCO (AP) - A judge ruled on Monday that the city must reopen the park.",
    ]
    assert "AP-BYLINE" not in rules(audit(packs, texts))  # an AP reprint under its own writer's name


def test_byline_finding_with_a_story_to_compare(packs: list[RulePack]) -> None:
    story = Story(id="ap-1", agency="AP", text="x", byline="By JANIE HAR, Associated Press")
    texts = [
        "Judge orders park reopened",
        "Dais Johnston",
        "A judge ruled on Monday that the city must reopen the park.",
    ]
    assert "AP-BYLINE" in rules(audit(packs, texts, make_match(story, "edited")))


def test_front_matter_bylines_carry_their_line(packs: list[RulePack]) -> None:
    toml = '+++\ntitle = "Quake"\nauthors = ["Jane Doe", "John Roe"]\n+++\n\nA strong quake struck.\n'
    yaml = "---\ntitle: Quake\nbyline: Jane Doe\n---\n\nA strong quake struck.\n"
    for text, names in ((toml, ("Jane Doe", "John Roe")), (yaml, ("Jane Doe",))):
        page = page_from_markdown(text, id="p.md", source="p.md")
        bylines = detect(page.lines, page.meta, packs, page.title).of_kind("byline")
        assert [(s.names, s.line) for s in bylines] == [(names, 3)]  # one signal, on the key's line


# --------------------------------------------------------------------------- photo credits


def test_an_image_caption_credits_a_photo_not_the_text(packs: list[RulePack]) -> None:
    html = (
        "<html><body><article><p>Talks between the two leaders ended on Monday without a deal.</p>"
        "<figure><img src='a.jpg'><span>Image copyright</span> <span>Reuters</span>"
        "<figcaption>The leaders met in Helsinki</figcaption></figure>"
        "<p>Officials said a second round of talks would be held in the autumn in Vienna.</p>"
        "</article></body></html>"
    )
    assert not _html_attribution(html, packs).agencies_detected


def test_image_copyright_in_running_text_is_a_photo_credit(packs: list[RulePack]) -> None:
    attribution = detect_texts(
        packs,
        "Talks between the two leaders ended on Monday without a deal.",
        "Image copyright Reuters Image caption The leaders met in Helsinki",
        "Officials said a second round of talks would be held in the autumn in Vienna.",
    )
    assert not attribution.agencies_detected


def test_a_bare_agency_notice_inside_the_story_is_a_photo_credit(packs: list[RulePack]) -> None:
    body = "The quake struck a mountainous area 45 miles from the city, officials said on Sunday."
    mid = detect_texts(packs, f"Rescuers searched the rubble of homes on Sunday. {'©'} REUTERS", body)
    assert not mid.of_kind("notice")
    end = detect_texts(packs, body, "© Reuters")  # at the end of the text it is the (mangled) notice
    assert [s.agency for s in end.of_kind("notice")] == ["Reuters"]


# --------------------------------------------------------------------------- credits


@pytest.mark.parametrize(
    ("line", "agency", "dateline"),
    [
        (
            "Hurricane Ian floods Florida, trapping people in homes. ST. PETERSBURG, Fla. (AP) - Hurricane Ian swamped",
            "AP",
            "ST. PETERSBURG, Fla. (AP) -",
        ),
        ("date 2022-12-31 VATICAN CITY (AP) - Pope Emeritus Benedict XVI died", "AP", "VATICAN CITY (AP) -"),
        ("Shooting at Texas school UVALDE, Texas (AP) - A gunman opened fire", "AP", "UVALDE, Texas (AP) -"),
        ("COLOMBO (Reuters) -Sri Lankan President Gotabaya Rajapaksa fled", "Reuters", "COLOMBO (Reuters) -"),
    ],
)
def test_datelines_wherever_they_stand(packs: list[RulePack], line: str, agency: str, dateline: str) -> None:
    (found,) = detect_texts(packs, line).of_kind("dateline")
    assert (found.agency, found.text) == (agency, dateline)


def test_a_bracketed_agency_in_prose_is_no_dateline(packs: list[RulePack]) -> None:
    assert not detect_texts(
        packs, "The wire, known as the Associated Press (AP) - a cooperative, said so."
    ).of_kind("dateline")


def test_ap_writer_byline_before_the_date(packs: list[RulePack]) -> None:
    attribution = detect_texts(packs, "Jill Colvin, Associated Press Published 9:21 a.m. ET Nov. 7, 2018")
    assert attribution.credits("AP")
    assert _byline_names(attribution) == {"Jill Colvin"}


# --------------------------------------------------------------------------- messages


def _story() -> Story:
    return Story(id="ap-1", agency="AP", text="x", byline="By JANE DOE, Associated Press")


def test_a_cut_copy_is_not_called_a_rewrite(packs: list[RulePack]) -> None:
    cut = replace(make_match(_story(), "edited"), verbatim_share=0.6, rewritten_share=0.0, evidence=())
    assert "AP-REWRITE" not in rules(audit(packs, ["MOSCOW (AP) - text"], cut))


def test_another_version_or_house_style_is_not_a_rewrite(packs: list[RulePack]) -> None:
    """Sentences that differ by cuts, additions, figures, respellings and a house-style word
    or two (what a write-thru or a site's style gives) swap too few words to be a rewrite."""
    story = "The U.S. soccer team was characterised as the favourite, officials said on Monday, May 30."
    page = "The US football team, which won in 2019, was characterized as the favorite, officials said on May 31."
    restyled = replace(make_match(_story(), "edited"), evidence=(reworded_passage(story, page),))
    assert "AP-REWRITE" not in rules(audit(packs, ["MOSCOW (AP) - text"], restyled))


def test_a_rewrite_names_the_swapped_words(packs: list[RulePack]) -> None:
    (finding,) = [f for f in audit(packs, ["text"], make_match(_story(), "spun")) if f.rule == "AP-REWRITE"]
    assert '"chopper went down" → "helicopter fell"' in finding.message
    assert "and 1 more" in finding.message  # four swaps, three shown


def test_unmatched_messages_do_not_claim_a_match(packs: list[RulePack]) -> None:
    texts = ["Associated Press writer Jane Doe in Paris contributed to this report."]
    messages = [f.message for f in audit(packs, texts)]
    assert messages and all("reproduces a story" not in m for m in messages)
    assert all(m.startswith("No story of the corpus matched") for m in messages if "credit" in m)


# --------------------------------------------------------------------------- more credits seen on real pages


@pytest.mark.parametrize(
    ("line", "agency", "kind"),
    [
        ("date 2020-09-19 WASHINGTON (WCBD/AP) - Mourners gather at the court.", "AP", "dateline"),
        ("BALTIMORE, U.S., 26th March, 2024 (WAM/ AP) -- A major bridge collapsed.", "AP", "dateline"),
        ("25 November 2020 - 19:07 By Reuters", "Reuters", "byline"),
        ("AP June 1, 2018, 10:35 PM", "AP", "byline"),
        ("May 31, 2019 / 10:50 AM / AP", "AP", "byline"),
        ("Associated Press Published 7:50 a.m. ET July 16, 2018", "AP", "byline"),
        ("via reuters: Jury finds Donald Trump guilty on all 34 counts", "Reuters", "credit"),
        ("Two blasts hit the port on Tuesday, reports the French AFP news agency.", "AFP", "credit"),
        (
            "This report contains material from Bloomberg News, Reuters, and The Associated Press.",
            "Reuters",
            "credit",
        ),
        (
            "This report contains material from Bloomberg News, Reuters, and The Associated Press.",
            "AP",
            "credit",
        ),
    ],
)
def test_credits_seen_on_real_pages(packs: list[RulePack], line: str, agency: str, kind: str) -> None:
    attribution = detect_texts(packs, line)
    assert [s.kind for s in attribution.signals if s.agency == agency] == [kind]
    assert attribution.credits(agency)


def test_a_name_then_the_agency_in_brackets_is_a_photo_credit(packs: list[RulePack]) -> None:
    assert not detect_texts(packs, "Carl Bernstein (AP)").of_kind("dateline")
    assert detect_texts(packs, "MOSCOW (AP) Russian forces pulled back on Tuesday.").of_kind("dateline")


def test_according_to_the_agency_is_a_mention_not_a_credit(packs: list[RulePack]) -> None:
    attribution = detect_texts(packs, "Residents slept in the open, afraid to go home, according to Reuters.")
    assert [s.kind for s in attribution.signals] == ["mention"]
    assert not attribution.credits("Reuters")
    assert "Reuters" in attribution.agencies_detected


def test_a_closing_agency_line_signs_off_the_text(packs: list[RulePack]) -> None:
    body = "Medical staff arrived immediately and tried to revive him, the prison statement said."
    assert detect_texts(packs, body, body, "AFP").credits("AFP")
    assert not detect_texts(packs, body, "AFP", body).credits("AFP")  # under a picture


def test_a_site_notice_does_not_swallow_the_agency_credit_after_it(packs: list[RulePack]) -> None:
    attribution = detect_texts(
        packs, "Copyright 2018 by WDIV ClickOnDetroit. The Associated Press contributed to this report."
    )
    assert [(s.kind, s.agency) for s in attribution.signals] == [("credit", "AP"), ("notice", None)]


def test_a_name_glued_to_the_agency_is_still_a_byline(packs: list[RulePack]) -> None:
    attribution = detect_texts(packs, "Jonathan Lemire, Jill Colvin and Vladimir IsachenkovAssociated Press")
    assert attribution.credits("AP")
    assert _byline_names(attribution) == {"Jonathan Lemire", "Jill Colvin", "Vladimir Isachenkov"}


def test_an_image_credit_label_is_not_a_writer(packs: list[RulePack]) -> None:
    assert not detect_texts(packs, "CreditAssociated Press").of_kind("byline")


def test_the_byline_slot_wrapped_under_its_time_stamp(packs: list[RulePack]) -> None:
    attribution = detect_texts(
        packs, "Lawyer claims documents reveal plan", "May 31, 2019 / 10:50 AM", "/ AP"
    )
    assert attribution.credits("AP")


def test_a_notice_closing_a_photo_caption_is_no_notice(packs: list[RulePack]) -> None:
    caption = (
        "FILE - In this file photo, the two presidents meet in Hamburg. "
        "(Copyright 2017 The Associated Press. All rights reserved.)"
    )
    attribution = detect_texts(packs, caption, OIL)
    assert not attribution.of_kind("notice")


def test_a_credit_finding_says_how_much_was_copied(packs: list[RulePack]) -> None:
    partial = replace(make_match(_story(), "partial"), coverage=0.12)
    (finding,) = [f for f in audit(packs, ["A judge ruled on Monday."], partial) if f.rule == "AP-CREDIT"]
    assert "(partial copy, 12% of the story)" in finding.message
