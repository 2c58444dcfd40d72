"""Output formats: one module per format behind one small interface.

A format turns an :class:`~provenance.report.AuditReport` into text. Adding a format is a
new module with a ``render`` function and one line in :data:`FORMATS`. A format that can
write a report of any size page by page also has a ``chunks`` function (one line in
:data:`STREAMED`): the command line writes those as they come, so a crawl's report is never
held whole in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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
Streamer = Callable[[AuditReport], Iterable[str]]

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


STREAMED: dict[str, Streamer] = {
    "table": table.chunks,
    "json": json_format.chunks,
    "sarif": sarif.chunks,
    "junit": junit.chunks,
    "github": github.chunks,
    "csv": csv_format.chunks,
    "html": html.chunks,
    "markdown": markdown_report.chunks,
}


def chunks(report: AuditReport, name: str) -> Iterable[str]:
    """The report in pieces: a streamed format's, else the whole text as one piece."""
    streamer = STREAMED.get(name)
    return streamer(report) if streamer is not None else [render(report, name)]


def render(report: AuditReport, name: str) -> str:
    try:
        renderer = FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}") from None
    return renderer(report)
