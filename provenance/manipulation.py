"""Manipulation: a copy dressed to hide from matching, named as a finding of its own.

A copier who hides junk words between the visible ones, swaps Latin letters for Cyrillic or
Greek lookalikes, or stores a paragraph reversed under a right-to-left override does more
than forget a credit: the page is built to deceive a checker. Extraction already reads the
page as a reader sees it (hidden text left out, overrides resolved) and tokens fold the
lookalikes, so such a copy still matches; this module says which technique it used, with
evidence, so the finding can say so (``MANIPULATION``, error). Pure: page in, findings out.

What counts (each on a page that matches a story):

* lookalike letters: at least :data:`MIN_MIXED_WORDS` words mixing Latin letters with
  letters of another script that look the same ("thе" with a Cyrillic е); a Russian page
  has Cyrillic words, not mixed ones;
* words stored reversed under a right-to-left override (U+202E; ``Page.reversed_text``): a
  page has no reason to reverse Latin prose;
* hidden words woven into the text: words the page hides between visible words
  (``Page.hidden_woven``) amounting to at least :data:`HIDDEN_SHARE` of its visible words,
  and at least :data:`MIN_HIDDEN_WORDS` words. Junk woven through an article is as long as
  the article; what real pages hide sits in blocks of its own (menus, dialogs, templates:
  80 of the 1,076 real pages of ``eval/findings.py`` hide text, 11 of them more than 30 %
  of their visible words, none woven so), and a screen-reader label is a few words;
* text tucked away (``Page.layout``): content nested more than 255 elements deep (where
  parsers stop reading; real pages go 51 deep at most), or as many words as hidden junk must
  be inside ``<iframe srcdoc>`` documents or SVG text (real pages: none);
* a credit only in hidden text: the hidden text credits an agency the visible page does not.
"""

from __future__ import annotations

from collections.abc import Sequence

from provenance.attribution import detect
from provenance.model import Attribution, Finding, Match, Page, TextLine
from provenance.packs import MANIPULATION, RulePack
from provenance.text import mixed_script, tokens

MIN_MIXED_WORDS = 3
MIN_HIDDEN_WORDS = 20
MAX_PARSER_DEPTH = 255  # libxml2 drops what lies deeper (without huge_tree); real pages: 51 at most
HIDDEN_SHARE = 0.3


def techniques(page: Page, attribution: Attribution, packs: Sequence[RulePack]) -> list[str]:
    """What the page does to hide its text or fake a credit, each with its evidence."""
    found: list[str] = []
    mixed = [w for w in page.text.split() if mixed_script(w)]
    if len(mixed) >= MIN_MIXED_WORDS:
        shown = ", ".join(f'"{w}"' for w in mixed[:3])
        found.append(f"letters of another script in {len(mixed)} words ({shown})")
    if page.reversed_text:
        found.append("text stored reversed under a right-to-left override (U+202E)")
    hidden = page.hidden_text
    woven = page.hidden_woven
    visible_words = len(tokens(page.text))
    if woven >= MIN_HIDDEN_WORDS and woven >= HIDDEN_SHARE * visible_words:
        found.append(f"{woven} hidden words woven into {visible_words} visible ones")
    found += _tucked_away(page.layout, visible_words)
    if hidden:
        credited = detect([TextLine(hidden[:5000], "body")], {}, packs)
        for pack in packs:
            signals = credited.credit_signals(pack.id)
            if signals and not attribution.credits(pack.id):
                found.append(f'a credit to {pack.name} only in hidden text ("{signals[0].text[:80]}")')
    return found


def _tucked_away(layout: dict[str, int], visible_words: int) -> list[str]:
    """Text put where parsers and checkers do not look: nested deeper than parsers go, or
    inside srcdoc documents or SVG drawings (as much of it as junk must be to count)."""
    found: list[str] = []
    if (depth := layout.get("depth", 0)) > MAX_PARSER_DEPTH:
        found.append(f"content nested {depth:,} elements deep (parsers stop at {MAX_PARSER_DEPTH})")
    for key, where in (("srcdoc_words", "an iframe srcdoc document"), ("svg_words", "SVG text")):
        words = layout.get(key, 0)
        if words >= MIN_HIDDEN_WORDS and words >= HIDDEN_SHARE * visible_words:
            found.append(f"{words} of its {visible_words} words inside {where}")
    return found


def findings(
    page: Page, attribution: Attribution, matches: Sequence[Match], packs: Sequence[RulePack]
) -> list[Finding]:
    """One ``MANIPULATION`` error for a page that matches a story and uses any technique."""
    if not matches:
        return []
    used = techniques(page, attribution, packs)
    if not used:
        return []
    story = matches[0].story
    message = (
        f"The page is built to hide its copy of a story by {story.agency} ({story.id}) from a checker: "
        + "; ".join(used)
        + "."
    )
    return [Finding(rule=MANIPULATION, severity="error", message=message, evidence="; ".join(used)[:500])]
