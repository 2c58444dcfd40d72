"""Suppressions that suppress nothing, and markers naming no rule, are findings (issue 12).

Like ruff's RUF100: an inline marker or a baseline entry of an audited page that matches no
current finding is ``PROVENANCE-UNUSED-SUPPRESSION`` (info); a marker naming a rule id no
loaded pack defines is ``PROVENANCE-UNKNOWN-RULE`` (error), with the closest known ids.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEEDS
from conftest import run_cli as run

from provenance.model import Finding, Suppression
from provenance.suppress import marker_findings

UNUSED = "PROVENANCE-UNUSED-SUPPRESSION"
UNKNOWN = "PROVENANCE-UNKNOWN-RULE"


def mark(page: Path, marker: str) -> int:
    """Put ``marker`` on a line of its own before ``</body>`` (or at the end); returns its line."""
    text = page.read_text()
    if "</body>" in text:
        text = text.replace("</body>", f"{marker}\n</body>", 1)
    else:
        text = text.rstrip("\n") + f"\n\n{marker}\n"
    page.write_text(text)
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


def report_of(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> tuple[int, list[dict]]:
    code, out, _ = run(capsys, "check", *argv, "--format", "json", "--db", db_url)
    return code, [f for d in json.loads(out)["documents"] for f in d["findings"]]


def test_an_unused_inline_marker_is_an_info_finding_on_its_line(
    capsys: pytest.CaptureFixture[str], site: Path, db_url: str
) -> None:
    page = site / "ap-verbatim-credited.html"  # no finding at all
    line = mark(page, "<!-- provenance: ignore AP-LINK we never link -->")
    code, found = report_of(capsys, db_url, str(page))
    (finding,) = found
    assert finding["rule"] == UNUSED and finding["severity"] == "info" and not finding["suppressed"]
    assert finding["line"] == line
    assert "AP-LINK" in finding["message"] and f"line {line}" in finding["message"]
    assert "can be removed" in finding["message"]
    assert code == 0  # info: the default gate passes
    code, _ = report_of(capsys, db_url, str(page), "--fail-on", "info")
    assert code == 1


def test_a_partly_used_marker_names_the_unused_id(
    capsys: pytest.CaptureFixture[str], site: Path, db_url: str
) -> None:
    page = site / "ap-verbatim-stripped.html"  # AP-CREDIT, AP-NOTICE-MISSING, AP-BYLINE
    line = mark(page, "<!-- provenance: ignore AP-BYLINE,AP-LINK staff byline -->")
    _, found = report_of(capsys, db_url, str(page))
    byline = next(f for f in found if f["rule"] == "AP-BYLINE")
    assert byline["suppressed"] and byline["suppressed_by"] == "inline: staff byline"
    (unused,) = [f for f in found if f["rule"] == UNUSED]
    assert unused["line"] == line and "AP-LINK" in unused["message"] and "AP-BYLINE" not in unused["message"]
    assert "removed from the marker" in unused["message"]


def test_a_used_marker_is_not_reported(capsys: pytest.CaptureFixture[str], site: Path, db_url: str) -> None:
    page = site / "ap-edited.html"  # AP-REWRITE only
    mark(page, "<!-- provenance: ignore AP-REWRITE licensed edit -->")
    code, found = report_of(capsys, db_url, str(page), "--fail-on", "info")
    assert [f["rule"] for f in found] == ["AP-REWRITE"] and found[0]["suppressed"]
    assert code == 0


def test_a_stale_baseline_entry_is_an_info_finding_of_its_page(
    capsys: pytest.CaptureFixture[str], site: Path, db_url: str, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    pages = [str(site / "ap-spun.txt"), str(site / "reuters-stripped.txt")]
    assert (
        run(capsys, "check", *pages, "--baseline", str(baseline), "--update-baseline", "--db", db_url)[0] == 0
    )
    # the Reuters copy is rewritten as the newsroom's own story: its REUTERS-CREDIT entry is stale
    (site / "reuters-stripped.txt").write_bytes((SEEDS / "pages" / "unrelated.txt").read_bytes())
    code, out, _ = run(
        capsys, "check", *pages, "--baseline", str(baseline), "--format", "json", "--db", db_url
    )
    assert code == 0
    docs = {Path(d["id"]).name: d["findings"] for d in json.loads(out)["documents"]}
    (stale,) = docs["reuters-stripped.txt"]
    assert stale["rule"] == UNUSED and stale["severity"] == "info" and stale["line"] is None
    assert "baseline entry REUTERS-CREDIT" in stale["message"] and "can be removed" in stale["message"]
    assert all(f["suppressed_by"] == "baseline" for f in docs["ap-spun.txt"])

    # a page not audited in this run says nothing about its entries
    code, found = report_of(capsys, db_url, pages[0], "--baseline", str(baseline), "--fail-on", "info")
    assert code == 0 and all(f["rule"] != UNUSED for f in found)


def test_a_marker_naming_an_unknown_rule_is_an_error_with_a_hint(
    capsys: pytest.CaptureFixture[str], site: Path, db_url: str
) -> None:
    page = site / "reuters-stripped.txt"  # REUTERS-CREDIT
    line = mark(page, "<!-- provenance: ignore REUTER-CREDIT credited elsewhere -->")
    code, found = report_of(capsys, db_url, str(page))
    (unknown,) = [f for f in found if f["rule"] == UNKNOWN]
    assert unknown["severity"] == "error" and unknown["line"] == line and not unknown["suppressed"]
    assert "REUTER-CREDIT" in unknown["message"] and "did you mean REUTERS-CREDIT" in unknown["message"]
    credit = next(f for f in found if f["rule"] == "REUTERS-CREDIT")
    assert not credit["suppressed"]  # the typo suppressed nothing
    assert not [f for f in found if f["rule"] == UNUSED]  # reported once, as unknown
    assert code == 1


def test_wildcards_are_valid_ids(capsys: pytest.CaptureFixture[str], site: Path, db_url: str) -> None:
    page = site / "reuters-stripped.txt"
    mark(page, "<!-- provenance: ignore ALL reviewed by legal -->")
    code, found = report_of(capsys, db_url, str(page), "--fail-on", "info")
    assert [f["rule"] for f in found] == ["REUTERS-CREDIT"] and found[0]["suppressed"]
    assert code == 0


def test_marker_findings_is_pure_and_counts_the_first_marker_only() -> None:
    """Two markers for one rule: the second changes nothing, so it is the one reported."""
    findings = [Finding("AP-CREDIT", "error", "No credit.")]
    markers = [Suppression(("AP-CREDIT",), "first", 3), Suppression(("*",), "second", 9)]
    (unused,) = marker_findings(findings, markers, {"AP-CREDIT", "AP-LINK"})
    assert unused.rule == UNUSED and unused.line == 9 and "*" in unused.message
    assert marker_findings(findings, markers[:1], {"AP-CREDIT"}) == []
