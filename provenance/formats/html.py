"""HTML: one self-contained page a rights team would rather read than the JSON report.

The JSON report is the contract; this is the same run laid out for people who must decide
what to do about a copy, and for the lawyer who may have to show it: a summary by site,
agency and rule, then per page the verdict, the findings, the attribution the page shows
against what the agency's pack requires, the numbers behind the match, the identifiers that
pin the evidence down (page source, content hash, story id and URL) and the aligned passages
side by side, with the words a spinner changed marked.

Why it is built the way it is:

* Pages are hostile third-party content. Every string that comes from a page, a story, a
  finding or a pack goes through :func:`html.escape`; links are plain ``<a href>`` anchors,
  only for ``http(s)`` URLs (never ``javascript:`` or ``data:``), with ``rel=noreferrer``; and
  a Content-Security-Policy ``<meta>`` allows nothing but the report's own stylesheet (by
  hash), so opening the file runs no script and fetches nothing, even if escaping were missed.
* One file, no network: the CSS (``html.css``, shipped in the package) is inlined; no fonts,
  images or scripts, so the file can be mailed, archived and opened offline years later.
* Small and fast on long pages: only aligned passages are shown, never whole texts, and a
  long passage is cut in the middle with the number of characters left out; the offsets
  always point into the full texts.
* Readable without colour and on paper: every highlight repeats its meaning in a word
  (VERBATIM / REWRITTEN, severity names) or a border style (solid / dashed), changed words are
  ``<ins>``/``<del>`` (underlined / struck through), and a print stylesheet keeps the colours.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from functools import cache
from html import escape
from pathlib import PurePath
from urllib.parse import urlsplit

from provenance.model import SEVERITY_RANK, Finding, Match, PageResult, Passage, Signal, WarcLocation
from provenance.packs import PackError, RulePack, load_packs
from provenance.report import AuditReport, attribution_dict, match_dict, summary_line
from provenance.rules import derived_from

MAX_PASSAGES = 20  # per page; the JSON report lists them all
PASSAGE_CHARS = 2400  # a passage side longer than this is cut in the middle...
HEAD_CHARS = 1500  # ...keeping this much of its start
TAIL_CHARS = 500  # ...and this much of its end
DIFF_MAX_WORDS = 4000  # word diffs are quadratic at worst; longer rewritten passages are not marked

_SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f\"'<>\\`]+", re.IGNORECASE)
_URL_SOURCE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_JSONL_RECORD = re.compile(r"^(?P<path>.+\.jsonl):\d+$", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_NOT_WORD = re.compile(r"[\W_]+")

# What a rule's requirement checks, by requirement key (the rule ids themselves are the pack's).
REQUIREMENT_LABELS: dict[str, str] = {
    "credit": "Agency not credited",
    "notice": "Copyright notice missing",
    "notice_form": "Copyright notice not in an accepted form",
    "byline": "Person byline in place of the agency credit",
    "rewrite": "Story rewritten against the agency's terms",
    "link": "No link to the agency or the story",
    "license": "Agency not licensed",
}
DERIVATIONS = ("verbatim", "edited", "spun", "partial")

Segment = tuple[str, bool]  # a run of text, and whether it differs from the other side


# --------------------------------------------------------------------------- shared helpers
# (also used by the Markdown report, so both say the same thing about a page)


def active(result: PageResult) -> list[Finding]:
    """The findings that count: not suppressed by the baseline or an inline marker."""
    return [f for f in result.findings if not f.suppressed]


def worst(result: PageResult) -> str | None:
    """The highest severity among the page's active findings, or None."""
    findings = active(result)
    return max((f.severity for f in findings), key=SEVERITY_RANK.__getitem__) if findings else None


def concern(result: PageResult) -> int:
    """Sort key: pages with errors first, then warnings, info, unreadable inputs, clean copies, no match."""
    if result.status == "error":
        return 3
    severity = worst(result)
    if severity is not None:
        return 2 - SEVERITY_RANK[severity]
    return 4 if result.match is not None else 5


