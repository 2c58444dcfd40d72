"""Verify a candidate story against a page by sentence alignment, and classify the derivation.

Fingerprints only nominate candidates; this module proves (or refutes) the copy. Every story
sentence is paired with its most similar page sentence (difflib on word tokens). Pairs are
graded verbatim / edited / rewritten; a rewritten pair must also keep the sentence's
skeleton of function words, names and numbers, which is what a synonym spinner leaves and
what an independent report of the same event does not share.

Quoted speech counts towards what a copy reproduces, but never proves a copy: two outlets
quoting the same official is not one copying the other. Only the *unquoted* story words a
pair reproduces (its support) go towards the proof. The numbers behind the class
(coverage, verbatim and rewritten shares, order) and the aligned passages with their
character offsets on both sides are the evidence.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

from provenance.model import Derivation, Match, Passage, Story
from provenance.text import FUNCTION_WORDS, Span, in_skeleton, paragraphs, sentences, token_spans

VERBATIM_RATIO = 0.95  # sentence pairs at or above: reproduced verbatim (punctuation, one word)
EDITED_RATIO = 0.80  # at or above: a light edit of the same sentence
REWRITE_RATIO = 0.50  # at or above (with the skeleton kept): a word-by-word rewrite
SKELETON_RATIO = 0.70  # a rewrite keeps this much of the function-word / name / number skeleton
CONTAINED_SHARE = 0.8  # a sentence found whole inside a longer one counts as verbatim above this
MIN_SENTENCE_TOKENS = 5  # shorter sentences are too generic to be evidence
MIN_COPIED_TOKENS = 30  # unquoted verbatim/edited story tokens that prove a copy on their own…
MIN_COPIED_SHORT = 12  # …or, for a short story, half its unquoted tokens and at least this many
MIN_REWRITTEN_SENTENCES = 3  # ordered rewritten sentences that prove a spun copy (2 for short stories)
MIN_SUPPORT = 3  # unquoted story words a rewritten pair must reproduce to count as evidence
PARTIAL_BELOW = 0.5  # coverage under this is a partial copy
VERBATIM_COVERAGE = 0.9
VERBATIM_SHARE = 0.85
SPUN_SHARE = 0.5  # a copy whose reproduced text is less than this share verbatim is "spun"
ORDER_KEPT = 0.8

# Double quotes (an unclosed one runs to the end of the paragraph), and single quotes used as
# quotation marks: opening after a space or bracket, closing before a space or punctuation,
# so the apostrophes of "wouldn't" and "Obama's" are not taken for quotes.
_QUOTED = re.compile(
    r"\"[^\"\n]*\"|\"[^\"\n]*$|(?<![\w'])'(?=[A-Za-z0-9])[^\n]*?(?<=[\w.,!?;:-])'(?![\w'])",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class _Sentence:
    span: Span
    words: tuple[str, ...]  # every token
    quoted: tuple[bool, ...]  # per token: inside quoted speech
    skeleton: tuple[str, ...]  # function words, names and numbers

    @property
    def unquoted(self) -> int:
        return self.quoted.count(False)


@dataclass(frozen=True, slots=True)
class _Pair:
    story: int
    page: int
    ratio: float
    contained: bool = False  # one sentence is the other with a prefix or suffix cut (a dateline)
    support: int = 0  # unquoted story tokens the page sentence reproduces

    @property
    def grade(self) -> str:
        if self.ratio >= VERBATIM_RATIO or self.contained:
            return "verbatim"
        return "edited" if self.ratio >= EDITED_RATIO else "rewritten"


@dataclass(frozen=True, slots=True)
class Alignment:
    """Sentence pairs between a page and a story, and the shares they add up to."""

    pairs: tuple[_Pair, ...]
    story_sentences: tuple[_Sentence, ...]
    page_sentences: tuple[_Sentence, ...]
    story_tokens: int

    def _tokens(self, grades: set[str]) -> int:
        return sum(len(self.story_sentences[p.story].words) for p in self.pairs if p.grade in grades)

    @property
    def coverage(self) -> float:
        return (
            self._tokens({"verbatim", "edited", "rewritten"}) / self.story_tokens
            if self.story_tokens
            else 0.0
        )

    @property
    def verbatim_share(self) -> float:
        return self._tokens({"verbatim"}) / self.story_tokens if self.story_tokens else 0.0

    @property
    def rewritten_share(self) -> float:
        return self.coverage - self.verbatim_share

    @property
    def order_kept(self) -> bool:
        if len(self.pairs) < 2:
            return True
        return _longest_increasing([p.page for p in self.pairs]) >= ORDER_KEPT * len(self.pairs)

    @property
    def similarity(self) -> float:
        weights = [len(self.story_sentences[p.story].words) for p in self.pairs]
        total = sum(weights)
        return sum(w * p.ratio for w, p in zip(weights, self.pairs, strict=True)) / total if total else 0.0

    def proven(self) -> bool:
        """Enough unquoted story text reproduced, over enough sentences in the story's order.

        Thresholds scale down for short stories (a few sentences cannot give three), never
        below :data:`MIN_COPIED_SHORT` tokens.
        """
        unquoted = sum(s.unquoted for s in self.story_sentences if len(s.words) >= MIN_SENTENCE_TOKENS)
        enough = min(MIN_COPIED_TOKENS, max(MIN_COPIED_SHORT, unquoted / 2))
        evidence = sum(1 for s in self.story_sentences if s.unquoted >= MIN_SUPPORT)
        sentences_needed = min(MIN_REWRITTEN_SENTENCES, max(1, evidence // 2))
        supporting = [p for p in self.pairs if p.support >= MIN_SUPPORT]
        if evidence <= 2:  # one or two sentences: too few to count, so count what they reproduce
            return sum(p.support for p in supporting) >= enough
        if _longest_increasing([p.page for p in supporting]) < max(2, sentences_needed):
            return False
        # Enough text reproduced (copied or rewritten), or rewritten sentence after sentence.
        rewritten = [p.page for p in supporting if p.grade == "rewritten"]
        return (
            sum(p.support for p in supporting) >= enough or _longest_increasing(rewritten) >= sentences_needed
        )

    def derivation(self) -> Derivation | None:
        """The derivation class, or None when the alignment does not prove a copy."""
        if not self.proven():
            return None
        coverage = self.coverage
        if coverage < PARTIAL_BELOW:
            return "partial"
        if coverage >= VERBATIM_COVERAGE and self.verbatim_share >= VERBATIM_SHARE:
            return "verbatim"
        if self.verbatim_share < SPUN_SHARE * coverage:  # most reproduced sentences reworded
            return "spun"
        return "edited"


def _longest_increasing(seq: list[int]) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []
    for x in seq:
        i = bisect.bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)


def _quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of quoted speech, paragraph by paragraph (an open quote runs to the end)."""
    out: list[tuple[int, int]] = []
    for para in paragraphs(text):
        out.extend((para.start + m.start(), para.start + m.end()) for m in _QUOTED.finditer(para.text))
    return out


