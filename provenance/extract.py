"""Raw page → :class:`~provenance.model.Page`: body text, visible lines and metadata.

Pure functions: bytes or a string in, a ``Page`` out; no file system, no network.

Three different views of one page are kept, because the checks need all three:

* ``text`` is the article body, found by trafilatura. Body extraction is a hard problem
  (boilerplate, related links, comments) that a maintained library solves far better than
  a few heuristics would. Settings were measured on real news pages (Zyte's article
  extraction benchmark): ``favor_recall`` with tables keeps whole bodies best, and
  ``fast`` (no readability/justext fallback) loses no body text while adding less
  boilerplate. Hidden elements are removed before, and a leading headline after (wire
  texts have none). When trafilatura finds nothing, the paragraphs of ``<article>``,
  ``<main>`` or ``<body>`` are used instead.
* ``lines`` are every visible line of the *raw* page with where it sits (header, body,
  footer) and its source line. Credit lines, bylines and copyright footers live exactly
  where body extractors cut, so this walk over the lxml tree is hand-written: no library
  keeps block boundaries, hidden-element rules and source lines together.
* ``meta`` holds what the page says about itself in ``<meta>`` tags, link relations,
  byline markup and JSON-LD. JSON-LD is parsed with :func:`json.loads` rather than a
  metadata library so that every field the attribution checks need (``creditText``,
  ``copyrightNotice``, ``isBasedOn``…) is kept, and broken blocks are skipped silently.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from dataclasses import dataclass

import trafilatura
from lxml import etree

from provenance.links import page_links
from provenance.model import Link, Page, TextLine, Where
from provenance.suppress import find_markers
from provenance.text import normalize


class ExtractionError(ValueError):
    """A page that cannot be turned into text: binary, undecodable, empty or invisible."""


# --------------------------------------------------------------------------- decoding

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# WHATWG: these labels mean windows-1252, a superset browsers use in their place.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "cp819"})
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])  # not tab, newlines, form feed
_BINARY_SAMPLE = 65536
_BINARY_SHARE = 0.05


def decode(data: bytes, *, html: bool = False) -> str:
    """Bytes → str. Text is strict UTF-8 (a BOM is allowed); HTML also honours a UTF-16
    BOM and a declared ``<meta charset>``, then falls back to UTF-8.

    Raises :class:`ExtractionError` for binary data or bytes that do not decode.
    """
    if html and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_strict(data, "utf-16")
    if is_binary(data):
        raise ExtractionError("binary file")
    if data.startswith(codecs.BOM_UTF8):
        return _decode_strict(data, "utf-8-sig")
    if html:
        declared = declared_charset(data)
        if declared and not declared.startswith("utf-"):  # a UTF-16 label on ASCII bytes is wrong
            try:
                return data.decode(declared)
            except (UnicodeDecodeError, LookupError):
                pass  # mislabelled page: UTF-8 is the likeliest truth
    return _decode_strict(data, "utf-8")


def is_binary(data: bytes) -> bool:
    """NUL bytes or a high share of control characters: not a text or HTML file."""
    if b"\x00" in data:
        return True
    sample = data[:_BINARY_SAMPLE]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls / len(sample) > _BINARY_SHARE


def declared_charset(data: bytes) -> str | None:
    """The Python codec named by a ``<meta charset>``/``http-equiv``/XML declaration, if known."""
    m = _DECLARED_CHARSET.search(data[:4096])
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii").lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _decode_strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        raise ExtractionError(f"invalid {name} at byte {exc.start}") from None


# --------------------------------------------------------------------------- plain text

_TITLE_MAX = 200


def page_from_text(text: str, *, id: str, source: str, url: str | None = None) -> Page:
    """A plain-text page: the whole text is the body, every non-empty line a line."""
    if not text.strip():
        raise ExtractionError("empty: no text")
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [
        TextLine(norm, "body", number)
        for number, raw in enumerate(raw_lines, start=1)
        if (norm := _one_line(raw))
    ]
    return Page(
        id=id,
        source=source,
        text=normalize(text),
        url=url,
        title=_text_title(raw_lines),
        lines=lines,
        meta={},
        content_hash=_sha256(text.encode("utf-8", "surrogatepass")),
        suppressions=find_markers(text),
    )


def _text_title(raw_lines: list[str]) -> str | None:
    """The first line, when it is short and a blank line parts it from more text (a headline)."""
    filled = [i for i, line in enumerate(raw_lines) if line.strip()]
    if len(filled) < 2 or raw_lines[filled[0] + 1].strip():
        return None
    first = filled[0]
    title = _one_line(raw_lines[first])
    return title if len(title) <= _TITLE_MAX else None


# --------------------------------------------------------------------------- HTML

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def page_from_html(html: bytes | str, *, id: str, source: str, url: str | None = None) -> Page:
    """An HTML page: trafilatura body, every visible line of the raw page, and metadata."""
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    markup = decode(html, html=True) if isinstance(html, bytes) else html
    markup = _BAD_CHARS.sub("", _XML_DECL.sub("", markup, count=1))
    root = _parse(markup)
    lines = visible_lines(root) if root is not None else []
    if root is None or not lines:
        raise ExtractionError("no text: page has no visible text")
    title = _html_title(root)
    text = _without_headline(body_text(root), root, title) or _fallback_text(root, lines)
    if not text:
        raise ExtractionError("no text: page has no visible text")
    meta = page_meta(root)
    return Page(
        id=id,
        source=source,
        text=text,
        url=url,
        title=title,
        lines=lines,
        meta=meta,
        content_hash=_sha256(raw),
        links=_meta_links(meta) + page_links(root, url or meta.get("canonical"), link_where),
        jsonld=jsonld_articles(root),
        suppressions=find_markers(markup),
    )


def _meta_links(meta: dict[str, str]) -> list[Link]:
    """The canonical and syndication-source URLs a page declares: links to the original too."""
    keys = ("canonical", "syndication_source", "original_source")
    return [Link(meta[k], k, "meta") for k in keys if meta.get(k, "").startswith(("http://", "https://"))]


def _parse(markup: str) -> etree._Element | None:
    parser = etree.HTMLParser(recover=True, remove_comments=False, no_network=True)
    try:
        return etree.fromstring(markup, parser)
    except (etree.LxmlError, ValueError):
        return None


def body_text(root: etree._Element) -> str:
    """The article body by trafilatura, normalised, one blank line between paragraphs.

    Hidden elements are removed first: trafilatura keeps ``hidden`` and ``display:none``
    text, which no reader sees and which a copy need not contain.
    """
    try:
        out = trafilatura.extract(
            etree.tostring(_without_hidden(root), method="html", encoding="unicode"),
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            fast=True,
        )
    except Exception:  # a library crash on one odd page must not lose the page
        return ""
    return _paragraphs(out.split("\n")) if out else ""


def _without_headline(text: str, root: etree._Element, title: str | None) -> str:
    """The body without a leading headline: trafilatura keeps an ``<h1>`` that wire texts lack."""
    first, _, rest = text.partition("\n\n")
    headlines = {_visible_text(h).casefold() for h in root.iter("h1")} | {(title or "").casefold()}
    return rest if rest and first.casefold() in headlines else text


def _without_hidden(root: etree._Element) -> etree._Element:
    copy = deepcopy(root)
    for el in [el for el in copy.iter() if isinstance(el.tag, str) and _is_hidden(el)]:
        _remove_keeping_tail(el)
    return copy


def _remove_keeping_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _paragraphs(blocks: Iterable[str]) -> str:
    return "\n\n".join(p for p in (_one_line(b) for b in blocks) if p)


def _one_line(text: str) -> str:
    return " ".join(normalize(text).split())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- visible lines


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DROP = _words(
    """head script style noscript template svg iframe object embed canvas audio video map
    select datalist dialog math"""
)
_BLOCK = _words(
    """p h1 h2 h3 h4 h5 h6 li dt dd td th caption figcaption blockquote pre address div section
    article aside header footer nav main figure ul ol dl table tbody thead tfoot tr form fieldset
    legend details summary hr center body html menu hgroup option"""
)
_HIDDEN_CLASSES = _words(
    """hidden d-none is-hidden visually-hidden visuallyhidden sr-only screen-reader-text
    screenreader-only"""
)
_SHOWN_LATER = re.compile(r"[a-z0-9]+:(?:block|flex|inline|grid|table)|d-(?:sm|md|lg|xl)-(?!none)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_HEADER_TAGS = frozenset({"header", "nav"})
_HEADER_ROLES = frozenset({"banner", "navigation"})
_HEADER_WORDS = re.compile(r"(?:^|[^a-z])(?:header|masthead|nav)", re.IGNORECASE)
_FOOTER_WORDS = re.compile(r"(?:^|[^a-z])(?:footer|copyright|colophon)", re.IGNORECASE)
_CONTENT_TAGS = ("article", "main")
_LONG_PARAGRAPH = 120  # characters
_WRAPPER_PARAGRAPHS = 3  # long paragraphs: more than a header or footer ever holds
_WORD_CHAR = re.compile(r"\w")


@dataclass(slots=True)
class _Run:
    """Text being gathered into one visible line."""

    where: Where
    line: int | None
    parts: list[str]


class _LineWalker:
    """Depth-first walk that cuts the text of the page at block boundaries and ``<br>``.

    ``cursor`` follows the source line as text goes by, so a run that starts in the tail
    of a nested element (which lxml gives no line for) still gets a close line number.
    """

    def __init__(self) -> None:
        self.lines: list[TextLine] = []
        self.run: _Run | None = None
        self.cursor = 1
        self.glued = False  # an inline element just ended and no text has followed yet

    def collect(self, root: etree._Element) -> list[TextLine]:
        self.walk(root, "body")
        self._flush()
        return self.lines

    def walk(self, el: etree._Element, where: Where) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _DROP or _is_hidden(el):  # comments, PIs, invisible elements
            self._skip(el)
            return
        where = _where(el, tag, where)
        self.cursor = max(self.cursor, el.sourceline or 0)
        block = tag in _BLOCK or tag == "br"
        if block:
            self._flush()
        elif self.glued and self.run:  # <span>A</span><span>B</span> renders apart
            self.run.parts.append(" ")
        self.glued = False
        self._text(el.text, where, el.sourceline)
        for child in el:
            self.walk(child, where)
            self._text(child.tail, where, child.sourceline if _tag(child) == "br" else None)
        if block:
            self._flush()
        else:
            self.glued = True

    def _skip(self, el: etree._Element) -> None:
        self.cursor = max(self.cursor, el.sourceline or 0) + (el.text or "").count("\n")

    def _text(self, text: str | None, where: Where, line: int | None) -> None:
        if not text:
            return
        self.glued = False
        if not text.strip():
            self.cursor += text.count("\n")
            if self.run:
                self.run.parts.append(" ")
            return
        if self.run is None:
            lead = text[: len(text) - len(text.lstrip())]
            self.run = _Run(where, line or self.cursor + lead.count("\n"), [])
        self.run.parts.append(text)
        self.cursor += text.count("\n")

    def _flush(self) -> None:
        run, self.run = self.run, None
        if run is None:
            return
        text = _one_line("".join(run.parts))
        if _WORD_CHAR.search(text):
            self.lines.append(TextLine(text, run.where, run.line))


def visible_lines(root: etree._Element) -> list[TextLine]:
    """Every visible text line of the page in document order, with where and source line."""
    return _LineWalker().collect(root)


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("type", "").lower() == "hidden":
        return True
    if _HIDDEN_STYLE.search(el.get("style", "")):
        return True
    classes = el.get("class", "").lower().split()
    if not _HIDDEN_CLASSES.intersection(classes):
        return False
    return not any(_SHOWN_LATER.match(c) for c in classes)  # "hidden md:block": shown on desktops


def _where(el: etree._Element, tag: str, outer: Where) -> Where:
    """Footer wins over header (a footer's nav is still footer); wrappers of the article are body."""
    if outer == "footer":
        return "footer"
    kind = _landmark(el, tag)
    if kind is None or (outer == "header" and kind == "header"):
        return outer
    return outer if _wraps_content(el) else kind


def _landmark(el: etree._Element, tag: str) -> Where | None:
    """What the element itself says it is, by tag, ARIA role, or class and id words."""
    role = el.get("role", "").lower()
    if tag == "footer" or role == "contentinfo":
        return "footer"
    if tag in _HEADER_TAGS or role in _HEADER_ROLES:
        return "header"
    if tag in ("html", "body", *_CONTENT_TAGS):
        return None
    names = f"{el.get('class', '')} {el.get('id', '')}"
    if _FOOTER_WORDS.search(names):
        return "footer"
    if _HEADER_WORDS.search(names):
        return "header"
    return None


def link_where(el: etree._Element) -> Where:
    """Header, body or footer for any element, by the same landmark rules as the lines."""
    where: Where = "body"
    for anc in reversed(list(el.iterancestors())):
        where = _where(anc, _tag(anc), where)
    return where


def _wraps_content(el: etree._Element) -> bool:
    """An ``article-header`` div that holds the story's paragraphs is not a header."""
    if any(True for _ in el.iterdescendants(*_CONTENT_TAGS)):
        return True
    found = 0
    for p in el.iterdescendants("p"):
        found += len("".join(p.itertext())) >= _LONG_PARAGRAPH
        if found >= _WRAPPER_PARAGRAPHS:
            return True
    return False


# --------------------------------------------------------------------------- body fallback

_BOILERPLATE_TAGS = frozenset({"header", "footer", "nav", "aside", "figure", "form"})
_BOILERPLATE_NAMES = re.compile(
    r"byline|author|credit|copyright|caption|share|social|related|promo|newsletter|footer|header|nav",
    re.IGNORECASE,
)


def _fallback_text(root: etree._Element, lines: list[TextLine]) -> str:
    """Paragraphs of the main container when trafilatura finds no body; else body lines."""
    text = _paragraphs(_visible_text(p) for p in _content_paragraphs(_container(root)))
    if text:
        return text
    body = [line.text for line in lines if line.where == "body"] or [line.text for line in lines]
    return _paragraphs(body)


def _container(root: etree._Element) -> etree._Element:
    for tag in ("article", "main", "body"):
        found = next(root.iter(tag), None)
        if found is not None:
            return found
    return root


def _content_paragraphs(container: etree._Element) -> Iterator[etree._Element]:
    for p in container.iter("p"):
        if not any(_is_boilerplate(a) for a in _ancestors_within(p, container)):
            yield p


def _ancestors_within(el: etree._Element, container: etree._Element) -> Iterator[etree._Element]:
    node: etree._Element | None = el
    while node is not None and node is not container:
        yield node
        node = node.getparent()


def _is_boilerplate(el: etree._Element) -> bool:
    if _tag(el) in _BOILERPLATE_TAGS or _tag(el) in _DROP or _is_hidden(el):
        return True
    return bool(_BOILERPLATE_NAMES.search(f"{el.get('class', '')} {el.get('id', '')}"))


def _visible_text(el: etree._Element) -> str:
    return " ".join(line.text for line in _LineWalker().collect(el))


# --------------------------------------------------------------------------- title and meta

_ARTICLE_TYPES = re.compile(r"(?:Article|BlogPosting|Report|LiveBlogPosting)$")
_JSONLD_FIELDS = (
    "author",
    "publisher",
    "creditText",
    "copyrightNotice",
    "copyrightHolder",
    "sourceOrganization",
    "isBasedOn",
    "dateline",
)
_BYLINE_MAX = 200
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dc.date",
)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_FIRST_YEAR, _LAST_YEAR = 1900, 2200


