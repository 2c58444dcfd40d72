"""What a page says about where its text comes from: datelines, bylines, credits, contributors, notices.

Pure: lines and metadata in, an :class:`Attribution` out. Agency conventions come from the rule
packs; this module holds only generic knowledge of where signals stand on a page (what a
person's name looks like is in :mod:`provenance.names`, how a copyright notice runs on and
how it differs from an accepted form in :mod:`provenance.notices`).

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
* Image captions (:data:`provenance.model.LineRole` ``caption``) give no signal at all, and
  an agency notice inside brackets or a bare one ("© REUTERS") with more story after it is a
  photo's credit. Headings and the page title are never bare-name bylines, nor is a site
  footer label or the site's own name.
* A sentence citing the agency for one fact ("according to Reuters") is a ``mention``:
  reported, never a credit. A sentence crediting the text ("..., reported Reuters") is one.
* Datelines are found at the start of a line, after a leading time stamp, and inside a line
  (after a headline run into the story) under stricter conditions (:func:`_dateline_inside`).
* ``jsonld:copyrightNotice``, ``jsonld:copyrightHolder`` and ``jsonld:sourceOrganization``
  naming an agency give ``notice`` signals with ``where="jsonld"``: they show where the text
  comes from, but are not the visible notice a licence asks for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from provenance.model import Attribution, LineRole, Signal, SignalKind, TextLine, Where
from provenance.names import BARE_NAME_CHARS, name_prefix, names_in, unique_names
from provenance.notices import ANY_NOTICE, cut_notices, site_notice_texts
from provenance.packs import RulePack
from provenance.regex_gate import Gate, any_of, gate
from provenance.text import Span, normalize, sentences

OPENING_LINES = 6  # a bare name among the first lines of a page may be its byline
BYLINE_MAX_WORDS = 25  # a longer line is prose, even if it starts like a byline
PERSON_BY_MAX_WORDS = 12  # "By Kevin Marsh, Staff Writer" - not "By the time the troops..."
PROSE_MIN_WORDS = 8
MENU_RUN = 3  # this many short label lines in a row are navigation
HEAD_CHARS = 300  # bylines and datelines open a line: never scan further (bounds regex work)


_PERSON_BY = re.compile(
    r"^(?:(?:written|posted|story|words|text|published|compiled)\s+)?by:?\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_SENTENCE_PUNCT = re.compile(r"[.!?]")
_LABEL_BREAKERS = re.compile(r"[\d!?:;,]|\.$")  # dates, sentences: not a menu label
# A line is split into sentences once for all packs (the splits are read, never changed).
_sentences: Callable[[str], list[Span]] = lru_cache(maxsize=4096)(sentences)


@dataclass(frozen=True, slots=True)
class _Line:
    """A non-empty page line, normalised, with its position among the non-empty lines."""

    index: int
    text: str
    where: Where
    line: int | None
    role: LineRole = "text"
    prose: bool = False  # :func:`_is_prose`, read by several passes: tested once


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
    view = [_Line(i, text, tl.where, tl.line, tl.role, _is_prose(text)) for i, (tl, text) in enumerate(kept)]
    agency_names = {a.casefold() for pack in packs for a in (*pack.aliases, pack.id)}
    gated = [(pack, _pack_gate(pack).allows) for pack in packs]
    per_line = [
        [
            kept
            for pack, allows in gated
            if allows(ln.text)  # no pattern of the pack can match: most lines
            for s in _scan_line(ln, pack)
            if (kept := _people_only(s, agency_names))
        ]
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


# ---------------------------------------------------------------------------------------------
# One line against one pack


def _scan_line(ln: _Line, pack: RulePack) -> list[Signal]:
    """The signals of ``pack`` on a line that its gate (:func:`_pack_gate`) lets through."""
    text = _mask(_unglued(ln.text, pack), pack.ignore)
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
    stamp = _STAMP.match(text, 0, HEAD_CHARS)
    skips = [0]
    if stamp and any(c.isdigit() for c in stamp.group()):
        skips.append(stamp.end())
    head = text[:HEAD_CHARS]
    rest = text[skips[-1] : skips[-1] + HEAD_CHARS]
    found = _byline(text, skips, pack)
    if found:
        m, skip = found
        after = text[skip + m.end() :].lstrip(" ,|-")[:HEAD_CHARS]
        names = names_in(m.groupdict().get("names") or "", [pack.alias], single_ok=True)
        evidence = text if _word_count(text) <= BYLINE_MAX_WORDS else m.group().strip()
        out.append(_signal("byline", evidence, ln, pack.id, names))
        rest = after
    for candidate in dict.fromkeys((head, rest)):
        m = _first_match(pack.datelines, candidate)
        if m and _dateline_ends(m, candidate):
            out.append(_signal("dateline", m.group().strip(), ln, pack.id))
            break
    else:
        inside = _dateline_inside(text, pack)
        if inside:
            out.append(_signal("dateline", inside, ln, pack.id))
    return out


def _byline(text: str, skips: Sequence[int], pack: RulePack) -> tuple[re.Match[str], int] | None:
    """The first byline pattern matching at the line start, else after its time stamp."""
    for skip in skips:
        head = text[skip : skip + HEAD_CHARS]
        for pattern in pack.bylines:
            m = pattern.match(head) if gate(pattern).allows(head) else None
            if not m:
                continue
            after = text[skip + m.end() :].lstrip(" ,|-")[:HEAD_CHARS]
            if _word_count(text) > BYLINE_MAX_WORDS and not _first_match(pack.datelines, after):
                continue
            return m, skip
    return None


def _dateline_ends(m: re.Match[str], text: str) -> bool:
    """A dateline leads into its story: a dash follows the agency, or a sentence starts right
    after it. "Carl Bernstein (AP)" closing a caption is a photo credit."""
    return m.group().rstrip().endswith("-") or bool(_SENTENCE_START.match(text, m.end()))


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?\.?"
_STAMP_WORD = rf"(?:\d[\d:./\-]*(?:st|nd|rd|th)?,?|{_MONTH},?|{_WEEKDAY},?|[ap]\.?m\.?|gmt|utc|[a-z]{{1,2}}t|date|updated|published|posted|-+|\||•)"
# A date and time opening a line, before its byline: "25 November 2020 - 19:07 ", "Updated 9:21 a.m. ET "
_STAMP = re.compile(rf"(?i:{_STAMP_WORD}(?:\s+{_STAMP_WORD})*)\s+(?=\S)")
_DATELINE_REACH = 60  # characters before a dateline's "(" where its place name can start
_PARTNER_REACH = 20  # characters after it where the agency must be named: "(WCBD/AP)"
_OPEN_PAREN = re.compile(r"\(")
_MAX_BRACKETS = 10  # bracketed agency names tried per line
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
    tried = 0
    for paren in (m.start() for m in _OPEN_PAREN.finditer(text, 1)):
        if not pack.alias.search(text, paren, paren + _PARTNER_REACH):
            continue  # the agency is not in these brackets: most brackets of a paragraph
        tried += 1
        if tried > _MAX_BRACKETS:
            break  # a line with this many is a list or a hostile text, not a story's opening
        for start in _WORD_START.finditer(text, max(0, paren - _DATELINE_REACH), paren + 1):
            head = text[start.start() : start.start() + HEAD_CHARS]
            m = _first_match(pack.datelines, head)
            if not m or start.start() + m.end() <= paren:
                continue
            found = m.group().strip()
            if not found.endswith("-") or not _SENTENCE_START.match(head, m.end()):
                continue
            if _CAPS_WORD.match(found) or _AFTER_BREAK.search(
                text, max(0, start.start() - 12), start.start()
            ):
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
            found.extend(
                (m.start(), n) for n in names_in(m.groupdict().get("names") or "", [pack.alias], True)
            )
    if not found:
        return []
    for pattern in pack.companions:
        if not gate(pattern).allows(text):
            continue
        for m in pattern.finditer(text):
            found.extend(
                (m.start(), n) for n in names_in(m.groupdict().get("names") or "", [pack.alias], True)
            )
    names = unique_names(n for _, n in sorted(found, key=lambda f: f[0]))
    return [_signal("contributor", text, ln, pack.id, names)]


def _notices(text: str, ln: _Line, pack: RulePack) -> list[Signal]:
    """The pack's notices on the line, but not one inside brackets: "(... Copyright 2017 The
    Associated Press. All rights reserved.)" closes a photo caption."""
    return [_signal("notice", p, ln, pack.id) for p in cut_notices(text, pack) if not _in_brackets(p, text)]


