"""The block / permuted-table index finds exactly what a brute-force scan finds."""

from __future__ import annotations

import numpy as np
import pytest

from provenance.index import BlockPlan, MemoryIndex, block_keys


def _flip(value: int, bits: list[int]) -> int:
    for b in bits:
        value ^= 1 << b
    return value


@pytest.mark.parametrize(
    ("k", "blocks", "size"), [(3, 4, 2000), (3, 5, 2000), (3, 6, 2000), (6, 7, 2000), (0, 1, 2000), (3, 4, 3)]
)
def test_index_equals_brute_force(k: int, blocks: int, size: int) -> None:
    rng = np.random.default_rng(11)
    stored = rng.integers(0, 2**63, size=2000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    stored = np.concatenate([stored[: size - 1], stored[:1]])  # one value stored twice
    queries = []
    for i in range(200):  # near variants of stored values plus random ones
        base = int(stored[i % stored.size])
        flips = rng.choice(64, size=int(rng.integers(0, k + 3)), replace=False).tolist()
        queries.append(_flip(base, flips))
    queries += rng.integers(0, 2**63, size=50, dtype=np.uint64).tolist()
    index = MemoryIndex(stored, np.arange(stored.size), BlockPlan(k=k, blocks=blocks))
    q = np.array(queries, dtype=np.uint64)
    q_idx, ids, dist = index.query_batch(q)
    got = set(zip(q_idx.tolist(), ids.tolist(), dist.tolist(), strict=True))
    assert len(got) == q_idx.size  # each pair once, though it may agree on several tables
    xor = q[:, None] ^ stored[None, :]
    d = np.bitwise_count(xor)
    want = {(int(i), int(j), int(d[i, j])) for i, j in zip(*np.nonzero(d <= k), strict=True)}
    assert got == want
    singles = {(i, found, dist) for i, value in enumerate(queries) for found, dist in index.query(value)}
    assert singles == want


def test_empty_index_finds_nothing() -> None:
    index = MemoryIndex(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64), BlockPlan.for_k(3))
    assert index.query(5) == []
    assert all(a.size == 0 for a in index.query_batch(np.array([5], dtype=np.uint64)))


def test_larger_indexes_get_more_tables_with_longer_keys() -> None:
    small, large = BlockPlan.for_size(3, 100_000), BlockPlan.for_size(3, 10_000_000)
    assert (small.blocks, len(small.table_masks)) == (4, 4)
    assert (large.blocks, len(large.table_masks)) == (5, 10)
    assert BlockPlan.for_size(3, 10_000_000).k == 3


def test_single_query_sorted_by_distance() -> None:
    values = np.array([0b1111, 0b0111, 0b0011, 2**64 - 1], dtype=np.uint64)
    index = MemoryIndex(values, np.array([10, 11, 12, 13]), BlockPlan.for_k(3))
    assert index.query(0b1111) == [(10, 0), (11, 1), (12, 2)]


def test_block_keys_cover_all_bits_once_for_k_plus_one_blocks() -> None:
    plan = BlockPlan.for_k(3)
    assert len(plan.table_masks) == 4
    total = 0
    for mask in plan.table_masks:
        assert total & mask == 0
        total |= mask
    assert total == 2**64 - 1
    assert sum(block_keys(2**64 - 1, plan)) == 2**64 - 1


def test_bad_plan_rejected() -> None:
    with pytest.raises(ValueError):
        BlockPlan(k=4, blocks=4)