def _html_title(root: etree._Element) -> str | None:
    """og:title, then the story's ``<h1>``, then ``<title>``, then any ``<h1>``."""
    return next((t for t in _title_candidates(root) if t), None)


def _title_candidates(root: etree._Element) -> Iterator[str]:
    yield _first_meta(_meta_index(root), "og:title", "twitter:title")
    for container in _CONTENT_TAGS:
        yield from (_visible_text(h) for h in root.iterfind(f".//{container}//h1"))
    yield from (_visible_text(t) for t in root.iter("title"))
    yield from (_visible_text(h) for h in root.iter("h1"))


def page_meta(root: etree._Element) -> dict[str, str]:
    """Author, dates, site and the JSON-LD attribution fields a page declares about itself."""
    jsonld = jsonld_fields(root)
    index = _meta_index(root)
    meta = {
        "author": _author(root, index, jsonld.get("jsonld:author", "")),
        "published": _published(root, index, jsonld.get("jsonld:datePublished", "")),
        "site_name": _first_meta(index, "og:site_name"),
        "canonical": _link_href(root, "canonical") or _first_meta(index, "og:url"),
        "description": _first_meta(index, "description", "og:description", "twitter:description"),
        "syndication_source": _first_meta(index, "syndication-source")
        or _link_href(root, "syndication-source"),
        "original_source": _first_meta(index, "original-source") or _link_href(root, "original-source"),
        "article:author": _first_meta(index, "article:author"),
        "article:publisher": _first_meta(index, "article:publisher"),
        "og:title": _first_meta(index, "og:title"),
        "og:type": _first_meta(index, "og:type"),
    }
    meta.update((k, v) for k, v in jsonld.items() if k != "jsonld:datePublished")
    return {k: v for k, v in meta.items() if v}


