"""Text normalisation, tokens, paragraphs and sentences.

Every other module sees text only after :func:`normalize`, so a curly quote, a non-breaking
space or an em dash never makes two copies of one sentence look different. Sentences and
paragraphs carry character offsets into the normalised text: evidence quotes them.

Sentence splitting is a small regex splitter rather than a library: news prose needs only
the abbreviation rules below, and the offsets must stay exact.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import Stemmer

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u00ad": "",
        # Invisible and bidi formatting characters: nothing a reader sees (an override, U+202E,
        # is resolved by _resolve_overrides first and kept as a trace; see normalize).
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\u200e": "",
        "\u200f": "",
        "\u202a": "",
        "\u202b": "",
        "\u202c": "",
        "\u2066": "",
        "\u2067": "",
        "\u2068": "",
        "\u2069": "",
        "\u202d": "",  # LEFT-TO-RIGHT OVERRIDE: left-to-right text reads as stored
        "\u2061": "",  # invisible function application, times, separator, plus
        "\u2062": "",
        "\u2063": "",
        "\u2064": "",
        "\u180e": "",  # Mongolian vowel separator (a zero-width space in older Unicode)
        "\u034f": "",  # combining grapheme joiner
        "\U000e0001": "",  # language tag
        **{chr(c): "" for c in range(0xE0020, 0xE0080)},  # tag characters
    }
)
OVERRIDE = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows is shown reversed, up to U+202C or the line end
_OVERRIDDEN = re.compile("\u202e([^\u202c\n]*)\u202c?")
# An override with a word character under it; the class stops at the next override, so that
# a line of overrides and no words is scanned once, not once per override.
_REVERSED_RUN = re.compile("\u202e[^\u202c\u202e\n\\w]*\\w")
# Unicode's stream-safe text format (UAX #15): at most 30 combining marks in a row. NFKC sorts
# a run of marks in time growing with its square (100,000 marks on one letter: seconds per
# call); no script needs more than a few, so a longer run is cut to 30 before normalising.
_MAX_MARKS = 30

# Letters of other scripts that look like Latin ones (from Unicode TR39's confusables, the
# Cyrillic and Greek ones copiers use): folded in tokens, so "thе" with a Cyrillic е matches
# "the". One character for one, so offsets into the text stay exact.
_FOLD = str.maketrans(
    "аеорсхуіјѕԁһӏԛԝαεορτυνικχɡɑ"  # lower case
    "АВЕКМНОРСТХУІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",  # upper case (folded before lower-casing)
    "aeopcxyijsdhlqwaeoptuvikxgaABEKMHOPCTXYIJSABEZHIKMNOPTYX",
)
# Runs of spaces and tabs that are not one space already (a lone space is left alone: matching
# and replacing every gap between words was most of the time normalize took on most texts).
_SPACES = re.compile(r"(?: [ \t\f\v]|[\t\f\v])[ \t\f\v]*")
_BLANKS = re.compile(r"\n\s*\n+")
_WORD = re.compile(r"[^\W_]+(?:['.\-][^\W_]+)*", re.UNICODE)

# Closed-class English words: what a synonym spinner leaves in place (DSpin's immutables).
FUNCTION_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads best as text
)


def normalize(text: str) -> str:
    """NFKC, straight quotes, ASCII dashes, single spaces, paragraphs split by one blank line.

    Invisible formatting characters go (zero-width spaces and joiners, soft hyphens, bidi
    embeddings and overrides, tag characters); text under a right-to-left override is put
    back in the order a reader sees it (:func:`reversed_runs` tells whether there was any).
    Runs of more than 30 combining marks are cut to 30 (:func:`stream_safe`). Idempotent:
    normalised text is its own normal form.
    """
    if not text.isascii():  # NFKC and the quote table change no ASCII character
        if OVERRIDE in text:
            text = _OVERRIDDEN.sub(lambda m: m.group(1)[::-1], text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", stream_safe(text))
        text = text.translate(_QUOTES)
    elif "\n" not in text and "\r" not in text:  # one ASCII line: the common case
        return _single_spaced(text).strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.strip() for line in _single_spaced(text).split("\n")]  # _SPACES never spans a line
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _single_spaced(text: str) -> str:
    """``text`` with every run of spaces and tabs one space (line breaks kept)."""
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:  # else there is none
        return _SPACES.sub(" ", text)
    return text


def reversed_runs(text: str) -> bool:
    """Whether raw ``text`` holds words under a right-to-left override (before normalising)."""
    return OVERRIDE in text and _REVERSED_RUN.search(text) is not None


def stream_safe(text: str) -> str:
    """``text`` with every run of more than 30 combining marks cut to its first 30."""
    return _marks_run().sub(lambda m: m.group()[:_MAX_MARKS], text)


@cache
def _marks_run() -> re.Pattern[str]:
    """Runs of more than 30 combining marks (characters of a non-zero canonical combining
    class; none lies outside U+0300..U+1EFFF), built once, on the first text that needs it."""
    marks = "".join(chr(c) for c in range(0x300, 0x1F000) if unicodedata.combining(chr(c)))
    return re.compile(f"[{re.escape(marks)}]{{{_MAX_MARKS + 1},}}")


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english", 100_000)  # its own cache of that many words


def stem_words(words: list[str]) -> list[str]:
    """The Snowball (Porter 2) English stems of lower-cased tokens: ``died`` and ``dies`` -> ``die``.

    PyStemmer (the Snowball algorithms in C) rather than hand-written suffix rules: the
    English rules run to pages, and one C call stems a whole text.
    """
    return _stemmer().stemWords(words)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits; inner apostrophes, dots and hyphens kept),
    lookalike letters of other scripts folded to Latin (:data:`_FOLD`)."""
    return [_token(m.group()) for m in _WORD.finditer(text)]


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased, folded tokens with their character offsets in ``text``.

    ASCII text is lower-cased whole first: the same words at the same offsets (lower-casing
    ASCII keeps every character a letter, digit or not), one call instead of one per word.
    """
    if text.isascii():
        return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text.lower())]
    return [(_token(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def fold(text: str) -> str:
    """Lookalike letters of other scripts replaced by their Latin twins, one for one."""
    return text if text.isascii() else text.translate(_FOLD)


def _token(word: str) -> str:
    return word.lower() if word.isascii() else word.translate(_FOLD).lower().translate(_FOLD)


def mixed_script(word: str) -> bool:
    """A word of Latin letters with a lookalike of another script among them ("thе")."""
    if word.isascii():
        return False
    latin = any("a" <= c <= "z" for c in word.lower())
    return latin and word.translate(_FOLD) != word


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a text with its offsets: ``text[start:end] == span.text``."""

    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[Span]:
    """Paragraphs of normalised text (separated by blank lines, or by single newlines)."""
    out: list[Span] = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text):
        block = m.group()
        if "\n" in block:  # single newlines also end paragraphs in plain-text pages
            pos = m.start()
            for line in block.split("\n"):
                if line.strip():
                    out.append(Span(pos, pos + len(line), line))
                pos += len(line) + 1
        elif block.strip():
            out.append(Span(m.start(), m.end(), block))
    return out


