"""CSV: one flat table of findings, for spreadsheets and ad-hoc scripts.

Editors and compliance staff sort and filter findings in a spreadsheet; a flat table with one
row per finding is what they can do that with. Every page appears — a page with no findings
(or an unreadable one) gets a single row with empty rule columns — so the row count never
hides a page. The columns are fixed (see :data:`COLUMNS`) and the page and match columns repeat
on each of a page's rows, so any row stands on its own after filtering.

Rows end in ``\\n``, not the ``csv`` module's ``\\r\\n``: the command line writes reports in
text mode, which turns ``\\n`` into the platform's line ending (``\\r\\n`` would become
``\\r\\r\\n`` on Windows). Quotes, commas and newlines are quoted by the ``csv`` module (a
row with a carriage return in it has all its cells quoted).

Cells quote third-party pages (evidence, page ids, URLs, error messages), and a spreadsheet
runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV or formula
injection, as OWASP calls it: ``=HYPERLINK(...)`` or ``=cmd|...`` from a hostile page). So a
cell that starts with one of those, or with a tab or a carriage return, is written with a
``'`` before it, which spreadsheets show as text: ``- The Associated Press`` is written
``'- The Associated Press``. A script reading the file gets the ``'`` too: strip it from a cell
that starts with ``'`` followed by one of those characters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads such a cell as a formula


def render(report: AuditReport) -> str:
    return "".join(chunks(report))


def chunks(report: AuditReport) -> Iterator[str]:
    """The header, then one piece per page (its rows)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    # With "\n" rows, the csv module quotes a cell holding "\n" but not one holding a lone
    # "\r", which readers take for a row's end: such a row is written with every cell quoted.
    quoting = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for page in report.results:
        base = _page_columns(page)
        rows = [base | _finding_columns(finding) for finding in page.findings] or [base]
        for row in rows:
            (quoting if any("\r" in value for value in row.values()) else writer).writerow(_defused(row))
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def defuse(value: str) -> str:
    """The cell as a spreadsheet shows it as text: a ``'`` before a formula's first character."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _defused(row: dict[str, str]) -> dict[str, str]:
    return {key: defuse(value) for key, value in row.items()}


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
