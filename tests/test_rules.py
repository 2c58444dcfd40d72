"""Findings: a positive and a negative example for every rule of both built-in packs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SEED_PAGE
from packtools import audit, finding, make_match, rules

from provenance.attribution import detect
from provenance.model import Derivation, Page, Story, TextLine
from provenance.packs import RulePack, load_packs
from provenance.rules import evaluate

ROOT = Path(__file__).resolve().parent.parent

AP_NOTICE = "Copyright 2024 The Associated Press. All rights reserved."
P1 = "Dockworkers walked off the job at three ports on Monday, halting cargo worth millions of dollars."
P2 = "Union leaders said the strike would last until the shipping companies returned to the table."
P3 = "Retailers warned that shelves could empty within weeks if the dispute dragged on into the holidays."
R1 = "The central bank held its key rate at 4.5% on Wednesday, as expected by most economists polled."
R2 = "A spokesman told Reuters the decision was unanimous and that policy would stay tight for now."


def story(agency: str = "AP", byline: str | None = "By JANE DOE, Associated Press", **kw: object) -> Story:
    text = " ".join((P1, P2, P3) if agency == "AP" else (R1, R2))
    return Story(id=f"{agency.lower()}-1", agency=agency, text=text, byline=byline, **kw)  # type: ignore[arg-type]


match = make_match


def member_page(*, notice: str = AP_NOTICE, byline: str = "By JANE DOE, Associated Press") -> list[str]:
    """An AP member paper running the story as licensed."""
    return ["Port strike enters its second week", byline, f"PORT CALLOWAY (AP) - {P1}", P2, P3, notice]


def stripped_ap_page(byline: str = "By Kevin Marsh, Staff Writer") -> list[str]:
    return ["Port strike enters its second week", byline, P1, P2, P3, "© 2024 Valley Courier"]


# -- the must-hold cases -----------------------------------------------------------------------


def seed_texts() -> list[str]:
    path = SEED_PAGE
    return path.read_text(encoding="utf-8").split("\n")


def test_seed_page(packs: list[RulePack]) -> None:
    texts = seed_texts()
    lines = [TextLine(t, "body", i) for i, t in enumerate(texts, 1)]
    attribution = detect(lines, {}, packs)
    assert attribution.agencies_detected == ["AP"]
    assert not attribution.credits("AP")
    findings = evaluate(Page(id="seed", source="seed.txt", text="", lines=lines), attribution, None, packs)
    # No story matched: the fake byline cannot be held against the story's writers.
    assert set(rules(findings)) == {"AP-CREDIT", "AP-NOTICE-FORM", "AP-LINK"}
    form = finding(findings, "AP-NOTICE-FORM")
    assert '"of the Associated Press." instead of "The Associated Press."' in form.message
    assert '"Copyright Registered." instead of "All rights reserved."' in form.message
    assert form.evidence == "Copyright © 2022 of the Associated Press. Copyright Registered."
    assert form.line is not None and texts[form.line - 1].startswith("Copyright ©")


def test_byline_without_a_match_only_when_the_pack_opts_in(packs: list[RulePack]) -> None:
    texts = seed_texts()
    lines = [TextLine(t, "body", i) for i, t in enumerate(texts, 1)]
    attribution = detect(lines, {}, packs)
    page = Page(id="seed", source="seed.txt", text="", lines=lines)
    opted = [_byline_unmatched(p) for p in packs]
    byline = finding(evaluate(page, attribution, None, opted), "AP-BYLINE")
    assert "Dais Johnston" in byline.message and "stands in place of" in byline.message
    assert "No story" in byline.message  # the message says no story was matched
    assert byline.evidence == "Dais Johnston" and texts[byline.line - 1] == "Dais Johnston"  # type: ignore[operator]


def _byline_unmatched(pack: RulePack) -> RulePack:
    reqs = tuple(
        replace(
            r,
            unmatched=True,
            message_unmatched="No story matched; the byline names {person}, not {agency_name}; it stands in place of the credit.",
        )
        if r.key == "byline"
        else r
        for r in pack.requirements
    )
    return replace(pack, requirements=reqs)


def test_seed_page_matched_to_a_spun_story(packs: list[RulePack]) -> None:
    st = story(byline="By YURAS KARMANAU, Associated Press", contributors=("Yuras Karmanau",))
    findings = audit(packs, seed_texts(), match(st, "spun"))
    assert set(rules(findings)) == {"AP-CREDIT", "AP-NOTICE-FORM", "AP-BYLINE", "AP-REWRITE", "AP-LINK"}


def test_member_paper_with_correct_credit_passes(packs: list[RulePack]) -> None:
    assert audit(packs, member_page(), match(story())) == []


def test_registered_notice_is_a_form_finding(packs: list[RulePack]) -> None:
    notice = "Copyright © 2022 of the Associated Press. Copyright Registered."
    findings = audit(packs, member_page(notice=notice), match(story()))
    assert rules(findings) == ["AP-NOTICE-FORM"]
    assert "of the Associated Press" in findings[0].message
    assert "Copyright Registered." in findings[0].message
    assert findings[0].evidence == notice and findings[0].line == 6


def test_stripped_reuters_copy_is_not_credited(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", R1, R2]  # "(Reuters) -" and the sign-off removed
    findings = audit(packs, texts, match(story("Reuters", byline="By Lars Berg")))
    assert rules(findings) == ["REUTERS-CREDIT"]


def test_photo_credit_alone_does_not_credit(packs: list[RulePack]) -> None:
    texts = ["Port strike enters its second week", "(AP Photo/Jane Doe)", P1, P2, P3, AP_NOTICE]
    assert rules(audit(packs, texts, match(story()))) == ["AP-CREDIT"]


def test_one_credited_reuters_sentence_without_match(packs: list[RulePack]) -> None:
    texts = [
        "Local bakery expands",
        "By Kevin Marsh",
        "The bakery will add 40 jobs this year, its owner said on Monday at the opening of a new shop.",
        "Wheat prices have risen 20% since January, Reuters reported on Tuesday.",
    ]
    assert audit(packs, texts) == []


def test_person_byline_of_the_story_writer(packs: list[RulePack]) -> None:
    findings = audit(packs, member_page(byline="By Jane Doe"), match(story()))
    assert "AP-BYLINE" not in rules(findings)
    assert findings == []


# -- CREDIT ------------------------------------------------------------------------------------


def test_ap_credit_positive(packs: list[RulePack]) -> None:
    f = finding(audit(packs, stripped_ap_page(), match(story())), "AP-CREDIT")
    assert f.severity == "error" and "The Associated Press" in f.message


@pytest.mark.parametrize(
    "credit", ["PORT CALLOWAY (AP) - ", "Source: Associated Press ", "The Associated Press ", "By AP "]
)
def test_ap_credit_negative(packs: list[RulePack], credit: str) -> None:
    texts = stripped_ap_page()
    texts[2] = f"{credit}{P1}" if credit.endswith("- ") else texts[2]
    if not credit.endswith("- "):
        texts.insert(2, credit.strip())
    assert "AP-CREDIT" not in rules(audit(packs, texts, match(story())))


def test_ap_credit_without_match_from_contributor_line(packs: list[RulePack]) -> None:
    texts = [*stripped_ap_page()[:-1], "Associated Press writer Jane Doe contributed to this report."]
    assert "AP-CREDIT" in rules(audit(packs, texts))


def test_reuters_credit_positive(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", R1, R2, "(Reporting by Lars Berg; Editing by Helen Marsh)"]
    assert rules(audit(packs, texts)) == ["REUTERS-CREDIT"]  # derived from its contributor line


@pytest.mark.parametrize("credit", ["Reuters", "Source: Reuters", "- Reuters"])
def test_reuters_credit_negative(packs: list[RulePack], credit: str) -> None:
    texts = ["Central bank holds rates", R1, R2, credit]
    assert audit(packs, texts, match(story("Reuters", byline="By Lars Berg"))) == []


def test_reuters_dateline_credits(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", f"FRANKFURT, Oct 2 (Reuters) - {R1}", R2]
    assert audit(packs, texts, match(story("Reuters", byline=None))) == []


# -- NOTICE-MISSING ----------------------------------------------------------------------------


def test_ap_notice_missing_positive(packs: list[RulePack]) -> None:
    texts = member_page()[:-1]
    f = finding(audit(packs, texts, match(story())), "AP-NOTICE-MISSING")
    assert f.severity == "warning" and f.line is None


def test_ap_notice_missing_negative(packs: list[RulePack]) -> None:
    assert "AP-NOTICE-MISSING" not in rules(audit(packs, member_page(), match(story())))


def test_ap_notice_in_metadata_only_is_missing(packs: list[RulePack]) -> None:
    meta = {"jsonld:copyrightNotice": AP_NOTICE}
    findings = audit(packs, member_page()[:-1], match(story()), meta=meta)
    assert rules(findings) == ["AP-NOTICE-MISSING"]


def test_reuters_notice_is_not_required(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", f"LONDON (Reuters) - {R1}", R2]
    found = rules(audit(packs, texts, match(story("Reuters"))))
    assert "REUTERS-NOTICE-MISSING" not in found and found == []


def test_reuters_notice_can_be_required_by_a_user_pack(tmp_path: Path) -> None:
    text = (ROOT / "rules" / "reuters.toml").read_text(encoding="utf-8")
    old = "required = false  # Reuters' notice is not checked in this version"
    assert old in text
    (tmp_path / "reuters.toml").write_text(text.replace(old, "required = true"), encoding="utf-8")
    packs = load_packs([tmp_path])
    texts = ["Central bank holds rates", f"LONDON (Reuters) - {R1}", R2]
    assert rules(audit(packs, texts, match(story("Reuters")))) == ["REUTERS-NOTICE-MISSING"]


# -- NOTICE-FORM -------------------------------------------------------------------------------


def test_ap_notice_form_positive(packs: list[RulePack]) -> None:
    findings = audit(packs, member_page(notice="Copyright 2024 AP."), match(story()))
    f = finding(findings, "AP-NOTICE-FORM")
    assert '"AP." instead of "The Associated Press."' in f.message
    assert f.evidence == "Copyright 2024 AP."
    assert "AP-NOTICE-MISSING" not in rules(findings)


@pytest.mark.parametrize(
    "notice",
    [
        "© 2024 The Associated Press. All rights reserved.",
        "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, "
        "broadcast, rewritten or redistributed.",
    ],
)
def test_ap_notice_form_negative(packs: list[RulePack], notice: str) -> None:
    assert audit(packs, member_page(notice=notice), match(story())) == []


def test_reuters_notice_form_not_checked(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", f"LONDON (Reuters) - {R1}", R2, "© 2024 Reuters News"]
    assert audit(packs, texts, match(story("Reuters"))) == []


# -- BYLINE ------------------------------------------------------------------------------------


def test_ap_byline_positive(packs: list[RulePack]) -> None:
    f = finding(audit(packs, stripped_ap_page(), match(story())), "AP-BYLINE")
    assert "Kevin Marsh" in f.message and "The Associated Press" in f.message
    assert f.evidence == "By Kevin Marsh, Staff Writer" and f.line == 2


def test_ap_byline_positive_with_dateline(packs: list[RulePack]) -> None:
    texts = member_page(byline="By Kevin Marsh")
    assert rules(audit(packs, texts, match(story()))) == ["AP-BYLINE"]


def test_ap_byline_reported_once_per_person(packs: list[RulePack]) -> None:
    findings = audit(packs, stripped_ap_page(), match(story()), meta={"author": "Kevin Marsh"})
    assert rules(findings).count("AP-BYLINE") == 1
    assert finding(findings, "AP-BYLINE").line == 2  # the visible byline, not the meta field


@pytest.mark.parametrize(
    ("byline", "st"),
    [
        ("By Jane Doe", story()),
        ("By JANE DOE", story()),
        ("By Luis Moreno", story(contributors=("Jane Doe", "Luis Moreno"))),
        ("By Yuras Karmanau", story(byline=None, contributors=("Karmanau",))),
    ],
)
def test_ap_byline_negative(packs: list[RulePack], byline: str, st: Story) -> None:
    assert "AP-BYLINE" not in rules(audit(packs, stripped_ap_page(byline), match(st)))


def test_ap_byline_negative_when_page_credits_the_person(packs: list[RulePack]) -> None:
    texts = [
        *stripped_ap_page("By Yuras Karmanau"),
        "Karmanau reports from Kyiv. Associated Press writer Jane Roe contributed.",
    ]
    assert "AP-BYLINE" not in rules(audit(packs, texts))


def test_ap_byline_negative_on_partial_copy(packs: list[RulePack]) -> None:
    found = rules(audit(packs, stripped_ap_page(), match(story(), "partial")))
    assert "AP-BYLINE" not in found and "AP-CREDIT" in found


def test_ap_byline_negative_when_agency_byline_present(packs: list[RulePack]) -> None:
    texts = ["Port strike enters its second week", "Kevin Marsh", "Associated Press", P1, P2, P3, AP_NOTICE]
    assert audit(packs, texts, match(story())) == []


def test_reuters_byline_positive(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", "By Dana Fake", f"LONDON (Reuters) - {R1}", R2]
    f = finding(audit(packs, texts, match(story("Reuters", byline="By Lars Berg"))), "REUTERS-BYLINE")
    assert "Dana Fake" in f.message and "Reuters" in f.message


def test_reuters_byline_negative(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", "By Ana Petric", f"LONDON (Reuters) - {R1}", R2]
    st = story("Reuters", byline="By Lars Berg", contributors=("Lars Berg", "Ana Petric"))
    assert audit(packs, texts, match(st)) == []


# -- REWRITE -----------------------------------------------------------------------------------


@pytest.mark.parametrize("derivation", ["spun", "edited"])
def test_ap_rewrite_positive(packs: list[RulePack], derivation: Derivation) -> None:
    f = finding(audit(packs, member_page(), match(story(), derivation)), "AP-REWRITE")
    assert derivation in f.message and f.severity == "warning"
    assert derivation in f.evidence


@pytest.mark.parametrize("derivation", ["verbatim", "partial"])
def test_ap_rewrite_negative(packs: list[RulePack], derivation: Derivation) -> None:
    assert "AP-REWRITE" not in rules(audit(packs, member_page(), match(story(), derivation)))


def test_reuters_rewrite_positive(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", f"LONDON (Reuters) - {R1}", R2]
    assert rules(audit(packs, texts, match(story("Reuters"), "spun"))) == ["REUTERS-REWRITE"]


def test_reuters_rewrite_negative(packs: list[RulePack]) -> None:
    texts = ["Central bank holds rates", f"LONDON (Reuters) - {R1}", R2]
    assert audit(packs, texts, match(story("Reuters"), "verbatim")) == []


# -- LINK and scope ----------------------------------------------------------------------------


def test_link_is_never_reported_yet(packs: list[RulePack]) -> None:
    found = rules(audit(packs, stripped_ap_page(), match(story(), "spun")))
    assert not any(r.endswith("-LINK") for r in found)


def test_unrelated_page_has_no_findings(packs: list[RulePack]) -> None:
    texts = ["Local bakery expands", "By Beth Carrow", P1, P2, "© 2024 Daily Bugle"]
    assert audit(packs, texts) == []


def test_match_of_agency_without_pack_has_no_findings(packs: list[RulePack]) -> None:
    assert audit(packs, stripped_ap_page(), match(story("DPA"))) == []


def test_match_decides_the_agency(packs: list[RulePack]) -> None:
    texts = [*member_page(), "Wheat prices rose, Reuters reported on Tuesday, citing traders in Chicago."]
    assert audit(packs, texts, match(story())) == []


def test_a_credit_no_reader_sees_does_not_count_unless_the_pack_says_so(packs: list[RulePack]) -> None:
    """<meta name="author" content="Reuters"> or a JSON-LD author is a signal, not the visible
    credit a licence asks for."""
    import dataclasses

    texts = ["Central bank holds rates", R1, R2]
    for meta in ({"author": "Reuters"}, {"jsonld:author": "Reuters"}):
        findings = audit(packs, texts, match(story("Reuters", byline="By Lars Berg")), meta=meta)
        assert "REUTERS-CREDIT" in rules(findings)
        attribution = detect([TextLine(t, "body", i) for i, t in enumerate(texts, 1)], meta, packs)
        assert any(s.agency == "Reuters" and s.where in ("meta", "jsonld") for s in attribution.signals)
        assert not attribution.credits("Reuters") and attribution.credits("Reuters", metadata=True)
    reuters = next(p for p in packs if p.id == "Reuters")
    lenient = dataclasses.replace(
        reuters,
        requirements=tuple(
            dataclasses.replace(r, metadata=True) if r.key == "credit" else r for r in reuters.requirements
        ),
    )
    others = [p for p in packs if p.id != "Reuters"]
    findings = audit(
        [*others, lenient], texts, match(story("Reuters", byline="By Lars Berg")), meta={"author": "Reuters"}
    )
    assert "REUTERS-CREDIT" not in rules(findings)


def test_metadata_is_a_credit_requirement_key_only(tmp_path: Path) -> None:
    from provenance.packs import PackError, load_pack

    source = (ROOT / "rules" / "reuters.toml").read_text(encoding="utf-8")
    pack = tmp_path / "reuters.toml"
    pack.write_text(
        source.replace("[requirements.credit]", "[requirements.credit]\nmetadata = true"), encoding="utf-8"
    )
    credit = next(r for r in load_pack(pack).requirements if r.key == "credit")
    assert credit.metadata is True
    pack.write_text(
        source.replace("[requirements.byline]", "[requirements.byline]\nmetadata = true"), encoding="utf-8"
    )
    with pytest.raises(PackError, match="metadata"):
        load_pack(pack)


def test_a_credit_to_another_agency_is_a_miscredit(packs: list[RulePack]) -> None:
    """Reuters text under an "(AFP)" dateline: the page credits the wrong agency."""
    reuters_story = match(story("Reuters", byline="By Lars Berg"))
    texts = ["Central bank holds rates", f"FRANKFURT (AFP) - {R1}", R2]
    findings = audit(packs, texts, reuters_story)
    assert rules(findings) == ["REUTERS-CREDIT", "REUTERS-MISCREDIT"]
    miscredit = next(f for f in findings if f.rule == "REUTERS-MISCREDIT")
    assert "Agence France-Presse" in miscredit.message and "story by Reuters" in miscredit.message
    assert miscredit.evidence.startswith("FRANKFURT (AFP)") and miscredit.line == 2
    both = ["Central bank holds rates", f"FRANKFURT (AFP) - {R1}", R2, "(With inputs from Reuters)"]
    assert rules(audit(packs, both, reuters_story)) == []  # a joint credit is right
    assert "REUTERS-MISCREDIT" not in rules(audit(packs, texts))  # no match: whose text is unknown


def test_without_a_match_the_message_says_only_what_the_signals_show(packs: list[RulePack]) -> None:
    texts = ["Port strike enters its second week", P1, P2, "Associated Press writer Jane Doe contributed."]
    unmatched = finding(audit(packs, texts), "AP-CREDIT")
    assert unmatched.message.startswith("No story of the corpus matched")
    assert "reproduces a story" not in unmatched.message
    matched = finding(audit(packs, texts, match(story())), "AP-CREDIT")
    assert matched.message.startswith("The page reproduces a story by The Associated Press")


def test_message_unmatched_is_for_credit_and_notice_only(tmp_path: Path) -> None:
    from provenance.packs import PackError, load_pack

    source = (ROOT / "rules" / "ap.toml").read_text(encoding="utf-8")
    pack = tmp_path / "ap.toml"
    pack.write_text(
        source.replace("[requirements.rewrite]", '[requirements.rewrite]\nmessage_unmatched = "x"'),
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="message_unmatched"):
        load_pack(pack)
