"""Markdown: the audit as something to paste into a ticket or an email.

A ticket needs the gist, not the whole run: a title line, the counts, findings by rule, then
only the pages that have findings, each with its verdict, its findings and the few longest
aligned passages quoted (page, then story), cut to about 300 characters, with their offsets
so anyone can find them in the HTML or JSON report. Clean pages get one line each.

Page titles, passages, URLs and finding messages are third-party text: characters Markdown
would act on (``|`` that would split a table cell, ``*``/``_`` emphasis, ``[`` links, ``<``
raw HTML, a leading ``#`` or ``>``...) are backslash-escaped, and every quoted text is
folded onto one line so it cannot open a block of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime

from provenance.formats.html import (
    active,
    findings_phrase,
    ordered,
    other_matches,
    page_title,
    passage_texts,
    site_of,
    verdict,
)
from provenance.model import SEVERITY_RANK, Finding, PageResult, Passage
from provenance.report import AuditReport, summary_line

QUOTE_CHARS = 300  # per side of a quoted passage
TOP_PASSAGES = 3  # per page

_INLINE = re.compile(r"([\\`*_\[\]<>|~$])")
_ENTITY = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")
_BLOCK_START = re.compile(r"^(?:[#>+=-]|\d+[.)](?=\s|$))")
_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f\"'<>\\`]+", re.IGNORECASE)


def md(text: object, start: bool = False) -> str:
    """Third-party text made inert: one line, Markdown punctuation and entities escaped.

    ``start``: the text begins a line (or a list item, or a quote), where "# x", "> x",
    "- x" or "1. x" would open a heading, a quote or a list.
    """
    line = " ".join(str(text).split())
    line = _ENTITY.sub("&amp;", _INLINE.sub(r"\\\1", line))
    block = _BLOCK_START.match(line) if start else None
    if block:
        end = block.end()
        line = line[: end - 1] + "\\" + line[end - 1 :]
    return line


def url(value: str | None) -> str:
    """A URL as an autolink when it is a plain http(s) URL (no escapes apply inside), else text."""
    if not value:
        return "none"
    value = value.strip()
    return f"<{value}>" if _SAFE_URL.fullmatch(value) else md(value)


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, cut at a word boundary near ``limit`` characters."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line.rfind(" ", limit // 2, limit)
    return line[: cut if cut > 0 else limit].rstrip(" ,;:") + " …"


def render(report: AuditReport) -> str:
    return "".join(chunks(report))


def chunks(report: AuditReport) -> Iterator[str]:
    """The report in pieces, page by page: a run of any size is never held whole (a walk
    over the pages for their order, one for the counts, one for the rules, one per section)."""
    results = ordered(report.results)
    flagged = attention = 0
    for r in report.results:
        if r.status == "ok" and r.findings:
            flagged += 1
            attention += bool(active(r))
    live = report.findings
    head = [
        f"# provenance audit, run {report.run_id}: {live} finding{'s' if live != 1 else ''} "
        f"on {attention} of {len(results)} pages",
        "",
        f"Run {report.run_id} · started {_when(report)} · provenance {md(report.tool_version)}",
        "",
        *_counts(report),
        "",
        *_by_rule(results),
    ]
    yield "\n".join(head)
    if flagged:
        yield "\n\n## Pages with findings"
        pages = (r for r in results if _flagged(r))
        for i, result in enumerate(pages, 1):
            yield "\n\n" + "\n".join(_page(result, i))
    if flagged < len(results):
        yield "\n\n## Other pages\n"
        for r in results:
            if not _flagged(r):
                yield f"\n- {md(page_title(r), start=True)} ({md(site_of(r))}): {md(verdict(r))}"
    yield "\n"


def _flagged(result: PageResult) -> bool:
    return result.status == "ok" and bool(result.findings)


def _when(report: AuditReport) -> str:
    def show(moment: datetime | None) -> str:
        return moment.isoformat(sep=" ", timespec="seconds") if moment is not None else "—"

    return f"{show(report.started)}, finished {show(report.finished)} (UTC)"


def _counts(report: AuditReport) -> list[str]:
    tally = report.tally
    values = [
        tally.pages,
        tally.matched,
        tally.findings,
        tally.live_by_severity.get("error", 0),
        tally.live_by_severity.get("warning", 0),
        tally.suppressed,
        tally.errors,
    ]
    return [
        "| Pages | Matched | Findings | Errors | Warnings | Suppressed | Unreadable |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        "| " + " | ".join(str(v) for v in values) + " |",
        "",
        f"**Verdict:** {md(summary_line(report))}",
    ]


def _by_rule(results: Iterable[PageResult]) -> list[str]:
    counts: Counter[str] = Counter()
    suppressed: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    severity: dict[str, str] = {}
    for r in results:
        pages.update({f.rule for f in r.findings})
        for f in r.findings:
            (suppressed if f.suppressed else counts)[f.rule] += 1
            if f.rule not in severity or SEVERITY_RANK[f.severity] > SEVERITY_RANK[severity[f.rule]]:
                severity[f.rule] = f.severity
    if not severity:
        return ["No findings."]
    rows = sorted(severity, key=lambda rule: (-SEVERITY_RANK[severity[rule]], rule))
    return [
        "| Rule | Severity | Findings | Suppressed | Pages |",
        "|---|---|---:|---:|---:|",
        *(
            f"| {md(rule)} | {severity[rule]} | {counts[rule]} | {suppressed[rule]} | {pages[rule]} |"
            for rule in rows
        ),
    ]


def _page(result: PageResult, number: int) -> list[str]:
    out = [f"### {number}. {md(page_title(result))}", ""]
    out.append(f"**Verdict:** {md(verdict(result))}  ")
    where = f"**Page:** {md(result.source)}"
    if result.url:
        where += f" · {url(result.url)}"
    if result.page is not None and result.page.content_hash:
        where += f" · hash {md(result.page.content_hash)}"
    out.append(where + ("  " if result.match else ""))
    if result.match is not None:
        story = result.match.story
        m = result.match
        out.append(
            f"**Story:** {md(story.agency)} {md(story.id)}"
            + (f", {md(story.title)}" if story.title else "")
            + f" · {url(story.url)}  "
        )
        also = other_matches(result)
        out.append(
            f"**Match:** {m.derivation}, coverage {m.coverage:.0%}, verbatim {m.verbatim_share:.0%}, "
            f"rewritten {m.rewritten_share:.0%}, order {'kept' if m.order_kept else 'changed'}"
            + ("  " if also else "")
        )
        out += [
            f"**Also copies:** {md(line)}" + ("  " if i < len(also) else "") for i, line in enumerate(also, 1)
        ]
    out += ["", f"**Findings:** {md(findings_phrase(result))}", ""]
    out += [_finding(f) for f in result.findings]
    if result.match is not None and result.match.evidence:
        out += ["", *_evidence(result)]
    return out


def _finding(f: Finding) -> str:
    where = f" (line {f.line})" if f.line else ""
    text = f"**{f.severity.upper()}** {md(f.rule)}{where}: {md(f.message)}"
    if f.suppressed:
        return f"- ~~{text}~~ suppressed: {md(f.suppressed_by or 'no reason given')}"
    return f"- {text}"


def _evidence(result: PageResult) -> list[str]:
    match = result.match
    assert match is not None
    passages = sorted(match.evidence, key=lambda p: p.page_end - p.page_start, reverse=True)[:TOP_PASSAGES]
    passages.sort(key=lambda p: p.page_start)
    total = len(match.evidence)
    if len(passages) == total:
        heading = f"**Evidence:** {total} aligned passage{'s' if total != 1 else ''}"
    else:
        heading = f"**Evidence:** the {len(passages)} longest of {total} aligned passages"
    out = [heading]
    for i, p in enumerate(passages, 1):
        out += ["", *_passage(result, p, i)]
    return out


def _passage(result: PageResult, p: Passage, number: int) -> list[str]:
    page_text, story_text = passage_texts(result, p)
    return [
        f"{number}. *{p.kind}*, similarity {p.similarity:.0%}: page chars {p.page_start:,}–{p.page_end:,}, "
        f"story chars {p.story_start:,}–{p.story_end:,}",
        "",
        "   Page:",
        "",
        f"   > {md(shorten(page_text), start=True)}",
        "",
        "   Story:",
        "",
        f"   > {md(shorten(story_text), start=True)}",
    ]
