"""Saved runs: list them, load one back as a report, and compare two.

A rights team audits the same sites every week; what it acts on is what changed. A saved
run is rebuilt into the same :class:`~provenance.report.AuditReport` an audit prints, so
every output format renders history exactly as it rendered the live run, and
:func:`diff` pairs findings across runs by page, rule and evidence (the same identity the
baseline uses), so a page fixed since the last audit shows its findings as resolved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import store
from provenance.model import (
    Attribution,
    Finding,
    Match,
    Page,
    PageResult,
    Passage,
    Signal,
    Story,
    WarcLocation,
)
from provenance.report import AuditReport
from provenance.spool import ResultSpool
from provenance.suppress import fingerprint


class RunNotFound(LookupError):
    pass


def runs(session: Session, limit: int | None = None) -> list[store.RunRow]:
    query = select(store.RunRow).order_by(store.RunRow.id.desc())
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def resolve_run(session: Session, ref: str) -> int:
    """A run id from ``latest``, ``latest~N`` (N runs before the latest) or a number.

    Anything else, a negative N or a number no database column holds is :class:`RunNotFound`
    (a usage error), never a traceback.
    """
    usage = f"not a run id: {ref!r} (a number, latest or latest~N)"
    match = _RUN_REF.fullmatch(ref.strip())
    if match is None:
        raise RunNotFound(usage)
    if match.group("latest"):
        back = int(match.group("back") or 0)
        if back > _MAX_RUN_ID:
            raise RunNotFound(usage)
        ids = list(session.scalars(select(store.RunRow.id).order_by(store.RunRow.id.desc()).limit(back + 1)))
        if len(ids) <= back:
            raise RunNotFound(f"no run {ref!r}: the database has {len(ids)} run(s)")
        return ids[back]
    run_id = int(match.group("id"))
    if run_id > _MAX_RUN_ID or session.get(store.RunRow, run_id) is None:
        raise RunNotFound(f"no run {run_id}")
    return run_id


_RUN_REF = re.compile(r"(?P<latest>latest(?:~(?P<back>\d{1,19}))?)|(?P<id>\d{1,19})")
_MAX_RUN_ID = 2**63 - 1  # the largest id a BIGINT / SQLite INTEGER holds


REPORT_BATCH = 500  # pages read back at a time: bounded memory, and below every bound-parameter limit


def load_report(session: Session, run_id: int) -> AuditReport:
    """A saved run as the report its audit printed.

    Read back :data:`REPORT_BATCH` pages at a time into a :class:`~provenance.spool.ResultSpool`:
    a run of a million pages is reported in the memory of one batch (``report.close()``
    deletes the spool).
    """
    run = session.get(store.RunRow, run_id)
    if run is None:
        raise RunNotFound(f"no run {run_id}")
    results = ResultSpool()
    after = 0
    while True:
        pages = list(
            session.scalars(
                select(store.PageRow)
                .where(store.PageRow.run_id == run_id, store.PageRow.id > after)
                .order_by(store.PageRow.id)
                .limit(REPORT_BATCH)
            )
        )
        if not pages:
            break
        for result in _results(session, pages):
            results.append(result)
        after = pages[-1].id
        session.expunge_all()
    return AuditReport(run.id, run.started, run.finished, run.tool_version, results)


def _results(session: Session, pages: list[store.PageRow]) -> list[PageResult]:
    """The results of some saved pages, with their matches, findings and matched stories."""
    ids = [p.id for p in pages]
    matches: dict[int, list[store.MatchRow]] = {}
    for match_row in session.scalars(
        select(store.MatchRow)
        .where(store.MatchRow.page_id.in_(ids))
        .order_by(store.MatchRow.page_id, store.MatchRow.rank, store.MatchRow.id)
    ):
        matches.setdefault(match_row.page_id, []).append(match_row)
    findings: dict[int, list[store.FindingRow]] = {}
    for row in session.scalars(
        select(store.FindingRow).where(store.FindingRow.page_id.in_(ids)).order_by(store.FindingRow.id)
    ):
        findings.setdefault(row.page_id, []).append(row)
    story_rows = sorted({m.story_id for rows in matches.values() for m in rows if m.story_id is not None})
    stories = {s.id: s for s in store.load_stories(session, story_rows)} if story_rows else {}
    return [_result(p, matches.get(p.id, []), findings.get(p.id, []), stories) for p in pages]


def _result(
    row: store.PageRow,
    match_rows: list[store.MatchRow],
    finding_rows: list[store.FindingRow],
    stories: dict[str, Story],
) -> PageResult:
    """One saved page as its audit built it: ``match_rows`` in rank order, so the best comes first."""
    page = None
    if row.status == "ok":
        page = Page(
            id=row.page_id,
            source=row.source,
            text=row.text or "",
            url=row.url,
            title=row.title,
            content_hash=row.content_hash or "",
            meta=dict(getattr(row, "meta", None) or {}),
            evidence=_evidence(row),
        )
    signals = [
        Signal(**{**s, "names": tuple(s.get("names", ()))})
        for s in (row.attribution or {}).get("signals", [])
    ]
    return PageResult(
        page_id=row.page_id,
        source=row.source,
        url=row.url,
        status=row.status,  # type: ignore[arg-type]
        error=row.error,
        page=page,
        matches=[_match(m, stories) for m in match_rows],
        attribution=Attribution(signals=signals),
        findings=[
            Finding(f.rule, f.severity, f.message, f.evidence, f.line, f.suppressed, f.suppressed_by or "")  # type: ignore[arg-type]
            for f in finding_rows
        ],
    )


def _evidence(row: store.PageRow) -> WarcLocation | None:
    """Where the saved page's response is archived, when it is."""
    if not row.warc_file or not row.warc_record_id:
        return None
    return WarcLocation(row.warc_file, row.warc_record_id, row.warc_offset)