def _meta_index(root: etree._Element) -> dict[str, str]:
    """``<meta property|name|itemprop=KEY content=VALUE>`` → {key: first non-empty value}."""
    index: dict[str, str] = {}
    for el in root.iter("meta"):
        value = _one_line(el.get("content") or "")
        if not value:
            continue
        for key in " ".join(el.get(a) or "" for a in ("property", "name", "itemprop")).lower().split():
            index.setdefault(key, value)
    return index


def _first_meta(index: dict[str, str], *names: str) -> str:
    return next((index[n] for n in names if n in index), "")


def _link_href(root: etree._Element, rel: str) -> str:
    for el in root.iter("link"):
        if rel in (el.get("rel") or "").lower().split() and (href := (el.get("href") or "").strip()):
            return href
    return ""


def _author(root: etree._Element, index: dict[str, str], jsonld_author: str) -> str:
    """Meta tags first, then JSON-LD, then author links and byline markup near the story."""
    return next((a for a in _author_candidates(root, index, jsonld_author) if a), "")


def _author_candidates(root: etree._Element, index: dict[str, str], jsonld_author: str) -> Iterator[str]:
    yield _first_meta(index, "author")
    article_author = _first_meta(index, "article:author")  # often a profile URL, not a name
    yield "" if _is_url(article_author) else article_author
    yield jsonld_author
    yield _joined(_visible_text(a) for a in _first_group(root, ".//a[@rel]", _is_rel_author))
    yield _joined(_itemprop_name(el) for el in _first_group(root, ".//*[@itemprop='author']"))
    yield _byline_text(root)


