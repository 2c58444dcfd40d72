"""Findings: what a page owes the agency its text comes from, checked against what it shows.

Pure. Which checks run, their rule ids, severities and messages all come from the agency's
rule pack; this module only decides *when* a requirement is breached.

A page "derives from" agency X when the matched story is X's, or, with no match, when the page
carries X's own signals: a dateline, byline, contributor line or notice of X. A mere in-prose
mention ("..., Reuters reported.") credits a source for a fact; it does not make the page a
copy of that source.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from provenance import rewording
from provenance.model import VISIBLE_WHERE, Attribution, Finding, Match, Page, Signal
from provenance.names import person_names, same_person
from provenance.notices import notice_difference
from provenance.packs import Requirement, RulePack, pack_for
from provenance.release import before_embargo, page_time

ORIGIN_KINDS = frozenset({"dateline", "byline", "contributor", "notice"})


def evaluate(
    page: Page,
    attribution: Attribution,
    match: Match | None,
    packs: Sequence[RulePack],
    licensed: Collection[str] | None = None,
) -> list[Finding]:
    """Every finding for the page, agency by agency, in a stable order.

    ``licensed`` lists the agencies the publisher is licensed for; None means the
    configuration does not say, and no licence is checked.
    """
    findings: list[Finding] = []
    for pack in _info_sources(match, packs):  # a dpa story carrying AP text owes AP its credit
        findings.extend(_credit(pack, attribution, True, _extent(match)))
    for pack in derived_from(attribution, match, packs):
        story_match = match if match is not None and _is(pack, match.story.agency) else None
        findings.extend(_license(pack, story_match, licensed))
        extent = _extent(story_match)
        findings.extend(_killed(pack, story_match, extent))
        findings.extend(_embargo(pack, page, story_match, extent))
        findings.extend(_credit(pack, attribution, story_match is not None, extent))
        findings.extend(_miscredit(pack, attribution, story_match, packs, extent))
        own = story_match.story.copyright_notice if story_match is not None else None
        findings.extend(_notice(pack, attribution, story_match is not None, extent, own))
        findings.extend(_byline(pack, attribution, story_match))
        findings.extend(_rewrite(pack, story_match))
        findings.extend(_link(pack, page, attribution))
    return findings


def derived_from(attribution: Attribution, match: Match | None, packs: Sequence[RulePack]) -> list[RulePack]:
    """The packs of the agencies the page's text comes from (see the module docstring)."""
    if match is not None:
        pack = pack_for(packs, match.story.agency)
        return [pack] if pack else []
    agencies = {s.agency for s in attribution.signals if s.agency and s.kind in ORIGIN_KINDS}
    return [p for p in packs if p.id in agencies]


def _info_sources(match: Match | None, packs: Sequence[RulePack]) -> list[RulePack]:
    """The packs of the agencies a matched wire story names as its sources (``infoSource``),
    besides its own agency."""
    if match is None:
        return []
    found = [pack_for(packs, name) for name in match.story.info_sources]
    unique = {p.id: p for p in found if p is not None and not _is(p, match.story.agency)}
    return list(unique.values())


def _extent(match: Match | None) -> str:
    """What the match established, for messages: "partial copy, 12% of the story"."""
    if match is None:
        return "no story matched"
    return f"{match.derivation} copy, {match.coverage:.0%} of the story"


def _credit(pack: RulePack, attribution: Attribution, matched: bool, extent: str) -> list[Finding]:
    req = pack.requirement("credit")
    if req is None or attribution.credits(pack.id, metadata=req.metadata):
        return []
    evidence = f"no {pack.id} dateline, byline or credit line on the page"
    return [_finding(req, pack, evidence, matched=matched, copied=extent)]


def _miscredit(
    pack: RulePack, attribution: Attribution, match: Match | None, packs: Sequence[RulePack], extent: str
) -> list[Finding]:
    """The page credits another agency for a story shown to be this agency's (real pages put
    Reuters text under an "(AFP)" dateline): a credit to the wrong agency is not a credit.

    Only with a match (the text is known to be this agency's) and when the page does not
    credit this agency too (a joint credit, "AP and Reuters contributed", is right).
    """
    req = pack.requirement("miscredit")
    if req is None or match is None or attribution.credits(pack.id):
        return []
    out: list[Finding] = []
    for other in packs:
        credits = attribution.credit_signals(other.id) if other.id != pack.id else []
        if credits:
            out.append(
                _finding(req, pack, credits[0].text, credits[0].line, credited=other.name, copied=extent)
            )
    return out


def _notice(
    pack: RulePack, attribution: Attribution, matched: bool, extent: str, own: str | None = None
) -> list[Finding]:
    """NOTICE-MISSING when no visible notice of the agency; NOTICE-FORM for each wrong wording
    (against the story's own notice, ``own``, and the pack's forms)."""
    notices = [s for s in attribution.of_kind("notice") if s.agency == pack.id and s.where in VISIBLE_WHERE]
    missing = pack.requirement("notice")
    if not notices:
        evidence = f"no {pack.id} copyright notice on the page"
        return [_finding(missing, pack, evidence, matched=matched, copied=extent)] if missing else []
    form = pack.requirement("notice_form")
    if form is None:
        return []
    out: list[Finding] = []
    for signal in _unique_text(notices):
        difference = notice_difference(signal.text, pack, own)
        if difference:
            out.append(
                _finding(form, pack, signal.text, signal.line, difference=difference, notice=signal.text)
            )
    return out


