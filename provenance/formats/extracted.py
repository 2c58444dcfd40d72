"""What ``provenance extract`` prints: per page, the text and signals the audit would see.

Its JSON (``{"documents": [...]}``) is a contract: ``id``, ``source``, ``url``, ``status``,
``error``, ``title``, ``body``, ``byline``, ``dateline``, ``published``, ``credit_lines``,
``copyright_notices``, ``links``, ``jsonld`` at least.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from provenance.model import Attribution, InputError, Page
from provenance.report import signal_summary


def document_dict(item: Page | InputError, attribution: Attribution | None) -> dict[str, Any]:
    if isinstance(item, InputError):
        return {
            "id": item.id,
            "source": item.source,
            "url": item.url,
            "status": "error",
            "error": item.error,
            "title": None,
            "body": None,
            "byline": None,
            "dateline": None,
            "published": None,
            "credit_lines": [],
            "contributor_lines": [],
            "copyright_notices": [],
            "links": [],
            "jsonld": [],
        }
    return {
        "id": item.id,
        "source": item.source,
        "url": item.url,
        "status": "ok",
        "error": None,
        "title": item.title,
        "body": item.text,
        "published": item.meta.get("published"),
        **signal_summary(attribution or Attribution()),
        "links": [asdict(link) for link in item.links],
        "jsonld": item.jsonld,
        "meta": item.meta,
        "content_hash": item.content_hash,
    }


def render_json(documents: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"documents": list(documents)}, indent=2, ensure_ascii=False, default=str) + "\n"


def render_table(documents: Sequence[dict[str, Any]]) -> str:
    out: list[str] = []
    for doc in documents:
        out.append(doc["id"])
        if doc["status"] == "error":
            out += [f"  ERROR  {doc['error']}", ""]
            continue
        words = len((doc["body"] or "").split())
        out.append(f"  title:      {doc['title'] or '-'}")
        out.append(f"  body:       {words} words")
        out.append(f"  byline:     {doc['byline'] or '-'}")
        out.append(f"  dateline:   {doc['dateline'] or '-'}")
        out.append(f"  published:  {doc['published'] or '-'}")
        for label, key in (
            ("credit", "credit_lines"),
            ("contributor", "contributor_lines"),
            ("notice", "copyright_notices"),
        ):
            for text in doc[key]:
                out.append(f"  {label + ':':<11} {text}")
        out.append(f"  links:      {len(doc['links'])}")
        out.append("")
    return "\n".join(out) + "\n"
