"""Candidate retrieval: which stories are worth aligning against a page.

A story is nominated when, under some scheme, enough of its fingerprints lie within that
scheme's Hamming threshold of the page's: one near document or paragraph fingerprint
(``shingle3``), or two near sentence skeletons (``skeleton3``, spin-robust). Candidates are
ranked by how many near fingerprints they have, and only the best few are verified, which
bounds the alignment work per page however large the corpus.

:class:`CorpusIndex` answers in memory (one :class:`~provenance.index.MemoryIndex` per
scheme, the whole batch of a page's fingerprints in one sorted join); the database answers
the same question through its block-key tables (``lookup.near_fingerprints``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from provenance.fingerprint import SCHEME_BY_KEY, Fingerprint
from provenance.index import BlockPlan, MemoryIndex

MAX_CANDIDATES = 20

Hits = dict[int, dict[str, int]]  # story -> scheme key -> near fingerprints


def is_candidate(hits: dict[str, int], available: dict[str, int] | None = None) -> bool:
    """Enough near fingerprints under at least one scheme.

    ``available`` counts the page's own fingerprints per scheme: a short page with a single
    sentence fingerprint cannot have two near ones, so one is enough there.
    """
    for key, n in hits.items():
        scheme = SCHEME_BY_KEY.get(key)
        if scheme is None:
            continue
        need = scheme.min_hits if available is None else max(1, min(scheme.min_hits, available.get(key, 0)))
        if n >= need:
            return True
    return False


def select(hits: Hits, fingerprints: Sequence[Fingerprint] = (), limit: int = MAX_CANDIDATES) -> list[int]:
    """The stories worth verifying, most near fingerprints first (at most ``limit``)."""
    available = Counter(fp.scheme_key for fp in fingerprints) if fingerprints else None
    chosen = [story for story, counts in hits.items() if is_candidate(counts, available)]
    chosen.sort(key=lambda story: (-sum(hits[story].values()), story))
    return chosen[:limit]


class CorpusIndex:
    """Every fingerprint of a corpus, one in-memory block index per scheme."""

    def __init__(self, entries: Iterable[tuple[int, Sequence[Fingerprint]]]) -> None:
        values: dict[str, list[int]] = defaultdict(list)
        owners: dict[str, list[int]] = defaultdict(list)
        for story, fingerprints in entries:
            for fp in fingerprints:
                values[fp.scheme_key].append(fp.value)
                owners[fp.scheme_key].append(story)
        self._build(
            {key: np.array(vals, dtype=np.uint64) for key, vals in values.items()},
            {key: np.array(ids, dtype=np.int64) for key, ids in owners.items()},
        )

    @classmethod
    def from_arrays(cls, values: Mapping[str, np.ndarray], owners: Mapping[str, np.ndarray]) -> CorpusIndex:
        """From each scheme's fingerprint values and their stories' ids, as arrays (no objects:
        what a benchmark of millions of fingerprints can afford)."""
        index = cls.__new__(cls)
        index._build(values, owners)
        return index

    def _build(self, values: Mapping[str, np.ndarray], owners: Mapping[str, np.ndarray]) -> None:
        self._owners = dict(owners)
        self._indexes = {
            key: MemoryIndex(
                vals,
                np.arange(vals.size, dtype=np.int64),
                BlockPlan.for_size(SCHEME_BY_KEY[key].k, vals.size),
            )
            for key, vals in values.items()
            if key in SCHEME_BY_KEY
        }

    def __len__(self) -> int:
        return sum(len(index) for index in self._indexes.values())

    def near(self, fingerprints: Sequence[Fingerprint]) -> Hits:
        """For each story: how many of its fingerprints are near one of ``fingerprints``, per scheme."""
        hits: Hits = defaultdict(lambda: defaultdict(int))
        by_scheme: dict[str, list[int]] = defaultdict(list)
        for fp in fingerprints:
            by_scheme[fp.scheme_key].append(fp.value)
        for key, queries in by_scheme.items():
            index = self._indexes.get(key)
            if index is None:
                continue
            _, rows, _ = index.query_batch(np.array(queries, dtype=np.uint64))
            for story in self._owners[key][np.unique(rows)].tolist():
                hits[story][key] += 1
        return {story: dict(counts) for story, counts in hits.items()}
