"""How much a page's text proves it was copied from a story: shared runs weighed against chance.

Two outlets reporting one event independently share its facts: names, places, figures,
quotes and the set phrases of an official statement ("died Friday at her home in
Washington"). A copy shares *wording*: runs of the agency's own words, in its order. So the
evidence is counted in runs of stems the page and the story share, and each run is weighed
by what independent reporting would not give it:

* quoted speech is never evidence (two outlets quoting one official is not copying);
* names and figures are free (an independent report has the same ones), so a run counts
  only its other words, its *wording*;
* a run's first :data:`FREE_WORDS` words of wording are free too ("in the Los Angeles area",
  "said in a statement" are what anyone writes);
* runs shorter than :data:`MIN_RUN` stems count for nothing;
* an agency's formulas count for nothing: wording that several of the page's candidate
  stories hold (not versions of one story) identifies none of them (:func:`formulas`); nor
  does web page furniture (comment forms, notices: :data:`FURNITURE`).

Runs are found on Snowball stems (PyStemmer), so a tense or a plural changed by an editor
(``dies``/``died``) does not cut a run in two. Each story token belongs to at most one run
(the longest) and so does each page token, and a phrase repeated on both sides counts
once: a page that repeats a paragraph (a teaser above the article), or a topic phrase both
texts keep using, does not add evidence by repetition. The evidence is the weight of the
heaviest chain of runs in the story's order (:func:`heaviest_chain`): the short runs two
long independent texts share by chance fall in no order and do not add up.

The thresholds (:data:`PROOF`, and :data:`SHORT_PROOF` with :data:`SHORT_SHARE` for short
stories) were calibrated on the independent same-event reports of the ``wire-copies`` data
set, which share names, numbers and quotes with the wire stories and must stay unmatched:
``python eval/real_copies.py --calibrate`` prints the evidence of every labelled pair and
where each threshold falls. 13 rather than 12: a Clough–Stevenson answer written without
copying reaches 12 with a textbook definition. Hand-written because no library counts this: a generic
similarity (resemblance, cosine, containment) gives names and quotes the same weight as
wording, which is exactly what makes independent reports look like copies.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from provenance.text import (
    FUNCTION_WORDS,
    in_skeleton,
    normalize,
    quoted_ranges,
    sentences,
    stem_words,
    token_spans,
)

MIN_RUN = 4  # stems in a row: shorter shared runs are no evidence (common phrases)
FREE_WORDS = 2  # words of wording per run that independent reporting shares by chance
PROOF = 13  # evidence that proves a copy on its own (one 17-word sentence, or two of 9)
SHORT_PROOF = 5  # evidence that proves a copy of a short story…
SHORT_SHARE = 0.1  # …when it covers this share of the story's unquoted words
FORMULA_WORDS = 4  # a formula is found by its stem 4-grams…
FORMULA_STORIES = 3  # …each held by this many other stories among the candidates (not versions)
COMMON_SEED = 50  # a 3-gram the story holds more often than this seeds no run (no evidence, and
# on a hostile text like "the the the …" the pairs of its places would grow as the square)


@dataclass(frozen=True, slots=True)
class Outline:
    """A normalised text's words and stems, sentence by sentence: all that formulas and the
    bound of :func:`evidence_bound` read, at a fraction of the cost of :class:`Tokens`."""

    words: tuple[str, ...]  # lower-cased
    stems: tuple[str, ...]
    starts: tuple[int, ...]  # character offsets in the text
    ends: tuple[int, ...]
    sentence: tuple[int, ...]  # index of the token's sentence
    sentence_spans: tuple[tuple[int, int], ...]  # character span of each sentence


@dataclass(frozen=True, slots=True)
class Tokens:
    """A normalised text as tokens, each with what weighing the evidence needs."""

    words: tuple[str, ...]  # lower-cased
    stems: tuple[str, ...]
    starts: tuple[int, ...]  # character offsets in the text
    ends: tuple[int, ...]
    sentence: tuple[int, ...]  # index of the token's sentence
    quoted: tuple[bool, ...]  # inside quoted speech
    skeleton: tuple[bool, ...]  # a function word, a name or a figure (what a spinner keeps)
    fact: tuple[bool, ...]  # a name or a figure (what independent reports share)
    sentence_spans: tuple[tuple[int, int], ...]  # character span of each sentence

    def __len__(self) -> int:
        return len(self.words)


def outline(text: str) -> Outline:
    """The words of a normalised text, sentence by sentence, and their stems.

    The words are read from the whole text at once: a sentence ends before white space and
    starts after it, and a word holds none, so each word lies in one sentence and reads the
    same there as in the whole text.
    """
    spans = tuple((span.start, span.end) for span in sentences(text))
    found = token_spans(text)
    words: tuple[str, ...] = ()
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()
    if found:
        words, starts, ends = zip(*found, strict=True)
    sentence: list[int] = []
    for number, (_, end) in enumerate(spans):
        first = len(sentence)
        sentence.extend([number] * (bisect.bisect_left(starts, end, first) - first))
    return Outline(words, tuple(stem_words(list(words))), starts, ends, tuple(sentence), spans)


def tokenize(text: str, words: Outline | None = None) -> Tokens:
    """Tokens of a normalised text, sentence by sentence, with their flags (``words``: the
    text's :func:`outline`, when it was read already)."""
    words = words if words is not None else outline(text)
    quoted = quoted_ranges(text)
    qi = 0
    in_quote: list[bool] = []
    skeleton: list[bool] = []
    fact: list[bool] = []
    for word, pos in zip(words.words, words.starts, strict=True):
        while qi < len(quoted) and quoted[qi][1] <= pos:
            qi += 1
        in_quote.append(qi < len(quoted) and quoted[qi][0] <= pos < quoted[qi][1])
        kept = in_skeleton(text, word, pos)
        skeleton.append(kept)
        fact.append(kept and word not in FUNCTION_WORDS)
    return Tokens(
        words.words,
        words.stems,
        words.starts,
        words.ends,
        words.sentence,
        tuple(in_quote),
        tuple(skeleton),
        tuple(fact),
        words.sentence_spans,
    )


@dataclass(frozen=True, slots=True)
class Run:
    """Stems the story and the page share in a row: where, how long, and its weight."""

    story: int  # first token in the story
    page: int  # first token on the page
    length: int
    wording: int  # tokens unquoted on both sides that are neither names nor figures

    @property
    def weight(self) -> int:
        return max(0, self.wording - FREE_WORDS) if self.length >= MIN_RUN else 0


@dataclass(frozen=True, slots=True)
class Evidence:
    """The runs a page shares with a story and what they add up to."""

    runs: tuple[Run, ...]
    copied: int  # the weight of the heaviest chain of runs kept in the story's order
    story_share: float  # share of the story's unquoted tokens that are wording in runs of MIN_RUN or more

    @property
    def proves_copy(self) -> bool:
        """More shared wording than independent reports of one event were seen to share."""
        return self.copied >= PROOF or (self.copied >= SHORT_PROOF and self.story_share >= SHORT_SHARE)


def formulas(stories: Sequence[tuple[str, ...]], groups: Sequence[str]) -> frozenset[tuple[str, ...]]:
    """Stem 4-grams that :data:`FORMULA_STORIES` + 1 different stories hold: an agency's formulas.

    An agency words its recurring items the same way every time ("said it filed a
    registration statement with the Securities and Exchange Commission covering", "eurodollar
    deposit rates were steady"): a page sharing such a formula with one story shares it with
    all of them, and it tells no story apart. ``stories`` are the stems of a page's
    candidates, and ``groups`` name each one's version group (the versions of one story
    count once).
    """
    grams: dict[str, set[tuple[str, ...]]] = defaultdict(set)  # each version group: its grams
    for stems, group in zip(stories, groups, strict=True):
        grams[group].update(zip(*(stems[k:] for k in range(FORMULA_WORDS)), strict=False))
    if len(grams) <= FORMULA_STORIES:
        return frozenset()  # too few stories for any formula
    held: Counter[tuple[str, ...]] = Counter()
    for found in grams.values():
        held.update(found)
    return frozenset(gram for gram, count in held.items() if count > FORMULA_STORIES)


# Web page furniture that scraped stories and pages both carry (comment forms, newsletter
# boxes, notices): shared, it shows two pages came from similar sites, not that one copies
# the other's story. Its stem 4-grams count as formulas everywhere.
FURNITURE = (
    "Leave a Reply. Your email address will not be published. Required fields are marked",
    "Sign up for our newsletter to get the latest news delivered to your inbox",
    "This material may not be published, broadcast, rewritten or redistributed",
    "All rights reserved. Click here to read more",
)


@lru_cache(maxsize=1)
def furniture() -> frozenset[tuple[str, ...]]:
    """The stem 4-grams of :data:`FURNITURE`: no wording, whatever the candidates."""
    grams: set[tuple[str, ...]] = set()
    for phrase in FURNITURE:
        stems = tokenize(normalize(phrase)).stems
        grams.update(stems[i : i + FORMULA_WORDS] for i in range(len(stems) - FORMULA_WORDS + 1))
    return frozenset(grams)


def formula_tokens(tokens: Tokens, known: frozenset[tuple[str, ...]]) -> frozenset[int]:
    """Indices of the tokens that lie in one of the ``known`` formulas."""
    stems = tokens.stems
    found: set[int] = set()
    for k in range(len(stems) - FORMULA_WORDS + 1):
        if stems[k : k + FORMULA_WORDS] in known:
            found.update(range(k, k + FORMULA_WORDS))
    return frozenset(found)


def shared_runs(
    story: Tokens, page: Tokens, shortest: int = 3, formula: frozenset[int] = frozenset()
) -> list[Run]:
    """Maximal runs of stems in both texts (at least ``shortest`` long), each token in one.

    Seeds are the story's stem ``shortest``-grams; each seed found on the page is extended
    to the end of the common run. Longest runs are kept first; a run overlapping one kept
    already (on either side) keeps only its longest free stretch. A phrase both texts
    repeat (a live blog's "his meeting with Russian President Vladimir Putin") is kept once
    with its wording and again with none. Story tokens in ``formula`` are no wording.
    """
    a, b = story.stems, page.stems
    if len(a) < shortest or len(b) < shortest:
        return []
    seeds: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(a) - shortest + 1):
        seeds[a[i : i + shortest]].append(i)
    found: list[tuple[int, int, int]] = []
    for positions in seeds.values():
        if len(positions) > COMMON_SEED:
            positions.clear()
    for j in range(len(b) - shortest + 1):
        for i in seeds.get(b[j : j + shortest], ()):
            if i > 0 and j > 0 and a[i - 1] == b[j - 1]:
                continue  # inside a run that started earlier
            length = shortest
            while i + length < len(a) and j + length < len(b) and a[i + length] == b[j + length]:
                length += 1
            found.append((length, i, j))
    found.sort(key=lambda r: (-r[0], r[1], r[2]))
    used_a, used_b = bytearray(len(a)), bytearray(len(b))
    seen: set[tuple[str, ...]] = set()
    runs: list[Run] = []
    for length, i, j in found:
        start, size = _longest_free(used_a, used_b, i, j, length)
        if size < shortest:
            continue
        j += start - i
        used_a[start : start + size] = b"\x01" * size
        used_b[j : j + size] = b"\x01" * size
        wording = sum(
            1
            for k in range(size)
            if not (
                story.quoted[start + k] or page.quoted[j + k] or story.fact[start + k] or start + k in formula
            )
        )
        text = a[start : start + size]
        if text in seen:
            wording = 0  # a phrase repeated on both sides is one piece of evidence, not several
        seen.add(text)
        runs.append(Run(start, j, size, wording))
    runs.sort(key=lambda r: r.story)
    return runs