def _match(row: store.MatchRow, stories: dict[str, Story]) -> Match:
    story = stories.get(row.story_external_id) or Story(id=row.story_external_id, agency=row.agency, text="")
    return Match(
        story=story,
        derivation=row.derivation,  # type: ignore[arg-type]
        similarity=row.similarity,
        coverage=row.coverage,
        verbatim_share=row.verbatim_share,
        rewritten_share=row.rewritten_share,
        order_kept=row.order_kept,
        evidence=tuple(_passage(p) for p in row.evidence or []),
    )


def _passage(data: dict[str, Any]) -> Passage:
    return Passage(
        page_start=data["page"]["start"],
        page_end=data["page"]["end"],
        story_start=data["story"]["start"],
        story_end=data["story"]["end"],
        kind=data["kind"],
        similarity=data["similarity"],
        page_text=data["page"].get("text", ""),
        story_text=data["story"].get("text", ""),
    )


# --- diff -----------------------------------------------------------------------------------


@dataclass
class PageDiff:
    page: str
    new: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    unchanged: list[Finding] = field(default_factory=list)
    status: str = "both"  # both | only-a | only-b


@dataclass
class RunDiff:
    run_a: int
    run_b: int
    pages: list[PageDiff]

    def totals(self) -> dict[str, int]:
        return {
            "new": sum(len(p.new) for p in self.pages),
            "resolved": sum(len(p.resolved) for p in self.pages),
            "unchanged": sum(len(p.unchanged) for p in self.pages),
        }


def diff(a: AuditReport, b: AuditReport) -> RunDiff:
    """New, resolved and unchanged findings per page, from run ``a`` to run ``b``.

    A page audited only in ``a`` keeps its findings as resolved only when ``b`` audited it
    and found nothing; a page missing from ``b`` is reported as such, findings unchanged.
    """
    pages_a = {r.page_id: r for r in a.results}
    pages_b = {r.page_id: r for r in b.results}
    out = []
    for page in sorted(pages_a.keys() | pages_b.keys()):
        ra, rb = pages_a.get(page), pages_b.get(page)
        keyed_a = _keyed(page, ra.findings if ra else [])
        keyed_b = _keyed(page, rb.findings if rb else [])
        entry = PageDiff(page, status="both" if ra and rb else ("only-a" if ra else "only-b"))
        if ra and not rb:
            entry.unchanged = list(keyed_a.values())
        else:
            entry.new = [f for k, f in keyed_b.items() if k not in keyed_a]
            entry.resolved = [f for k, f in keyed_a.items() if k not in keyed_b]
            entry.unchanged = [f for k, f in keyed_b.items() if k in keyed_a]
        out.append(entry)
    return RunDiff(a.run_id, b.run_id, out)


def _keyed(page: str, findings: Sequence[Finding]) -> dict[str, Finding]:
    return {fingerprint(page, f): f for f in findings if not f.suppressed}


def diff_dict(result: RunDiff) -> dict[str, Any]:
    def items(findings: Sequence[Finding]) -> list[dict[str, Any]]:
        return [
            {"rule": f.rule, "severity": f.severity, "message": f.message, "line": f.line} for f in findings
        ]

    return {
        "run_a": result.run_a,
        "run_b": result.run_b,
        "totals": result.totals(),
        "pages": [
            {
                "id": p.page,
                "status": p.status,
                "new": items(p.new),
                "resolved": items(p.resolved),
                "unchanged": items(p.unchanged),
            }
            for p in result.pages
            if p.new or p.resolved or p.unchanged or p.status != "both"
        ],
    }


def render_diff(result: RunDiff) -> str:
    lines = [f"run {result.run_a} -> run {result.run_b}"]
    for p in result.pages:
        if not (p.new or p.resolved or p.unchanged) and p.status == "both":
            continue
        note = {"only-a": " (not audited in the second run)", "only-b": " (new page)"}.get(p.status, "")
        lines.append(f"{p.page}{note}")
        for label, findings in (("new", p.new), ("resolved", p.resolved), ("unchanged", p.unchanged)):
            for f in findings:
                lines.append(f"  {label:<9} {f.severity:<7} {f.rule:<18} {f.message}")
    totals = result.totals()
    lines.append(f"{totals['new']} new, {totals['resolved']} resolved, {totals['unchanged']} unchanged")
    return "\n".join(lines) + "\n"
