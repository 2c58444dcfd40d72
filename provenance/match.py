"""Verify a candidate story against a page by sentence alignment, and classify the derivation.

Fingerprints only nominate candidates; this module proves (or refutes) the copy. Every story
sentence is paired with its most similar page sentence (difflib on word stems). Pairs are
graded verbatim / edited / rewritten; a rewritten pair must also keep the sentence's
skeleton of function words, names and numbers, which is what a synonym spinner leaves and
what an independent report of the same event does not share.

Quoted speech counts towards what a copy reproduces, but never proves a copy: two outlets
quoting the same official is not one copying the other. A copy is proven either by the
runs of wording the page shares with the story (:mod:`provenance.evidence`: how unlikely
they are under independent reporting, whatever the number of sentences), or by reproduced
sentences in the story's order (rewritten ones for a spun copy). A page sentence that joins
two story sentences (or keeps one inside a longer one) pairs with each of them. The numbers
behind the class (coverage, verbatim and rewritten shares, order) and the aligned passages
with their character offsets on both sides are the evidence. Candidates are verified
together (:func:`match_all`), so wording several of them hold, an agency's formulas, is
weighed as what it is.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Protocol

from provenance.evidence import (
    MIN_RUN,
    PROOF,
    SHORT_PROOF,
    Evidence,
    Outline,
    Run,
    Tokens,
    assess,
    evidence_bound,
    formula_tokens,
    formulas,
    furniture,
    heaviest_chain,
    outline,
    stem_grams,
    tokenize,
)
from provenance.model import Derivation, Match, Passage, Story
from provenance.text import FUNCTION_WORDS, Span

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
RUN_GAP = 3  # tokens between two shared runs that still make one passage (an edited word or two)


@dataclass(frozen=True, slots=True)
class _Sentence:
    span: Span
    words: tuple[str, ...]  # every token
    quoted: tuple[bool, ...]  # per token: inside quoted speech
    skeleton: tuple[str, ...]  # function words, names and numbers
    first: int = 0  # index of its first token in the text's tokens
    stems: tuple[str, ...] = ()  # the stem of every token
    stem_counts: Mapping[str, int] = field(default_factory=dict, compare=False)  # each stem: how often

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
    """Sentence pairs and shared runs between a page and a story, and the shares they add up to."""

    pairs: tuple[_Pair, ...]
    story_sentences: tuple[_Sentence, ...]
    page_sentences: tuple[_Sentence, ...]
    story_tokens: int
    evidence: Evidence
    run_tokens: int = 0  # story tokens in counted shared runs, outside the paired sentences

    def _tokens(self, grades: set[str]) -> int:
        return sum(len(self.story_sentences[p.story].words) for p in self.pairs if p.grade in grades)

    @property
    def coverage(self) -> float:
        if not self.story_tokens:
            return 0.0
        reproduced = self._tokens({"verbatim", "edited", "rewritten"}) + self.run_tokens
        return min(1.0, reproduced / self.story_tokens)

    @property
    def verbatim_share(self) -> float:
        if not self.story_tokens:
            return 0.0
        return min(self.coverage, (self._tokens({"verbatim"}) + self.run_tokens) / self.story_tokens)

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
        """Shared wording independent reporting would not give (:attr:`Evidence.proves_copy`:
        one long sentence is enough, or a few shorter ones), or :meth:`proven_by_sentences`."""
        return self.evidence.proves_copy or self.proven_by_sentences()

    def proven_by_sentences(self) -> bool:
        """Enough unquoted story text reproduced over enough sentences in the story's order, or
        rewritten sentence after sentence (a spun copy keeps few runs).

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


@dataclass(frozen=True, slots=True)
class Prepared:
    """A text ready to align: its tokens (for the evidence) and its sentences (for the pairs)."""

    tokens: Tokens
    sentences: tuple[_Sentence, ...]


