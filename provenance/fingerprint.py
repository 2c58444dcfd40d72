"""64-bit simhash fingerprints, vectorised with numpy, under named and versioned schemes.

Why hand-written: the ``simhash`` package (the design card's reference) runs a Python loop
per feature and hashes every feature with md5. Here features are hashed once per distinct
token (a dict cache) and combined into shingle hashes with vectorised 64-bit arithmetic, and
the bit sums are one ``unpackbits`` and one reduction. :func:`simhash` is bit-identical to
``simhash.Simhash`` when fed the same feature hashes (a test proves it).

Every fingerprint carries its scheme's name and version and is stored with them, so a later
change of features never silently compares incompatible fingerprints.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

import numpy as np

from provenance.text import (
    Span,
    in_skeleton,
    paragraphs,
    sentences,
    skeleton_tokens,
    stem_words,
    token_spans,
    tokens,
)

BITS = 64
_MASK64 = (1 << 64) - 1
_MULT = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def md5_64(feature: str) -> int:
    """The reference package's default feature hash: the last 8 bytes of md5, big-endian."""
    return int.from_bytes(hashlib.md5(feature.encode("utf-8")).digest()[-8:], "big")


def hash_strings(features: Iterable[str], hashfunc: Callable[[str], int] = md5_64) -> np.ndarray:
    """Hash string features one by one (the reference path; slow but exact)."""
    return np.fromiter((hashfunc(f) & _MASK64 for f in features), dtype=np.uint64)


def simhash(hashes: np.ndarray, weights: np.ndarray | None = None) -> int:
    """Simhash of 64-bit feature hashes: bit i is set when the features having it outweigh half.

    Bit order and tie rule follow ``simhash.Simhash`` exactly (most significant bit first,
    a bit is set only when its weighted count is strictly above half the total weight).
    """
    if hashes.size == 0:
        return 0
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)
    if weights is None:
        sums = bits.sum(axis=0, dtype=np.int64)
        total = hashes.size
    else:
        sums = weights.astype(np.int64) @ bits.astype(np.int64)
        total = int(weights.sum())
    return int.from_bytes(np.packbits(sums > total / 2).tobytes(), "big")


def simhash_batch(feature_sets: Sequence[np.ndarray]) -> np.ndarray:
    """The simhash of each feature set, all at once: one ``unpackbits`` and one segmented sum.

    Equal to ``[simhash(f) for f in feature_sets]`` (an empty set gives 0), without a numpy
    round trip per set: a page's thirty sentence fingerprints cost about as much as one.
    """
    sizes = np.fromiter((f.size for f in feature_sets), dtype=np.int64, count=len(feature_sets))
    out = np.zeros(len(feature_sets), dtype=np.uint64)
    nonempty = sizes > 0
    if not nonempty.any():
        return out
    out[nonempty] = _segment_simhash(np.concatenate([f for f in feature_sets if f.size]), sizes[nonempty])
    return out


_LANES = 16  # counts accumulate in 16-bit lanes: four per 64-bit word, one word per bit offset
_LANE_BITS = np.uint64(0x0001_0001_0001_0001)
_LANE_LIMIT = (1 << 16) - 1  # features a segment may have before a lane could overflow
_FEW = 1024  # below this many hashes, one (N, 64) bit matrix is the faster count (measured)


def _segment_simhash(hashes: np.ndarray, sizes: np.ndarray, totals: np.ndarray | None = None) -> np.ndarray:
    """Simhash of consecutive segments of ``hashes`` (each of ``sizes[i]`` > 0 features).

    ``totals``: the features that count in each segment when some slots are zero padding
    (a zero hash sets no bit); the segment sizes by default.

    SWAR bit counting: ``(h >> j) & 0x0001000100010001`` keeps bits j, 16+j, 32+j and 48+j
    of every hash, each alone in a 16-bit lane, so one ``add.reduceat`` over plain uint64
    words counts four bit positions per segment at once; sixteen shifts cover all 64. That
    is 16 passes over the hashes instead of an (N, 64) bit matrix (about 20x faster).
    """
    totals = sizes if totals is None else totals
    # Few hashes (a page's sentences): the 48 numpy calls below cost more than a bit matrix.
    # Huge segments: a 16-bit lane would overflow. Both count bit by bit instead.
    if hashes.size < _FEW or sizes.max() > _LANE_LIMIT:
        return _segment_simhash_unpacked(hashes, sizes, totals)
    starts = np.cumsum(sizes) - sizes
    lanes = np.empty((sizes.size, _LANES), dtype=np.uint64)
    for j in range(_LANES):
        lanes[:, j] = np.add.reduceat((hashes >> np.uint64(j)) & _LANE_BITS, starts)
    # Little-endian uint16 view: lanes[s, j] lane L holds the count of bit 16 * L + j.
    counts = lanes.astype("<u8").view("<u2").reshape(-1, _LANES, 4).transpose(0, 2, 1).reshape(-1, BITS)
    most_significant_first = counts[:, ::-1].astype(np.int64)
    return (
        np.packbits(most_significant_first * 2 > totals[:, None], axis=1)
        .view(">u8")
        .ravel()
        .astype(np.uint64)
    )


