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

    @cached_property
    def block_masks(self) -> list[int]:
        edges = [round(i * BITS / self.blocks) for i in range(self.blocks + 1)]
        return [((1 << (edges[i + 1] - edges[i])) - 1) << (BITS - edges[i + 1]) for i in range(self.blocks)]

    @cached_property
    def table_masks(self) -> list[int]:
        """One mask per table: the union of the ``r - k`` blocks that must agree exactly."""
        masks = []
        for chosen in combinations(range(self.blocks), self.blocks - self.k):
            mask = 0
            for b in chosen:
                mask |= self.block_masks[b]
            masks.append(mask)
        return masks


def block_keys(value: int, plan: BlockPlan) -> list[int]:
    """The key of ``value`` in each table of ``plan`` (unsigned)."""
    return [value & mask for mask in plan.table_masks]


def popcount64(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).astype(np.int64)


class MemoryIndex:
    """Fingerprints of one scheme in sorted, masked tables; lookups within ``plan.k``."""

    def __init__(self, values: np.ndarray, ids: np.ndarray, plan: BlockPlan) -> None:
        self.plan = plan
        self.values = np.ascontiguousarray(values, dtype=np.uint64)
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self._tables: list[tuple[np.uint64, np.ndarray, np.ndarray]] = []
        for mask in plan.table_masks:
            m = np.uint64(mask)
            keys = self.values & m
            order = np.argsort(keys, kind="stable")
            self._tables.append((m, keys[order], order.astype(np.int64)))

    def __len__(self) -> int:
        return int(self.values.size)

    def query(self, value: int, k: int | None = None) -> list[tuple[int, int]]:
        """``(id, distance)`` of every stored fingerprint within ``k`` of ``value``.

        One binary search per table on the scalar key: a single lookup costs a few numpy
        calls per table, however large the index.
        """
        k = self.plan.k if k is None else k
        q = np.uint64(value)
        found: dict[int, int] = {}
        for mask, keys, order in self._tables:
            key = q & mask
            lo = int(keys.searchsorted(key, "left"))
            hi = int(keys.searchsorted(key, "right"))
            if hi == lo:
                continue
            rows = order[lo:hi]
            dist = np.bitwise_count(self.values[rows] ^ q)
            for row, d in zip(rows[dist <= k].tolist(), dist[dist <= k].tolist(), strict=True):
                found[row] = d
        return sorted(((int(self.ids[row]), d) for row, d in found.items()), key=lambda t: (t[1], t[0]))

    def query_batch(
        self, queries: np.ndarray, k: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All pairs within ``k``, as arrays (query index, stored id, distance), one join per table."""
        k = self.plan.k if k is None else k
        if k > self.plan.k:
            raise ValueError(f"index built for k <= {self.plan.k}, asked for {k}")
        queries = np.ascontiguousarray(queries, dtype=np.uint64)
        found_q: list[np.ndarray] = []
        found_row: list[np.ndarray] = []
        for mask, keys, order in self._tables:
            qkeys = queries & mask
            lo = np.searchsorted(keys, qkeys, side="left")
            hi = np.searchsorted(keys, qkeys, side="right")
            counts = hi - lo
            total = int(counts.sum())
            if total == 0:
                continue
            q_rep = np.repeat(np.arange(queries.size, dtype=np.int64), counts)
            starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
            pos = np.arange(total, dtype=np.int64) + starts
            rows = order[pos]
            dist = popcount64(queries[q_rep] ^ self.values[rows])
            keep = dist <= k
            found_q.append(q_rep[keep])
            found_row.append(rows[keep])
        if not found_q:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        q_all = np.concatenate(found_q)
        row_all = np.concatenate(found_row)
        pair = np.unique(np.stack([q_all, row_all]), axis=1)  # a pair may agree on several tables
        q_idx, rows = pair[0], pair[1]
        dist = popcount64(queries[q_idx] ^ self.values[rows])
        return q_idx, self.ids[rows], dist