class InOrder(Iterable[PageResult]):
    """Pages most in need of attention first; input order among equals (a stable sort).

    Only the order is kept (an index per page): each walk reads every page from ``results``
    when it is reached, so a run spooled to disk is walked page by page, never held.
    """

    def __init__(self, results: Sequence[PageResult]) -> None:
        self._results = results
        self._order = sorted(range(len(results)), key=lambda i: concern(results[i]))

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[PageResult]:
        return (self._results[i] for i in self._order)


def ordered(results: Sequence[PageResult]) -> InOrder:
    """Pages most in need of attention first (:class:`InOrder`)."""
    return InOrder(results)


def page_title(result: PageResult) -> str:
    """The page's title, else its id: how both reports name a page."""
    return result.page.title if result.page is not None and result.page.title else result.page_id


def findings_phrase(result: PageResult) -> str:
    count = len(active(result))
    suppressed = len(result.findings) - count
    text = "no findings" if count == 0 else f"{count} finding{'s' if count != 1 else ''}"
    return f"{text} ({suppressed} suppressed)" if suppressed else text


def verdict(result: PageResult) -> str:
    """One line: what the page is and how many findings it has (plain text, not escaped)."""
    if result.status == "error":
        return f"error: {result.error or 'unreadable input'}"
    m = result.match
    if m is not None:
        what = f"{m.derivation} copy of {m.story.agency} story {m.story.id}"
        others = len(result.matches) - 1
        if others:
            what += f" and of {others} other stor{'y' if others == 1 else 'ies'}"
    else:
        signals = sorted({s.agency for s in result.attribution.signals if s.agency})
        what = f"no story match ({', '.join(signals)} signals on the page)" if result.findings else "no match"
        if not result.findings:
            return what
    return f"{what} — {findings_phrase(result)}"


def other_matches(result: PageResult) -> list[str]:
    """One short line per story the page also derives from, after its best match (plain text).

    A round-up copying several stories shows the best one in full; the others are named so
    no copy goes unmentioned (the JSON report has all their evidence).
    """
    return [
        f"{m.story.id} ({m.story.agency}): {m.derivation}, coverage {m.coverage:.0%}"
        for m in result.matches[1:]
    ]


def site_of(result: PageResult) -> str:
    """Where a page comes from: the host of its URL, else the directory of its file."""
    source = result.source
    url = result.url
    if not url and " -> " in source:  # "feed.xml -> https://..." (an item of a feed)
        url = source.split(" -> ", 1)[1].strip()
    if not url and _URL_SOURCE.match(source):
        url = source
    if url:
        host = urlsplit(url).hostname
        if host:
            return host
    if source == "-":
        return "standard input"
    record = _JSONL_RECORD.match(source)
    if record:
        return record["path"]
    parent = str(PurePath(source.replace("\\", "/")).parent)
    return parent if parent not in ("", ".") else "."


def passage_texts(result: PageResult, passage: Passage) -> tuple[str, str]:
    """The page and story text of a passage (sliced from the full texts when not stored)."""
    page_text = passage.page_text
    story_text = passage.story_text
    if not page_text and result.page is not None:
        page_text = result.page.text[passage.page_start : passage.page_end]
    if not story_text and result.match is not None:
        story_text = result.match.story.text[passage.story_start : passage.story_end]
    return page_text, story_text


@cache
def _builtin_packs() -> tuple[RulePack, ...]:
    try:
        return tuple(load_packs())
    except (PackError, OSError):  # a broken install still gets a report, without "required"
        return ()


def rule_agencies(packs: Iterable[RulePack]) -> dict[str, str]:
    """Rule id -> agency id, from the packs; unknown rules fall back to their prefix."""
    return {req.rule: pack.id for pack in packs for req in pack.requirements}


# --------------------------------------------------------------------------- word diff and cutting


def word_diff(page: str, story: str) -> tuple[list[Segment], list[Segment]]:
    """Both texts cut into runs of unchanged and changed words (case and punctuation ignored)."""
    page_words = [(m.start(), m.end()) for m in _WORD.finditer(page)]
    story_words = [(m.start(), m.end()) for m in _WORD.finditer(story)]
    if len(page_words) > DIFF_MAX_WORDS or len(story_words) > DIFF_MAX_WORDS:
        return [(page, False)], [(story, False)]
    a = [_word_key(page[s:e]) for s, e in page_words]
    b = [_word_key(story[s:e]) for s, e in story_words]
    page_changed = [False] * len(a)
    story_changed = [False] * len(b)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            page_changed[i1:i2] = [True] * (i2 - i1)
            story_changed[j1:j2] = [True] * (j2 - j1)
    return _segments(page, page_words, page_changed), _segments(story, story_words, story_changed)