def prepare(text: str, words: Outline | None = None) -> Prepared:
    """Tokenise a normalised text once, for any number of alignments (``words``: its
    :func:`~provenance.evidence.outline`, when it was read already)."""
    tokens = tokenize(text, words)
    out = []
    for (start, end), (first, last) in zip(tokens.sentence_spans, _bounds(tokens), strict=True):
        stems = tokens.stems[first:last]
        out.append(
            _Sentence(
                Span(start, end, text[start:end]),
                tokens.words[first:last],
                tokens.quoted[first:last],
                tuple(
                    w
                    for w, kept in zip(tokens.words[first:last], tokens.skeleton[first:last], strict=True)
                    if kept
                ),
                first if last > first else 0,
                stems,
                Counter(stems),
            )
        )
    return Prepared(tokens, tuple(out))


def _bounds(words: Outline | Tokens) -> list[tuple[int, int]]:
    """The tokens of each sentence, as (first, end) indices: a sentence's tokens are consecutive."""
    bounds = []
    first = 0
    for number in range(len(words.sentence_spans)):
        last = bisect.bisect_right(words.sentence, number, first)
        bounds.append((first, last))
        first = last
    return bounds


class _Counted(Protocol):
    """A sentence as nominating and bounding a pair read it."""

    @property
    def words(self) -> tuple[str, ...]: ...

    @property
    def stem_counts(self) -> Mapping[str, int]: ...


@dataclass(frozen=True, slots=True)
class _Bag:
    """A sentence's words and how often each stem occurs in it (from an outline)."""

    words: tuple[str, ...]
    stem_counts: Mapping[str, int]


def _bags(words: Outline) -> tuple[_Bag, ...]:
    return tuple(
        _Bag(words.words[first:last], Counter(words.stems[first:last])) for first, last in _bounds(words)
    )


@dataclass(frozen=True, slots=True)
class _Gate:
    """What any proof that a page copies a story must use: the page's stem grams (for shared
    runs of wording) and its sentences by content word (for sentence pairs).

    Most candidates the fingerprints nominate share a sentence skeleton or two with the page
    and nothing else; :meth:`admits` refutes those from their outline alone, without the
    quotes, names and sentence structures an alignment needs. It is exact: a candidate it
    turns away would have had no derivation.
    """

    grams: frozenset[tuple[str, ...]]
    sentences: tuple[_Bag, ...]
    postings: dict[str, set[int]]

    @classmethod
    def of(cls, page: Outline) -> _Gate:
        bags = _bags(page)
        return cls(stem_grams(page.stems), bags, _postings(bags))

    def admits(self, story: Outline) -> bool:
        """False only when no alignment of the story with the page proves a copy.

        A proof is either shared wording (:attr:`Evidence.proves_copy`: at least
        :data:`SHORT_PROOF` or :data:`PROOF`, bounded by :func:`evidence_bound`) or sentence
        pairs (:meth:`Alignment.proven_by_sentences` needs one pair at least): a pair is only
        ever made of a page sentence :func:`_nominees` names and whose :func:`_ratio_bound`
        reaches :data:`REWRITE_RATIO`.
        """
        if evidence_bound(story.stems, self.grams) >= min(PROOF, SHORT_PROOF):
            return True
        return any(
            _ratio_bound(sent, self.sentences[j]) >= REWRITE_RATIO
            for sent in _bags(story)
            if len(sent.words) >= MIN_SENTENCE_TOKENS
            for j in _nominees(sent, self.postings)
        )


def _postings(page: Sequence[_Counted]) -> dict[str, set[int]]:
    """The page sentences long enough to pair, by the content words they hold."""
    postings: dict[str, set[int]] = defaultdict(set)
    for j, sent in enumerate(page):
        if len(sent.words) >= MIN_SENTENCE_TOKENS:
            for w in sent.words:
                if w not in FUNCTION_WORDS:
                    postings[w].add(j)
    return postings


def _nominees(sent: _Counted, postings: dict[str, set[int]]) -> list[int]:
    """The page sentences worth comparing with a story sentence: the five that share the most
    of its content words, if they share a fifth of them and two at least."""
    content = {w for w in sent.words if w not in FUNCTION_WORDS}
    shared: dict[int, int] = defaultdict(int)
    for w in content:
        for j in postings.get(w, ()):
            shared[j] += 1
    need = max(2, 0.2 * len(content))
    return sorted((j for j, c in shared.items() if c >= need), key=lambda j: -shared[j])[:5]