def _in_brackets(piece: str, text: str) -> bool:
    before = text[: text.find(piece)]
    return before.count("(") > before.count(")") or piece.count(")") > piece.count("(")


def _unglued(text: str, pack: RulePack) -> str:
    """The line with a space put back where extraction glued a name to the agency's
    ("Vladimir IsachenkovAssociated Press"): spans rendered apart, joined without one."""
    glue = _GLUES.get(pack.aliases)
    if glue is None:
        long_aliases = [re.escape(a) for a in pack.aliases if len(a) > 4 and a[:1].isupper()]
        glue = _GLUES[pack.aliases] = (
            re.compile(rf"(?<=[a-z])(?=(?:{'|'.join(long_aliases)})\b)") if long_aliases else None
        )
    if glue is None or not glue.search(text):
        return text
    return glue.sub(" ", text)


_GLUES: dict[tuple[str, ...], re.Pattern[str] | None] = {}


def _add_signoffs(view: Sequence[_Line], per_line: list[list[Signal]], packs: Sequence[RulePack]) -> None:
    """Sign-off credits: a bare "AFP" line after the story's last paragraph credits the text;
    the same line under a picture inside the story credits the photo."""
    last_prose = max((ln.index for ln in view if ln.where == "body" and ln.prose), default=len(view))
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
    last_prose = max((ln.index for ln in view if ln.where == "body" and ln.prose), default=-1)
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
    """The site's own copyright notices on the line (``agency=None``: reported, never checked)."""
    return [
        _signal("notice", p, ln, None) for p in site_notice_texts(ln.text) if not _in_brackets(p, ln.text)
    ]


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
    return tuple(names_in(m.group("rest"), aliases, single_ok=False))


