"""What a page says about where its text comes from: datelines, bylines, credits, contributors, notices.

Pure: lines and metadata in, an :class:`Attribution` out. Agency conventions come from the rule
packs; this module holds only generic knowledge (what a person's name looks like, where a
byline can stand on a page, how a copyright notice runs on).

Choices worth knowing:

* Photo, video and graphics credits ("(AP Photo/Jane Doe)") are cut out of a line before
  anything is looked for: they name the agency but do not credit the text.
* A credit found inside body prose ("..., Reuters reported.") is kept as a ``credit`` signal
  with ``where="body"`` and the whole sentence as its text. Credit *lines* keep the ``where``
  of their line.
* A site's own copyright notice ("© 2024 Daily Bugle") is not an agency notice: it gives a
  ``notice`` signal with ``agency=None`` (reported, never checked against a pack) and marks
  the page's closing zone (see below).
* Bylines naming a person but no agency get ``agency=None``. A bare name on a line of its own
  ("Dais Johnston") is only trusted in the opening lines, the closing zone after the last body
  paragraph, or next to a copyright notice or contributor line: mid-body, a short capitalised
  line is far more often a subheading.
* ``jsonld:copyrightNotice``, ``jsonld:copyrightHolder`` and ``jsonld:sourceOrganization``
  naming an agency give ``notice`` signals with ``where="jsonld"``: they show where the text
  comes from, but are not the visible notice a licence asks for.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from provenance.model import Attribution, LineRole, Signal, SignalKind, TextLine, Where
from provenance.packs import RulePack
from provenance.regex_gate import Gate, any_of, gate
from provenance.text import FUNCTION_WORDS, Span, normalize, sentences, tokens

OPENING_LINES = 6  # a bare name among the first lines of a page may be its byline
BYLINE_MAX_WORDS = 25  # a longer line is prose, even if it starts like a byline
PERSON_BY_MAX_WORDS = 12  # "By Kevin Marsh, Staff Writer" - not "By the time the troops..."
PROSE_MIN_WORDS = 8
NOTICE_MAX_WORDS = 14  # a notice's first sentence is short; longer ones are prose about copyright
MENU_RUN = 3  # this many short label lines in a row are navigation
HEAD_CHARS = 300  # bylines and datelines open a line: never scan further (bounds regex work)


def _word_set(text: str) -> frozenset[str]:
    """A set of words written as one readable block of text."""
    return frozenset(text.split())


_PARTICLES = _word_set("de da del della der den van von di du la le bin ibn al el dos das st")
# Capitalised words that are not parts of a person's name: site furniture, sections, roles,
# days and months, organisation words. Generic, not tuned to any page.
NON_NAME_WORDS = _word_set(
    """related article articles back top share shares advertisement advertising ad ads sponsored
    promoted comments comment news home menu search more read sign subscribe subscription
    subscriber login log register follow latest trending popular video videos photo photos
    gallery image images sports sport business world politics opinion weather contact about us
    privacy policy terms cookie cookies newsletter newsletters button skip content main next
    previous story stories page copyright rights reserved tags tag topics topic categories
    category editor editors editorial staff writer writers reporter reporters correspondent
    contributor contributors columnist continue reading click here view load show hide close open
    print email facebook twitter instagram linkedin whatsapp reddit pinterest telegram youtube
    tiktok press report reports updated published posted breaking live local national
    international entertainment health science technology tech lifestyle travel food money
    markets economy finance culture arts books music movies tv television radio podcast podcasts
    obituaries classifieds jobs events calendar today yesterday tomorrow recommended featured
    mobile user users agreement agreements conditions notice notices accessibility sitemap careers
    advertise licensing permissions reprints corrections ethics standards guidelines disclaimer
    headlines also see watch listen download app apps account profile settings feedback help faq
    support team office department ministry government council committee association agency
    company corp inc ltd llc group media network channel daily weekly times post herald tribune
    journal gazette chronicle observer guardian telegraph express mirror review digest wire
    street avenue road city county state states united kingdom republic new north south east
    west central university college school hospital police army court house white senate
    congress parliament minister president prime secretary chancellor governor mayor mr mrs ms dr
    sir monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december admin administrator guest anonymous
    author authors by source sources credit credits"""
)
_NOT_NAMES = (FUNCTION_WORDS - {"will"}) | NON_NAME_WORDS

_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['\-][^\W\d_]+)*$")
_INITIAL = re.compile(r"^[A-ZÀ-ÖØ-Þ]\.$")
_BARE_NAME_CHARS = re.compile(r"^[^\W\d_][^\W\d_ .'\-]*(?:[ .'\-]+[^\W\d_]+)*\.?$")
_LIST_SPLIT = re.compile(r"\s*(?:[,;&|•·/]|\band\b|\s-+\s)\s*")
_LEAD_BY = re.compile(r"^(?:(?:[A-Za-z]+\s+){0,2})?by:?\s+", re.IGNORECASE)
_PERSON_BY = re.compile(
    r"^(?:(?:written|posted|story|words|text|published|compiled)\s+)?by:?\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_SENTENCE_PUNCT = re.compile(r"[.!?]")
_LABEL_BREAKERS = re.compile(r"[\d!?:;,]|\.$")  # dates, sentences: not a menu label
# A line is split into sentences once for all packs (the splits are read, never changed).
_sentences: Callable[[str], list[Span]] = lru_cache(maxsize=4096)(sentences)

_ANY_NOTICE = re.compile(r"©|\([cC]\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b", re.IGNORECASE)
_NOTICE_PREFIX = re.compile(r"^(?:(?:copyright|©|\(c\))\s*)+", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}(?:\s*-\s*(?:19|20)\d{2})?\b")
_YEAR_SLOT = "{year}"


@dataclass(frozen=True, slots=True)
class _Line:
    """A non-empty page line, normalised, with its position among the non-empty lines."""

    index: int
    text: str
    where: Where
    line: int | None
    role: LineRole = "text"


# ---------------------------------------------------------------------------------------------
# Public entry points


def detect(
    lines: Sequence[TextLine], meta: Mapping[str, str], packs: Sequence[RulePack], title: str | None = None
) -> Attribution:
    """Every attribution signal of a page, in page order, metadata last.

    ``title`` is the page's headline: a line repeating it is never a byline. Image captions
    give no signal at all: an agency named there credits a photo.
    """
    kept = [(tl, text) for tl in lines if (text := _one_line(tl.text))]
    view = [_Line(i, text, tl.where, tl.line, tl.role) for i, (tl, text) in enumerate(kept)]
    agency_names = {a.casefold() for pack in packs for a in (*pack.aliases, pack.id)}
    per_line = [
        [kept for pack in packs for s in _scan_line(ln, pack) if (kept := _people_only(s, agency_names))]
        if ln.role != "caption"
        else []
        for ln in view
    ]
    agency_notice = [any(s.kind == "notice" for s in found) for found in per_line]
    per_line = _photo_notices_dropped(view, per_line)
    _add_signoffs(view, per_line, packs)
    sites = _site_names(meta)
    persons = _person_bylines(view, per_line, packs, sites, title or meta.get("title", ""))
    signals: list[Signal] = []
    for ln, found, had_notice in zip(view, per_line, agency_notice, strict=True):
        signals.extend(found)
        if not had_notice and ln.role != "caption":
            signals.extend(_site_notices(ln))
        signals.extend(persons.get(ln.index, []))
    shown_authors = {s.names for s in signals if s.kind == "byline" and s.where == "meta"}
    signals.extend(s for s in _meta_signals(meta, packs, sites) if not (s.names and s.names in shown_authors))
    return Attribution(signals=_dedupe(signals))


def _people_only(signal: Signal, agency_names: set[str]) -> Signal | None:
    """A contributor line lists people: "Additional reporting by AFP" names an agency, not a writer.

    Names that are any pack's agency are dropped; a contributor line left with no one is
    not a contributor line (of this pack's agency) at all.
    """
    if signal.kind != "contributor" or not signal.names:
        return signal
    people = tuple(n for n in signal.names if n.casefold() not in agency_names)
    if not people:
        return None
    return replace(signal, names=people) if len(people) != len(signal.names) else signal


def person_names(text: str, packs: Sequence[RulePack] = ()) -> tuple[str, ...]:
    """Person names in a byline or contributor string ("By JANE DOE and JOHN ROE, Associated Press").

    Agency names are cut out; names come back as "First Last" title case.
    """
    return tuple(_names(normalize(text), [p.alias for p in packs], single_ok=True))


def same_person(a: str, b: str) -> bool:
    """Whether two name mentions can be one person: case-blind, surname-only tolerant.

    "Karmanau" matches "Yuras Karmanau"; "J. Doe" matches "Jane Doe"; "Jane Doe" does not
    match "John Doe".
    """
    ka, kb = _name_key(a), _name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    if ka[-1] != kb[-1]:
        return False
    if len(ka) == 1 or len(kb) == 1:
        return True
    fa, fb = ka[0], kb[0]
    return fa == fb or ((len(fa) == 1 or len(fb) == 1) and fa[0] == fb[0])


def notice_difference(notice: str, pack: RulePack) -> str | None:
    """None when ``notice`` is in one of the pack's accepted forms, else what differs.

    Compared word by word, ignoring case, punctuation, the year and which of "©", "(c)",
    "Copyright" or "Copyright ©" opens the notice. The message names the differing words
    against the closest accepted form, so a reader sees what to fix.
    """
    year = _YEAR.search(notice)
    words = _notice_words(notice)
    best: tuple[float, list[str]] | None = None
    for form in pack.notice.forms:
        form_words = _notice_words(form.replace(_YEAR_SLOT, year.group() if year else _YEAR_SLOT))
        if _keys(words) == _keys(form_words):
            return None
        ratio = difflib.SequenceMatcher(a=_keys(words), b=_keys(form_words), autojunk=False).ratio()
        if best is None or ratio > best[0]:
            best = (ratio, form_words)
    assert best is not None  # a pack always has its canonical form
    return _describe(words, best[1])


# ---------------------------------------------------------------------------------------------
# One line against one pack


def _scan_line(ln: _Line, pack: RulePack) -> list[Signal]:
    if not _pack_gate(pack).allows(ln.text):  # no pattern of the pack can match: most lines
        return []
    text = _mask(ln.text, pack.ignore)
    if not text:
        return []
    return [
        *_datelines_and_bylines(text, ln, pack),
        *_credits(text, ln, pack),
        *_contributors(text, ln, pack),
        *_notices(text, ln, pack),
    ]


def _pack_gate(pack: RulePack) -> Gate:
    """What a line needs for any signal of ``pack`` (photo credits and companions only
    ever add to a signal another pattern found). Cached by identity: hashing a pack would
    cost more than the gate saves."""
    cached = _PACK_GATES.get(id(pack))
    if cached is None or cached[0] is not pack:
        patterns = [
            *pack.bylines,
            *pack.datelines,
            *pack.credits,
            *pack.prose_credits,
            *pack.mentions,
            *pack.signoffs,
            *pack.contributors,
            pack.notice.marker,
        ]
        cached = _PACK_GATES[id(pack)] = (pack, any_of(patterns))
    return cached[1]


_PACK_GATES: dict[int, tuple[RulePack, Gate]] = {}


def _mask(text: str, ignore: Iterable[re.Pattern[str]]) -> str:
    """The line without photo/video credits, which name an agency without crediting the text."""
    changed = False
    for pattern in ignore:
        if not gate(pattern).allows(text):
            continue
        text, count = pattern.subn(" ", text)
        changed = changed or count > 0
    if changed or _IRREGULAR_SPACE.search(text):  # else collapsing spaces would change nothing
        text = re.sub(r"\s+", " ", text).strip()
    return text


_IRREGULAR_SPACE = re.compile(r"^\s|\s$|\s\s|[^\S ]")


def _datelines_and_bylines(text: str, ln: _Line, pack: RulePack) -> list[Signal]:
    """A byline at the start of the line (or after a time stamp: "25 November 2020 - 19:07 By
    Reuters"), then a dateline at the start of what follows it."""
    out: list[Signal] = []
    stamp = _STAMP.match(text)
    skip = stamp.end() if stamp and any(c.isdigit() for c in stamp.group()) else 0
    head = text[skip : skip + HEAD_CHARS]
    rest = head
    for pattern in pack.bylines:
        m = pattern.match(head) if gate(pattern).allows(head) else None
        if not m:
            continue
        after = text[skip + m.end() :].lstrip(" ,|-")[:HEAD_CHARS]
        if _word_count(text) > BYLINE_MAX_WORDS and not _first_match(pack.datelines, after):
            continue
        names = _names(m.groupdict().get("names") or "", [pack.alias], single_ok=True)
        evidence = text if _word_count(text) <= BYLINE_MAX_WORDS else m.group().strip()
        out.append(_signal("byline", evidence, ln, pack.id, names))
        rest = after
        break
    for candidate in dict.fromkeys((head, rest)):
        m = _first_match(pack.datelines, candidate)
        if m:
            out.append(_signal("dateline", m.group().strip(), ln, pack.id))
            break
    else:
        inside = _dateline_inside(text, pack)
        if inside:
            out.append(_signal("dateline", inside, ln, pack.id))
    return out


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?\.?"
_STAMP_WORD = rf"(?:\d[\d:./\-]*(?:st|nd|rd|th)?,?|{_MONTH},?|{_WEEKDAY},?|[ap]\.?m\.?|gmt|utc|[a-z]{{1,2}}t|date|updated|published|posted|-+|\||•)"
# A date and time opening a line, before its byline: "25 November 2020 - 19:07 ", "Updated 9:21 a.m. ET "
_STAMP = re.compile(rf"(?i:{_STAMP_WORD}(?:\s+{_STAMP_WORD})*)\s+(?=\S)")
_DATELINE_REACH = 60  # characters before a dateline's "(" where its place name can start
_WORD_START = re.compile(r"(?<=\s)[A-ZÀ-Þ(]")
_AFTER_BREAK = re.compile(r"(?:[.!?\"')\]]|\b(?:19|20)\d{2}-\d{2}-\d{2})\s+$")
_CAPS_WORD = re.compile(r"[A-ZÀ-Þ][A-ZÀ-Þ.\x27\-]+\b")
_SENTENCE_START = re.compile(r"\s*[\"'(]?[A-ZÀ-Þ0-9]")


def _dateline_inside(text: str, pack: RulePack) -> str | None:
    """A dateline that does not open its line: after a headline run into the story
    ("... Floods Florida ST. PETERSBURG, Fla. (AP) - Hurricane Ian..."), a sentence
    ("... homes. ST. PETERSBURG, Fla. (AP) -") or a date ("date 2022-12-31 VATICAN CITY (AP) -").

    Stricter than at a line start, since prose can name an agency in brackets: the place must
    be in capitals or follow a sentence end or a date, and a dash and a new sentence must
    follow the agency.
    """
    if not any(gate(p).allows(text) for p in pack.datelines):
        return None
    for paren in (i for i, c in enumerate(text) if c == "(" and i > 0):
        for start in _WORD_START.finditer(text, max(0, paren - _DATELINE_REACH), paren + 1):
            m = _first_match(pack.datelines, text[start.start() :])
            if not m or start.start() + m.end() <= paren:
                continue
            found = m.group().strip()
            if not found.endswith("-") or not _SENTENCE_START.match(text, start.start() + m.end()):
                continue
            if _CAPS_WORD.match(found) or _AFTER_BREAK.search(text[: start.start()]):
                return found
    return None


def _first_match(patterns: Iterable[re.Pattern[str]], text: str) -> re.Match[str] | None:
    return next((m for p in patterns if gate(p).allows(text) and (m := p.match(text))), None)


def _credits(text: str, ln: _Line, pack: RulePack) -> list[Signal]:
    """Credit lines; failing those, credits inside body sentences (marked where="body"), then
    mentions (the agency cited for one fact)."""
    for pattern in pack.credits:
        m = pattern.search(text) if gate(pattern).allows(text) else None
        if m:
            return [_signal("credit", _evidence(text, m), ln, pack.id)]
    for kind, patterns in (("credit", pack.prose_credits), ("mention", pack.mentions)):
        for pattern in patterns:
            m = pattern.search(text) if gate(pattern).allows(text) else None
            if m:
                signal = _signal(kind, _evidence(text, m), replace(ln, where="body"), pack.id)
                return [replace(signal, prose=True)]
    return []


def _contributors(text: str, ln: _Line, pack: RulePack) -> list[Signal]:
    """One contributor signal per line, with every person it lists (companion names too)."""
    found: list[tuple[int, str]] = []
    for pattern in pack.contributors:
        if not gate(pattern).allows(text):
            continue
        for m in pattern.finditer(text):
            found.extend((m.start(), n) for n in _names(m.groupdict().get("names") or "", [pack.alias], True))
    if not found:
        return []
    for pattern in pack.companions:
        if not gate(pattern).allows(text):
            continue
        for m in pattern.finditer(text):
            found.extend((m.start(), n) for n in _names(m.groupdict().get("names") or "", [pack.alias], True))
    names = _unique_names(n for _, n in sorted(found, key=lambda f: f[0]))
    return [_signal("contributor", text, ln, pack.id, names)]


def _notices(text: str, ln: _Line, pack: RulePack) -> list[Signal]:
    return [_signal("notice", piece, ln, pack.id) for piece in cut_notices(text, pack)]


def cut_notices(text: str, pack: RulePack) -> list[str]:
    """The pack's copyright notices in ``text``, each cut out of the paragraph around it.

    A notice starts at a copyright marker and runs on through the sentences that still read
    like a notice (a marker, an alias, or boilerplate such as "All rights reserved."); the
    headline or story that follows on the same line is left out. Runs naming none of the
    pack's aliases are someone else's notice.
    """
    if not gate(pack.notice.marker).allows(text):  # no sentence of it can hold a marker either
        return []
    spans = _sentences(text)
    out: list[str] = []
    i = 0
    while i < len(spans):
        m = pack.notice.marker.search(spans[i].text)
        if not m or _word_count(spans[i].text[m.start() :]) > NOTICE_MAX_WORDS:
            i += 1
            continue
        j = i + 1
        while j < len(spans) and _continues_notice(spans[j].text, pack):
            j += 1
        piece = text[spans[i].start + m.start() : spans[j - 1].end].strip()
        if pack.alias.search(piece) and not _other_holder(spans[i].text[m.start() :], pack):
            out.append(piece)
        i = j
    return out


_HOLDERLESS = re.compile(r"(?i)©|\(c\)|\bcopyright\b|\bby\b|\b(?:19|20)\d{2}\b|[^\w\s]")


def _other_holder(first: str, pack: RulePack) -> bool:
    """Whether a notice's first sentence names a holder that is not the agency
    ("Copyright 2018 by WDIV ClickOnDetroit."): what follows is then not the agency's notice."""
    if pack.alias.search(first):
        return False
    words = [w for w in _HOLDERLESS.sub(" ", first).split() if w.casefold() not in pack.notice.boilerplate]
    return bool(words)


# A line is split into sentences once for all packs (the splits are read, never changed).
_sentences: Callable[[str], list[Span]] = lru_cache(maxsize=4096)(sentences)

_ANY_NOTICE = re.compile(r"©|\([cC]\)\s*\d{4}|(?i:\bcopyright\b)(?=\s*(?:©|\([cC]\)|\d{4}))")
_RESERVED = re.compile(r"(?i)\brights\s+reserved\b|\breserved\b|\bcopyright\b")


_FOOTER_SEPARATOR = re.compile(r"\s+[|•·]\s+")


def _add_signoffs(view: Sequence[_Line], per_line: list[list[Signal]], packs: Sequence[RulePack]) -> None:
    """Sign-off credits: a bare "AFP" line after the story's last paragraph credits the text;
    the same line under a picture inside the story credits the photo."""
    last_prose = max(
        (ln.index for ln in view if ln.where == "body" and _is_prose(ln.text)), default=len(view)
    )
    for ln in view[last_prose + 1 :]:
        if ln.role != "text" or ln.where != "body" or per_line[ln.index]:
            continue
        for pack in packs:
            if any(gate(p).allows(ln.text) and p.search(ln.text) for p in pack.signoffs):
                per_line[ln.index].append(_signal("credit", ln.text, ln, pack.id))


_NOTICE_SUBSTANCE = re.compile(r"\b(?:19|20)\d{2}\b|\brights\b|\breserved\b", re.IGNORECASE)


def _photo_notices_dropped(view: Sequence[_Line], per_line: list[list[Signal]]) -> list[list[Signal]]:
    """Without the agency notices that are a photo's credit: a bare "© REUTERS" (no year, no
    rights reserved) with more of the story's prose after it sits under a picture, not at the
    end of the text."""
    last_prose = max((ln.index for ln in view if ln.where == "body" and _is_prose(ln.text)), default=-1)
    return [
        [
            s
            for s in found
            if not (
                s.kind == "notice"
                and s.agency
                and ln.index < last_prose
                and not _NOTICE_SUBSTANCE.search(s.text)
            )
        ]
        for ln, found in zip(view, per_line, strict=True)
    ]


def _site_notices(ln: _Line) -> list[Signal]:
    """Copyright notices naming no agency (the site's own footer), cut like agency notices.

    Footers string links together ("© 2019 NYP Holdings, Inc. All Rights Reserved | Terms of
    Use | Privacy"): the separators end the notice as a full stop would.
    """
    if not gate(_ANY_NOTICE).allows(ln.text):  # nor then can any segment of it
        return []
    out: list[Signal] = []
    for segment in _FOOTER_SEPARATOR.split(ln.text):
        spans = _sentences(segment)
        for i, span in enumerate(spans):
            m = _ANY_NOTICE.search(span.text)
            if not m or _word_count(span.text[m.start() :]) > NOTICE_MAX_WORDS:
                continue
            j = i + 1
            while j < len(spans) and _RESERVED.search(spans[j].text) and _word_count(spans[j].text) <= 6:
                j += 1
            piece = segment[span.start + m.start() : spans[j - 1].end].strip()
            out.append(_signal("notice", piece, ln, None))
    return out


_CONTRIBUTED = re.compile(r"(?i)\bcontributed\b")


def _continues_notice(sentence: str, pack: RulePack) -> bool:
    if _CONTRIBUTED.search(sentence):  # "The Associated Press contributed to this report." credits
        return False
    if pack.notice.marker.search(sentence) or pack.alias.search(sentence):
        return True
    words = tokens(sentence)
    terms = sum(w in pack.notice.boilerplate for w in words)
    return terms >= 2 or (terms >= 1 and len(words) <= 4)


# ---------------------------------------------------------------------------------------------
# Person bylines (no agency named)


def _person_bylines(
    view: Sequence[_Line],
    per_line: Sequence[Sequence[Signal]],
    packs: Sequence[RulePack],
    sites: Sequence[str],
    title: str,
) -> dict[int, list[Signal]]:
    """Bylines naming people: "By Kevin Marsh", and bare name lines where a byline can stand.

    A bare name is never read in a heading, the first visible line, a line repeating the page
    title (a short title-case headline, "Putin Warns West", looks just like a name) or the site
    footer (link labels: "Mobile User Agreement").
    """
    aliases = [p.alias for p in packs]
    title = _one_line(title).casefold()
    visible = [ln.index for ln in view if ln.where not in ("meta", "jsonld")]
    trusted = _trusted_zone(view, per_line) - set(visible[:1])
    trusted -= {ln.index for ln in view if ln.role != "text" or ln.where == "footer"}
    trusted -= {ln.index for ln in view if title and ln.text.casefold() == title}
    trusted |= {ln.index for ln in view if ln.where in ("meta", "jsonld")}  # an author field
    out: dict[int, list[Signal]] = {}
    for ln in view:
        if ln.role == "caption" or any(s.kind == "byline" for s in per_line[ln.index]):
            continue  # a photo credit, or an agency byline already read this line
        names = _by_line_names(ln.text, aliases)
        if not names and ln.index in trusted and not _in_menu(ln.index, view):
            names = _bare_name(ln.text, aliases)
        names = tuple(n for n in names if _is_person(n, sites))
        if names:
            agency = _agency_below(ln.index, view, per_line)
            out[ln.index] = [_signal("byline", ln.text, ln, agency, names)]
    return out


def _by_line_names(text: str, aliases: Sequence[re.Pattern[str]]) -> tuple[str, ...]:
    m = _PERSON_BY.match(text)
    if not m or _word_count(text) > PERSON_BY_MAX_WORDS:
        return ()
    return tuple(_names(m.group("rest"), aliases, single_ok=False))


def _bare_name(text: str, aliases: Sequence[re.Pattern[str]]) -> tuple[str, ...]:
    """A line that is nothing but a 2-4 word person name ("Dais Johnston", "JANE DOE")."""
    words = text.split()
    if not 2 <= len(words) <= 4 or not _BARE_NAME_CHARS.match(text):
        return ()
    if any(a.search(text) for a in aliases):
        return ()
    name = _name_prefix(words, single_ok=False)
    return (name,) if name and len(name.split()) == len(words) else ()


def _trusted_zone(view: Sequence[_Line], per_line: Sequence[Sequence[Signal]]) -> set[int]:
    """Line indexes where a bare name can be a byline: opening lines and the closing zone.

    Opening: the first few lines before the body (one standfirst paragraph allowed), and the
    lines just above the first prose paragraph.
    Closing: after the last body paragraph, and next to a copyright notice or contributor line.
    """
    prose = [ln.index for ln in view if _is_prose(ln.text)]
    body_prose = [ln.index for ln in view if ln.where == "body" and _is_prose(ln.text)]
    # Before the body starts; one prose line (a standfirst) may come before the byline.
    opening_end = prose[1] if len(prose) > 1 else len(view)
    zone = set(range(min(OPENING_LINES, opening_end)))
    if prose:
        zone.update(range(max(0, prose[0] - 3), prose[0]))
    if body_prose:
        zone.update(range(body_prose[-1] + 1, len(view)))
    for ln in view:
        anchor = _ANY_NOTICE.search(ln.text) or any(
            s.kind in ("notice", "contributor") for s in per_line[ln.index]
        )
        if anchor:
            zone.update(i for i in (ln.index - 1, ln.index + 1) if 0 <= i < len(view))
    return zone


def _in_menu(index: int, view: Sequence[_Line]) -> bool:
    """Whether the line is one of three or more short labels in a row: a menu, not a byline."""
    if not _is_label(view[index].text):
        return False
    first = last = index
    while first > 0 and _is_label(view[first - 1].text):
        first -= 1
    while last + 1 < len(view) and _is_label(view[last + 1].text):
        last += 1
    return last - first + 1 >= MENU_RUN


def _is_label(text: str) -> bool:
    return _word_count(text) <= 3 and not _LABEL_BREAKERS.search(text)


def _agency_below(index: int, view: Sequence[_Line], per_line: Sequence[Sequence[Signal]]) -> str | None:
    """The agency of a short agency-only line under a name ("JANE DOE" / "Associated Press")."""
    below = index + 1
    if below >= len(view) or _word_count(view[below].text) > 6:
        return None
    for s in per_line[below]:
        if s.kind in ("byline", "credit") and s.agency and not s.names:
            return s.agency
    return None


def _site_names(meta: Mapping[str, str]) -> list[str]:
    """What the page says its site or publisher is called, squeezed to letters and digits
    ("CBS Detroit", "https://www.facebook.com/CBSDetroit" → "cbsdetroit", ".../cbsdetroit")."""
    keys = ("site_name", "jsonld:publisher", "article:publisher", "publisher")
    return [_squeezed(meta[k]) for k in keys if meta.get(k)]


def _is_person(name: str, sites: Sequence[str]) -> bool:
    """Not the site's or publisher's own name ("CBS Detroit" on cbsdetroit pages)."""
    key = _squeezed(name)
    return not any(key and key in site for site in sites)


def _squeezed(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalize(text).casefold())


# ---------------------------------------------------------------------------------------------
# Metadata


def _meta_signals(meta: Mapping[str, str], packs: Sequence[RulePack], sites: Sequence[str]) -> list[Signal]:
    out: list[Signal] = []
    for key, where in (("author", "meta"), ("jsonld:author", "jsonld")):
        if meta.get(key):
            out.extend(_author_signals(normalize(meta[key]), where, packs, sites))
    for pack in packs:
        credit = _mask(normalize(meta.get("jsonld:creditText", "")), pack.ignore)
        if credit and pack.alias.search(credit):
            out.append(Signal("credit", credit, "jsonld", None, pack.id))
        for key in ("jsonld:copyrightNotice", "jsonld:copyrightHolder", "jsonld:sourceOrganization"):
            value = normalize(meta.get(key, ""))
            if value and pack.alias.search(value):
                out.append(Signal("notice", value, "jsonld", None, pack.id))
    return out


def _author_signals(
    value: str, where: Where, packs: Sequence[RulePack], sites: Sequence[str]
) -> list[Signal]:
    """An author field naming an agency is an agency byline; one naming people, a person byline."""
    aliases = [p.alias for p in packs]
    for pack in packs:
        masked = _mask(value, pack.ignore)
        m = _first_match(pack.bylines, masked[:HEAD_CHARS])
        if m or pack.alias.search(masked):
            source = (m.groupdict().get("names") or "") if m else masked
            names = _names(source, aliases, single_ok=False)
            return [Signal("byline", value, where, None, pack.id, tuple(names))]
    names = tuple(n for n in _names(value, aliases, single_ok=False) if _is_person(n, sites))
    return [Signal("byline", value, where, None, None, names)] if names else []


# ---------------------------------------------------------------------------------------------
# Names


def _names(text: str, aliases: Sequence[re.Pattern[str]], single_ok: bool) -> list[str]:
    """Person names in a list such as "A and B in Paris, C in Berlin; Editing by D".

    A one-word name ("Karmanau") is accepted only when the text is a single mention: in a list,
    single capitalised words are mostly places ("Copenhagen, Denmark and ...").
    """
    segments = [s for s in _LIST_SPLIT.split(_LEAD_BY.sub("", text.strip())) if s.strip()]
    single_ok = single_ok and len(segments) == 1
    out: list[str] = []
    for segment in segments:
        segment = _cut_alias(segment, aliases)
        segment = _LEAD_BY.sub("", segment.strip())
        name = _name_prefix(segment.split(), single_ok)
        if name:
            out.append(name)
    return list(_unique_names(out))


def _cut_alias(segment: str, aliases: Sequence[re.Pattern[str]]) -> str:
    for alias in aliases:
        m = alias.search(segment)
        if m:
            segment = segment[: m.start()]
    return segment


def _name_prefix(words: Sequence[str], single_ok: bool) -> str | None:
    """The person name the words start with (1-4 name words), title-cased, or None."""
    picked: list[str] = []
    for raw in words:
        word = _clean_word(raw)
        if not _is_name_word(word, first=not picked):
            break
        picked.append(word)
    while picked and (picked[-1].casefold() in _PARTICLES or _INITIAL.match(picked[-1])):
        picked.pop()
    if len(picked) > 4 or len(picked) < (1 if single_ok else 2) or _station_like(picked):
        return None
    return _title(" ".join(picked))


def _station_like(words: Sequence[str]) -> bool:
    """A broadcaster or company, not a person: an acronym of three or more capitals followed by
    ordinary words ("CBS Detroit", "WJLA Staff"). All-caps names ("JANE DOE") and capitalised
    surnames ("Jean DUPONT") are people."""
    first = words[0].replace("-", "")
    return len(first) >= 3 and first.isupper() and not all(w.isupper() for w in words[1:])


def _clean_word(word: str) -> str:
    word = word.strip("\"'()[]{}:;,!?")
    return word[:-1] if word.endswith(".") and not _INITIAL.match(word) else word


def _is_name_word(word: str, first: bool) -> bool:
    if not first and word.casefold() in _PARTICLES and word.islower():
        return True
    if _INITIAL.match(word):
        return True
    return bool(_NAME_WORD.match(word)) and len(word) > 1 and word.casefold() not in _NOT_NAMES


def _title(name: str) -> str:
    """ "JANE DOE" -> "Jane Doe"; mixed case ("McDonald") and particles are kept."""
    return " ".join(_title_word(w) for w in name.split())


def _title_word(word: str) -> str:
    if not (word.isupper() or word.islower()) or word.casefold() in _PARTICLES:
        return word
    return re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), word)


