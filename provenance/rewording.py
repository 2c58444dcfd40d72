"""What a copy rewords: the story's words it swaps for others, read off the aligned passages.

Pure. A sentence that differs from the story is not yet a rewrite: agencies update a story
many times (a page copying another version differs from the corpus version sentence by
sentence), and sites cut, add to and restyle what they copy ("U.S." → "US", "soccer" →
"football", British spelling). What a rewrite does, and what spinners and paraphrasing do
throughout, is swap words one for another inside a sentence that otherwise stays: "chopper
went down" → "helicopter fell", "unveiled" → "revealed". A copy is shown to reword the
story when its aligned passages hold at least :data:`MIN_SWAPS` such swaps; the swaps
themselves are the evidence a reader can check.

Hand-written on ``difflib`` (word-level opcodes): no library says which word edits are
substitutions of content words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from provenance.model import Passage
from provenance.text import FUNCTION_WORDS

MIN_SWAPS = 4  # more than a stray house-style change or two
MAX_SWAP_WORDS = 3  # a swap replaces a short phrase; longer replacements are new text
SPELLING_RATIO = 0.75  # "characterised" / "characterized": the same word spelt another way

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def swaps(passages: Iterable[Passage]) -> list[tuple[str, str]]:
    """The story's words and phrases the page replaces with others, in passage order, as
    (story words, page words); numbers, function words on either side alone and respellings
    left out."""
    out: list[tuple[str, str]] = []
    for passage in passages:
        if passage.kind != "rewritten":
            continue
        story = [w.casefold() for w in _WORD.findall(passage.story_text)]
        page = [w.casefold() for w in _WORD.findall(passage.page_text)]
        matcher = difflib.SequenceMatcher(a=story, b=page, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "replace" and i2 - i1 <= MAX_SWAP_WORDS and j2 - j1 <= MAX_SWAP_WORDS:
                swap = (" ".join(story[i1:i2]), " ".join(page[j1:j2]))
                if _is_rewording(story[i1:i2], page[j1:j2], swap):
                    out.append(swap)
    return out


def _is_rewording(old: list[str], new: list[str], swap: tuple[str, str]) -> bool:
    if any(c.isdigit() for c in swap[0] + swap[1]):
        return False  # a date or figure restyled or updated
    if all(w in FUNCTION_WORDS for w in old) or all(w in FUNCTION_WORDS for w in new):
        return False  # "the" → "a", "an" → "a great": grammar, or the aligner's slack
    return difflib.SequenceMatcher(a=swap[0], b=swap[1]).ratio() < SPELLING_RATIO


def describe(found: list[tuple[str, str]], limit: int = 3) -> str:
    """'"chopper went down" → "helicopter fell", "unveiled" → "revealed" and 5 more'"""
    shown = ", ".join(f'"{old}" → "{new}"' for old, new in found[:limit])
    more = len(found) - limit
    return f"{shown} and {more} more" if more > 0 else shown
