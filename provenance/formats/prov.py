"""W3C PROV (PROV-JSON): the derivation as a provenance graph a lawyer's tools can read.

Each matched page is an entity that ``wasDerivedFrom`` the wire story (another entity,
``wasAttributedTo`` its agency); the audit run is the activity that ``used`` the page and
established the derivation, ``wasAssociatedWith`` provenance itself. The class, coverage and
the aligned passages ride along as attributes of the derivation.

A small writer rather than the ``prov`` package: the document is a few fixed record types,
and the package would add a dependency tree (rdflib, networkx, lxml extras) for them.
Specification: https://www.w3.org/Submission/prov-json/
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from provenance import PROJECT_URL
from provenance.model import PageResult
from provenance.report import AuditReport, utc

NS = f"{PROJECT_URL}ns#"


def _local(value: str) -> str:
    return quote(value, safe="-_.~")


def _time(value: datetime | str | None) -> dict[str, str] | None:
    """xsd:dateTime with its offset (a naive value from the store is UTC)."""
    if value is None:
        return None
    text = utc(value) if isinstance(value, datetime) else str(value)
    return {"$": text or "", "type": "xsd:dateTime"}


def render(report: AuditReport) -> str:
    run = f"run:{report.run_id}"
    doc: dict[str, Any] = {
        "prefix": {
            "provenance": NS,
            "run": f"{NS}run/",
            "page": f"{NS}page/",
            "story": f"{NS}story/",
            "agency": f"{NS}agency/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "agent": {
            "provenance:tool": {"prov:type": "prov:SoftwareAgent", "provenance:version": report.tool_version}
        },
        "activity": {
            run: {
                k: v
                for k, v in {
                    "prov:type": "provenance:AuditRun",
                    "prov:startTime": _time(report.started),
                    "prov:endTime": _time(report.finished),
                }.items()
                if v is not None
            }
        },
        "entity": {},
        "used": {},
        "wasAssociatedWith": {"_:assoc": {"prov:activity": run, "prov:agent": "provenance:tool"}},
        "wasDerivedFrom": {},
        "wasAttributedTo": {},
    }
    for n, result in enumerate(report.results):
        if result.status == "ok":
            _page(doc, run, n, result)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _page(doc: dict[str, Any], run: str, n: int, result: PageResult) -> None:
    page_id = f"page:{_local(result.page_id)}"
    page = result.page
    doc["entity"][page_id] = {
        k: v
        for k, v in {
            "prov:type": "provenance:Page",
            "prov:label": page.title if page else None,
            "provenance:source": result.source,
            "provenance:url": result.url,
            "provenance:contentHash": page.content_hash if page else None,
            "provenance:fetchedAt": page.meta.get("fetched_at") if page else None,
        }.items()
        if v
    }
    doc["used"][f"_:used{n}"] = {"prov:activity": run, "prov:entity": page_id}
    match = result.match
    if match is None:
        return
    story = match.story
    story_id = f"story:{_local(story.id)}"
    agency_id = f"agency:{_local(story.agency)}"
    doc["entity"][story_id] = {
        k: v
        for k, v in {
            "prov:type": "provenance:WireStory",
            "prov:label": story.title,
            "provenance:storyId": story.id,
            "provenance:url": story.url,
            "provenance:published": story.published,
        }.items()
        if v
    }
    doc["agent"][agency_id] = {"prov:type": "prov:Organization", "prov:label": story.agency}
    doc["wasAttributedTo"][f"_:attr{n}"] = {"prov:entity": story_id, "prov:agent": agency_id}
    doc["wasDerivedFrom"][f"_:deriv{n}"] = {
        "prov:generatedEntity": page_id,
        "prov:usedEntity": story_id,
        "prov:activity": run,
        "provenance:derivation": match.derivation,
        "provenance:coverage": match.coverage,
        "provenance:verbatimShare": match.verbatim_share,
        "provenance:rewrittenShare": match.rewritten_share,
        "provenance:passages": json.dumps(
            [[p.kind, p.page_start, p.page_end, p.story_start, p.story_end] for p in match.evidence]
        ),
    }
