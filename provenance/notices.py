"""Copyright notices: cut out of the paragraph around them, and compared with an agency's
accepted forms.

Pure. Hand-written: a notice is a short run of sentences ("Copyright 2024 The Associated
Press. All rights reserved.") glued to a story or a footer, and the comparison must name
the words that differ so a reader sees what to fix (``difflib`` gives the alignment).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from provenance.packs import RulePack
from provenance.regex_gate import gate
from provenance.text import Span, normalize, sentences, tokens

NOTICE_MAX_WORDS = 14  # a notice's first sentence is short; longer ones are prose about copyright

_NOTICE_PREFIX = re.compile(r"^(?:(?:copyright|©|\(c\))\s*)+", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}(?:\s*-\s*(?:19|20)\d{2})?\b")
_YEAR_SLOT = "{year}"
_SENTENCE_PUNCT = re.compile(r"[.!?]")
# A line is split into sentences once for all packs (the splits are read, never changed).
_sentences: Callable[[str], list[Span]] = lru_cache(maxsize=4096)(sentences)


def notice_difference(notice: str, pack: RulePack, own: str | None = None) -> str | None:
    """None when ``notice`` is in one of the pack's accepted forms, else what differs.

    Compared word by word, ignoring case, punctuation, the year and which of "©", "(c)",
    "Copyright" or "Copyright ©" opens the notice. The message names the differing words
    against the closest accepted form, so a reader sees what to fix. ``own`` is the notice the
    copied story carries itself (a wire item's ``copyrightNotice``): it is accepted first, and
    named when the page's notice is as close to it as to any pack form.
    """
    year = _YEAR.search(notice)
    words = _notice_words(notice)
    best: tuple[float, list[str]] | None = None
    for form in (own, *pack.notice.forms) if own else pack.notice.forms:
        form_words = _notice_words(form.replace(_YEAR_SLOT, year.group() if year else _YEAR_SLOT))
        if _keys(words) == _keys(form_words):
            return None
        ratio = difflib.SequenceMatcher(a=_keys(words), b=_keys(form_words), autojunk=False).ratio()
        if best is None or ratio > best[0]:
            best = (ratio, form_words)
    assert best is not None  # a pack always has its canonical form
    return _describe(words, best[1])


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


ANY_NOTICE = re.compile(r"©|\([cC]\)\s*\d{4}|(?i:\bcopyright\b)(?=\s*(?:©|\([cC]\)|\d{4}))")
_RESERVED = re.compile(r"(?i)\brights\s+reserved\b|\breserved\b|\bcopyright\b")


_FOOTER_SEPARATOR = re.compile(r"\s+[|•·]\s+")


def site_notice_texts(text: str) -> list[str]:
    """Copyright notices naming no agency (the site's own footer), cut like agency notices.

    Footers string links together ("© 2019 NYP Holdings, Inc. All Rights Reserved | Terms of
    Use | Privacy"): the separators end the notice as a full stop would.
    """
    if not gate(ANY_NOTICE).allows(text):  # nor then can any segment of it
        return []
    out: list[str] = []
    for segment in _FOOTER_SEPARATOR.split(text):
        spans = _sentences(segment)
        for i, span in enumerate(spans):
            m = ANY_NOTICE.search(span.text)
            if not m or _word_count(span.text[m.start() :]) > NOTICE_MAX_WORDS:
                continue
            j = i + 1
            while j < len(spans) and _RESERVED.search(spans[j].text) and _word_count(spans[j].text) <= 6:
                j += 1
            out.append(segment[span.start + m.start() : spans[j - 1].end].strip())
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


def _word_count(text: str) -> int:
    return len(text.split())