def _story_scope(root: etree._Element) -> etree._Element:
    """The first ``<article>`` or ``<main>``: where the story's own byline sits."""
    return next((el for c in _CONTENT_TAGS for el in root.iter(c)), root)


def _is_rel_author(el: etree._Element) -> bool:
    return "author" in (el.get("rel") or "").lower().split()


def _first_group(
    root: etree._Element, path: str, keep: Callable[[etree._Element], bool] = lambda _: True
) -> list[etree._Element]:
    """Matches inside the first block holding one (the story's byline, not related links)."""
    scope = _story_scope(root)
    found = [el for el in scope.iterfind(path) if keep(el)] or [el for el in root.iterfind(path) if keep(el)]
    if not found:
        return []
    block = next((a for a in found[0].iterancestors() if _tag(a) in _BLOCK), root)
    return [el for el in found if any(a is block for a in el.iterancestors())]


def _itemprop_name(el: etree._Element) -> str:
    if (el.get("content") or "").strip():
        return _one_line(el.get("content") or "")
    name = el.find(".//*[@itemprop='name']")
    target = name if name is not None else el
    return _one_line(target.get("content") or "") or _visible_text(target)


def _byline_text(root: etree._Element) -> str:
    """The text of the first short element whose class or id says byline (then author)."""
    for pattern in ("byline", "author"):
        for scope in (_story_scope(root), next(root.iter("body"), root)):
            for el in scope.iter():
                if pattern in _names(el).lower() and _shown_outside_comments(el):
                    text = _visible_text(el)
                    if text and len(text) <= _BYLINE_MAX:
                        return text
    return ""