def _segment_simhash_unpacked(hashes: np.ndarray, sizes: np.ndarray, totals: np.ndarray) -> np.ndarray:
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)
    sums = np.add.reduceat(bits, np.cumsum(sizes) - sizes, axis=0, dtype=np.int64)
    return np.packbits(sums * 2 > totals[:, None], axis=1).view(">u8").ravel().astype(np.uint64)


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & _MASK64).bit_count()


def to_signed(value: int) -> int:
    """Store a 64-bit fingerprint in a signed BIGINT (values ≥ 2**63 would overflow)."""
    return value - (1 << 64) if value >= (1 << 63) else value


def to_unsigned(value: int) -> int:
    return value & _MASK64


class _TokenCache(dict[str, int]):
    """Token -> 64-bit hash; a missing token is hashed (blake2b) once and remembered."""

    def __missing__(self, word: str) -> int:
        h = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "big")
        if len(self) < 2_000_000:  # bound the memory of a long-running process
            self[word] = h
        return h


class TokenHasher:
    """64-bit token hashes, computed once per distinct token and cached (one C-level map)."""

    def __init__(self) -> None:
        self._cache = _TokenCache()

    def __call__(self, words: Iterable[str], count: int = -1) -> np.ndarray:
        """Hashes of ``words`` in order (``count``: their number, when ``words`` is an iterator)."""
        if count < 0 and isinstance(words, Sequence):
            count = len(words)
        return np.fromiter(map(self._cache.__getitem__, words), dtype=np.uint64, count=count)


