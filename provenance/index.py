"""Near-duplicate lookup by Hamming distance: the block / permuted-table scheme.

Manku, Jain & Das Sarma, "Detecting near-duplicates for web crawling" (WWW 2007): split the
64 bits into ``r`` blocks; two fingerprints within distance ``k`` differ in at most ``k``
blocks, so they agree exactly on at least ``r - k`` of them. Each choice of ``r - k`` blocks
is a table keyed by those bits (the masked value); a query probes every table for its own key
and checks the few candidates by popcount. Sorting by the masked value is the paper's
"permute, then sort" without materialising the permutation.

:class:`MemoryIndex` holds the tables as sorted numpy arrays and answers a batch of queries
as one sorted join (``searchsorted`` over the whole batch), not a loop of single lookups.
The same keys (:func:`block_keys`) are stored in SQL for persistent lookups (``store``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import numpy as np

from provenance.fingerprint import BITS


@dataclass(frozen=True)
class BlockPlan:
    """How to cut 64 bits into blocks and which blocks each table keys on."""

    k: int
    blocks: int  # r: number of blocks; r = k + 1 gives k + 1 tables of 64/(k+1) bits

    def __post_init__(self) -> None:
        if not 0 <= self.k < self.blocks <= BITS:
            raise ValueError(f"need 0 <= k < blocks <= 64, got k={self.k}, blocks={self.blocks}")

    @classmethod
    def for_k(cls, k: int) -> BlockPlan:
        return cls(k=k, blocks=k + 1)

    @classmethod
    def for_size(cls, k: int, size: int) -> BlockPlan:
        """The fewest tables whose keys still split ``size`` fingerprints into small buckets.

        ``k + 1`` blocks give ``k + 1`` tables keyed on 64/(k+1) bits; once the index holds
        more than ``_BUCKET`` times 2**key_bits fingerprints, each further block (more tables,
        longer keys) keeps the candidates per query, and so the query time, about flat.
        """
        blocks = k + 1
        while blocks < BITS and size > _BUCKET * 2 ** (BITS * (blocks - k) // blocks):
            blocks += 1
        return cls(k=k, blocks=blocks)

    @cached_property
    def block_masks(self) -> list[int]:
        edges = [round(i * BITS / self.blocks) for i in range(self.blocks + 1)]
        return [((1 << (edges[i + 1] - edges[i])) - 1) << (BITS - edges[i + 1]) for i in range(self.blocks)]

    @cached_property
    def table_blocks(self) -> list[tuple[int, ...]]:
        """For each table, the ``r - k`` blocks that must agree exactly."""
        return list(combinations(range(self.blocks), self.blocks - self.k))

    @cached_property
    def table_masks(self) -> list[int]:
        """One mask per table: the union of the ``r - k`` blocks that must agree exactly."""
        masks = []
        for chosen in self.table_blocks:
            mask = 0
            for b in chosen:
                mask |= self.block_masks[b]
            masks.append(mask)
        return masks


def block_keys(value: int, plan: BlockPlan) -> list[int]:
    """The key of ``value`` in each table of ``plan`` (unsigned)."""
    return [value & mask for mask in plan.table_masks]


_BUCKET = 64  # fingerprints per bucket of a table key at which another block pays off
_PER_PREFIX = 4  # fingerprints per directory slot aimed at (the candidates a probe checks)


def _fold32(values: np.ndarray) -> np.ndarray:
    """The two halves of each value XORed: a bit of the fold differs only if a bit of the value
    does, so the folds' Hamming distance is a lower bound of the values' own."""
    return ((values >> np.uint64(32)) ^ values).astype(np.uint32)


@dataclass(frozen=True)
class _Table:
    """One permuted table: rows sorted by their compacted key, and a directory on its prefix.

    ``offsets[p]:offsets[p + 1]`` are the rows whose key starts with the ``prefix_bits``-bit
    prefix ``p``: a probe is two array reads, no binary search. The run of candidates is
    screened on ``folds`` (32 bits a row, read in order), and the few that pass are checked
    on their full 64-bit values. Eight bytes a row instead of twelve for a sorted copy of
    the values, and the screen reads half as much.
    """

    fields: tuple[tuple[int, int, int], ...]  # (right shift, width mask, left shift) per block
    key_bits: int
    prefix_bits: int
    folds: np.ndarray  # uint32 fold of each value, sorted by key
    rows: np.ndarray  # position of each value in the index's arrays
    offsets: np.ndarray  # 2**prefix_bits + 1 run boundaries

    def prefix(self, values: np.ndarray) -> np.ndarray:
        key = np.zeros(values.shape, dtype=np.uint64)
        for right, width, left in self.fields:
            key |= ((values >> np.uint64(right)) & np.uint64(width)) << np.uint64(left)
        return (key >> np.uint64(self.key_bits - self.prefix_bits)).astype(np.intp)


def _build_table(values: np.ndarray, plan: BlockPlan, chosen: tuple[int, ...]) -> _Table:
    edges = [round(i * BITS / plan.blocks) for i in range(plan.blocks + 1)]
    widths = [edges[b + 1] - edges[b] for b in chosen]
    key_bits = sum(widths)
    fields, left = [], key_bits
    for b, width in zip(chosen, widths, strict=True):
        left -= width
        fields.append((BITS - edges[b + 1], (1 << width) - 1, left))
    wanted = max(0, (max(values.size, 1) // _PER_PREFIX).bit_length())
    prefix_bits = min(key_bits, wanted, 24)
    empty = np.empty(0, dtype=np.intp)
    prefixes = _Table(tuple(fields), key_bits, prefix_bits, empty, empty, empty).prefix(values)
    order = np.argsort(prefixes, kind="stable")
    counts = np.bincount(prefixes, minlength=1 << prefix_bits)
    del prefixes
    small = values.size < 2**31
    offsets = np.zeros(counts.size + 1, dtype=np.int32 if small else np.int64)
    np.cumsum(counts, out=offsets[1:])
    rows = order.astype(np.int32) if small else order
    del order
    return _Table(tuple(fields), key_bits, prefix_bits, _fold32(values[rows]), rows, offsets)


class MemoryIndex:
    """Fingerprints of one scheme in permuted tables with prefix directories; lookups within ``plan.k``."""

    def __init__(self, values: np.ndarray, ids: np.ndarray, plan: BlockPlan) -> None:
        self.plan = plan
        self.values = np.ascontiguousarray(values, dtype=np.uint64)
        ids = np.asarray(ids)
        fits = ids.size == 0 or (int(ids.min()) >= -(2**31) and int(ids.max()) < 2**31)
        self.ids = np.ascontiguousarray(ids, dtype=np.int32 if fits else np.int64)
        self._tables = [_build_table(self.values, plan, chosen) for chosen in plan.table_blocks]

    def __len__(self) -> int:
        return int(self.values.size)

    def query(self, value: int, k: int | None = None) -> list[tuple[int, int]]:
        """``(id, distance)`` of every stored fingerprint within ``k`` of ``value``, nearest first.

        In plain Python per table (two directory reads and a short run of candidates): for one
        query that beats a round of numpy calls. Batches go through :meth:`query_batch`.
        """
        k = self.plan.k if k is None else k
        folded = ((value >> 32) ^ value) & 0xFFFFFFFF
        found: dict[int, int] = {}
        for table in self._tables:
            key = 0
            for right, width, left in table.fields:
                key |= ((value >> right) & width) << left
            prefix = key >> (table.key_bits - table.prefix_bits)
            lo, hi = table.offsets[prefix : prefix + 2].tolist()
            for fold, row in zip(table.folds[lo:hi].tolist(), table.rows[lo:hi].tolist(), strict=True):
                if (fold ^ folded).bit_count() <= k:  # the screen; then the full check
                    distance = (int(self.values[row]) ^ value).bit_count()
                    if distance <= k:
                        found[row] = distance
        return sorted(((int(self.ids[row]), d) for row, d in found.items()), key=lambda t: (t[1], t[0]))

    def query_batch(
        self, queries: np.ndarray, k: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All pairs within ``k``, as arrays (query index, stored id, distance), one join per table.

        Per table: every query's prefix picks its run of candidates from the directory, the
        runs are laid end to end and checked by popcount in one pass, with no loop per query.
        """
        k = self.plan.k if k is None else k
        if k > self.plan.k:
            raise ValueError(f"index built for k <= {self.plan.k}, asked for {k}")
        queries = np.ascontiguousarray(queries, dtype=np.uint64)
        folds = _fold32(queries)
        found_q: list[np.ndarray] = []
        found_row: list[np.ndarray] = []
        found_dist: list[np.ndarray] = []
        for table in self._tables:
            prefixes = table.prefix(queries)
            by_prefix = np.argsort(prefixes)  # probes in table order: the reads below stream
            prefixes = prefixes[by_prefix]
            lo = table.offsets[prefixes]
            counts = table.offsets[prefixes + 1] - lo
            total = int(counts.sum())
            if total == 0:
                continue
            q_rep = np.repeat(by_prefix, counts)
            pos = np.arange(total, dtype=np.int64) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
            near = np.flatnonzero(np.bitwise_count(table.folds[pos] ^ folds[q_rep]) <= k)
            rows = table.rows[pos[near]]
            q_near = q_rep[near]
            dist = np.bitwise_count(self.values[rows] ^ queries[q_near])
            keep = dist <= k
            found_q.append(q_near[keep])
            found_row.append(rows[keep])
            found_dist.append(dist[keep])
        if not found_q:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        q_all = np.concatenate(found_q).astype(np.int64)
        row_all = np.concatenate(found_row).astype(np.int64)
        # A pair agreeing on several tables is found once per table: keep one of each.
        _, first = np.unique(q_all * self.values.size + row_all, return_index=True)
        dist_all = np.concatenate(found_dist).astype(np.int64)
        return q_all[first], self.ids[row_all[first]].astype(np.int64), dist_all[first]