def _byline(pack: RulePack, attribution: Attribution, match: Match | None) -> list[Finding]:
    """A person byline standing in for the agency: a name the story and page credit nowhere.

    Skipped when the page has a byline naming the agency: then the person is not replacing it.
    One finding per person, on the first (visible first) byline naming them.
    """
    req = pack.requirement("byline")
    bylines = attribution.of_kind("byline")
    if req is None or any(s.agency == pack.id for s in bylines):
        return []
    if match is None and not req.unmatched:
        return []  # no story to read the writers from: a name cannot be shown to be foreign
    if match is not None and match.derivation not in req.derivations:
        return []  # e.g. a partial copy: the byline signs the page's own article
    known = _known_names(pack, attribution, match)
    out: list[Finding] = []
    reported: list[str] = []
    for signal in sorted(
        (s for s in bylines if s.agency is None), key=lambda s: s.where not in VISIBLE_WHERE
    ):
        for person in signal.names:
            if _named(person, known) or _named(person, reported):
                continue
            reported.append(person)
            out.append(_finding(req, pack, signal.text, signal.line, match is not None, person=person))
    return out


def _known_names(pack: RulePack, attribution: Attribution, match: Match | None) -> list[str]:
    """People the agency credits: the story's byline and contributors, the page's contributor lines."""
    names = [n for s in attribution.of_kind("contributor") for n in s.names]
    names += [n for s in attribution.of_kind("byline") if s.agency == pack.id for n in s.names]
    if match is not None:
        names += list(match.story.contributors)
        names += list(person_names(match.story.byline or "", [pack]))
    return names


def _rewrite(pack: RulePack, match: Match | None) -> list[Finding]:
    """A copy that rewords the story: words swapped for others (:mod:`provenance.rewording`).
    A copy that only cuts, adds to, restyles or updates the story, or copies another version
    of it, rewrites nothing: it is a copy, which the credit and notice checks judge."""
    req = pack.requirement("rewrite")
    if req is None or match is None or match.derivation not in req.derivations:
        return []
    swapped = rewording.swaps(match.evidence)
    if len(swapped) < rewording.MIN_SWAPS:
        return []
    evidence = (
        f"{match.derivation} copy of {pack.id} story {match.story.id}: {len(swapped)} words or phrases "
        f"swapped for others (coverage {match.coverage:.0%}, verbatim {match.verbatim_share:.0%})"
    )
    fields = {"derivation": match.derivation, "rewritten": f"{match.rewritten_share:.0%}"}
    return [_finding(req, pack, evidence, swaps=rewording.describe(swapped), **fields)]


def _license(pack: RulePack, match: Match | None, licensed: Collection[str] | None) -> list[Finding]:
    """A copy of an agency the publisher holds no licence for: a violation, credited or not."""
    req = pack.requirement("license")
    if req is None or licensed is None or any(pack_for([pack], agency) for agency in licensed):
        return []
    derivation = match.derivation if match is not None else "carries its signals"
    evidence = f"{pack.id} is not among the licensed agencies ({', '.join(licensed) or 'none'})"
    return [_finding(req, pack, evidence, derivation=derivation)]


_KILLED_WORDS = {"canceled": "killed (canceled)", "withheld": "withheld"}


def _killed(pack: RulePack, match: Match | None, extent: str) -> list[Finding]:
    """The page copies a story the agency killed or withheld (its latest version's status)."""
    req = pack.requirement("killed")
    if req is None or match is None or match.story.pub_status not in _KILLED_WORDS:
        return []
    story = match.story
    status = _KILLED_WORDS[story.pub_status]
    evidence = f"{story.guid or story.id}: latest version {status}"
    return [_finding(req, pack, evidence, story=story.guid or story.id, status=status, copied=extent)]


def _embargo(pack: RulePack, page: Page, match: Match | None, extent: str) -> list[Finding]:
    """The page went out before the story's embargo lifted (its own date, else first fetched)."""
    req = pack.requirement("embargo")
    if req is None or match is None or not match.story.embargoed:
        return []
    published = page_time(page)
    if published is None or not before_embargo(published, match.story.embargoed):
        return []
    story = match.story
    source = "the page's date" if published.source == "published" else "first fetched"
    evidence = f"published {published.written} ({source}); embargoed until {story.embargoed}"
    return [
        _finding(
            req,
            pack,
            evidence,
            story=story.guid or story.id,
            embargoed=story.embargoed,
            published=published.written,
            published_from=source,
            copied=extent,
        )
    ]


def _link(pack: RulePack, page: Page, attribution: Attribution) -> list[Finding]:
    """No link to the agency or the story, where the pack requires one (or the page claims one)."""
    req = pack.requirement("link")
    if req is None or any(s.kind == "link" and s.agency == pack.id for s in attribution.signals):
        return []
    if req.required is True:
        return [_finding(req, pack, f"no link to {pack.id} or to the original story")]
    claim = next((line for line in page.lines if any(p.search(line.text) for p in pack.link_claims)), None)
    if claim is None:
        return []
    return [_finding(req, pack, claim.text, claim.line)]


def _finding(
    req: Requirement,
    pack: RulePack,
    evidence: str,
    line: int | None = None,
    matched: bool = True,
    **fields: str,
) -> Finding:
    message = req.render(matched, agency=pack.id, agency_name=pack.name, **fields)
    return Finding(rule=req.rule, severity=req.severity, message=message, evidence=evidence, line=line)


def _named(person: str, names: Iterable[str]) -> bool:
    return any(same_person(person, n) for n in names)


def _is(pack: RulePack, agency: str) -> bool:
    return pack_for([pack], agency) is not None


def _unique_text(signals: Iterable[Signal]) -> list[Signal]:
    seen: set[str] = set()
    out: list[Signal] = []
    for s in signals:
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    return out