_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc corp co ltd no vs etc u.s u.k
    u.n jan feb mar apr jun jul aug sep sept oct nov dec mt ft a.m p.m
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_SENTENCE_END = re.compile(r"""[.!?]+["')\]]*(?=\s+["'(\[]?[A-Z0-9])""")


def sentences(text: str) -> list[Span]:
    """Sentences with offsets; paragraph breaks always end a sentence."""
    out: list[Span] = []
    for para in paragraphs(text):
        start = 0
        body = para.text
        for m in _SENTENCE_END.finditer(body):
            before = body[start : m.start()].rsplit(None, 1)
            last_word = before[-1].lower().rstrip(".") if before else ""
            if m.group().startswith(".") and (last_word in _ABBREVIATIONS or len(last_word) == 1):
                continue
            end = m.end()
            _append_span(out, para.start, body, start, end)
            start = end
        _append_span(out, para.start, body, start, len(body))
    return out


def _append_span(out: list[Span], base: int, body: str, start: int, end: int) -> None:
    piece = body[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = base + start + lead
    out.append(Span(s, s + len(stripped), stripped))


def in_skeleton(text: str, word: str, start: int) -> bool:
    """Whether a token belongs to the sentence skeleton a synonym spinner leaves in place.

    After Zhang, Wang & Voelker, "DSpin" (NDSS 2014): spinners replace content words but keep
    closed-class words, proper names and figures, and their order. A capital letter marks a
    name only inside a sentence (at its start every word is capitalised).
    """
    if word in FUNCTION_WORDS or _has_digit(word):
        return True
    return text[start].isupper() and not _sentence_initial(text, start)


_has_digit = re.compile(r"\d").search


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \"'(")
    return not before or before[-1] in ".!?:\n-"


def skeleton_tokens(text: str) -> list[str]:
    """The skeleton of a text: its function words, names and numbers, in order."""
    return [word for word, start, _ in token_spans(text) if in_skeleton(text, word, start)]


def shingles(words: list[str], n: int) -> list[str]:
    """Word n-grams joined by spaces; a text shorter than ``n`` gives one shingle of all of it."""
    if len(words) < n:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


# Double quotes (an unclosed one runs to the end of the paragraph), and single quotes used as
# quotation marks: opening after a space or bracket, closing before a space or punctuation,
# so the apostrophes of "wouldn't" and "Obama's" are not taken for quotes.
_QUOTED = re.compile(
    r"\"[^\"\n]*\"|\"[^\"\n]*$|(?<![\w'])'(?=[A-Za-z0-9])[^\n]*?(?<=[\w.,!?;:-])'(?![\w'])",
    re.MULTILINE,
)


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of quoted speech, paragraph by paragraph (an open quote runs to the end)."""
    out: list[tuple[int, int]] = []
    for para in paragraphs(text):
        out.extend((para.start + m.start(), para.start + m.end()) for m in _QUOTED.finditer(para.text))
    return out