_hasher = TokenHasher()


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads every input bit over the whole 64-bit word."""
    x = x ^ (x >> np.uint64(30))
    x = x * _MIX1
    x = x ^ (x >> np.uint64(27))
    x = x * _MIX2
    return x ^ (x >> np.uint64(31))


def shingle_hashes(token_hashes: np.ndarray, n: int) -> np.ndarray:
    """Hashes of word n-grams from token hashes, order-sensitive, fully vectorised."""
    m = token_hashes.size
    if m == 0:
        return token_hashes
    if m < n:
        n = m
    width = m - n + 1
    with np.errstate(over="ignore"):
        h = token_hashes[:width].copy()
        for j in range(1, n):
            h = _mix(h * _MULT + token_hashes[j : j + width])
    return h


def simhash_many(word_lists: Sequence[Sequence[str]], n: int = 3) -> np.ndarray:
    """Simhash of the word ``n``-shingles of many texts at once (a corpus load, a benchmark).

    Equal to ``simhash(shingle_hashes(hasher(words), n))`` for each word list, but the tokens
    of all texts are hashed in one pass and shingled over one concatenated array, so the cost
    per text is a few array elements, not a few numpy calls.
    """
    lengths = np.fromiter((len(w) for w in word_lists), dtype=np.int64, count=len(word_lists))
    out = np.zeros(len(word_lists), dtype=np.uint64)
    short = np.flatnonzero((lengths > 0) & (lengths < n))
    for i in short:  # fewer words than a shingle: one feature of all of them, as shingle_hashes does
        out[i] = simhash(shingle_hashes(_hasher(word_lists[i]), n))
    full = lengths >= n
    if not full.any():
        return out
    kept = word_lists if full.all() else [w for w, ok in zip(word_lists, full, strict=True) if ok]
    sizes = lengths[full]
    out[full] = _shingled_segments(_hasher(chain.from_iterable(kept), count=int(sizes.sum())), sizes, n)
    return out


_CHUNK = 1 << 15  # token hashes per pass: 256 KB, so the sixteen passes stay in cache


def _shingled_segments(flat: np.ndarray, sizes: np.ndarray, n: int) -> np.ndarray:
    """Simhash of the ``n``-shingles of each segment of token hashes (every ``sizes[i]`` >= n).

    Whole segments are taken a cache-sized chunk at a time (a corpus batch is megabytes).
    """
    if flat.size <= _CHUNK:
        return _shingled_chunk(flat, sizes, n)
    ends = np.cumsum(sizes)
    out = np.empty(sizes.size, dtype=np.uint64)
    first = 0
    while first < sizes.size:
        base = int(ends[first] - sizes[first])
        stop = max(first + 1, int(np.searchsorted(ends, base + _CHUNK, side="right")))
        out[first:stop] = _shingled_chunk(flat[base : ends[stop - 1]], sizes[first:stop], n)
        first = stop
    return out


def _shingled_chunk(flat: np.ndarray, sizes: np.ndarray, n: int) -> np.ndarray:
    """:func:`_shingled_segments` of segments that fill ``flat`` exactly.

    Shingles over the concatenation, then zeroes the n - 1 shingles at the end of each
    segment that run into the next one: a zero hash adds no bit, so each segment keeps its
    ``sizes[i]`` slots and only its ``sizes[i] - n + 1`` real shingles count.
    """
    width = flat.size - n + 1
    h = np.zeros(flat.size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h[:width] = flat[:width]
        for j in range(1, n):
            h[:width] = _mix(h[:width] * _MULT + flat[j : j + width])
    ends = np.cumsum(sizes)
    h[(ends[:, None] - np.arange(1, n)).ravel()] = 0
    return _segment_simhash(h, sizes, totals=sizes - n + 1)


@dataclass(frozen=True, slots=True)
class Scheme:
    """A named, versioned way to turn text into features; ``k`` is its Hamming threshold.

    Features are the hashes of word ``n``-shingles, of all words or (``skeleton``) of the
    words a synonym spinner leaves in place (see :func:`provenance.text.skeleton_tokens`).
    """

    name: str
    version: int
    k: int
    levels: tuple[str, ...]
    n: int = 3
    skeleton: bool = False
    stems: bool = False  # features of word stems (Snowball), so an inflection edit changes none
    min_tokens: int = 8  # texts with fewer features than this give no fingerprint (too noisy)
    min_hits: int = 1  # near fingerprints a story needs under this scheme to become a candidate

    @property
    def key(self) -> str:
        return f"{self.name}/{self.version}"

    def features(self, text: str) -> np.ndarray:
        """The feature hashes of one text: the definition :func:`fingerprint_text` follows."""
        words = skeleton_tokens(text) if self.skeleton else tokens(text)
        if self.stems:
            words = stem_words(words)
        return shingle_hashes(_hasher(words), self.n)


SCHEMES: tuple[Scheme, ...] = (
    Scheme("shingle3", 1, 3, ("document", "paragraph")),
    # Spin-robust: one fingerprint per sentence of its skeleton (see skeleton_tokens). A whole-
    # document simhash cannot survive spinning (half the features change, so about a third of
    # the bits flip), but most sentences keep their skeleton intact.
    Scheme("skeleton3", 1, 3, ("sentence",), skeleton=True, min_tokens=4),
    # Passages: one fingerprint per anchor, a 5-gram of word stems chosen by winnowing (see
    # :func:`anchors`). A page that copies one long sentence, or a few shorter ones, shares
    # anchors with the story whatever else it holds, however long either text is and
    # wherever its sentences and paragraphs break: containment, not resemblance. Anchors
    # are matched exactly (k = 0: one block table, one key row each).
    Scheme("anchor5", 1, 0, ("anchor",), min_tokens=3, stems=True),
)
SCHEME_BY_KEY = {s.key: s for s in SCHEMES}


class _Tokens:
    """A text tokenised and hashed once; the tokens of any span of it are a slice.

    Paragraphs and sentences start and end at whitespace, so their tokens are exactly the
    text's tokens inside their offsets: slicing gives what tokenising each span would give.
    """

    def __init__(self, text: str) -> None:
        spans = token_spans(text)
        self.words = [w for w, _, _ in spans]
        self.starts = [start for _, start, _ in spans]
        self.ends = [end for _, _, end in spans]
        self.hashes = _hasher(self.words)

    @cached_property
    def stem_hashes(self) -> np.ndarray:
        return _hasher(stem_words(self.words))

    def hashes_in(self, span: Span, skeleton: bool, stems: bool = False) -> np.ndarray:
        i = bisect_left(self.starts, span.start)
        j = bisect_left(self.starts, span.end, lo=i)
        if stems:
            return self.stem_hashes[i:j]
        if not skeleton:
            return self.hashes[i:j]
        # The skeleton test reads the span's own text (is a capital sentence-initial in it?).
        kept = [t for t in range(i, j) if in_skeleton(span.text, self.words[t], self.starts[t] - span.start)]
        return self.hashes[np.asarray(kept, dtype=np.intp)]


ANCHOR_WORDS = 5  # words in an anchor (a word 5-gram)…
ANCHOR_WINDOW = 4  # …the smallest hash in each run of this many 5-grams is kept (winnowing)
# Any shared passage of ANCHOR_WINDOW + ANCHOR_WORDS - 1 = 8 words gives both texts an anchor:
# the shortest runs the proof accepts (see provenance.evidence) are about that long.


def anchors(text: str, doc: _Tokens | None = None) -> list[Span]:
    """The text's anchors: 5-grams of word stems chosen by winnowing, for passage fingerprints.

    Winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003, the method of MOSS): of every
    :data:`ANCHOR_WINDOW` consecutive 5-grams the one with the smallest hash is kept. The
    choice depends on the words around it only, so any passage of at least
    ``ANCHOR_WINDOW + ANCHOR_WORDS - 1`` (8) words that a page shares with a story gives
    both the same anchor, wherever it sits, however long either text is and wherever its
    sentences and paragraphs break; about two 5-grams in five are kept.
    """
    doc = doc if doc is not None else _Tokens(text)
    return _anchor_spans(text, doc, _anchor_words([doc])[0])


def _anchor_spans(text: str, doc: _Tokens, firsts: np.ndarray) -> list[Span]:
    out = []
    for first in firsts.tolist():
        start, end = doc.starts[first], doc.ends[first + ANCHOR_WORDS - 1]
        out.append(Span(start, end, text[start:end]))
    return out


class _Stems:
    """The stem hashes of many texts end to end, and where each text starts."""

    def __init__(self, docs: Sequence[_Tokens]) -> None:
        self.sizes = np.fromiter((len(d.words) for d in docs), dtype=np.int64, count=len(docs))
        self.offsets = np.cumsum(self.sizes) - self.sizes
        self.flat = np.concatenate([d.stem_hashes for d in docs]) if docs else np.zeros(0, dtype=np.uint64)

    def split(self, positions: np.ndarray) -> list[np.ndarray]:
        """Sorted global word positions, per text, as positions within the text."""
        bounds = np.searchsorted(positions, np.append(self.offsets, self.flat.size))
        return [
            positions[a:b] - o for a, b, o in zip(bounds[:-1], bounds[1:], self.offsets.tolist(), strict=True)
        ]


def _anchor_words(docs: Sequence[_Tokens], stems: _Stems | None = None) -> list[np.ndarray]:
    """Each text's anchors: the index of each one's first word, in order (see :func:`anchors`).

    All texts at once: the 5-grams of their stems end to end, and winnowing over the windows
    that lie inside one text (a 5-gram or a window across two texts is never chosen).
    """
    stems = stems or _Stems(docs)
    grams = stems.sizes - ANCHOR_WORDS + 1
    if stems.flat.size < ANCHOR_WORDS or not (grams > 0).any():
        return [np.zeros(0, dtype=np.intp) for _ in docs]
    hashes = shingle_hashes(stems.flat, ANCHOR_WORDS)  # hashes[j]: the 5-gram from word j
    chosen: list[np.ndarray] = []
    windows = np.where(grams > ANCHOR_WINDOW, grams - ANCHOR_WINDOW + 1, 0)
    if windows.any():
        starts = np.repeat(stems.offsets - (np.cumsum(windows) - windows), windows) + np.arange(windows.sum())
        view = np.lib.stride_tricks.sliding_window_view(hashes, ANCHOR_WINDOW)
        chosen.append(view[starts].argmin(axis=1) + starts)
    for t in np.flatnonzero((grams > 0) & (grams <= ANCHOR_WINDOW)).tolist():  # short texts
        first = int(stems.offsets[t])
        chosen.append(np.array([first + int(np.argmin(hashes[first : first + grams[t]]))]))
    return [f.astype(np.intp) for f in stems.split(np.unique(np.concatenate(chosen)))]


def _anchor_simhashes(stems: _Stems, firsts: Sequence[np.ndarray], n: int) -> list[np.ndarray]:
    """The simhash of each anchor's stem ``n``-shingles, per text, all texts at once.

    Every anchor is :data:`ANCHOR_WORDS` words, so its features are the same number of
    consecutive shingles of its text's stems: one shingling of all the texts end to end and
    one gather, instead of a slice of the token hashes per anchor (found by bisection) and a
    shingling per slice. Equal, anchor by anchor, to the general path (a shingle's hash
    depends on its words only; a test holds the two equal).
    """
    counts = [f.size for f in firsts]
    if not sum(counts):
        return [np.zeros(0, dtype=np.uint64) for _ in firsts]
    features = ANCHOR_WORDS - n + 1
    where = np.concatenate([f + o for f, o in zip(firsts, stems.offsets.tolist(), strict=True)])
    gathered = shingle_hashes(stems.flat, n)[where[:, None] + np.arange(features)]
    values = _segment_simhash(gathered.ravel(), np.full(where.size, features, dtype=np.int64))
    return np.split(values, np.cumsum(counts)[:-1])


def _span_simhashes(
    groups: Sequence[tuple[Scheme, Sequence[np.ndarray]]],
) -> list[tuple[list[int], list[int]]]:
    """For each (scheme, token hashes of its spans): which spans give a fingerprint (enough
    features) and their simhashes.

    Every group's spans of a shingle width go through one segmented computation: a text's
    few dozen paragraphs, sentences and anchors cost about as much as one of them (numpy's
    cost per call, not per element, dominates at this size).
    """
    kept_per_group: list[list[int]] = []
    whole: dict[int, list[tuple[int, int]]] = defaultdict(list)  # n -> (group, slot) of full spans
    values: list[list[int]] = []
    for g, (scheme, pieces) in enumerate(groups):
        n = scheme.n
        kept = [
            i
            for i, p in enumerate(pieces)
            if (p.size - n + 1 if p.size >= n else min(p.size, 1)) >= scheme.min_tokens
        ]
        kept_per_group.append(kept)
        values.append([0] * len(kept))
        for slot, i in enumerate(kept):
            if pieces[i].size >= n:
                whole[n].append((g, slot))
            else:  # shorter than one shingle (only if min_tokens <= 1)
                values[g][slot] = simhash(shingle_hashes(pieces[i], n))
    for n, slots in whole.items():
        chosen = [groups[g][1][kept_per_group[g][slot]] for g, slot in slots]
        sizes = np.fromiter((p.size for p in chosen), dtype=np.int64, count=len(chosen))
        for (g, slot), value in zip(
            slots, _shingled_segments(np.concatenate(chosen), sizes, n).tolist(), strict=True
        ):
            values[g][slot] = value
    return list(zip(kept_per_group, values, strict=True))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    scheme: str
    version: int
    level: str  # "document" | "paragraph" | "sentence" | "anchor"
    position: int  # paragraph or sentence number (0 for the document)
    start: int
    end: int
    value: int  # unsigned 64-bit

    @property
    def scheme_key(self) -> str:
        return f"{self.scheme}/{self.version}"


def fingerprint_text(text: str, schemes: Sequence[Scheme] = SCHEMES) -> list[Fingerprint]:
    """Fingerprint a text at each level its schemes ask for: document, paragraphs, sentences, anchors.

    The text is tokenised and its tokens hashed once; each level's spans are slices of that,
    and all their simhashes are one segmented computation (equal, span by span, to
    ``simhash(scheme.features(span.text))``; a test holds it to that).
    """
    return [Fingerprint(*row) for row in fingerprint_rows(text, schemes)]


FingerprintFields = tuple[str, int, str, int, int, int, int]
"""A :class:`Fingerprint`'s fields in order: scheme, version, level, position, start, end, value."""