def _prepare(text: str) -> list[_Sentence]:
    quoted = _quoted_ranges(text)
    out = []
    qi = 0
    for span in sentences(text):
        words: list[str] = []
        flags: list[bool] = []
        skeleton: list[str] = []
        for word, start, _ in token_spans(span.text):
            pos = span.start + start
            while qi < len(quoted) and quoted[qi][1] <= pos:
                qi += 1
            words.append(word)
            flags.append(qi < len(quoted) and quoted[qi][0] <= pos < quoted[qi][1])
            if in_skeleton(text, word, pos):
                skeleton.append(word)
        out.append(_Sentence(span, tuple(words), tuple(flags), tuple(skeleton)))
    return out


def _compare(story: _Sentence, page: _Sentence) -> tuple[float, int]:
    """Similarity of two sentences and how many tokens the page one reproduces outside quotes.

    A token counts as support only when it is unquoted on both sides: a transcript (no
    quotation marks) and a report quoting from it share words, not authorship.
    """
    matcher = SequenceMatcher(None, story.words, page.words, autojunk=False)
    blocks = matcher.get_matching_blocks()
    matched = sum(b.size for b in blocks)
    support = sum(
        not story.quoted[b.a + i] and not page.quoted[b.b + i] for b in blocks for i in range(b.size)
    )
    return 2.0 * matched / (len(story.words) + len(page.words)), support


