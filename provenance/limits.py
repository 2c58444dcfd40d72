"""What one page may hold: past these sizes a page is refused, not audited.

A news article is a few thousand words. On the 131 real pages of ``article-extraction``
(raw HTML from many sites) the largest holds 1,709 elements, a body of 20,692 characters and
518 visible lines (``python eval/extraction.py`` prints them). The limits below sit 40 to 60
times above that. A page past them is not an article but a flood (a
million one-word paragraphs, 1,000,000 × U+FDFA that NFKC turns into 18 million
characters) whose audit would take minutes and gigabytes: trafilatura alone spends 30 s on
a million ``<p>``.

Such a page is refused with an error naming the limit, never cut to size: a cut page would
be audited on a part chosen by its author (a copy placed after the cut would pass), and a
refused one makes the run fail (exit 2), where a user sees it. The sizes are checked before
the work they bound: elements right after parsing, raw characters before normalising,
characters as NFKC will make them (it can expand 18-fold) before normalising, counted piece
by piece so that the expanded text is never held, and start tags in the markup before
parsing (a tree of a million elements costs a hundred times its markup).
"""

from __future__ import annotations

import re
import unicodedata

from provenance.text import stream_safe

MAX_ELEMENTS = 100_000  # HTML elements, comments included, after parsing
MAX_CHARS = 1_000_000  # characters of text, raw and again after normalising
MAX_LINES = 20_000  # non-empty lines of text (visible lines of an HTML page)


def too_large(*, elements: int = 0, chars: int = 0, lines: int = 0) -> str | None:
    """Why a page of this size is refused (the first limit passed), or None when it is not."""
    for count, limit, unit in (
        (elements, MAX_ELEMENTS, "elements"),
        (chars, MAX_CHARS, "characters of text"),
        (lines, MAX_LINES, "lines of text"),
    ):
        if count > limit:
            return f"too large to audit: {count:,} {unit} (at most {limit:,}; see provenance.limits)"
    return None


_START_TAG = re.compile(r"<[A-Za-z]")
_PIECE = 65_536  # characters normalised at a time when counting


def start_tags(markup: str) -> int:
    """Start tags in the markup (an upper bound of the elements parsing will make, give or
    take the few it implies), counted without building anything."""
    return sum(1 for _ in _START_TAG.finditer(markup))


def nfkc_size(text: str) -> int:
    """The length of ``text`` once NFKC-normalised, without holding the normalised text.

    A piece boundary may split a character from its combining marks, which changes the
    count by a character or two: a size check does not need more.
    """
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return len(text)
    text = stream_safe(text)  # as normalize does: NFKC is quadratic in a run of marks
    return sum(len(unicodedata.normalize("NFKC", text[i : i + _PIECE])) for i in range(0, len(text), _PIECE))