def _compare(
    story: _Sentence, page: _Sentence, formula: frozenset[int] = frozenset()
) -> tuple[float, int, int]:
    """Similarity of two sentences, the story tokens the page one reproduces, and its support.

    A token counts as support only when it is unquoted on both sides (a transcript, with no
    quotation marks, and a report quoting from it share words, not authorship) and outside
    the agency's ``formula`` wording (story token indices).
    """
    matcher = SequenceMatcher(None, story.stems, page.stems, autojunk=False)
    blocks = matcher.get_matching_blocks()
    matched = sum(b.size for b in blocks)
    support = sum(
        not story.quoted[b.a + i] and not page.quoted[b.b + i] and story.first + b.a + i not in formula
        for b in blocks
        for i in range(b.size)
    )
    return 2.0 * matched / (len(story.words) + len(page.words)), matched, support


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


def _pair(
    i: int, j: int, story: _Sentence, page: _Sentence, formula: frozenset[int] = frozenset()
) -> _Pair | None:
    """The pair of a story sentence and a page sentence, if the page one reproduces it.

    A page sentence longer than the story one may hold it whole, joined to another (two
    sentences merged, a clause added): then how much of the story sentence it holds
    grades the pair, not their similarity as a whole.
    """
    if _ratio_bound(story, page) < REWRITE_RATIO:
        return None
    ratio, matched, support = _compare(story, page, formula)
    if len(page.words) > len(story.words):
        ratio = max(ratio, matched / len(story.words) if matched >= MIN_SENTENCE_TOKENS else 0.0)
    if ratio < REWRITE_RATIO:
        return None
    if ratio < EDITED_RATIO and _ratio(story.skeleton, page.skeleton) < SKELETON_RATIO:
        return None
    return _Pair(i, j, ratio, _contained(story.words, page.words), support)


def _ratio_bound(story: _Counted, page: _Counted) -> float:
    """An upper bound of the ratio :func:`_pair` grades a pair by, without aligning them.

    The stems two sentences share, counted with repeats, bound the stems an alignment
    matches (what ``SequenceMatcher.quick_ratio`` bounds its ratio by), and the ratio grows
    with the stems matched; most pairs the postings nominate fall short even so, and this
    costs a fraction of the alignment. Below :data:`REWRITE_RATIO`, :func:`_pair` would
    return None: skipping it changes nothing.
    """
    small, large = sorted((story.stem_counts, page.stem_counts), key=len)
    shared = sum(min(count, large.get(stem, 0)) for stem, count in small.items())
    bound = 2.0 * shared / (len(story.words) + len(page.words))
    if len(page.words) > len(story.words) and shared >= MIN_SENTENCE_TOKENS:
        bound = max(bound, shared / len(story.words))
    return bound


def align(
    page_text: str,
    story_text: str,
    prepared_page: Prepared | None = None,
    prepared_story: Prepared | None = None,
    known: frozenset[tuple[str, ...]] = frozenset(),
) -> Alignment:
    """Pair each story sentence with its best page sentence, if any is close enough.

    A page sentence pairs with one story sentence, or with several when it holds each of
    them (a merge: graded edited or better).
    """
    story_prep = prepared_story if prepared_story is not None else prepare(story_text)
    page_prep = prepared_page if prepared_page is not None else prepare(page_text)
    story, page = story_prep.sentences, page_prep.sentences
    formula = formula_tokens(story_prep.tokens, known | furniture())
    postings = _postings(page)
    chosen: dict[int, list[_Pair]] = defaultdict(list)  # page sentence -> its best pairs
    for i, sent in enumerate(story):
        if len(sent.words) < MIN_SENTENCE_TOKENS:
            continue
        nominees = _nominees(sent, postings)
        found = [pair for j in nominees if (pair := _pair(i, j, sent, page[j], formula)) is not None]
        if found:
            best = max(found, key=lambda p: p.ratio)
            chosen[best.page].append(best)
    kept: list[_Pair] = []
    for j, group in chosen.items():
        best = max(group, key=lambda p: p.ratio)
        kept.append(best)
        # A page sentence holding several story sentences (a merge) pairs with each of them.
        kept.extend(
            p
            for p in group
            if p is not best and p.ratio >= EDITED_RATIO and len(page[j].words) > len(story[p.story].words)
        )
    pairs = tuple(sorted(kept, key=lambda p: p.story))
    evidence = assess(story_prep.tokens, page_prep.tokens, formula)
    total = sum(len(s.words) for s in story if len(s.words) >= MIN_SENTENCE_TOKENS)
    return Alignment(pairs, story, page, total, evidence, _run_tokens(evidence, story_prep, pairs))


