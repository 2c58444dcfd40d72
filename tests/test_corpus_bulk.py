"""Bulk corpus loading on SQLite and PostgreSQL: batched inserts, re-adds, versions, bad lines.

``corpus add`` writes each batch with a few multi-row statements per table; these tests shrink
the batch and the statement sizes so a handful of stories crosses every boundary (several
batches, several INSERT chunks, several IN lists) and check what lands in the database row
for row: every fingerprint, every block key, no duplicates, versions grouped within and
across batches.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from provenance import corpus, corpus_store, store, workers
from provenance.corpus import add_stories
from provenance.fingerprint import SCHEME_BY_KEY, fingerprint_text, to_signed, to_unsigned
from provenance.index import BlockPlan, block_keys
from provenance.model import InputError, Story
from provenance.packs import RulePack


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 3 stories, IN lists of 2 ids: every boundary is crossed."""
    monkeypatch.setattr(corpus, "BATCH", 3)
    monkeypatch.setattr(corpus, "WRITE_BATCH", 3)
    monkeypatch.setattr(store, "_CHUNK", 2)
    monkeypatch.setattr(corpus_store, "_CHUNK", 2)


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "bcdfghklmnprstvz"
    vowels = "aeiou"
    return ["".join(rng.choice(letters) + rng.choice(vowels) for _ in range(3)) for _ in range(400)]


RNG = random.Random(20250107)
WORDS = _vocabulary(RNG)


def paragraph(rng: random.Random) -> str:
    sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(3)]
    return " ".join(sentences)


def body(rng: random.Random, paragraphs: int = 3) -> str:
    return "\n\n".join(paragraph(rng) for _ in range(paragraphs))


def write_jsonl(path: Path, records: list[dict[str, str] | str]) -> str:
    """One line per record (a str is written as it is: a deliberately broken line)."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return str(path)


def record(
    story_id: str, text: str, agency: str = "AP", published: str = "2024-05-06T10:00:00"
) -> dict[str, str]:
    return {"id": story_id, "agency": agency, "text": text, "published": published}


def tables_of(scheme: str, version: int) -> int:
    """Block tables (so key rows) per fingerprint of a scheme: k + 1."""
    return len(BlockPlan.for_k(SCHEME_BY_KEY[f"{scheme}/{version}"].k).table_masks)


def counts(factory) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (store.StoryRow, store.FingerprintRow, store.BlockKeyRow)
        )


def stored_fingerprints(factory) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Fingerprint values per story id, sorted."""
    with factory() as session:
        rows = session.execute(
            select(store.StoryRow.external_id, store.FingerprintRow.value).join(
                store.FingerprintRow, store.FingerprintRow.story_id == store.StoryRow.id
            )
        ).all()
    found: dict[str, list[int]] = defaultdict(list)
    for external_id, value in rows:
        found[external_id].append(to_unsigned(value))
    return {k: sorted(v) for k, v in found.items()}


def groups(factory) -> dict[str, int | None]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return dict(session.execute(select(store.StoryRow.external_id, store.StoryRow.version_group)).all())


def test_many_batches_store_every_fingerprint_with_all_its_block_keys(
    db_url: str, tmp_path: Path, packs: list[RulePack], small_batches: None
) -> None:
    rng = random.Random(1)
    texts = {f"ap-{n}": body(rng) for n in range(8)}
    source = write_jsonl(tmp_path / "s.jsonl", [record(i, t) for i, t in texts.items()])
    factory = store.open_database(db_url)

    result = add_stories(factory, [source], packs)

    assert (result.added, result.updated, result.unchanged, result.errors) == (8, 0, 0, [])
    expected = {i: sorted(fp.value for fp in fingerprint_text(t)) for i, t in texts.items()}
    assert stored_fingerprints(factory) == expected
    assert sum(map(len, expected.values())) > 7 * 3  # more than one INSERT chunk per batch
    with factory() as session:
        fingerprints = session.execute(
            select(
                store.FingerprintRow.id,
                store.FingerprintRow.scheme,
                store.FingerprintRow.scheme_version,
                store.FingerprintRow.value,
            )
        ).all()
        keys: dict[int, list[tuple[int, int, str, int]]] = defaultdict(list)
        for fp_id, table_no, key, scheme, version in session.execute(
            select(
                store.BlockKeyRow.fingerprint_id,
                store.BlockKeyRow.table_no,
                store.BlockKeyRow.key,
                store.BlockKeyRow.scheme,
                store.BlockKeyRow.scheme_version,
            )
        ):
            keys[fp_id].append((table_no, key, scheme, version))
    for fp_id, scheme, version, value in fingerprints:
        plan = BlockPlan.for_k(SCHEME_BY_KEY[f"{scheme}/{version}"].k)
        want = [
            (t, to_signed(k), scheme, version) for t, k in enumerate(block_keys(to_unsigned(value), plan))
        ]
        assert len(want) == SCHEME_BY_KEY[f"{scheme}/{version}"].k + 1
        assert sorted(keys[fp_id]) == want  # every table, each keyed on this fingerprint's own value
    assert counts(factory) == (
        8,
        len(fingerprints),
        sum(tables_of(scheme, version) for _, scheme, version, _ in fingerprints),
    )


