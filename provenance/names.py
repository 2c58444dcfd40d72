"""Person names in bylines and contributor lines: what a name looks like, and when two
mentions are one person.

Pure and generic: no agency convention lives here (agency names are cut out through the
aliases the caller passes). Hand-written: name-recognition libraries (spaCy, nameparser)
either need a model far heavier than the job, or parse one name at a time and cannot tell
"Oil Prices Rise" or "CBS Detroit" from a person; the rules below are the few a byline needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from provenance.packs import RulePack
from provenance.text import FUNCTION_WORDS, fold, normalize


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
    west central university college school hospital police army court house senate
    congress parliament minister president prime secretary chancellor governor mayor mr mrs ms dr
    sir monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december admin administrator guest anonymous
    author authors by source sources credit credits"""
)
_NOT_NAMES = (FUNCTION_WORDS - {"will"}) | NON_NAME_WORDS

_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['\-][^\W\d_]+)*$")
_INITIAL = re.compile(r"^[A-ZÀ-ÖØ-Þ]\.$")
BARE_NAME_CHARS = re.compile(r"^[^\W\d_][^\W\d_ .'\-]*(?:[ .'\-]+[^\W\d_]+)*\.?$")
_LIST_SPLIT = re.compile(r"\s*(?:[,;&|•·/]|\band\b|\s-+\s)\s*")
_LEAD_BY = re.compile(r"^(?:(?:[A-Za-z]+\s+){0,2})?by:?\s+", re.IGNORECASE)


def person_names(text: str, packs: Sequence[RulePack] = ()) -> tuple[str, ...]:
    """Person names in a byline or contributor string ("By JANE DOE and JOHN ROE, Associated Press").

    Agency names are cut out; names come back as "First Last" title case.
    """
    return tuple(names_in(normalize(text), [p.alias for p in packs], single_ok=True))


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


def names_in(text: str, aliases: Sequence[re.Pattern[str]], single_ok: bool) -> list[str]:
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
        name = name_prefix(segment.split(), single_ok)
        if name:
            out.append(name)
    return list(unique_names(out))


def _cut_alias(segment: str, aliases: Sequence[re.Pattern[str]]) -> str:
    for alias in aliases:
        m = alias.search(segment)
        if m:
            segment = segment[: m.start()]
    return segment


def name_prefix(words: Sequence[str], single_ok: bool) -> str | None:
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
    if not first and fold(word).casefold() in _PARTICLES and word.islower():
        return True
    if _INITIAL.match(word):
        return True
    return bool(_NAME_WORD.match(word)) and len(word) > 1 and fold(word).casefold() not in _NOT_NAMES


def _title(name: str) -> str:
    """ "JANE DOE" -> "Jane Doe"; mixed case ("McDonald") and particles are kept."""
    return " ".join(_title_word(w) for w in name.split())


def _title_word(word: str) -> str:
    if not (word.isupper() or word.islower()) or word.casefold() in _PARTICLES:
        return word
    return re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), word)


def _name_key(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", fold(name))  # "Jаne" with a Cyrillic а is Jane
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return [w.strip(".") for w in plain.split() if w.strip(".") and w.strip(".") not in _PARTICLES]


def unique_names(names: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if not any(_name_key(name) == _name_key(seen) for seen in out):
            out.append(name)
    return tuple(out)