def _quick_anchors(scheme: Scheme, level: str) -> bool:
    """Whether ``scheme``'s fingerprints at ``level`` are anchors of whole stem shingles (the
    quick path, :func:`_anchor_simhashes`)."""
    return level == "anchor" and scheme.stems and not scheme.skeleton and scheme.n <= ANCHOR_WORDS


def fingerprint_rows(text: str, schemes: Sequence[Scheme] = SCHEMES) -> list[FingerprintFields]:
    """:func:`fingerprint_text` as plain tuples: what a corpus load stores and its workers send
    back (no object per fingerprint to build, pickle and take apart again)."""
    return fingerprint_rows_many([text], schemes)[0]


def fingerprint_rows_many(
    texts: Sequence[str], schemes: Sequence[Scheme] = SCHEMES
) -> list[list[FingerprintFields]]:
    """:func:`fingerprint_rows` of each text, the numpy work of all of them done at once.

    A story's few dozen spans cost about as much in numpy calls as in arithmetic, so a corpus
    load's workers fingerprint a task's stories together: every span of every text in one
    segmented simhash, the anchors of all texts in one winnowing and one gather.
    """
    levels = [(scheme, level) for scheme in schemes for level in scheme.levels]
    quick = [i for i, (scheme, level) in enumerate(levels) if _quick_anchors(scheme, level)]
    general = [i for i in range(len(levels)) if i not in quick]
    docs = [_Tokens(text) for text in texts]
    stems = _Stems(docs) if any("anchor" in s.levels for s in schemes) else None
    firsts = _anchor_words(docs, stems) if stems else [np.zeros(0, dtype=np.intp) for _ in docs]
    spans = [
        _level_spans(text, doc, first, schemes) for text, doc, first in zip(texts, docs, firsts, strict=True)
    ]
    groups = [
        (levels[i][0], _pieces(doc, text_spans, *levels[i]))
        for doc, text_spans in zip(docs, spans, strict=True)
        for i in general
    ]
    simhashes = iter(_span_simhashes(groups))
    computed: list[list[tuple[list[int], list[int]]]] = []
    for _ in texts:
        per_level: list[tuple[list[int], list[int]]] = [([], [])] * len(levels)
        for i in general:
            per_level[i] = next(simhashes)
        computed.append(per_level)
    for i in quick:
        scheme = levels[i][0]
        if stems is None or ANCHOR_WORDS - scheme.n + 1 < scheme.min_tokens:
            continue
        for per_level, values in zip(computed, _anchor_simhashes(stems, firsts, scheme.n), strict=True):
            per_level[i] = (list(range(values.size)), values.tolist())
    return [
        _rows(levels, text_spans, per_level) for text_spans, per_level in zip(spans, computed, strict=True)
    ]