def _names(el: etree._Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}" if isinstance(el.tag, str) else ""


def _shown_outside_comments(el: etree._Element) -> bool:
    """Comment forms and comment threads have 'author' fields too; they are not the byline."""
    for node in (el, *el.iterancestors()):
        if _tag(node) in _DROP or _tag(node) == "form" or _is_hidden(node):
            return False
        if "comment" in _names(node).lower():
            return False
    return True


def _published(root: etree._Element, index: dict[str, str], jsonld_date: str) -> str:
    """The first plausible publication date: meta tags, JSON-LD, then page markup."""
    return next((c for c in _date_candidates(root, index, jsonld_date) if _plausible_date(c)), "")


def _date_candidates(root: etree._Element, index: dict[str, str], jsonld_date: str) -> Iterator[str]:
    yield from (index.get(name, "") for name in _DATE_META)
    yield jsonld_date
    for el in root.iterfind(".//*[@itemprop]"):
        if "datepublished" in el.get("itemprop", "").lower().split():
            yield el.get("content") or el.get("datetime") or _visible_text(el)
    yield _time_datetime(root)


def _plausible_date(value: str) -> bool:
    """Rejects placeholders such as ``0001-01-01T00:00:00Z`` that templates leave behind."""
    years = (int(y) for y in _YEAR.findall(value))
    return any(_FIRST_YEAR <= y <= _LAST_YEAR for y in years)


