"""SARIF 2.1.0: the format code-scanning services (GitHub, Azure DevOps, IDE viewers) ingest.

A CI pipeline uploads this file and every finding becomes an alert on the page's file, with
the wire story it was copied from as a related location. Choices that matter downstream:

* one ``rules`` entry per rule id seen, so a viewer can group and filter by rule;
* ``partialFingerprints`` reuse the baseline's finding identity (page, rule, evidence — not
  line numbers or wording), so a service dedupes an alert across runs exactly as
  ``--baseline`` does, even when the page is edited around it;
* suppressed findings stay in the log with a ``suppressions`` entry (``external`` for the
  baseline, ``inSource`` for an inline marker), which services show as dismissed;
* unreadable inputs are tool execution notifications, and make the invocation unsuccessful,
  because a result list without them would read as "clean".

Locations: a file page is located at its path (relative paths stay relative, so they resolve
against the repository root; absolute ones become ``file://`` URIs), a fetched page at its
URL, and a JSONL record at its line in the ``.jsonl`` file — the finding's own line counts
within the record's text, not the file, so it would point at the wrong place there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from provenance import PROJECT_URL
from provenance.formats.streaming import json_chunks, placeholder
from provenance.model import Finding, Match, PageResult
from provenance.report import AuditReport, evidence_dict
from provenance.suppress import fingerprint

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = PROJECT_URL
FINGERPRINT_KEY = "provenanceFinding/v1"
INPUT_ERROR = "PROVENANCE-INPUT"

LEVELS: dict[str, str] = {"error": "error", "warning": "warning", "info": "note"}

# What each kind of requirement checks, keyed by the conventional rule-id suffix of the
# built-in packs (AP-CREDIT, REUTERS-NOTICE-FORM...). Packs may name rules otherwise; those
# get a generic description.
_DESCRIPTIONS: dict[str, str] = {
    "CREDIT": "Wire story reproduced without crediting the agency",
    "NOTICE-MISSING": "Wire story reproduced without the agency's copyright notice",
    "NOTICE-FORM": "Agency copyright notice not in an accepted form",
    "BYLINE": "Person byline in place of the agency credit",
    "REWRITE": "Wire story rewritten against the agency's terms",
    "LINK": "No link to the agency or the original story",
    "LICENSE": "Wire story of an agency the publisher is not licensed for",
}

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_JSONL_RECORD = re.compile(r"^(?P<path>.+\.jsonl):(?P<line>\d+)$", re.IGNORECASE)
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_STDIN = "-"
# RFC 3986 characters a path may keep; everything else (":" included, so a relative path
# never reads as a scheme) is percent-encoded.
_PATH_SAFE = "/!$&'()*+,;=@-._~"


def render(report: AuditReport) -> str:
    return "".join(chunks(report))


def chunks(report: AuditReport) -> Iterator[str]:
    """The log written result by result (the rules come from the run's tally)."""
    log = _log(report, placeholder("notifications"), placeholder("results"))
    streams: dict[str, Iterable[Any]] = {"results": _results(report)}
    if report.errors:  # the notifications come first in the text
        streams = {"notifications": _notifications(report), **streams}
    return json_chunks(log, streams)


def sarif_log(report: AuditReport) -> dict[str, Any]:
    """The whole log as plain data: one run, its rules, results and invocation."""
    return _log(report, list(_notifications(report)), list(_results(report)))


def _results(report: AuditReport) -> Iterator[dict[str, Any]]:
    index = {rule: i for i, rule in enumerate(sorted(report.tally.rule_severity))}
    for page in report.results:
        if page.status == "ok":
            for finding in page.findings:
                yield _result(page, finding, index[finding.rule])


def _notifications(report: AuditReport) -> Iterator[dict[str, Any]]:
    return (_notification(page) for page in report.results if page.status == "error")


def _log(report: AuditReport, notifications: Any, results: Any) -> dict[str, Any]:
    """The log around its two long lists (given whole, or as placeholders to stream)."""
    rules = report.tally.rule_severity
    failed = report.errors > 0
    driver: dict[str, Any] = {
        "name": "provenance",
        "version": report.tool_version,
        "semanticVersion": report.tool_version,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(rule, rules[rule]) for rule in sorted(rules)],
    }
    if failed:
        driver["notifications"] = [
            {
                "id": INPUT_ERROR,
                "shortDescription": {"text": "An input could not be read"},
                "defaultConfiguration": {"level": "error"},
            }
        ]
    invocation: dict[str, Any] = {"executionSuccessful": not failed}
    if report.started is not None:
        invocation["startTimeUtc"] = _utc(report.started)
    if report.finished is not None:
        invocation["endTimeUtc"] = _utc(report.finished)
    if failed:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "results": results,
        "properties": {"runId": report.run_id},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(rule: str, severity: str) -> dict[str, Any]:
    description = next(
        (text for suffix, text in _DESCRIPTIONS.items() if rule.endswith(f"-{suffix}")),
        f"provenance rule {rule}",
    )
    return {
        "id": rule,
        "shortDescription": {"text": description},
        "defaultConfiguration": {"level": LEVELS[severity]},
    }