def test_adding_again_changes_nothing_and_an_edited_story_gets_new_fingerprints(
    db_url: str, tmp_path: Path, packs: list[RulePack], small_batches: None
) -> None:
    rng = random.Random(2)
    texts = {f"ap-{n}": body(rng) for n in range(7)}
    source = write_jsonl(tmp_path / "s.jsonl", [record(i, t) for i, t in texts.items()])
    factory = store.open_database(db_url)
    add_stories(factory, [source], packs)
    before, fingerprints = counts(factory), stored_fingerprints(factory)

    again = add_stories(factory, [source], packs)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 7)
    assert counts(factory) == before and stored_fingerprints(factory) == fingerprints

    edited = dict(texts, **{"ap-4": body(rng)})  # a new text for one story, in the middle of a batch
    retitled = [record(i, t) | {"title": f"Title {i}"} for i, t in edited.items()]
    result = add_stories(factory, [write_jsonl(tmp_path / "e.jsonl", retitled)], packs)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 6)
    now = stored_fingerprints(factory)
    assert now["ap-4"] == sorted(fp.value for fp in fingerprint_text(edited["ap-4"]))  # replaced, none left
    assert {k: v for k, v in now.items() if k != "ap-4"} == {
        k: v for k, v in fingerprints.items() if k != "ap-4"
    }
    n_fps = sum(map(len, now.values()))
    n_keys = sum(
        tables_of(fp.scheme, fp.version) for text in edited.values() for fp in fingerprint_text(text)
    )
    assert counts(factory) == (7, n_fps, n_keys)
    with factory() as session:
        titles = dict(session.execute(select(store.StoryRow.external_id, store.StoryRow.title)).all())
    assert titles == {i: f"Title {i}" for i in texts}  # unchanged texts still take the new fields


def test_an_id_twice_in_one_batch_is_one_story(db_url: str, tmp_path: Path, packs: list[RulePack]) -> None:
    rng = random.Random(3)
    first, second = body(rng), body(rng)
    source = write_jsonl(
        tmp_path / "s.jsonl",
        [record("ap-1", first), record("ap-2", first + "\n\nMore."), record("ap-1", second)],
    )
    factory = store.open_database(db_url)
    result = add_stories(factory, [source], packs)
    assert (result.added, result.updated, result.unchanged) == (2, 1, 0)
    assert stored_fingerprints(factory)["ap-1"] == sorted(fp.value for fp in fingerprint_text(second))
    assert counts(factory)[0] == 2