def _bare_name(text: str, aliases: Sequence[re.Pattern[str]]) -> tuple[str, ...]:
    """A line that is nothing but a 2-4 word person name ("Dais Johnston", "JANE DOE")."""
    words = text.split()
    if not 2 <= len(words) <= 4 or not BARE_NAME_CHARS.match(text):
        return ()
    if any(a.search(text) for a in aliases):
        return ()
    name = name_prefix(words, single_ok=False)
    return (name,) if name and len(name.split()) == len(words) else ()


def _trusted_zone(view: Sequence[_Line], per_line: Sequence[Sequence[Signal]]) -> set[int]:
    """Line indexes where a bare name can be a byline: opening lines and the closing zone.

    Opening: the first few lines before the body (one standfirst paragraph allowed), and the
    lines just above the first prose paragraph.
    Closing: after the last body paragraph, and next to a copyright notice or contributor line.
    """
    prose = [ln.index for ln in view if ln.prose]
    body_prose = [ln.index for ln in view if ln.where == "body" and ln.prose]
    # Before the body starts; one prose line (a standfirst) may come before the byline.
    opening_end = prose[1] if len(prose) > 1 else len(view)
    zone = set(range(min(OPENING_LINES, opening_end)))
    if prose:
        zone.update(range(max(0, prose[0] - 3), prose[0]))
    if body_prose:
        zone.update(range(body_prose[-1] + 1, len(view)))
    for ln in view:
        anchor = ANY_NOTICE.search(ln.text) or any(
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
            names = names_in(source, aliases, single_ok=False)
            return [Signal("byline", value, where, None, pack.id, tuple(names))]
    names = tuple(n for n in names_in(value, aliases, single_ok=False) if _is_person(n, sites))
    return [Signal("byline", value, where, None, None, names)] if names else []


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
    text = normalize(text)
    return _LINE_BREAKS.sub(" ", text) if "\n" in text else text


_LINE_BREAKS = re.compile(r"\s*\n+\s*")


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
