"""JSON: the machine-readable report whose fields are a contract (see README, "JSON report").

Written page by page (:mod:`provenance.formats.streaming`): a crawl's report never sits in
memory whole, and the text is the same as dumping :func:`~provenance.report.report_dict`.
A page's fields (``evidence`` among them) are built by :func:`~provenance.report.result_dict`.
"""

from __future__ import annotations

from collections.abc import Iterator

from provenance.formats.streaming import json_chunks, placeholder
from provenance.report import AuditReport, evidence_dict, report_head, result_dict

__all__ = ["chunks", "evidence_dict", "render"]


def render(report: AuditReport) -> str:
    return "".join(chunks(report))


def chunks(report: AuditReport) -> Iterator[str]:
    document = {**report_head(report), "documents": placeholder("documents")}
    return json_chunks(document, {"documents": (result_dict(r) for r in report.results)})