def test_versions_are_grouped_within_a_batch_and_across_batches(
    db_url: str, tmp_path: Path, packs: list[RulePack], small_batches: None
) -> None:
    rng = random.Random(4)
    core = [paragraph(rng) for _ in range(3)]
    first = "\n\n".join(core)
    update = "\n\n".join([*core, paragraph(rng)])  # the same story with a paragraph added
    later = "\n\n".join([paragraph(rng), *core[1:], paragraph(rng)])  # a new top, two paragraphs kept
    other = [body(rng) for _ in range(4)]
    records = [
        record("ap-1", first, published="2024-05-06T10:00:00"),
        record("ap-1-v2", update, published="2024-05-06T12:00:00"),  # same batch as ap-1
        record("ap-x", other[0]),
        record("reuters-1", update, agency="Reuters"),  # same text, another agency: not a version
        record("ap-y", other[1]),
        record("ap-z", other[2]),
        record("ap-1-v3", later, published="2024-05-07T08:00:00"),  # two batches later
        record("ap-1-old", update, published="2023-01-01T00:00:00"),  # far in time: another story
    ]
    factory = store.open_database(db_url)
    result = add_stories(factory, [write_jsonl(tmp_path / "s.jsonl", records)], packs)
    assert (result.added, result.errors) == (8, [])

    found = groups(factory)
    assert found["ap-1"] is not None
    assert found["ap-1"] == found["ap-1-v2"] == found["ap-1-v3"]
    assert found["reuters-1"] is None and found["ap-1-old"] is None
    assert found["ap-x"] is found["ap-y"] is found["ap-z"] is None
    with factory() as session:
        lowest = session.scalar(
            select(func.min(store.StoryRow.id)).where(store.StoryRow.external_id.like("ap-1%"))
        )
    assert found["ap-1"] == lowest  # the group is named by its first story's row id


def test_two_groups_merge_when_a_story_joins_both(
    db_url: str, tmp_path: Path, packs: list[RulePack], small_batches: None
) -> None:
    rng = random.Random(5)
    left, right = [paragraph(rng) for _ in range(2)], [paragraph(rng) for _ in range(2)]
    extra = [paragraph(rng) for _ in range(2)]
    records = [
        record("ap-a1", "\n\n".join(left)),
        record("ap-a2", "\n\n".join([*left, extra[0]])),
        record("ap-b1", "\n\n".join(right)),
        record("ap-b2", "\n\n".join([*right, extra[1]])),
    ]
    factory = store.open_database(db_url)
    add_stories(factory, [write_jsonl(tmp_path / "a.jsonl", records)], packs)
    found = groups(factory)
    assert found["ap-a1"] == found["ap-a2"] != found["ap-b1"] == found["ap-b2"]

    bridge = record("ap-ab", "\n\n".join([*left, *right]))  # a roundup reproducing both stories
    add_stories(factory, [write_jsonl(tmp_path / "b.jsonl", [bridge])], packs)
    found = groups(factory)
    assert len(set(found.values())) == 1 and None not in found.values()


def test_a_bad_line_in_the_middle_is_one_error_and_the_rest_loads(
    db_url: str, tmp_path: Path, packs: list[RulePack], small_batches: None
) -> None:
    rng = random.Random(6)
    good = [record(f"ap-{n}", body(rng)) for n in range(6)]
    lines: list[dict[str, str] | str] = [*good[:3], '{"id": "broken", "text": "no closing brace"', *good[3:]]
    factory = store.open_database(db_url)
    result = add_stories(factory, [write_jsonl(tmp_path / "s.jsonl", lines)], packs)
    assert (result.added, len(result.errors)) == (6, 1)
    assert "line 4" in result.errors[0].error and "malformed JSON" in result.errors[0].error
    assert sorted(stored_fingerprints(factory)) == sorted(r["id"] for r in good)


def test_worker_processes_store_what_one_process_stores(
    tmp_path: Path, packs: list[RulePack], monkeypatch: pytest.MonkeyPatch, small_batches: None
) -> None:
    """Past the first few stories, two workers prepare the rest: same rows, same order of errors."""
    monkeypatch.setattr(corpus, "PARALLEL_AFTER", 2)
    monkeypatch.setattr(corpus, "TASK", 3)
    sent: list[int] = []
    real_chunks = workers.chunks

    def counted_chunks(items, size):  # type: ignore[no-untyped-def]
        for task in real_chunks(items, size):
            sent.append(len(task))
            yield task

    monkeypatch.setattr(workers, "chunks", counted_chunks)
    rng = random.Random(7)
    core = [paragraph(rng) for _ in range(3)]
    lines: list[dict[str, str] | str] = [record(f"ap-{n}", body(rng)) for n in range(9)]
    lines[6] = "not json"
    lines += [record("ap-v1", "\n\n".join(core)), record("ap-v2", "\n\n".join([*core, paragraph(rng)]))]
    lines.append({"id": "no-agency", "text": body(rng)})  # an error found in a worker
    source = write_jsonl(tmp_path / "s.jsonl", lines)
    results = {}
    for jobs in (1, 2):
        factory = store.open_database(f"sqlite:///{tmp_path / f'jobs{jobs}.db'}")
        heard: list[Story | InputError] = []
        result = add_stories(factory, [source], packs, on_item=heard.append, jobs=jobs)
        results[jobs] = (
            result.added,
            [e.error for e in result.errors],
            [item.id for item in heard],
            stored_fingerprints(factory),
            groups(factory),
        )
    # The 10 items after the first 2 went to the workers; forked workers start at once (all 12).
    assert sent == ([3, 3, 3, 1] if workers.start_method() == "spawn" else [3, 3, 3, 3])
    assert results[2] == results[1]
    added, errors, seen, _, found = results[2]
    assert added == 10 and len(errors) == 2 and "line 7" in errors[0] and "no agency" in errors[1]
    assert len(seen) == 12 and seen[-1] == "no-agency"  # every item heard of, in input order
    assert found["ap-v1"] == found["ap-v2"] is not None


