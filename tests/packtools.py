"""Helpers shared by the rule-pack tests: build matches and pages, run detection and the rules."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from provenance.attribution import detect
from provenance.links import link_signals
from provenance.model import Attribution, Derivation, Finding, Link, Match, Page, Passage, Story, TextLine
from provenance.packs import RulePack
from provenance.rules import evaluate

# A story sentence and its spun rewrite: four words swapped for others (what REWRITE needs).
STORY_SENTENCE = (
    "The chopper went down near the border after the troops finally unveiled a huge plan on Monday."
)
SPUN_SENTENCE = (
    "The helicopter fell near the frontier after the soldiers finally revealed a huge plan on Monday."
)


def reworded_passage(story_text: str = STORY_SENTENCE, page_text: str = SPUN_SENTENCE) -> Passage:
    return Passage(0, len(page_text), 0, len(story_text), "rewritten", 0.6, page_text, story_text)


def make_match(story: Story, derivation: Derivation = "verbatim") -> Match:
    """A match with plausible numbers for its class; a rewritten copy carries a reworded
    passage (the rules read the class, the story and the passages)."""
    verbatim = derivation == "verbatim"
    return Match(
        story=story,
        derivation=derivation,
        similarity=0.95,
        coverage=0.9,
        verbatim_share=0.9 if verbatim else 0.1,
        rewritten_share=0.0 if verbatim else 0.8,
        order_kept=True,
        evidence=() if verbatim else (reworded_passage(),),
    )


def text_lines(*texts: str) -> list[TextLine]:
    return [TextLine(t, "body", i) for i, t in enumerate(texts, 1)]


def detect_texts(packs: list[RulePack], *texts: str, meta: Mapping[str, str] | None = None) -> Attribution:
    return detect(text_lines(*texts), meta or {}, packs)


def audit(
    packs: list[RulePack],
    texts: list[str],
    m: Match | None = None,
    meta: Mapping[str, str] | None = None,
    *,
    links: list[Link] | None = None,
    licensed: Collection[str] | None = None,
) -> list[Finding]:
    """Findings for a page made of ``texts`` (one line each), as the audit computes them."""
    lines = text_lines(*texts)
    page = Page(
        id="p",
        source="p.txt",
        text="\n\n".join(texts),
        lines=lines,
        meta=dict(meta or {}),
        links=list(links or []),
    )
    attribution = detect(lines, page.meta, packs)
    agencies = [(p.id, p.link_domains) for p in packs]
    attribution.signals.extend(link_signals(page.links, agencies, m.story if m else None))
    return evaluate(page, attribution, m, packs, licensed=licensed)


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def finding(findings: list[Finding], rule: str) -> Finding:
    found = [f for f in findings if f.rule == rule]
    assert len(found) == 1, findings
    return found[0]