def _run_tokens(evidence: Evidence, story: Prepared, pairs: tuple[_Pair, ...]) -> int:
    """Story tokens in counted shared runs that lie in sentences no pair accounts for."""
    paired = {p.story for p in pairs}
    sentence_of = story.tokens.sentence
    return sum(
        1
        for run in evidence.runs
        if run.length >= MIN_RUN
        for k in range(run.story, run.story + run.length)
        if sentence_of[k] not in paired and len(story.sentences[sentence_of[k]].words) >= MIN_SENTENCE_TOKENS
    )


def passages(
    alignment: Alignment, page_text: str, story_text: str, page: Prepared, story: Prepared
) -> tuple[Passage, ...]:
    """The aligned passages with offsets: runs of consecutive sentence pairs of one kind, and
    the shared runs of words outside those sentences (a clause copied into another sentence)."""
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
    out.extend(_run_passages(alignment, page_text, story_text, page, story))
    return tuple(sorted(out, key=lambda p: (p.story_start, p.page_start)))


def _run_passages(
    alignment: Alignment, page_text: str, story_text: str, page: Prepared, story: Prepared
) -> list[Passage]:
    """Shared runs outside the paired story sentences, neighbours joined, as verbatim passages."""
    paired = {p.story for p in alignment.pairs}
    runs = [
        r for r in alignment.evidence.runs if r.weight > 0 and story.tokens.sentence[r.story] not in paired
    ]
    groups: list[list[Run]] = []
    for r in runs:  # in story order
        if groups:
            last = groups[-1][-1]
            story_gap = r.story - (last.story + last.length)
            page_gap = r.page - (last.page + last.length)
            if 0 <= story_gap <= RUN_GAP and 0 <= page_gap <= RUN_GAP:
                groups[-1].append(r)
                continue
        groups.append([r])
    out = []
    st, pg = story.tokens, page.tokens
    for group in groups:
        first, last = group[0], group[-1]
        s0, s1 = st.starts[first.story], st.ends[last.story + last.length - 1]
        p0, p1 = pg.starts[first.page], pg.ends[last.page + last.length - 1]
        covered = sum(r.length for r in group)
        span = last.story + last.length - first.story
        out.append(
            Passage(p0, p1, s0, s1, "verbatim", round(covered / span, 3), page_text[p0:p1], story_text[s0:s1])
        )
    return out


def verify(
    page_text: str,
    story: Story,
    prepared_page: Prepared | None = None,
    prepared_story: Prepared | None = None,
    known: frozenset[tuple[str, ...]] = frozenset(),
) -> Match | None:
    """A :class:`Match` when the page is shown to derive from ``story``, else None.

    ``known``: the formulas of the other candidates (:func:`provenance.evidence.formulas`).
    """
    page = prepared_page if prepared_page is not None else prepare(page_text)
    story_prep = prepared_story if prepared_story is not None else prepare(story.text)
    alignment = align(page_text, story.text, page, story_prep, known)
    return _match(alignment, page_text, story, page, story_prep)


def _match(
    alignment: Alignment, page_text: str, story: Story, page: Prepared, story_prep: Prepared
) -> Match | None:
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
        evidence=passages(alignment, page_text, story.text, page, story_prep),
    )


