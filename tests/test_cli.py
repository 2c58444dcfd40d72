"""End to end through the command line: corpus → audit → JSON report → database."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED_PAGE, SEEDS
from conftest import run_cli as run
from sqlalchemy import func, select

from provenance import store
from provenance.cli import main


def audit_json(capsys: pytest.CaptureFixture[str], db_url: str, *sources: str) -> tuple[int, dict, str]:
    code, out, err = run(capsys, "audit", *sources, "--format", "json", "--db", db_url)
    return code, json.loads(out), err


def count(db_url: str, model: type) -> int:
    factory = store.open_database(db_url)
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_seed_page_on_fresh_database(capsys: pytest.CaptureFixture[str], corpus_db: str) -> None:
    code, report, _ = audit_json(capsys, corpus_db, str(SEED_PAGE))
    assert code == 0
    (doc,) = report["documents"]
    assert doc["status"] == "ok" and doc["match"] is None
    attribution = doc["attribution"]
    assert "AP" in attribution["agencies_detected"]
    assert attribution["agency_credited"] is False
    rules = {f["rule"]: f for f in doc["findings"]}
    assert "AP-NOTICE-FORM" in rules
    assert "Associated Press" in rules["AP-NOTICE-FORM"]["message"]
    assert "instead of" in rules["AP-NOTICE-FORM"]["message"]  # names what differs
    # The fake byline is read, but with no story matched there are no writers to hold it against.
    assert "AP-BYLINE" not in rules
    assert "Dais Johnston" in {n for s in attribution["signals"] for n in s["names"]}


def test_json_report_contract(capsys: pytest.CaptureFixture[str], corpus_db: str) -> None:
    _, report, _ = audit_json(capsys, corpus_db, str(SEED_PAGE))
    assert set(report["run"]) >= {"id", "started", "finished", "tool_version"}
    doc = report["documents"][0]
    assert set(doc) >= {"id", "source", "url", "status", "error", "match", "attribution", "findings"}
    assert set(doc["attribution"]) >= {
        "agency_credited",
        "agencies_detected",
        "byline",
        "dateline",
        "credit_lines",
        "copyright_notices",
    }
    for finding in doc["findings"]:
        assert set(finding) >= {"rule", "severity", "message", "evidence"}
        assert finding["severity"] in ("error", "warning", "info")


def _load_demo_corpus(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, _, err = run(capsys, "corpus", "add", str(SEEDS / "wire"), "--db", db_url)
    assert code == 0, err


def test_demo_pages_get_their_story_derivation_and_findings(
    capsys: pytest.CaptureFixture[str], corpus_db: str
) -> None:
    expected = json.loads((SEEDS / "EXPECTED.json").read_text(encoding="utf-8"))
    _load_demo_corpus(capsys, corpus_db)
    code, report, err = audit_json(capsys, corpus_db, str(SEEDS / "pages"))
    assert code == 0, err
    docs = {Path(d["id"]).name: d for d in report["documents"]}
    problems = []
    for name, want in expected.items():
        doc = docs[name]
        match = doc["match"]
        got_story = match["story_id"] if match else None
        got_derivation = match["derivation"] if match else None
        got_rules = sorted({f["rule"] for f in doc["findings"]})
        if (got_story, got_derivation, got_rules) != (
            want["story_id"],
            want["derivation"],
            sorted(want["rules"]),
        ):
            problems.append(
                f"{name}: got {got_story} {got_derivation} {got_rules}, want "
                f"{want['story_id']} {want['derivation']} {sorted(want['rules'])}"
            )
    assert not problems, "\n".join(problems)


def test_every_match_names_passages_with_offsets(capsys: pytest.CaptureFixture[str], corpus_db: str) -> None:
    _load_demo_corpus(capsys, corpus_db)
    _, report, _ = audit_json(capsys, corpus_db, str(SEEDS / "pages"))
    matched = [d for d in report["documents"] if d["match"]]
    assert matched
    for doc in matched:
        assert doc["match"]["evidence"], doc["id"]
        for passage in doc["match"]["evidence"]:
            assert passage["page"]["end"] > passage["page"]["start"] >= 0
            assert passage["story"]["end"] > passage["story"]["start"] >= 0


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    bad = tmp_path / "bad"
    bad.mkdir()
    paths = {
        "binary": bad / "binary.txt",
        "empty": bad / "empty.txt",
        "utf8": bad / "latin1.txt",
        "jsonl": bad / "pages.jsonl",
        "scripts": bad / "scripts.html",
    }
    paths["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    paths["empty"].write_bytes(b"")
    paths["utf8"].write_bytes("Caf\u00e9 owners in Lyon protest.".encode("latin-1"))
    paths["jsonl"].write_text(
        json.dumps(
            {"id": "good-1", "text": "A perfectly fine page about a local bake sale and its many cakes."}
        )
        + "\n{not json\n"
        + json.dumps(
            {"id": "good-2", "text": "Another fine page about a school play that ran for two nights."}
        )
        + "\n",
        encoding="utf-8",
    )
    paths["scripts"].write_text(
        "<html><head><script>var a=1;</script></head><body><script>x()</script></body></html>"
    )
    return paths


def test_bad_input_is_reported_and_the_rest_is_audited(
    capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path
) -> None:
    paths = _bad_inputs(tmp_path)
    missing = tmp_path / "does-not-exist.html"
    code, out, err = run(
        capsys,
        "audit",
        str(SEED_PAGE),
        *map(str, paths.values()),
        str(missing),
        "--format",
        "json",
        "--db",
        corpus_db,
    )
    assert code == 2
    report = json.loads(out)
    lines = [line for line in err.splitlines() if line.strip()]
    for name in (
        "binary.txt",
        "empty.txt",
        "latin1.txt",
        "pages.jsonl:2",
        "scripts.html",
        "does-not-exist.html",
    ):
        assert sum(name in line for line in lines[:-1]) == 1, (name, lines)
    assert len(lines) == 7  # one line an unreadable input, then the summary explaining exit 2
    assert lines[-1].startswith("provenance: ") and lines[-1].endswith(
        "6 unreadable inputs: failing (exit 2)"
    )
    statuses = {d["id"]: d["status"] for d in report["documents"]}
    assert statuses["good-1"] == statuses["good-2"] == "ok"
    assert statuses[str(SEED_PAGE)] == "ok"
    assert sum(1 for s in statuses.values() if s == "error") == 6
    assert count(corpus_db, store.PageRow) == len(report["documents"])  # errors are saved too


def test_stdin_is_a_source(
    capsys: pytest.CaptureFixture[str], corpus_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = SEED_PAGE.read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, report, _ = audit_json(capsys, corpus_db, "-")
    assert code == 0
    assert report["documents"][0]["id"] == "-"
    assert "AP" in report["documents"][0]["attribution"]["agencies_detected"]


def test_same_audit_twice_records_two_runs_and_keeps_corpus(
    capsys: pytest.CaptureFixture[str], corpus_db: str
) -> None:
    _load_demo_corpus(capsys, corpus_db)
    stories = count(corpus_db, store.StoryRow)
    fingerprints = count(corpus_db, store.FingerprintRow)
    _, first, _ = audit_json(capsys, corpus_db, str(SEEDS / "pages"))
    _, second, _ = audit_json(capsys, corpus_db, str(SEEDS / "pages"))
    assert first["run"]["id"] != second["run"]["id"]
    assert count(corpus_db, store.RunRow) == 2
    assert count(corpus_db, store.StoryRow) == stories
    assert count(corpus_db, store.FingerprintRow) == fingerprints


def test_adding_the_corpus_twice_keeps_one_copy(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    _load_demo_corpus(capsys, db_url)
    stories = count(db_url, store.StoryRow)
    fingerprints = count(db_url, store.FingerprintRow)
    keys = count(db_url, store.BlockKeyRow)
    code, _, err = run(capsys, "corpus", "add", str(SEEDS / "wire"), "--db", db_url)
    assert code == 0
    assert "0 added" in err
    assert (
        count(db_url, store.StoryRow),
        count(db_url, store.FingerprintRow),
        count(db_url, store.BlockKeyRow),
    ) == (
        stories,
        fingerprints,
        keys,
    )


def test_readding_a_story_id_updates_it(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "one.jsonl"
    text = "WASHINGTON (AP) - The Senate passed a bill on Tuesday to fund road repairs in all fifty states."
    path.write_text(json.dumps({"id": "s1", "agency": "AP", "text": text}) + "\n")
    run(capsys, "corpus", "add", str(path), "--db", db_url)
    path.write_text(
        json.dumps({"id": "s1", "agency": "AP", "text": text + " It now goes to the House."}) + "\n"
    )
    code, _, err = run(capsys, "corpus", "add", str(path), "--db", db_url)
    assert code == 0 and "1 updated" in err
    factory = store.open_database(db_url)
    with factory() as session:
        (row,) = session.scalars(select(store.StoryRow)).all()
        assert row.text.endswith("House.")


def test_fail_on_and_check_exit_codes(capsys: pytest.CaptureFixture[str], corpus_db: str) -> None:
    assert run(capsys, "audit", str(SEED_PAGE), "--db", corpus_db)[0] == 0
    assert run(capsys, "audit", str(SEED_PAGE), "--fail-on", "error", "--db", corpus_db)[0] == 1
    assert run(capsys, "check", str(SEED_PAGE), "--db", corpus_db)[0] == 1
    clean = Path("clean.txt")
    clean.write_text("The school fair raised money for new library books on Saturday afternoon.\n")
    assert run(capsys, "check", str(clean), "--db", corpus_db)[0] == 0


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["audit", "--format", "nope", "x", "--db", db_url])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_output_file(capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code, stdout, _ = run(
        capsys, "audit", str(SEED_PAGE), "--format", "json", "--output", str(out), "--db", corpus_db
    )
    assert code == 0 and stdout == ""
    assert json.loads(out.read_text())["documents"][0]["status"] == "ok"


def test_interrupted_run_keeps_finished_pages_and_nothing_half_written(
    capsys: pytest.CaptureFixture[str], corpus_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_demo_corpus(capsys, corpus_db)
    real_save = store.save_result
    calls = {"n": 0}

    def save_then_die(session, run_id, result):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        row = real_save(session, run_id, result)
        if calls["n"] == 3:
            session.flush()  # the third page is half-written inside its transaction…
            raise KeyboardInterrupt  # …when the run is interrupted
        return row

    monkeypatch.setattr(store, "save_result", save_then_die)
    assert main(["audit", str(SEEDS / "pages"), "--db", corpus_db]) == 130  # as a shell reports SIGINT
    assert "interrupted" in capsys.readouterr().err
    assert count(corpus_db, store.PageRow) == 2
    factory = store.open_database(corpus_db)
    with factory() as session:
        page_ids = set(session.scalars(select(store.PageRow.id)))
        finding_pages = set(session.scalars(select(store.FindingRow.page_id)))
        match_pages = set(session.scalars(select(store.MatchRow.page_id)))
    assert finding_pages <= page_ids and match_pages <= page_ids


def test_module_and_console_script_entry_points(tmp_path: Path, corpus_db: str) -> None:
    for cmd in ([sys.executable, "-m", "provenance"], [str(Path(sys.executable).parent / "provenance")]):
        if not Path(cmd[0]).exists():
            continue
        proc = subprocess.run(
            [*cmd, "check", str(SEED_PAGE), "--db", corpus_db], capture_output=True, text=True
        )
        assert proc.returncode == 1, proc.stderr
        assert "AP-CREDIT" in proc.stdout


def test_versions_of_one_story_are_grouped_and_reported_once(
    capsys: pytest.CaptureFixture[str], corpus_db: str
) -> None:
    _load_demo_corpus(capsys, corpus_db)
    factory = store.open_database(corpus_db)
    with factory() as session:
        groups = {row.external_id: row.version_group for row in session.scalars(select(store.StoryRow))}
    assert groups["ap-2024-0007"] == groups["ap-2024-0007-v2"] is not None
    others = [g for sid, g in groups.items() if not sid.startswith(("ap-2024-0007", "urn:newsml:apnews.com"))]
    assert all(g is None for g in others)  # the AP and Reuters reports of one event are not versions
    kill = "urn:newsml:apnews.com:20240516:hartwell-derailment"
    assert groups[f"{kill}#v1"] == groups[f"{kill}#v2"] is not None  # a kill is a version of its story
    _, report, _ = audit_json(capsys, corpus_db, str(SEEDS / "pages" / "ap-update-copy.html"))
    match = report["documents"][0]["match"]
    assert match["story_id"] == "ap-2024-0007-v2" and match["versions"] == ["ap-2024-0007"]
    assert report["documents"][0]["matches"] == [match]  # the first version is not a second story