def _longest_free(used_a: bytearray, used_b: bytearray, i: int, j: int, length: int) -> tuple[int, int]:
    """The longest stretch of the run at story ``i`` / page ``j`` whose tokens are free on both
    sides: (its story start, its size)."""
    best, best_size, run_start = i, 0, None
    for k in range(length + 1):
        free = k < length and not used_a[i + k] and not used_b[j + k]
        if free and run_start is None:
            run_start = k
        elif not free and run_start is not None:
            if k - run_start > best_size:
                best, best_size = i + run_start, k - run_start
            run_start = None
    return best, best_size


def assess(story: Tokens, page: Tokens, formula: frozenset[int] = frozenset()) -> Evidence:
    """The shared runs and the evidence of copying they add up to; story tokens in ``formula``
    (:func:`formula_tokens` of the candidates' :func:`formulas`) are no wording."""
    runs = tuple(shared_runs(story, page, formula=formula))
    unquoted = sum(1 for q in story.quoted if not q)
    wording = sum(r.wording for r in runs if r.length >= MIN_RUN)
    return Evidence(runs, heaviest_chain(runs), wording / unquoted if unquoted else 0.0)


def stem_grams(stems: Sequence[str]) -> frozenset[tuple[str, ...]]:
    """The stem :data:`MIN_RUN`-grams of a text: what every run that weighs anything is made of."""
    return frozenset(tuple(stems[i : i + MIN_RUN]) for i in range(len(stems) - MIN_RUN + 1))