def _pieces(doc: _Tokens, spans: dict[str, list[Span]], scheme: Scheme, level: str) -> list[np.ndarray]:
    """The token hashes ``scheme`` reads in each of a text's spans at ``level``."""
    return [doc.hashes_in(span, scheme.skeleton, scheme.stems) for span in spans[level]]


def _level_spans(
    text: str, doc: _Tokens, firsts: np.ndarray, schemes: Sequence[Scheme]
) -> dict[str, list[Span]]:
    spans = {"document": [Span(0, len(text), text)]}
    if any("paragraph" in s.levels for s in schemes):
        spans["paragraph"] = paragraphs(text)
    if any("sentence" in s.levels for s in schemes):
        spans["sentence"] = sentences(text)
    if any("anchor" in s.levels for s in schemes):
        spans["anchor"] = _anchor_spans(text, doc, firsts)
    return spans


def _rows(
    levels: Sequence[tuple[Scheme, str]],
    spans: dict[str, list[Span]],
    computed: Sequence[tuple[list[int], list[int]]],
) -> list[FingerprintFields]:
    out: list[FingerprintFields] = []
    for (scheme, level), (kept, values) in zip(levels, computed, strict=True):
        level_spans = spans[level]
        name, version = scheme.name, scheme.version
        for i, value in zip(kept, values, strict=True):
            span = level_spans[i]
            out.append((name, version, level, i, span.start, span.end, value))
    return out