def _word_key(word: str) -> str:
    return _NOT_WORD.sub("", word.casefold()) or word


def _segments(text: str, words: list[tuple[int, int]], changed: list[bool]) -> list[Segment]:
    out: list[Segment] = []
    pos = i = 0
    while i < len(words):
        j = i
        while j + 1 < len(words) and changed[j + 1] == changed[i]:
            j += 1
        start, end = words[i][0], words[j][1]
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], changed[i]))
        pos, i = end, j + 1
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def cut(segments: list[Segment]) -> tuple[list[Segment], int, list[Segment]]:
    """Head, number of characters left out, tail; long texts lose their middle, at spaces."""
    text = "".join(t for t, _ in segments)
    if len(text) <= PASSAGE_CHARS:
        return segments, 0, []
    head_end = text.rfind(" ", HEAD_CHARS // 2, HEAD_CHARS)
    head_end = head_end if head_end > 0 else HEAD_CHARS
    tail_start = text.find(" ", len(text) - TAIL_CHARS, len(text) - TAIL_CHARS // 2)
    tail_start = tail_start + 1 if tail_start > 0 else len(text) - TAIL_CHARS
    return _slice(segments, 0, head_end), tail_start - head_end, _slice(segments, tail_start, len(text))


def _slice(segments: list[Segment], start: int, end: int) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for text, changed in segments:
        lo, hi = max(start, pos), min(end, pos + len(text))
        if lo < hi:
            out.append((text[lo - pos : hi - pos], changed))
        pos += len(text)
    return out


# --------------------------------------------------------------------------- HTML pieces


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _link(url: str | None, text: str | None = None) -> str:
    """An anchor for a plain http(s) URL (it loads nothing until clicked), else escaped text."""
    if not url:
        return '<span class="muted">none</span>'
    label = _e(text if text is not None else url)
    if _SAFE_URL.fullmatch(url.strip()):
        return f'<a href="{_e(url.strip())}" rel="noopener noreferrer nofollow">{label}</a>'
    return label


def _badge(severity: str | None) -> str:
    if severity is None:
        return '<span class="badge sev-ok">clean</span>'
    return f'<span class="badge sev-{_e(severity)}">{_e(severity)}</span>'


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="seconds") + " UTC"  # the store keeps naive UTC


def _kv(rows: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are HTML already (escape them before)."""
    body = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<dl class="kv">{body}</dl>'


def _table(
    caption: str,
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Iterable[int] = (),
    css_class: str = "",
) -> str:
    """A table with a caption and column headers; cells are HTML already."""
    return "".join(_table_chunks(caption, head, rows, numeric, css_class))


def _table_chunks(
    caption: str,
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Iterable[int] = (),
    css_class: str = "",
) -> Iterator[str]:
    """:func:`_table` row by row (the page list of a crawl is as long as the crawl)."""
    nums = set(numeric)
    cls = [' class="num"' if i in nums else "" for i in range(len(head))]
    thead = "".join(f'<th scope="col"{cls[i]}>{_e(h)}</th>' for i, h in enumerate(head))
    table = f'<table class="{css_class}">' if css_class else "<table>"
    yield f"{table}<caption>{_e(caption)}</caption><thead><tr>{thead}</tr></thead><tbody>"
    for row in rows:
        yield "<tr>" + "".join(f"<td{cls[i]}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
    yield "</tbody></table>"


def _legend() -> str:
    return (
        '<div class="legend" role="note" aria-label="Legend">'
        '<span><span class="kind kind-verbatim swatch">Verbatim</span>same words as the story (solid edge)</span>'
        '<span><span class="kind kind-rewritten swatch">Rewritten</span>reworded (dashed edge)</span>'
        '<span><ins class="diff">underlined</ins> words the page put in</span>'
        '<span><del class="diff">struck</del> story words the page replaced</span>'
        "</div>"
    )


# --------------------------------------------------------------------------- the document


def render(report: AuditReport) -> str:
    return "".join(chunks(report))


def chunks(report: AuditReport) -> Iterator[str]:
    """The document in pieces, page by page: a run of any size is never held whole."""
    packs = _builtin_packs()
    results = ordered(report.results)
    css = _css()
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    policy = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    title = f"provenance audit — run {report.run_id}"
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{css}</style>",
        "</head><body>",
        '<a class="skip" href="#pages">Skip to the pages</a>',
        _header(report, title),
        "<main>",
    ]
    yield "\n".join(head) + "\n"
    yield from _summary(results, packs)
    yield '\n<h2 id="pages">Pages</h2>\n'
    for i, r in enumerate(results, 1):
        yield _page(report, r, _anchor(i), i, packs) + "\n"
    yield (
        "</main>\n"
        f'<footer class="muted small"><p>Generated by provenance {_e(report.tool_version)} '
        f"from audit run {_e(report.run_id)}. Offsets are character positions in the extracted "
        "page text and the corpus story text (start inclusive, end exclusive).</p></footer>\n"
        "</body></html>\n"
    )


def _anchor(number: int) -> str:
    return f"page-{number}"


@cache
def _css() -> str:
    return importlib.resources.files("provenance.formats").joinpath("html.css").read_text(encoding="utf-8")


def _header(report: AuditReport, title: str) -> str:
    tally = report.tally
    by_severity = tally.live_by_severity
    counts = [
        ("Pages", tally.pages),
        ("Matched", tally.matched),
        ("Findings", tally.findings),
        ("Error findings", by_severity.get("error", 0)),
        ("Warning findings", by_severity.get("warning", 0)),
        ("Info findings", by_severity.get("info", 0)),
        ("Suppressed", tally.suppressed),
        ("Unreadable inputs", tally.errors),
    ]
    boxes = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in counts)
    return (
        f"<header><h1>{_e(title)}</h1>"
        f'<p class="run">Run {_e(report.run_id)} · started {_e(_when(report.started))} · '
        f"finished {_e(_when(report.finished))} · provenance {_e(report.tool_version)}</p>"
        f'<dl class="counts" aria-label="Counts">{boxes}</dl>'
        f'<p class="verdict">{_e(summary_line(report))}</p></header>'
    )


def _summary(results: Iterable[PageResult], packs: Sequence[RulePack]) -> Iterator[str]:
    """The summary tables, each from one walk over the pages (the page list row by row)."""
    yield '<section aria-labelledby="summary"><h2 id="summary">Summary</h2><div class="summary-grid">'
    yield _by_site(results)
    yield _by_agency(results, packs)
    yield "</div>"
    yield _by_rule(results, packs)
    yield from _page_list(results)
    yield "</section>"


def _by_site(results: Iterable[PageResult]) -> str:
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in results:
        row = rows[site_of(r)]
        row[0] += 1
        row[1] += r.match is not None
        row[2] += len(active(r))
        row[3] += r.status == "error"
    body = [[_e(site), *(_e(n) for n in row)] for site, row in sorted(rows.items())]
    return _table(
        "By site", ["Site", "Pages", "Matched", "Findings", "Unreadable"], body, numeric=(1, 2, 3, 4)
    )


def _page_agency(result: PageResult, packs: Sequence[RulePack]) -> list[str]:
    """The agencies a page counts for: those of its matched stories, else those of its signals."""
    if result.matches:
        return list(dict.fromkeys(m.story.agency for m in result.matches))
    agencies = {p.id for p in derived_from(result.attribution, None, packs)} if result.findings else set()
    return sorted(agencies)


def _by_agency(results: Iterable[PageResult], packs: Sequence[RulePack]) -> str:
    owner = rule_agencies(packs)
    pages: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        for agency in _page_agency(r, packs):
            pages[agency]["pages"] += 1
            if (match := _match_of(r, agency)) is not None:
                pages[agency][match.derivation] += 1
        for f in active(r):
            pages[owner.get(f.rule, f.rule.split("-")[0])]["findings"] += 1
    if not pages:
        return _table(
            "By agency", ["Agency", "Pages"], [['<span class="muted">no wire copy found</span>', "0"]]
        )
    head = ["Agency", "Pages", *(d.capitalize() for d in DERIVATIONS), "Findings"]
    body = [
        [_e(agency), *(_e(c[k]) for k in ("pages", *DERIVATIONS, "findings"))]
        for agency, c in sorted(pages.items())
    ]
    return _table(
        "By agency (matched story, or the agency whose signals the page carries)", head, body, range(1, 7)
    )


@dataclass
class _RuleStats:
    severities: Counter[str] = field(default_factory=Counter)
    live: int = 0
    suppressed: int = 0
    pages: int = 0


def _by_rule(results: Iterable[PageResult], packs: Sequence[RulePack]) -> str:
    keys = {req.rule: req.key for pack in packs for req in pack.requirements}
    stats: dict[str, _RuleStats] = defaultdict(_RuleStats)
    for r in results:
        for rule in {f.rule for f in r.findings}:
            stats[rule].pages += 1
        for f in r.findings:
            row = stats[f.rule]
            row.severities[f.severity] += 1
            if f.suppressed:
                row.suppressed += 1
            else:
                row.live += 1
    if not stats:
        return '<p class="muted">No findings: every copy found is attributed as its agency asks.</p>'

    def rank(rule: str) -> tuple[int, str]:
        return (-max(SEVERITY_RANK[s] for s in stats[rule].severities), rule)

    body = []
    for rule in sorted(stats, key=rank):
        row = stats[rule]
        by_rank = sorted(row.severities, key=SEVERITY_RANK.__getitem__, reverse=True)
        label = REQUIREMENT_LABELS.get(keys.get(rule, ""), "")
        body.append(
            [
                f"<code>{_e(rule)}</code>",
                _e(label) or '<span class="muted">—</span>',
                " ".join(_badge(s) for s in by_rank),
                _e(row.live),
                _e(row.suppressed),
                _e(row.pages),
            ]
        )
    head = ["Rule", "What it means", "Severity", "Findings", "Suppressed", "Pages"]
    return _table("By rule", head, body, numeric=(3, 4, 5))


def _page_list(results: Iterable[PageResult]) -> Iterator[str]:
    rows = (
        [
            _e(i),
            f'<a href="#{_anchor(i)}">{_e(page_title(r))}</a><br><span class="muted small mono">{_e(r.page_id)}</span>',
            _e(site_of(r)),
            _status_badge(r),
            _e(verdict(r)),
        ]
        for i, r in enumerate(results, 1)
    )
    yield from _table_chunks(
        "Pages, most urgent first", ["#", "Page", "Site", "Status", "Verdict"], rows, numeric=(0,)
    )


def _status_badge(result: PageResult) -> str:
    if result.status == "error":
        return '<span class="badge sev-error">unreadable</span>'
    if result.match is None and not result.findings:
        return '<span class="badge sev-none">no match</span>'
    return _badge(worst(result))


# --------------------------------------------------------------------------- one page


def _page(
    report: AuditReport, result: PageResult, anchor: str, number: int, packs: Sequence[RulePack]
) -> str:
    level = "input-error" if result.status == "error" else (worst(result) or "none")
    title = page_title(result)
    parts = [
        f'<section class="page concern-{_e(level)}" id="{anchor}" aria-labelledby="{anchor}-h">',
        f'<h3 id="{anchor}-h">{number}. {_e(title)}</h3>',
        f'<p class="verdict">{_status_badge(result)} <strong>Verdict:</strong> {_e(verdict(result))}</p>',
    ]
    if result.status == "error":
        parts.append(
            _kv([("Source", _e(result.source)), ("URL", _link(result.url)), ("Error", _e(result.error))])
        )
        parts.append("</section>")
        return "".join(parts)
    if result.findings:
        parts.append(_findings(result))
    page_packs = _matched_packs(result, packs)
    if page_packs or result.match is not None or result.attribution.signals:
        parts.append(_attribution(result, page_packs))
    parts.append('<div class="facts">')
    if result.match is not None:
        parts.append(f"<div><h4>Match</h4>{_match_numbers(result.match)}</div>")
    if len(result.matches) > 1:
        items = "".join(f"<li>{_e(line)}</li>" for line in other_matches(result))
        parts.append(f'<div><h4>Other matched stories</h4><ul class="plain">{items}</ul></div>')
    parts.append(f"<div><h4>Evidence record</h4>{_record(report, result)}</div>")
    parts.append("</div>")
    if result.match is not None and result.match.evidence:
        parts.append(_evidence(result, anchor))
    parts.append("</section>")
    return "".join(parts)


def _matched_packs(result: PageResult, packs: Sequence[RulePack]) -> list[RulePack]:
    """The packs of every agency the page derives from: each match's, in match order."""
    found: dict[str, RulePack] = {}
    for match in result.matches or [None]:
        for pack in derived_from(result.attribution, match, packs):
            found.setdefault(pack.id, pack)
    return list(found.values())


def _match_of(result: PageResult, agency: str) -> Match | None:
    """The page's best match among the stories of ``agency``, or None."""
    return next((m for m in result.matches if m.story.agency == agency), None)


def _findings(result: PageResult) -> str:
    rows = []
    for f in result.findings:
        status = "active"
        if f.suppressed:
            status = f"suppressed — {f.suppressed_by or 'no reason given'}"
        message = f'<span class="msg">{_e(f.message)}</span>'
        if f.evidence:
            message += (
                f'<br><span class="small muted">Evidence: <span class="quote">{_e(f.evidence)}</span></span>'
            )
        cells = [_badge(f.severity), f"<code>{_e(f.rule)}</code>", message, _e(f.line or "—"), _e(status)]
        row_class = ' class="suppressed"' if f.suppressed else ""
        rows.append(f"<tr{row_class}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Severity", "Rule", "Message", "Line", "Status"))
    return (
        f'<h4>Findings</h4><table class="findings"><caption class="muted small">{_e(findings_phrase(result))}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _signal(s: Signal) -> str:
    where = s.where if s.line is None else f"{s.where}, line {s.line}"
    prose = ", in prose" if s.prose else ""
    return f'{_e(s.kind)}: <span class="quote">{_e(s.text)}</span> <span class="muted small">({_e(where)}{prose})</span>'


def _signals(signals: Sequence[Signal]) -> str:
    if not signals:
        return '<span class="muted">none found</span>'
    return '<ul class="plain">' + "".join(f"<li>{_signal(s)}</li>" for s in signals) + "</ul>"


def _rule_status(result: PageResult, rules: Sequence[str], ok: str) -> str:
    if not rules:
        return '<span class="st-na">not required</span>'
    hits = [f for f in result.findings if f.rule in rules]
    if not hits:
        return f'<span class="st-ok">✔ {_e(ok)}</span>'
    ids = ", ".join(sorted({f.rule for f in hits}))
    if all(f.suppressed for f in hits):
        return (
            f'<span class="st-breached">✘ breached: {_e(ids)}</span> <span class="muted">(suppressed)</span>'
        )
    return f'<span class="st-breached">✘ breached: {_e(ids)}</span>'


def _attribution(result: PageResult, page_packs: Sequence[RulePack]) -> str:
    info = attribution_dict(result)
    signals = result.attribution.signals
    parts = ["<h4>Attribution: found vs required</h4>"]
    detected = ", ".join(info["agencies_detected"]) or "none"
    credited = "yes" if info["agency_credited"] else "no"
    parts.append(
        _kv(
            [
                ("Agencies named on the page", _e(detected)),
                ("Agency credited", f"<strong>{_e(credited)}</strong>"),
                (
                    "Byline on the page",
                    _e(info["byline"]) if info["byline"] else '<span class="muted">none</span>',
                ),
                ("Dateline", _e(info["dateline"]) if info["dateline"] else '<span class="muted">none</span>'),
            ]
        )
    )
    for pack in page_packs:
        parts.append(_requirements(result, pack, signals))
    if not page_packs:
        parts.append(f"<p><strong>Signals found on the page</strong></p>{_signals(signals)}")
    return "".join(parts)


def _requirements(result: PageResult, pack: RulePack, signals: Sequence[Signal]) -> str:
    mine = [s for s in signals if s.agency == pack.id]

    def rules(*keys: str) -> list[str]:
        return [req.rule for key in keys if (req := pack.requirement(key)) is not None]

    credit = pack.requirement("credit")
    credit_need = (
        f"a dateline, byline or credit line naming {_e(pack.name)}"
        if credit
        else '<span class="muted">no</span>'
    )
    notice = pack.requirement("notice") or pack.requirement("notice_form")
    others = [f"<li>{_e(form)}</li>" for form in pack.notice.accepted]
    notice_need = (
        f'<span class="quote">{_e(pack.notice.canonical)}</span>'
        + (
            f'<br><span class="small muted">also accepted:</span><ul class="plain small">{"".join(others)}</ul>'
            if others
            else ""
        )
        if notice
        else '<span class="muted">no</span>'
    )
    foreign_notices = [s for s in signals if s.kind == "notice" and s.agency != pack.id]
    notice_found = _signals([s for s in mine if s.kind == "notice"])
    if foreign_notices:
        notice_found += '<div class="small muted">other notices:</div>' + _signals(foreign_notices)
    match = _match_of(result, pack.id)
    story = match.story if match is not None else None
    byline_req = pack.requirement("byline")
    if byline_req is None:
        byline_need = '<span class="muted">no</span>'
    else:
        writers = ", ".join(story.contributors) if story is not None and story.contributors else ""
        byline_need = f"no person byline in place of the {_e(pack.id)} credit"
        if story is not None:
            byline_need += f'<br><span class="small muted">story byline:</span> {_e(story.byline or "none")}'
        if writers:
            byline_need += f'<br><span class="small muted">story writers:</span> {_e(writers)}'
        if match is not None and match.derivation not in byline_req.derivations:
            byline_need += (
                f'<br><span class="small muted">not checked for {_e(match.derivation)} copies</span>'
            )
    link = pack.requirement("link")
    if link is None:
        link_need = '<span class="muted">no</span>'
    elif link.required == "when-claimed":
        link_need = "only when the page claims to link its source"
    else:
        link_need = "yes"
    if link is not None:
        targets = [_e(d) for d in pack.link_domains]
        if story is not None and story.url:
            targets.append(_link(story.url, "the story URL"))
        if targets:
            link_need += f'<br><span class="small muted">to:</span> {", ".join(targets)}'
    links = [s for s in mine if s.kind == "link"]
    link_found = (
        '<ul class="plain">' + "".join(f"<li>{_link(s.text)}</li>" for s in links) + "</ul>"
        if links
        else '<span class="muted">none found</span>'
    )
    rows = [
        [
            "Agency credit",
            credit_need,
            _signals([s for s in mine if s.kind in ("dateline", "byline", "credit")]),
            _rule_status(result, rules("credit"), "credited"),
        ],
        [
            "Copyright notice",
            notice_need,
            notice_found,
            _rule_status(result, rules("notice", "notice_form"), "accepted form"),
        ],
        [
            "Byline",
            byline_need,
            _signals([s for s in signals if s.kind == "byline"]),
            _rule_status(result, rules("byline"), "no finding"),
        ],
        [
            "Contributor lines",
            '<span class="muted">not a credit; shows where the text came from</span>',
            _signals([s for s in signals if s.kind == "contributor"]),
            '<span class="st-na">for information</span>',
        ],
        ["Link to the source", link_need, link_found, _rule_status(result, rules("link"), "no finding")],
    ]
    return _table(
        f"{pack.name} ({pack.id}) requirements",
        ["Requirement", "Required", "Found on the page", "Status"],
        rows,
        css_class="requirements",
    )


def _match_numbers(match: Match) -> str:
    info = match_dict(match)
    assert info is not None
    versions = ", ".join(info["versions"]) or "none"
    return _kv(
        [
            ("Derivation", f"<strong>{_e(info['derivation'])}</strong>"),
            ("Coverage", f"{_pct(info['coverage'])} of the story reproduced"),
            ("Verbatim", _pct(info["verbatim_share"])),
            ("Rewritten", _pct(info["rewritten_share"])),
            ("Order kept", "yes" if info["order_kept"] else "no"),
            ("Similarity", f"{info['similarity']:.2f} (fingerprint)"),
            ("Other versions", _e(versions)),
            ("Aligned passages", _e(len(match.evidence))),
        ]
    )


def _record(report: AuditReport, result: PageResult) -> str:
    page = result.page
    rows = [
        ("Page source", f'<span class="mono">{_e(result.source)}</span>'),
        ("Page URL", _link(result.url)),
        ("Content hash", f"<code>{_e(page.content_hash)}</code>" if page and page.content_hash else "—"),
    ]
    if page is not None and page.evidence is not None:
        rows.append(("Archived response", _archived(page.evidence)))
    if result.match is not None:
        story = result.match.story
        rows += [
            ("Story agency", _e(story.agency)),
            ("Story id", f"<code>{_e(story.id)}</code>"),
            ("Story title", _e(story.title or "—")),
            ("Story URL", _link(story.url)),
        ]
        if story.published:
            rows.append(("Story published", _e(story.published)))
    rows.append(("Audited", f"run {_e(report.run_id)}, {_e(_when(report.started))}"))
    return _kv(rows)


def _archived(location: WarcLocation) -> str:
    """The WARC file (linked) and record holding the page's response, and how to replay it."""
    path = PurePath(location.warc)
    uri = path.as_uri() if path.is_absolute() else location.warc
    offset = f", offset {_e(location.offset)}" if location.offset is not None else ""
    bare = location.record_id.strip("<>")  # <urn:uuid:…> without the brackets a shell reads
    return (
        f'<a class="mono" href="{_e(uri)}">{_e(location.warc)}</a>, record '
        f"<code>{_e(location.record_id)}</code>{offset}<br>"
        f"replay: <code>provenance evidence {_e(bare)}</code>"
    )


def _evidence(result: PageResult, anchor: str) -> str:
    match = result.match
    assert match is not None
    passages = sorted(match.evidence, key=lambda p: (p.page_start, p.story_start))
    shown = passages[:MAX_PASSAGES]
    parts = [
        f"<h4>Side-by-side evidence ({len(passages)} aligned passage{'s' if len(passages) != 1 else ''})</h4>"
    ]
    parts.append(_legend())
    for i, p in enumerate(shown, 1):
        parts.append(_passage(result, p, i, len(passages), f"{anchor}-e{i}"))
    if len(passages) > len(shown):
        parts.append(
            f'<p class="more">{len(passages) - len(shown)} more passages not shown; the JSON report lists them all.</p>'
        )
    return "".join(parts)


def _passage(result: PageResult, p: Passage, number: int, total: int, anchor: str) -> str:
    match = result.match
    assert match is not None
    page_text, story_text = passage_texts(result, p)
    if p.kind == "rewritten":
        page_segments, story_segments = word_diff(page_text, story_text)
    else:
        page_segments, story_segments = [(page_text, False)], [(story_text, False)]
    kind = "verbatim" if p.kind == "verbatim" else "rewritten"
    page_where = f"chars {p.page_start:,}–{p.page_end:,}"
    story_where = f"chars {p.story_start:,}–{p.story_end:,}"
    caption = (
        f'<span class="kind kind-{kind}">{kind}</span> passage {number} of {total} · '
        f"similarity {p.similarity:.0%} · page {page_where} · story {story_where}"
    )
    story_label = f"Story {match.story.agency} {match.story.id} · {story_where}"
    return (
        f'<figure class="passage passage-{kind}" id="{anchor}"><figcaption>{caption}</figcaption>'
        '<div class="sides">'
        f'<div class="side"><div class="side-label">Page · {_e(page_where)}</div>'
        f'<div class="evidence evidence-{kind}" aria-label="page text, {kind}">{_text(page_segments, "ins")}</div></div>'
        f'<div class="side"><div class="side-label">{_e(story_label)}</div>'
        f'<div class="evidence evidence-{kind}" aria-label="story text, {kind}">{_text(story_segments, "del")}</div></div>'
        "</div></figure>"
    )


def _text(segments: list[Segment], tag: str) -> str:
    head, omitted, tail = cut(segments)
    out = [_marked(head, tag)]
    if omitted:
        out.append(f'<span class="elided">[… {omitted:,} characters omitted …]</span>')
        out.append(_marked(tail, tag))
    return "".join(out)


def _marked(segments: list[Segment], tag: str) -> str:
    return "".join(f'<{tag} class="diff">{_e(t)}</{tag}>' if changed else _e(t) for t, changed in segments)