def _name_key(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return [w.strip(".") for w in plain.split() if w.strip(".") and w.strip(".") not in _PARTICLES]


def _unique_names(names: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if not any(_name_key(name) == _name_key(seen) for seen in out):
            out.append(name)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Notice comparison


def _notice_words(notice: str) -> list[str]:
    text = _NOTICE_PREFIX.sub("Copyright ", normalize(notice).strip())
    return [w for w in text.split() if _word_key(w)]


def _word_key(word: str) -> str:
    if _YEAR.fullmatch(word.strip(".,;:")) or _YEAR_SLOT in word:
        return _YEAR_SLOT
    return re.sub(r"[^\w]", "", word.casefold())


def _keys(words: Sequence[str]) -> list[str]:
    return [_word_key(w) for w in words]


def _describe(words: Sequence[str], form: Sequence[str]) -> str:
    """Differences as '"notice words" instead of "form words"', widened to a readable phrase."""
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=_keys(words), b=_keys(form), autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace":
            a1, a2, b1, b2 = _widen(words, form, a1, a2, b1, b2)
        got, want = _sentence_chunks(words[a1:a2]), _sentence_chunks(form[b1:b2])
        for i in range(max(len(got), len(want))):
            parts.append(_difference(got[i] if i < len(got) else "", want[i] if i < len(want) else ""))
    return "; ".join(parts)


def _difference(got: str, want: str) -> str:
    if got and want:
        return f'"{got}" instead of "{want}"'
    return f'missing "{want}"' if want else f'extra "{got}"'


def _sentence_chunks(words: Sequence[str]) -> list[str]:
    """Words grouped by sentence, so each differing sentence is named on its own."""
    chunks: list[list[str]] = [[]]
    for word in words:
        chunks[-1].append(word)
        if _ends_sentence(word):
            chunks.append([])
    return [" ".join(c) for c in chunks if c]


def _widen(
    words: Sequence[str], form: Sequence[str], a1: int, a2: int, b1: int, b2: int
) -> tuple[int, int, int, int]:
    """Give a lone extra or missing word its phrase: the unchanged words after it (else before)
    up to the end of its sentence, so "of" reads '"of the Associated Press." instead of
    "The Associated Press."'. A whole extra or missing sentence stands on its own."""
    chunk = words[a1:a2] or form[b1:b2]
    if _ends_sentence(chunk[-1]):
        return a1, a2, b1, b2
    after = 0
    while a2 + after < len(words) and b2 + after < len(form) and after < 4:
        after += 1
        if _ends_sentence(words[a2 + after - 1]):
            break
    if after:
        return a1, a2 + after, b1, b2 + after
    before = 0
    while a1 - before > 0 and b1 - before > 0 and before < 4 and not _ends_sentence(words[a1 - before - 1]):
        before += 1
    return a1 - before, a2, b1 - before, b2


def _ends_sentence(word: str) -> bool:
    return bool(_SENTENCE_PUNCT.search(word[-1:]))


# ---------------------------------------------------------------------------------------------
# Small helpers


def _signal(kind: SignalKind, text: str, ln: _Line, agency: str | None, names: Iterable[str] = ()) -> Signal:
    return Signal(kind, text.strip(), ln.where, ln.line, agency, tuple(names))


def _evidence(text: str, m: re.Match[str]) -> str:
    """The whole line when short, else the sentence holding the match."""
    if _word_count(text) <= BYLINE_MAX_WORDS:
        return text
    for span in sentences(text):
        if span.start <= m.start() < span.end:
            return span.text
    return m.group()


def _one_line(text: str) -> str:
    """Normalised text on one line (a TextLine holding a wrapped paragraph is one paragraph)."""
    return re.sub(r"\s*\n+\s*", " ", normalize(text))


def _is_prose(text: str) -> bool:
    return _word_count(text) >= PROSE_MIN_WORDS and bool(_SENTENCE_PUNCT.search(text))


def _word_count(text: str) -> int:
    return len(text.split())


def _dedupe(signals: Iterable[Signal]) -> list[Signal]:
    seen: set[tuple[object, ...]] = set()
    out: list[Signal] = []
    for s in signals:
        key = (s.kind, s.text, s.agency, s.where, s.line)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