def _time_datetime(root: etree._Element) -> str:
    """``time[datetime]``, preferring one marked as the publication date."""
    times = [t for t in root.iter("time") if (t.get("datetime") or "").strip()]
    marked = [t for t in times if t.get("itemprop") == "datePublished" or t.get("pubdate") is not None]
    chosen = (marked or times or [None])[0]
    return (chosen.get("datetime") or "").strip() if chosen is not None else ""


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "//", "www."))


def _joined(values: Iterable[str]) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


# --------------------------------------------------------------------------- JSON-LD

_JSONLD_TYPE = re.compile(r"application/ld\+json", re.IGNORECASE)
_JSONLD_DEPTH = 5  # nesting followed; real pages need 2 or 3, cycles must end
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
_JSON_WRAPPER = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$|;\s*$")


def jsonld_fields(root: etree._Element) -> dict[str, str]:
    """``jsonld:FIELD`` for the attribution fields of the page's (News)Article objects."""
    nodes = list(_jsonld_nodes(root))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if _is_article(n)]
    out: dict[str, str] = {}
    for name in _JSONLD_FIELDS:
        if value := _first_value(articles, name, by_id):
            out[f"jsonld:{name}"] = value
    if date := _first_value(articles, "datePublished", by_id) or _first_value(nodes, "datePublished", by_id):
        out["jsonld:datePublished"] = date  # any node's date when no article has one (ClaimReview…)
    return out


_JSONLD_KEPT = (
    "@type",
    "headline",
    "url",
    "datePublished",
    "dateModified",
    "author",
    "publisher",
    "copyrightHolder",
    "copyrightNotice",
    "copyrightYear",
    "creditText",
    "isBasedOn",
    "sourceOrganization",
    "dateline",
    "mainEntityOfPage",
)


def jsonld_articles(root: etree._Element) -> list[dict[str, object]]:
    """The page's (News)Article JSON-LD objects, trimmed to the fields provenance reports."""
    return [{k: n[k] for k in _JSONLD_KEPT if k in n} for n in _jsonld_nodes(root) if _is_article(n)][:10]


def _first_value(nodes: list[dict], name: str, by_id: dict[str, dict]) -> str:
    return next((v for n in nodes if (v := _stringify(n.get(name), by_id))), "")


def _jsonld_nodes(root: etree._Element) -> Iterator[dict]:
    for script in root.iter("script"):
        if not _JSONLD_TYPE.search(script.get("type") or ""):
            continue
        data = _lenient_json(_JSON_WRAPPER.sub("", script.text or ""))
        if data is not None:
            yield from _flatten(data)


def _lenient_json(text: str) -> object | None:
    """JSON, or JSON with the slips hand-written JSON-LD often has; None when still broken.

    Trailing commas and whole-line ``//`` comments are repaired; text after the first value
    is ignored.
    """
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    repaired = _TRAILING_COMMA.sub(r"\1", _LINE_COMMENT.sub("", text)).strip()
    try:
        return json.JSONDecoder(strict=False).raw_decode(repaired)[0]
    except ValueError:
        return None  # broken beyond repair: says nothing we can trust


def _flatten(data: object, depth: int = 0) -> Iterator[dict]:
    """Top-level objects, list items, ``@graph`` members and a page's ``mainEntity``."""
    if depth > _JSONLD_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from _flatten(data[key], depth + 1)


def _is_article(node: dict) -> bool:
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and _ARTICLE_TYPES.search(t) for t in names)


def _stringify(value: object, by_id: dict[str, dict], depth: int = 0) -> str:
    """Strings as they are; objects by their name (following ``@id`` references); lists joined."""
    if value is None or isinstance(value, bool) or depth > _JSONLD_DEPTH:
        return ""
    if isinstance(value, str | int | float):
        return _one_line(str(value))
    if isinstance(value, list):
        return _joined(_stringify(v, by_id, depth + 1) for v in value)
    if isinstance(value, dict):
        ref = value.get("@id")
        if "name" not in value and isinstance(ref, str) and ref in by_id and by_id[ref] is not value:
            value = by_id[ref]
        for key in ("name", "legalName", "alternateName", "headline", "url", "@id"):
            if text := _stringify(value.get(key), by_id, depth + 1):
                return text
    return ""
