"""Two real ``provenance`` processes on one database at once, on SQLite and PostgreSQL.

What must hold: two audits lose no page and duplicate nothing; two overlapping ``corpus add``
leave one copy of each story with exactly its fingerprints and block keys; two processes
migrating a fresh database do not trip over each other; a reader sees a story added
meanwhile entirely or not at all.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SEEDS
from sqlalchemy import func, select

from provenance import lookup, store
from provenance.cli import main
from provenance.fingerprint import SCHEME_BY_KEY, fingerprint_text
from provenance.index import BlockPlan

TIMEOUT = 300


def launch(*argv: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "PROVENANCE_DB"}
    return subprocess.Popen(
        [sys.executable, "-m", "provenance", *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(*procs: subprocess.Popen[str]) -> list[tuple[int, str, str]]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=TIMEOUT)
        results.append((proc.returncode, out, err))
    return results


def count(factory, model: type) -> int:  # type: ignore[no-untyped-def]
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def corpus_counts(factory) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return tuple(count(factory, m) for m in (store.StoryRow, store.FingerprintRow, store.BlockKeyRow))  # type: ignore[return-value]


def test_two_audits_at_once_lose_nothing_and_duplicate_nothing(db_url: str, tmp_path: Path) -> None:
    assert main(["corpus", "add", str(SEEDS / "wire"), "--db", db_url, "-q"]) == 0
    factory = store.open_database(db_url)
    corpus = corpus_counts(factory)
    pages = tmp_path / "site"
    for copy in range(5):  # 55 pages: long enough for the two runs' writes to interleave
        shutil.copytree(SEEDS / "pages", pages / f"copy{copy}")
    expected = sorted(str(p) for p in pages.rglob("*") if p.is_file())

    procs = [
        launch("audit", str(pages), "--db", db_url, "--format", "json", "-q", cwd=tmp_path) for _ in range(2)
    ]
    results = finish(*procs)
    for code, _, err in results:
        assert code == 0, err
    reports = [json.loads(out) for _, out, _ in results]

    assert count(factory, store.RunRow) == 2
    with factory() as session:
        for report in reports:
            run_id = report["run"]["id"]
            run = session.get(store.RunRow, run_id)
            assert run is not None and run.finished is not None and run.pages == len(expected)
            saved = sorted(
                session.scalars(select(store.PageRow.page_id).where(store.PageRow.run_id == run_id))
            )
            assert saved == expected  # every page once, in its own run
            matches = session.scalar(
                select(func.count())
                .select_from(store.MatchRow)
                .join(store.PageRow, store.MatchRow.page_id == store.PageRow.id)
                .where(store.PageRow.run_id == run_id)
            )
            assert matches == run.matches == sum(1 for d in report["documents"] if d["match"])
        assert _verdicts(reports[0]) == _verdicts(reports[1])  # the same answers, side by side
    assert count(factory, store.PageRow) == 2 * len(expected)
    assert corpus_counts(factory) == corpus  # audits never write the corpus


def _verdicts(report: dict) -> list[tuple[str, str, str | None, str | None, list[str]]]:
    """What each page was found to be (not timestamps): status, story, derivation, rules."""
    return sorted(
        (
            d["id"],
            d["status"],
            d["match"]["story_id"] if d["match"] else None,
            d["match"]["derivation"] if d["match"] else None,
            sorted(f["rule"] for f in d["findings"]),
        )
        for d in report["documents"]
    )


WORDS = (
    "council", "harbour", "minister", "budget", "river", "school", "strike", "vote", "court", "storm",
    "rail", "energy", "ministry", "farm", "hospital", "bridge", "election", "police", "museum", "market",
    "festival", "airport", "factory", "forest", "coast", "mayor", "union", "report", "inquiry", "contract",
    "tender", "housing", "transit", "water", "drought", "harvest", "grid", "tariff", "export", "summit",
)  # fmt: skip


def _story_text(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(3):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(3)]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def test_two_overlapping_corpus_adds_leave_one_copy_of_each_story(db_url: str, tmp_path: Path) -> None:
    rng = random.Random(7)
    stories = {f"wire-{n:04d}": _story_text(rng) for n in range(330)}
    ids = list(stories)
    halves = {"a.jsonl": ids[:220], "b.jsonl": ids[110:]}  # 110 in common, over more than one batch
    for name, part in halves.items():
        (tmp_path / name).write_text(
            "".join(json.dumps({"id": i, "agency": "AP", "text": stories[i]}) + "\n" for i in part)
        )
    store.open_database(db_url)  # migrated first: this test is about the corpus race

    results = finish(*(launch("corpus", "add", name, "--db", db_url, cwd=tmp_path) for name in halves))
    added = 0
    for (code, _, err), part in zip(results, halves.values(), strict=True):
        assert code == 0, err
        line = next(line for line in err.splitlines() if line.startswith("corpus:"))
        numbers = [int(w) for w in line.replace(",", " ").split() if w.isdigit()]
        n_added, n_updated, n_unchanged, n_errors = numbers
        assert (n_added + n_unchanged, n_updated, n_errors) == (len(part), 0, 0), line
        added += n_added
    assert added == len(stories)  # each story added by exactly one of the two

    factory = store.open_database(db_url)
    with factory() as session:
        rows = session.execute(select(store.StoryRow.id, store.StoryRow.external_id)).all()
        assert sorted(external for _, external in rows) == sorted(stories)
        per_story = dict(
            session.execute(
                select(store.FingerprintRow.story_id, func.count()).group_by(store.FingerprintRow.story_id)
            ).all()
        )
        duplicates = session.execute(
            select(
                store.FingerprintRow.story_id,
                store.FingerprintRow.scheme,
                store.FingerprintRow.level,
                store.FingerprintRow.position,
            )
            .group_by(
                store.FingerprintRow.story_id,
                store.FingerprintRow.scheme,
                store.FingerprintRow.level,
                store.FingerprintRow.position,
            )
            .having(func.count() > 1)
        ).all()
    assert duplicates == []
    want_keys = 0
    for row_id, external in rows:
        fingerprints = fingerprint_text(stories[external])
        assert per_story[row_id] == len(fingerprints), external
        want_keys += sum(
            len(BlockPlan.for_k(SCHEME_BY_KEY[f.scheme_key].k).table_masks) for f in fingerprints
        )
    assert count(factory, store.BlockKeyRow) == want_keys


def test_two_processes_migrating_a_fresh_database_at_once(db_url: str, tmp_path: Path) -> None:
    results = finish(*(launch("db", "upgrade", "--db", db_url, cwd=tmp_path) for _ in range(2)))
    for code, _, err in results:
        assert code == 0, err
    assert store.current_revision(db_url) == store.head_revision()
    factory = store.open_database(db_url)
    with factory() as session:
        assert (
            session.execute(select(func.count()).select_from(store.Base.metadata.tables["stories"])).scalar()
            == 0
        )


def test_a_story_added_meanwhile_is_seen_whole_or_not_at_all(db_url: str, tmp_path: Path) -> None:
    """An audit's candidate lookup reads one snapshot: another process's commit lands between reads."""
    text = (SEEDS / "wire" / "stories.jsonl").read_text().splitlines()[0]
    (tmp_path / "one.jsonl").write_text(text + "\n")
    story_text = json.loads(text)["text"]
    fingerprints = fingerprint_text(story_text)
    factory = store.open_database(db_url)
    with factory() as reader:
        assert lookup.near_fingerprints(reader, fingerprints) == {}  # the snapshot starts here
        code, _, err = finish(launch("corpus", "add", "one.jsonl", "--db", db_url, cwd=tmp_path))[0]
        assert code == 0, err
        assert lookup.near_fingerprints(reader, fingerprints) == {}  # committed, but not in this snapshot
        assert reader.scalar(select(func.count()).select_from(store.FingerprintRow)) == 0
    with factory() as fresh:
        (hits,) = lookup.near_fingerprints(fresh, fingerprints).values()
        assert sum(hits.values()) == len(fingerprints)  # all of them, at once