def evidence_bound(stems: tuple[str, ...], page_grams: frozenset[tuple[str, ...]]) -> int:
    """An upper bound of the evidence (:attr:`Evidence.copied`) a story with these stems can
    reach against a page with these :func:`stem_grams`, whatever its quotes, names and formulas.

    A run weighs something only when it is :data:`MIN_RUN` stems or longer, and its stems
    are on both sides, so it lies in a stretch of the story covered by the page's grams;
    runs are disjoint in the story, so the runs in a stretch of L stems weigh at most
    L - :data:`FREE_WORDS` in all. Most candidates of most pages share a few set phrases
    and stay under :data:`SHORT_PROOF` here: no alignment can make them a copy by wording.
    """
    total, start, end = 0, 0, -1  # the stretch being read: stems [start, end)
    for i in range(len(stems) - MIN_RUN + 1):
        if stems[i : i + MIN_RUN] not in page_grams:
            continue
        if i > end:
            if end > start:
                total += end - start - FREE_WORDS
            start = i
        end = i + MIN_RUN
    if end > start:
        total += end - start - FREE_WORDS
    return total


def heaviest_chain(runs: tuple[Run, ...]) -> int:
    """The largest total weight of runs in the same order on the page as in the story.

    A copy keeps the story's order (or most of it: a moved paragraph is left out, its runs
    are still long); the short runs two long independent texts share by chance fall in no
    order, and summing them all would let a long live blog "prove" a copy by accumulation.
    Weighted longest increasing subsequence, with a Fenwick tree of prefix maxima over the
    page positions: O(r log r) for r runs.
    """
    weighted = sorted((r.story, r.page, r.weight) for r in runs if r.weight > 0)
    if not weighted:
        return 0
    ranks = {p: i + 1 for i, p in enumerate(sorted({page for _, page, _ in weighted}))}
    tree = [0] * (len(ranks) + 1)
    best = 0
    for _, page, weight in weighted:
        rank = ranks[page]
        before, i = 0, rank - 1  # the heaviest chain ending on the page before this run
        while i > 0:
            before = max(before, tree[i])
            i -= i & -i
        total = before + weight
        best = max(best, total)
        i = rank
        while i < len(tree):
            tree[i] = max(tree[i], total)
            i += i & -i
    return best
