"""GitHub Actions workflow commands: findings as annotations on the pull request, no upload step.

Printed to a workflow step's output, each ``::error file=…,line=…,title=…::message`` line
becomes an annotation on that file and line. One command per finding; suppressed findings are
left out (they are accepted, and annotations cannot be dismissed); unreadable inputs are
``::error`` commands too; a plain summary line ends the output.

Escaping is exactly that of the Actions toolkit (``@actions/core`` ``escapeData`` and
``escapeProperty``). It is a security boundary, not cosmetics: messages and evidence quote
third-party pages, and an unescaped newline would let a page start its own workflow command
(``::add-mask::``, ``::stop-commands::``…) in the job's log.

A page read from a URL or standard input is no file in the repository, so its commands carry
no ``file`` property and name the page in the message instead; a JSONL record is annotated
on its line in the ``.jsonl`` file (the finding's own line counts within the record's text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from provenance.model import Finding, PageResult
from provenance.report import AuditReport, summary_line

COMMANDS: dict[str, str] = {"error": "error", "warning": "warning", "info": "notice"}

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_JSONL_RECORD = re.compile(r"^(?P<path>.+\.jsonl):(?P<line>\d+)$", re.IGNORECASE)
_STDIN = "-"


def escape_data(value: str) -> str:
    """``escapeData`` of ``@actions/core``: the message after ``::``."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """``escapeProperty`` of ``@actions/core``: a ``key=value`` property of the command."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line; properties that are None are left out."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def render(report: AuditReport) -> str:
    return "".join(chunks(report))


def chunks(report: AuditReport) -> Iterator[str]:
    """One piece per page (its commands), then the summary line."""
    for page in report.results:
        if page.status == "error":
            path, _ = _file(page)
            yield command("error", f"{page.source}: {page.error}", file=path, title="provenance") + "\n"
            continue
        yield "".join(_finding(page, f) + "\n" for f in page.findings if not f.suppressed)
    yield _summary(report) + "\n"


def _finding(page: PageResult, finding: Finding) -> str:
    path, record_line = _file(page)
    message = finding.message if path is not None else f"{page.url or page.source}: {finding.message}"
    return command(
        COMMANDS[finding.severity],
        message,
        file=path,
        line=record_line or finding.line,
        title=finding.rule,
    )


def _file(page: PageResult) -> tuple[str | None, int | None]:
    """The repository file to annotate (None when the page is not a local file), and a JSONL line."""
    source = page.source
    if _URL.match(source) or source == _STDIN or " -> " in source:
        return None, None
    record = _JSONL_RECORD.match(source)
    if record:
        return record["path"], int(record["line"])
    return source, None


def _summary(report: AuditReport) -> str:
    return f"provenance: {summary_line(report)}"
