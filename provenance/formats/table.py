"""Table: a plain-text summary for a terminal, one block per page, findings indented beneath."""

from __future__ import annotations

from collections.abc import Iterator

from provenance.model import PageResult
from provenance.report import AuditReport, attribution_dict, summary_line
from provenance.terminal import visible


def _verdict(result: PageResult) -> str:
    if result.status == "error":
        return f"ERROR  {result.error}"
    if result.match is None:
        return "no match"
    m = result.match
    return (
        f"{m.derivation} copy of {m.story.agency} story {m.story.id} "
        f"(coverage {m.coverage:.0%}, verbatim {m.verbatim_share:.0%}, rewritten {m.rewritten_share:.0%})"
    )


def _page_block(result: PageResult) -> list[str]:
    lines = [visible(result.page_id), f"  {visible(_verdict(result))}"]
    if result.status == "ok":
        attribution = attribution_dict(result)
        agencies = ", ".join(attribution["agencies_detected"]) or "none"
        credited = "yes" if attribution["agency_credited"] else "no"
        lines.append(f"  agencies detected: {agencies}; agency credited: {credited}")
    for f in result.findings:
        where = f"line {f.line}: " if f.line else ""
        mark = " (suppressed)" if f.suppressed else ""
        lines.append(f"  {f.severity:<7} {f.rule:<18} {where}{visible(f.message)}{mark}")
    return lines


def render(report: AuditReport) -> str:
    return "".join(chunks(report))


def chunks(report: AuditReport) -> Iterator[str]:
    """The pages with findings or unreadable (every page with ``view.show_clean``: 10,000
    clean pages are 40,000 lines nobody reads), each followed by a blank line, then the
    summary line."""
    for result in report.results:
        if report.view.show_clean or result.findings or result.status == "error":
            yield "\n".join(_page_block(result)) + "\n\n"
    if report.view.summary:
        yield f"run {report.run_id}: {summary_line(report)}\n"