def _rank(match: Match) -> tuple[float, float, float, str]:
    return (match.coverage, match.verbatim_share, match.similarity, match.story.published or "")


def match_all(page_text: str, stories: list[Story]) -> list[Match]:
    """Every candidate the page is shown to derive from, best first (most coverage, then most
    verbatim): a round-up or live blog can copy several stories, and each is reported.

    Wording that several candidates hold (an agency's formulas, not one story's versions)
    is no evidence for any of them. A story after the best must be proven by page text the
    better ones do not explain (:func:`_beyond`): two agencies' stories of one event share
    phrases, and a copy of one is not also a copy of the other.
    """
    if not stories:
        return []  # no candidate (most pages of a crawl): nothing to prepare the page for
    page_words = outline(page_text)
    story_words = [outline(s.text) for s in stories]
    gate = _Gate.of(page_words)
    page: Prepared | None = None  # tokenised in full once, for the first candidate the gate admits
    known: frozenset[tuple[str, ...]] = frozenset()
    found: list[tuple[Match, Alignment]] = []
    for story, words in zip(stories, story_words, strict=True):
        if not gate.admits(words):
            continue  # most candidates: no alignment could prove a copy
        if page is None:
            page = prepare(page_text, page_words)
            if len(stories) > 1:  # every candidate's wording counts, admitted or not
                known = formulas([w.stems for w in story_words], [min((s.id, *s.versions)) for s in stories])
        story_prep = prepare(story.text, words)
        alignment = align(page_text, story.text, page, story_prep, known)
        match = _match(alignment, page_text, story, page, story_prep)
        if match is not None:
            found.append((match, alignment))
    found.sort(key=lambda f: _rank(f[0]), reverse=True)
    kept: list[Match] = []
    explained: set[int] = set()  # page tokens in the shared runs of the matches kept
    for match, alignment in found:
        if kept and not _beyond(alignment, explained):
            continue
        kept.append(match)
        explained.update(
            k for run in alignment.evidence.runs if run.weight for k in range(run.page, run.page + run.length)
        )
    return kept


def _beyond(alignment: Alignment, explained: set[int]) -> bool:
    """Whether the alignment still proves a copy with the page's explained tokens left out:
    its own shared runs elsewhere on the page, or (a spun copy) rewritten sentences there."""
    runs = tuple(
        r
        for r in alignment.evidence.runs
        if not any(k in explained for k in range(r.page, r.page + r.length))
    )
    wording = sum(r.wording for r in runs if r.length >= MIN_RUN)
    unquoted = sum(s.unquoted for s in alignment.story_sentences)
    residual = Evidence(runs, heaviest_chain(runs), wording / unquoted if unquoted else 0.0)
    if residual.proves_copy:
        return True
    if alignment.evidence.proves_copy or not alignment.proven_by_sentences():
        return False
    spun = {k for p in alignment.pairs for k in _page_tokens(alignment.page_sentences[p.page])}
    return not spun & explained


def _page_tokens(sentence: _Sentence) -> range:
    return range(sentence.first, sentence.first + len(sentence.words))


def best_match(page_text: str, stories: list[Story]) -> Match | None:
    """The candidate the page is best shown to derive from: most coverage, then most verbatim.

    Among versions of one story the closest version wins the same way (a page copying the
    update reproduces more of the update than of the first version).
    """
    matches = match_all(page_text, stories)
    return matches[0] if matches else None


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
    first, second = prepare(a.text), prepare(b.text)
    return (
        align(a.text, b.text, first, second).coverage >= VERSION_OVERLAP
        and align(b.text, a.text, second, first).coverage >= VERSION_OVERLAP
    )


def _close_in_time(a: str | None, b: str | None) -> bool:
    try:
        first, second = datetime.fromisoformat(a or ""), datetime.fromisoformat(b or "")
    except ValueError:
        return True
    if (first.tzinfo is None) != (second.tzinfo is None):
        first, second = first.replace(tzinfo=None), second.replace(tzinfo=None)
    return abs((first - second).total_seconds()) <= VERSION_HOURS * 3600
