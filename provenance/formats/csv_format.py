"""CSV: one flat table of findings, for spreadsheets and ad-hoc scripts.

Editors and compliance staff sort and filter findings in a spreadsheet; a flat table with one
row per finding is what they can do that with. Every page appears — a page with no findings
(or an unreadable one) gets a single row with empty rule columns — so the row count never
hides a page. The columns are fixed (see :data:`COLUMNS`) and the page and match columns repeat
on each of a page's rows, so any row stands on its own after filtering.

Rows end in ``\\n``, not the ``csv`` module's ``\\r\\n``: the command line writes reports in
text mode, which turns ``\\n`` into the platform's line ending (``\\r\\n`` would become
``\\r\\r\\n`` on Windows). Cell values are written as found, quotes and newlines quoted by
the ``csv`` module; nothing is rewritten to defuse spreadsheet formulas, so a cell that
starts with ``=`` stays exactly what the page said.
"""

from __future__ import annotations

import csv
import io

from provenance.model import Finding, PageResult
from provenance.report import AuditReport

COLUMNS: tuple[str, ...] = (
    "source",
    "id",
    "url",
    "status",
    "error",
    "story_id",
    "agency",
    "derivation",
    "coverage",
    "rule",
    "severity",
    "line",
    "message",
    "evidence",
    "suppressed",
)


def render(report: AuditReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for page in report.results:
        base = _page_columns(page)
        if not page.findings:
            writer.writerow(base)
        for finding in page.findings:
            writer.writerow(base | _finding_columns(finding))
    return out.getvalue()


def _page_columns(page: PageResult) -> dict[str, str]:
    m = page.match
    return {
        "source": page.source,
        "id": page.page_id,
        "url": page.url or "",
        "status": page.status,
        "error": page.error or "",
        "story_id": m.story.id if m else "",
        "agency": m.story.agency if m else "",
        "derivation": m.derivation if m else "",
        "coverage": repr(m.coverage) if m else "",
    }


def _finding_columns(finding: Finding) -> dict[str, str]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "line": str(finding.line) if finding.line is not None else "",
        "message": finding.message,
        "evidence": finding.evidence,
        "suppressed": "true" if finding.suppressed else "false",
    }
