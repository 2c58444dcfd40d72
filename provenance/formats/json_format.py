"""JSON: the machine-readable report whose fields are a contract (see README, "JSON report")."""

from __future__ import annotations

import json

from provenance.report import AuditReport, report_dict


def render(report: AuditReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
