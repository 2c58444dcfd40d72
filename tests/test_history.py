"""Saved runs: report a run again, list runs, diff two runs, PROV export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli as run

from provenance import history

NOTICE = "Copyright 2024 The Associated Press. All rights reserved."


def _comparable(report: dict) -> list[dict]:
    return [
        {k: v for k, v in d.items() if k != "attribution"}
        | {"attribution": {k: v for k, v in d["attribution"].items() if k != "signals"}}
        for d in report["documents"]
    ]


@pytest.mark.parametrize("batch", [500, 2], ids=["one-batch", "batches-of-2"])
def test_report_of_a_saved_run_equals_the_audit(
    capsys: pytest.CaptureFixture[str],
    site: Path,
    corpus_db: str,
    monkeypatch: pytest.MonkeyPatch,
    batch: int,
) -> None:
    monkeypatch.setattr(history, "REPORT_BATCH", batch)  # read back a few pages at a time
    _, live, _ = run(capsys, "audit", str(site), "--format", "json", "--db", corpus_db)
    code, saved, _ = run(capsys, "report", "latest", "--format", "json", "--db", corpus_db)
    assert code == 0
    live_json, saved_json = json.loads(live), json.loads(saved)
    assert saved_json["run"]["id"] == live_json["run"]["id"]
    assert saved_json["summary"] == live_json["summary"]
    assert len(saved_json["documents"]) == len(live_json["documents"]) > 2
    for a, b in zip(_comparable(live_json), _comparable(saved_json), strict=True):
        for key in ("id", "status", "findings"):
            assert a[key] == b[key], key
        if a["match"]:
            for key in ("story_id", "derivation", "coverage", "evidence", "citation"):
                assert a["match"][key] == b["match"][key], key


def test_runs_and_unknown_run(capsys: pytest.CaptureFixture[str], site: Path, corpus_db: str) -> None:
    run(capsys, "audit", str(site / "ap-spun.txt"), "--db", corpus_db)
    run(capsys, "audit", str(site / "unrelated.txt"), "--db", corpus_db)
    code, out, _ = run(capsys, "runs", "--format", "json", "--db", corpus_db)
    listed = json.loads(out)
    assert code == 0 and [r["pages"] for r in listed] == [1, 1] and listed[0]["id"] > listed[1]["id"]
    code, _, err = run(capsys, "report", "99", "--db", corpus_db)
    assert code == 2 and "no run 99" in err


def test_diff_shows_a_fixed_page_as_resolved(
    capsys: pytest.CaptureFixture[str], site: Path, corpus_db: str
) -> None:
    run(capsys, "audit", str(site), "--db", corpus_db)
    page = site / "ap-verbatim-stripped.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace("By Kevin Marsh, Staff Writer", "By LENA ORTIZ, Associated Press")
    html = html.replace('content="Kevin Marsh"', 'content="Lena Ortiz"')
    html = html.replace("</article>", f"<p>{NOTICE}</p></article>")
    html = html.replace("ELDER RIDGE — ", "ELDER RIDGE (AP) — ", 1)
    page.write_text(html, encoding="utf-8")
    run(capsys, "audit", str(site), "--db", corpus_db)
    code, out, _ = run(capsys, "diff", "latest~1", "latest", "--format", "json", "--db", corpus_db)
    assert code == 0
    result = json.loads(out)
    fixed = next(p for p in result["pages"] if p["id"].endswith("ap-verbatim-stripped.html"))
    assert {f["rule"] for f in fixed["resolved"]} >= {"AP-CREDIT", "AP-NOTICE-MISSING"}
    assert fixed["new"] == []
    assert result["totals"]["new"] == 0 and result["totals"]["unchanged"] > 0
    _, text, _ = run(capsys, "diff", "latest~1", "latest", "--db", corpus_db)
    assert "resolved" in text and "ap-verbatim-stripped.html" in text


def test_prov_json_export(capsys: pytest.CaptureFixture[str], site: Path, corpus_db: str) -> None:
    run(capsys, "audit", str(site / "ap-spun.txt"), str(site / "unrelated.txt"), "--db", corpus_db)
    code, out, _ = run(capsys, "report", "latest", "--format", "prov", "--db", corpus_db)
    doc = json.loads(out)
    assert code == 0
    (derivation,) = doc["wasDerivedFrom"].values()
    assert derivation["prov:usedEntity"] == "story:ap-2024-0003"
    assert derivation["prov:generatedEntity"] in doc["entity"]
    assert derivation["prov:activity"] in doc["activity"]
    assert derivation["provenance:derivation"] == "spun"
    assert doc["entity"][derivation["prov:generatedEntity"]]["provenance:contentHash"]
    (attributed,) = doc["wasAttributedTo"].values()
    assert attributed["prov:agent"] == "agency:AP"
