"""Output formats: one module per format behind one small interface.

A format turns an :class:`~provenance.report.AuditReport` into text. Adding a format is a
new module with a ``render`` function and one line in :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable

from provenance.formats import (
    csv_format,
    github,
    html,
    json_format,
    junit,
    markdown_report,
    prov,
    sarif,
    table,
)
from provenance.report import AuditReport

Renderer = Callable[[AuditReport], str]

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "csv": csv_format.render,
    "html": html.render,
    "markdown": markdown_report.render,
    "prov": prov.render,
}


def render(report: AuditReport, name: str) -> str:
    try:
        renderer = FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}") from None
    return renderer(report)