def test_hits_of_a_whole_batch_at_once_equal_one_lookup_per_story() -> None:
    """The batch join that version grouping uses answers as CorpusIndex.near does, story by story."""
    from provenance.fingerprint import SCHEMES, Fingerprint
    from provenance.retrieval import CorpusIndex

    rng = random.Random(8)
    shingle = SCHEMES[0]

    def fp(value: int, position: int) -> Fingerprint:
        return Fingerprint(shingle.name, shingle.version, "paragraph", position, 0, 1, value)

    bases = [rng.getrandbits(64) for _ in range(12)]
    stored = {
        s: [fp(rng.choice(bases) ^ (1 << rng.randrange(64)) * rng.randint(0, 1), i) for i in range(4)]
        for s in range(20)
    }
    queries = {
        100 + q: [fp(rng.choice(bases) ^ (3 << rng.randrange(62)), i) for i in range(3)] for q in range(15)
    }
    queries[200] = []  # a story without version fingerprints
    got = corpus._hits_per_story(stored, queries)
    index = CorpusIndex(stored.items())
    expected = {q: index.near(fps) for q, fps in queries.items()}
    assert {q: {s: dict(c) for s, c in hits.items()} for q, hits in got.items()} == {
        q: hits for q, hits in expected.items() if hits
    }
    assert sum(len(hits) for hits in expected.values()) > 30  # the test has teeth


def test_an_unchanged_input_is_skipped_before_any_work(
    db_url: str, tmp_path: Path, packs: list[RulePack], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: a re-add of an unchanged archive reads it and compares hashes; no story is
    detected, fingerprinted or written again. An edited input, or changed packs, do the work."""
    rng = random.Random(5)
    texts = {f"ap-{n}": body(rng) for n in range(6)}
    source = write_jsonl(tmp_path / "s.jsonl", [record(i, t) for i, t in texts.items()])
    factory = store.open_database(db_url)
    assert add_stories(factory, [source], packs).added == 6
    prepared: list[str] = []
    real_prepare = corpus.prepare

    def counting(items, packs):  # type: ignore[no-untyped-def]
        prepared.extend(item.page.id if not isinstance(item, InputError) else "error" for item in items)
        return real_prepare(items, packs)

    monkeypatch.setattr(corpus, "prepare", counting)
    again = add_stories(factory, [source], packs)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6) and prepared == []

    edited = dict(texts, **{"ap-2": body(rng)})
    result = add_stories(
        factory, [write_jsonl(tmp_path / "e.jsonl", [record(i, t) for i, t in edited.items()])], packs
    )
    assert (result.updated, result.unchanged) == (1, 5) and prepared == ["ap-2"]

    prepared.clear()
    fewer = [p for p in packs if p.id != "PA"]  # other packs read stories otherwise: all again
    result = add_stories(
        factory, [write_jsonl(tmp_path / "f.jsonl", [record(i, t) for i, t in edited.items()])], fewer
    )
    assert len(prepared) == 6 and result.unchanged == 6  # redone, and found the same


def test_every_process_signs_the_same_packs_alike() -> None:
    """The source signature (part of every stored source hash) is the same in any process:
    one that changed with the interpreter's string hashing (the order of a pack's aliases in
    its patterns) made a re-add of an unchanged archive redo every story, but by chance."""
    code = "from provenance import corpus, packs; print(corpus.source_signature(packs.load_packs()))"
    signatures = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(1, 6)
    }
    assert len(signatures) == 1
