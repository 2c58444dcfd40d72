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
* a right-to-left override (U+202E) in the text (a page has no reason to reverse Latin prose);
* hidden words: text the page hides (``Page.hidden_text``) amounting to at least
  :data:`HIDDEN_SHARE` of its visible words, and at least :data:`MIN_HIDDEN_WORDS` words —
  menus and screen-reader labels are a few words, junk woven through an article is as
  long as the article;
* a credit only in hidden text: the hidden text credits an agency the visible page does not.
"""

from __future__ import annotations

from collections.abc import Sequence

from provenance.attribution import detect
from provenance.model import Attribution, Finding, Match, Page, TextLine
from provenance.packs import MANIPULATION, RulePack
from provenance.text import OVERRIDE, mixed_script, tokens

MIN_MIXED_WORDS = 3
MIN_HIDDEN_WORDS = 20
HIDDEN_SHARE = 0.3


def techniques(page: Page, attribution: Attribution, packs: Sequence[RulePack]) -> list[str]:
    """What the page does to hide its text or fake a credit, each with its evidence."""
    found: list[str] = []
    mixed = [w for w in page.text.split() if mixed_script(w)]
    if len(mixed) >= MIN_MIXED_WORDS:
        shown = ", ".join(f'"{w}"' for w in mixed[:3])
        found.append(f"letters of another script in {len(mixed)} words ({shown})")
    if OVERRIDE in page.text:
        found.append("text stored reversed under a right-to-left override (U+202E)")
    hidden = getattr(page, "hidden_text", "")  # filled by extraction from hidden elements
    hidden_words = len(tokens(hidden)) if hidden else 0
    visible_words = len(tokens(page.text))
    if hidden_words >= MIN_HIDDEN_WORDS and hidden_words >= HIDDEN_SHARE * visible_words:
        found.append(f"{hidden_words} hidden words woven into {visible_words} visible ones")
    if hidden:
        credited = detect([TextLine(hidden[:5000], "body")], {}, packs)
        for pack in packs:
            signals = credited.credit_signals(pack.id)
            if signals and not attribution.credits(pack.id):
                found.append(f'a credit to {pack.name} only in hidden text ("{signals[0].text[:80]}")')
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
