"""The audit report: one run and its page results, and their JSON-ready form.

Every output format renders an :class:`AuditReport`; the dictionaries built here are the
JSON report's contract (``run``, ``documents``, ``match``, ``matches``, ``attribution``,
``findings``) and are also what the database keeps for each page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from provenance.model import SEVERITY_RANK, Attribution, Finding, Match, PageResult


@dataclass(slots=True)
class AuditReport:
    """One audit run and what it found."""

    run_id: int
    started: datetime
    finished: datetime | None
    tool_version: str
    results: list[PageResult] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.status == "error")

    def findings_at_or_above(self, severity: str) -> int:
        floor = SEVERITY_RANK[severity]
        return sum(
            1
            for r in self.results
            for f in r.findings
            if not f.suppressed and SEVERITY_RANK[f.severity] >= floor
        )


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
    }


def report_dict(report: AuditReport) -> dict[str, Any]:
    return {
        "run": {
            "id": report.run_id,
            "started": report.started.isoformat() if report.started else None,
            "finished": report.finished.isoformat() if report.finished else None,
            "tool_version": report.tool_version,
        },
        "summary": {
            "pages": len(report.results),
            "errors": report.errors,
            "matches": sum(1 for r in report.results if r.match is not None),
            "findings": sum(len(r.findings) for r in report.results),
        },
        "documents": [result_dict(r) for r in report.results],
    }