def _ratio(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _contained(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One token run inside the other, covering most of it: a copy with a dateline or tag cut."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < CONTAINED_SHARE * len(long_):
        return False
    return f" {' '.join(short)} " in f" {' '.join(long_)} "


def align(page_text: str, story_text: str, prepared_page: list[_Sentence] | None = None) -> Alignment:
    """Pair each story sentence with its best page sentence, if any is close enough."""
    story = _prepare(story_text)
    page = prepared_page if prepared_page is not None else _prepare(page_text)
    postings: dict[str, set[int]] = defaultdict(set)
    for j, sent in enumerate(page):
        if len(sent.words) >= MIN_SENTENCE_TOKENS:
            for w in sent.words:
                if w not in FUNCTION_WORDS:
                    postings[w].add(j)
    best_for_page: dict[int, _Pair] = {}
    for i, sent in enumerate(story):
        if len(sent.words) < MIN_SENTENCE_TOKENS:
            continue
        content = {w for w in sent.words if w not in FUNCTION_WORDS}
        shared: dict[int, int] = defaultdict(int)
        for w in content:
            for j in postings.get(w, ()):
                shared[j] += 1
        need = max(2, 0.2 * len(content))
        ranked = sorted((j for j, c in shared.items() if c >= need), key=lambda j: -shared[j])[:5]
        best: _Pair | None = None
        for j in ranked:
            ratio, support = _compare(sent, page[j])
            if ratio < REWRITE_RATIO:
                continue
            if ratio < EDITED_RATIO and _ratio(sent.skeleton, page[j].skeleton) < SKELETON_RATIO:
                continue
            if best is None or ratio > best.ratio:
                best = _Pair(i, j, ratio, _contained(sent.words, page[j].words), support)
        if best is not None:
            held = best_for_page.get(best.page)
            if held is None or best.ratio > held.ratio:
                best_for_page[best.page] = best
    pairs = tuple(sorted(best_for_page.values(), key=lambda p: p.story))
    total = sum(len(s.words) for s in story if len(s.words) >= MIN_SENTENCE_TOKENS)
    return Alignment(pairs, tuple(story), tuple(page), total)


def passages(alignment: Alignment, page_text: str, story_text: str) -> tuple[Passage, ...]:
    """Merge runs of consecutive sentence pairs of one kind into passages with offsets."""
    out: list[Passage] = []
    run: list[_Pair] = []

    def flush() -> None:
        if not run:
            return
        s0, s1 = alignment.story_sentences[run[0].story].span, alignment.story_sentences[run[-1].story].span
        p0, p1 = alignment.page_sentences[run[0].page].span, alignment.page_sentences[run[-1].page].span
        kind = "verbatim" if run[0].grade == "verbatim" else "rewritten"
        weights = [len(alignment.story_sentences[p.story].words) for p in run]
        sim = sum(w * p.ratio for w, p in zip(weights, run, strict=True)) / max(1, sum(weights))
        out.append(
            Passage(
                p0.start,
                p1.end,
                s0.start,
                s1.end,
                kind,
                round(sim, 3),
                page_text[p0.start : p1.end],
                story_text[s0.start : s1.end],
            )
        )
        run.clear()

    for pair in alignment.pairs:
        if run:
            last = run[-1]
            same_kind = (pair.grade == "verbatim") == (last.grade == "verbatim")
            if not (same_kind and pair.story == last.story + 1 and pair.page == last.page + 1):
                flush()
        run.append(pair)
    flush()
    return tuple(out)


def verify(page_text: str, story: Story, prepared_page: list[_Sentence] | None = None) -> Match | None:
    """A :class:`Match` when the page is shown to derive from ``story``, else None."""
    alignment = align(page_text, story.text, prepared_page)
    derivation = alignment.derivation()
    if derivation is None:
        return None
    return Match(
        story=story,
        derivation=derivation,
        similarity=round(alignment.similarity, 4),
        coverage=round(alignment.coverage, 4),
        verbatim_share=round(alignment.verbatim_share, 4),
        rewritten_share=round(alignment.rewritten_share, 4),
        order_kept=alignment.order_kept,
        evidence=passages(alignment, page_text, story.text),
    )


def match_all(page_text: str, stories: list[Story]) -> list[Match]:
    """Every candidate the page is shown to derive from, best first (one per story).

    A round-up or live blog can copy several stories: each proven one is reported.
    """
    page = _prepare(page_text)
    matches = [m for m in (verify(page_text, s, page) for s in stories) if m is not None]
    return sorted(matches, key=lambda m: (m.coverage, m.verbatim_share, m.similarity, m.story.published or ""), reverse=True)


def best_match(page_text: str, stories: list[Story]) -> Match | None:
    """The candidate the page is best shown to derive from: most coverage, then most verbatim.

    Among versions of one story the closest version wins the same way (a page copying the
    update reproduces more of the update than of the first version).
    """
    page = _prepare(page_text)  # once, whatever the number of candidates
    matches = [m for m in (verify(page_text, s, page) for s in stories) if m is not None]
    if not matches:
        return None
    return max(matches, key=lambda m: (m.coverage, m.verbatim_share, m.similarity, m.story.published or ""))


VERSION_OVERLAP = 0.5  # each version reproduces at least this much of the other
VERSION_HOURS = 48  # versions of one story are published within this many hours


def same_story(a: Story, b: Story) -> bool:
    """Two versions of one story: same agency, close in time, each reproducing most of the other.

    Agencies update a story several times a day (new top, added paragraphs, a corrected
    figure); a page copying any of them copies the story. When either date is unknown, the
    overlap alone decides.
    """
    if a.agency != b.agency or not _close_in_time(a.published, b.published):
        return False
    return (
        align(a.text, b.text).coverage >= VERSION_OVERLAP
        and align(b.text, a.text).coverage >= VERSION_OVERLAP
    )


def _close_in_time(a: str | None, b: str | None) -> bool:
    try:
        first, second = datetime.fromisoformat(a or ""), datetime.fromisoformat(b or "")
    except ValueError:
        return True
    if (first.tzinfo is None) != (second.tzinfo is None):
        first, second = first.replace(tzinfo=None), second.replace(tzinfo=None)
    return abs((first - second).total_seconds()) <= VERSION_HOURS * 3600
