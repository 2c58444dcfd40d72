"""Suppressing findings: inline markers in a page, and a baseline file of known findings.

Both let a team adopt the gate on an existing site: an editor marks a page that is fine
(``<!-- provenance: ignore AP-REWRITE licensed rewrite, see contract 12 -->``), and a baseline
records every finding of today so that CI fails only on new ones. Suppressed findings are
still reported and saved, marked with why they were suppressed.

The baseline identifies a finding by its page (source path or URL as given), its rule and
its evidence — not by line numbers or message wording, which move when a page is edited.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from provenance.model import Finding, PageResult, Suppression

MARKER = re.compile(r"<!--\s*provenance:\s*ignore\s+(?P<rules>[A-Za-z0-9*][\w*,-]*)(?P<reason>.*?)-->", re.S)
BASELINE_VERSION = 1


def find_markers(source: str) -> list[Suppression]:
    """Inline markers in HTML or Markdown source, with the line each stands on."""
    out = []
    for m in MARKER.finditer(source):
        rules = tuple(r.strip().upper() for r in m.group("rules").split(",") if r.strip())
        line = source.count("\n", 0, m.start()) + 1
        out.append(Suppression(rules, " ".join(m.group("reason").split()), line))
    return out


def _covers(suppression: Suppression, rule: str) -> bool:
    return any(r in ("*", "ALL") or r == rule.upper() for r in suppression.rules)


def apply_markers(findings: Sequence[Finding], markers: Sequence[Suppression]) -> list[Finding]:
    out = []
    for f in findings:
        marker = next((m for m in markers if _covers(m, f.rule)), None)
        if marker is not None and not f.suppressed:
            f = replace(f, suppressed=True, suppressed_by=f"inline: {marker.reason}".rstrip(": "))
        out.append(f)
    return out


def fingerprint(page: str, finding: Finding) -> str:
    normalized = " ".join(finding.evidence.split()).lower()
    return hashlib.sha256(f"{page}\x00{finding.rule}\x00{normalized}".encode()).hexdigest()[:32]


def load_baseline(path: Path) -> set[str]:
    """Fingerprints of the findings recorded in a baseline file (an absent file is empty)."""
    if not path.exists():
        return set()
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("version") != BASELINE_VERSION:
        raise ValueError(f"{path}: not a provenance baseline (version {data.get('version')!r})")
    return {entry["fingerprint"] for entry in data.get("findings", [])}


def apply_baseline(results: Iterable[PageResult], known: set[str]) -> None:
    """Mark the findings the baseline already records as suppressed (in place)."""
    for result in results:
        result.findings = [
            replace(f, suppressed=True, suppressed_by="baseline")
            if not f.suppressed and fingerprint(result.page_id, f) in known
            else f
            for f in result.findings
        ]


def write_baseline(path: Path, results: Iterable[PageResult]) -> int:
    """Record every finding not suppressed inline; returns how many."""
    entries = [
        {"page": r.page_id, "rule": f.rule, "fingerprint": fingerprint(r.page_id, f), "message": f.message}
        for r in results
        for f in r.findings
        if not f.suppressed_by.startswith("inline")
    ]
    entries.sort(key=lambda e: (e["page"], e["rule"], e["fingerprint"]))
    data = {"version": BASELINE_VERSION, "tool": "provenance", "findings": entries}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)
