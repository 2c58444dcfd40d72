"""Issue 15: ``audit --jobs N`` judges pages in worker processes and reports exactly what
``--jobs 1`` reports, in the same order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEEDS, run_cli

from provenance import audit, workers


def _documents(out: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(out)["documents"]


def _timeless(value: object) -> object:
    """The report without ``fetched_at`` (when each file was read: two runs differ by it)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if k != "fetched_at"}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def test_two_workers_report_what_one_process_reports(
    corpus_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "PARALLEL_AFTER", 3)  # the rest of the demo pages go to the workers
    monkeypatch.setattr(workers, "TASK", 2)
    pages = str(SEEDS / "pages")
    runs = {}
    for jobs in ("1", "2"):
        code, out, _ = run_cli(capsys, "audit", pages, "--db", corpus_db, "--format", "json", "--jobs", jobs)
        runs[jobs] = (code, _timeless(_documents(out)))
    assert runs["1"] == runs["2"]
    assert len(runs["2"][1]) == len(list(Path(pages).iterdir())) > 3


def test_workers_keep_each_page_error_in_its_place(
    corpus_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "PARALLEL_AFTER", 1)
    monkeypatch.setattr(workers, "TASK", 1)
    for name, content in (("a.txt", "First page, plain text."), ("b.html", ""), ("c.txt", "Third page.")):
        (tmp_path / name).write_text(content)
    code, out, err = run_cli(
        capsys, "audit", str(tmp_path), "--db", corpus_db, "--format", "json", "--jobs", "2"
    )
    assert code == 2 and "b.html: empty file" in err
    assert [(Path(d["source"]).name, d["status"]) for d in _documents(out)] == [
        ("a.txt", "ok"),
        ("b.html", "error"),
        ("c.txt", "ok"),
    ]


def test_jobs_must_be_a_whole_number(corpus_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli(capsys, "audit", str(SEEDS / "pages"), "--db", corpus_db, "--jobs", "0")
    assert exit_info.value.code == 2