def _result(page: PageResult, finding: Finding, rule_index: int) -> dict[str, Any]:
    uri, record_line = _artifact(page)
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": record_line or finding.line or 1},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(page.page_id, finding)},
    }
    if page.match is not None:
        result["relatedLocations"] = [_story_location(page.match)]
    if finding.suppressed:
        result["suppressions"] = [_suppression(finding)]
    properties: dict[str, Any] = {"severity": finding.severity}
    if finding.evidence:
        properties["evidence"] = finding.evidence
    if finding.line is not None:
        properties["line"] = finding.line  # the line in the page's text, also for JSONL records
    if archived := evidence_dict(page):  # its response in a WARC (README, "WARC archives in and out")
        properties["warcEvidence"] = archived
    result["properties"] = properties
    return result


def _story_location(match: Match) -> dict[str, Any]:
    story = match.story
    return {
        "id": 1,
        "physicalLocation": {"artifactLocation": {"uri": story.url or f"provenance:story/{quote(story.id)}"}},
        "message": {
            "text": f"derived from {story.agency} story {story.id} "
            f"({match.derivation}, coverage {match.coverage:.0%})"
        },
    }


def _suppression(finding: Finding) -> dict[str, Any]:
    """``inSource`` for an inline marker (its reason as the justification), else ``external``."""
    by: str = getattr(finding, "suppressed_by", "") or ""
    if by.startswith("inline"):
        suppression: dict[str, Any] = {"kind": "inSource"}
        reason = by.removeprefix("inline").lstrip(":").strip()
        if reason:
            suppression["justification"] = reason
        return suppression
    return {"kind": "external"}


def _notification(page: PageResult) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": f"{page.source}: {page.error}"},
        "descriptor": {"id": INPUT_ERROR, "index": 0},
    }
    if " -> " not in page.source:  # "feed.xml -> https://..." names no single artifact
        uri, _ = _artifact(page)
        notification["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
    return notification


def _artifact(page: PageResult) -> tuple[str, int | None]:
    """The URI a page's findings are located in, and the JSONL line when it is a record."""
    source = page.source
    if _URL.match(source):
        return source, None
    if source == _STDIN:
        return page.url or _STDIN, None
    record = _JSONL_RECORD.match(source)
    if record:
        return _path_uri(record["path"]), int(record["line"])
    return _path_uri(source), None


def _path_uri(path: str) -> str:
    if _WINDOWS_PATH.match(path):
        return PureWindowsPath(path).as_uri()
    if path.startswith("/"):
        return PurePosixPath(path).as_uri()
    return quote(path.replace("\\", "/"), safe=_PATH_SAFE)


def _utc(moment: datetime) -> str:
    """An ISO 8601 UTC time; the store keeps naive datetimes that are already UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"
