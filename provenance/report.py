"""The audit report: one run and its page results, and their JSON-ready form.

Every output format renders an :class:`AuditReport`; the dictionaries built here are the
JSON report's contract (``run``, ``documents``, ``match``, ``matches``, ``attribution``,
``findings``) and are also what the database keeps for each page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from provenance.model import Attribution, Finding, Match, PageResult
from provenance.spool import ResultSpool, Tally, tally_of


@dataclass(frozen=True, slots=True)
class View:
    """How a report is shown: the gate its summary explains, and which pages the table lists."""

    fail_on: str | None = None  # the severity that fails the run (check: error); None: no gate
    show_clean: bool = False  # the table lists pages without findings too
    summary: bool = True  # the table ends with the summary line (-q: no)


@dataclass(slots=True)
class AuditReport:
    """One audit run and what it found."""

    run_id: int
    started: datetime
    finished: datetime | None
    tool_version: str
    # A list, or a ResultSpool (on disk) for a run of any size: formats walk it, never keep it.
    results: Sequence[PageResult] = field(default_factory=list)
    view: View = field(default_factory=View)

    def close(self) -> None:
        """Let go of the results' spool (its temporary file), if they are spooled."""
        if isinstance(self.results, ResultSpool):
            self.results.close()

    @property
    def tally(self) -> Tally:
        """The run's counts (kept as results arrive when they are spooled: never a walk)."""
        return tally_of(self.results)

    @property
    def errors(self) -> int:
        """Inputs that could not be read (the JSON ``errors``, "unreadable inputs" elsewhere)."""
        return self.tally.errors

    @property
    def suppressed(self) -> int:
        return self.tally.suppressed

    @property
    def findings(self) -> int:
        """Findings not suppressed: what every format counts as findings."""
        return self.tally.findings

    def findings_at_or_above(self, severity: str) -> int:
        return self.tally.at_or_above(severity)


def exit_code(report: AuditReport) -> int:
    """0 clean, 1 findings at or above the gate, 2 unreadable inputs."""
    if report.errors:
        return 2
    gate = report.view.fail_on
    return 1 if gate and report.findings_at_or_above(gate) else 0


def summary_line(report: AuditReport) -> str:
    """The one summary every format and the command line give, ending with why the exit code
    is what it is: "11 pages, 8 matched, 14 findings (7 error, 7 warning), 0 suppressed, 0
    unreadable inputs; 7 findings at or above error: failing (exit 1)"."""
    tally = report.tally
    by_severity = ", ".join(
        f"{n} {sev}" for sev in ("error", "warning", "info") if (n := tally.live_by_severity.get(sev, 0))
    )
    counts = (
        f"{tally.pages} pages, {tally.matched} matched, {tally.findings} findings"
        + (f" ({by_severity})" if by_severity else "")
        + f", {tally.suppressed} suppressed, {tally.errors} unreadable inputs"
    )
    gate = report.view.fail_on
    code = exit_code(report)
    if report.errors:
        why = f"{report.errors} unreadable inputs: failing"
    elif gate is None:
        why = "no --fail-on gate: passing"
    elif code:
        why = f"{report.findings_at_or_above(gate)} findings at or above {gate}: failing"
    else:
        why = f"no finding at or above {gate}: passing"
    return f"{counts}; {why} (exit {code})"


def utc(moment: datetime | None) -> str | None:
    """ISO 8601 with its offset: the database keeps naive UTC."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def signal_summary(attribution: Attribution) -> dict[str, Any]:
    """Byline, dateline, credit and contributor lines and notices: shared by audit and extract."""
    return {
        "byline": attribution.byline,
        "dateline": attribution.dateline,
        "credit_lines": [s.text for s in attribution.of_kind("credit")],
        "contributor_lines": [s.text for s in attribution.of_kind("contributor")],
        "copyright_notices": [s.text for s in attribution.of_kind("notice")],
        "signals": [asdict(s) for s in attribution.signals],
    }


def attribution_dict(result: PageResult) -> dict[str, Any]:
    """The report's ``attribution`` object."""
    attribution = result.attribution
    agencies = [result.match.story.agency] if result.match else attribution.agencies_detected
    return {
        "agency_credited": any(attribution.credits(a) for a in agencies),
        "agencies_detected": attribution.agencies_detected,
        **signal_summary(attribution),
    }


def evidence_list(match: Match) -> list[dict[str, Any]]:
    return [
        {
            "kind": p.kind,
            "similarity": p.similarity,
            "page": {"start": p.page_start, "end": p.page_end, "text": p.page_text},
            "story": {"start": p.story_start, "end": p.story_end, "text": p.story_text},
        }
        for p in match.evidence
    ]


def match_dict(match: Match | None) -> dict[str, Any] | None:
    if match is None:
        return None
    return {
        "story_id": match.story.id,
        "agency": match.story.agency,
        "versions": list(match.story.versions),
        "title": match.story.title,
        "url": match.story.url,
        "derivation": match.derivation,
        "similarity": match.similarity,
        "coverage": match.coverage,
        "verbatim_share": match.verbatim_share,
        "rewritten_share": match.rewritten_share,
        "order_kept": match.order_kept,
        "evidence": evidence_list(match),
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "evidence": finding.evidence,
        "line": finding.line,
        "suppressed": finding.suppressed,
        "suppressed_by": finding.suppressed_by,
    }


def citation(result: PageResult, match: Match | None = None) -> dict[str, Any] | None:
    """What a lawyer cites for a match: the page as read, when, its hash, and the story it copies.

    ``match`` is one of the page's matches (the best one when not given): a page copying
    several stories has a citation for each.
    """
    match = match if match is not None else result.match
    if match is None:
        return None
    page = result.page
    story = match.story
    return {
        "page_url": result.url,
        "page_source": result.source,
        "fetched_at": page.meta.get("fetched_at") if page else None,
        "content_hash": page.content_hash if page else None,
        "agency": story.agency,
        "story_id": story.id,
        "story_url": story.url,
        "passages": len(match.evidence),
    }


def cited_match_dict(result: PageResult, match: Match) -> dict[str, Any]:
    """One of the page's matches as the report shows it: its numbers, evidence and citation."""
    info = match_dict(match)
    assert info is not None
    info["citation"] = citation(result, match)
    return info


def result_dict(result: PageResult) -> dict[str, Any]:
    page = result.page
    matches = [cited_match_dict(result, m) for m in result.matches]
    return {
        "id": result.page_id,
        "source": result.source,
        "url": result.url,
        "status": result.status,
        "error": result.error,
        "title": page.title if page else None,
        "content_hash": page.content_hash if page else None,
        "match": matches[0] if matches else None,
        "matches": matches,
        "attribution": attribution_dict(result),
        "findings": [finding_dict(f) for f in result.findings],
        "evidence": evidence_dict(result),
    }


def evidence_dict(result: PageResult) -> dict[str, Any] | None:
    """Where the page's HTTP response is archived (``{"warc", "record_id", "offset"}``), or None:
    ``provenance evidence RECORD_ID`` replays it."""
    location = result.page.evidence if result.page is not None else None
    if location is None:
        return None
    return {"warc": location.warc, "record_id": location.record_id, "offset": location.offset}


def report_head(report: AuditReport) -> dict[str, Any]:
    """The JSON report's ``run`` and ``summary`` (from the tally: no walk over the pages)."""
    return {
        "run": {
            "id": report.run_id,
            "started": utc(report.started),
            "finished": utc(report.finished),
            "tool_version": report.tool_version,
        },
        "summary": {
            "pages": report.tally.pages,
            "errors": report.errors,  # unreadable inputs (kept under its first name)
            "unreadable": report.errors,
            "matches": report.tally.matched,
            "findings": report.findings,
            "suppressed": report.suppressed,
            "fail_on": report.view.fail_on,
            "exit_code": exit_code(report),
            "text": summary_line(report),
        },
    }


def report_dict(report: AuditReport) -> dict[str, Any]:
    """The whole JSON report as one value (the json format streams the same, page by page)."""
    return {**report_head(report), "documents": [result_dict(r) for r in report.results]}
