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
  footer) and its source line (:mod:`provenance.visible`, which also places the links).
* ``meta`` holds what the page says about itself in ``<meta>`` tags, link relations,
  byline markup and JSON-LD (:mod:`provenance.jsonld`).

The page is parsed once, by lxml, into ``lxml.html`` elements: trafilatura takes that tree
(a copy without hidden elements and comments) instead of markup to parse again.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from provenance.jsonld import joined, jsonld_articles, jsonld_fields
from provenance.links import page_links
from provenance.model import Link, Page, TextLine
from provenance.suppress import find_markers
from provenance.text import normalize
from provenance.visible import (
    BLOCK,
    CONTENT_TAGS,
    DROP,
    Landmarks,
    is_hidden,
    link_where,
    one_line,
    remove_at,
    tag_of,
    visible_lines,
    visible_text,
)

__all__ = [
    "ExtractionError",
    "body_text",
    "declared_charset",
    "decode",
    "is_binary",
    "jsonld_articles",
    "jsonld_fields",
    "link_where",
    "page_from_html",
    "page_from_text",
    "page_meta",
    "visible_lines",
]


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
        if (norm := one_line(raw))
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
    title = one_line(raw_lines[first])
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
    if root is None:
        raise ExtractionError("no text: page has no visible text")
    marks = Landmarks(root)  # hidden elements and landmarks, shared by the lines and links
    lines = visible_lines(root, marks)
    if not lines:
        raise ExtractionError("no text: page has no visible text")
    title = _html_title(root)
    text = _without_headline(body_text(root, marks), root, title) or _fallback_text(root, lines)
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
        links=_meta_links(meta) + page_links(root, url or meta.get("canonical"), marks.where_of),
        jsonld=jsonld_articles(root),
        suppressions=find_markers(markup),
    )


def _meta_links(meta: dict[str, str]) -> list[Link]:
    """The canonical and syndication-source URLs a page declares: links to the original too."""
    keys = ("canonical", "syndication_source", "original_source")
    return [Link(meta[k], k, "meta") for k in keys if meta.get(k, "").startswith(("http://", "https://"))]


# lxml.html's own lookup picks a class per tag (forms, inputs…) by a Python call for every
# element touched, here and in trafilatura; nothing here uses those classes, and the
# default-class lookup (in C) still gives the ``HtmlElement`` trafilatura requires.
_HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement,
    comment=lxml_html.HtmlComment,
    pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity,
)


def _parse(markup: str) -> etree._Element | None:
    """The page as ``lxml.html`` elements (what trafilatura accepts as a tree), comments kept
    (their newlines count for source lines)."""
    parser = etree.HTMLParser(recover=True, remove_comments=False, no_network=True)
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        return etree.fromstring(markup, parser)
    except (etree.LxmlError, ValueError):
        return None


def body_text(root: etree._Element, marks: Landmarks | None = None) -> str:
    """The article body by trafilatura, normalised, one blank line between paragraphs.

    Hidden elements are removed first: trafilatura keeps ``hidden`` and ``display:none``
    text, which no reader sees and which a copy need not contain. ``root`` is not changed;
    ``marks`` (the page's, when at hand) saves finding its hidden elements again.
    """
    try:
        out = trafilatura.extract(
            _for_trafilatura(root, marks or Landmarks(root)),
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            fast=True,
        )
    except Exception:  # a library crash on one odd page must not lose the page
        return ""
    return _paragraphs(out.split("\n")) if out else ""


def _for_trafilatura(root: etree._Element, marks: Landmarks) -> lxml_html.HtmlElement | str:
    """A copy of the tree without hidden elements, comments and processing instructions.

    The tree trafilatura would get by parsing the copy's serialisation (its parser drops
    comments and processing instructions), for a third of the cost: copying is cheaper
    than serialising and parsing again. A tree of plain lxml elements (not ``lxml.html``,
    which trafilatura requires) is still serialised.
    """
    copy = deepcopy(root)
    remove_at(copy, marks.unseen)
    if isinstance(copy, lxml_html.HtmlElement):
        return copy
    return etree.tostring(copy, method="html", encoding="unicode")


def _without_headline(text: str, root: etree._Element, title: str | None) -> str:
    """The body without a leading headline: trafilatura keeps an ``<h1>`` that wire texts lack."""
    first, _, rest = text.partition("\n\n")
    headlines = {visible_text(h).casefold() for h in root.iter("h1")} | {(title or "").casefold()}
    return rest if rest and first.casefold() in headlines else text


def _paragraphs(blocks: Iterable[str]) -> str:
    return "\n\n".join(p for p in (one_line(b) for b in blocks) if p)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- body fallback

_BOILERPLATE_TAGS = frozenset({"header", "footer", "nav", "aside", "figure", "form"})
_BOILERPLATE_NAMES = re.compile(
    r"byline|author|credit|copyright|caption|share|social|related|promo|newsletter|footer|header|nav",
    re.IGNORECASE,
)


def _fallback_text(root: etree._Element, lines: list[TextLine]) -> str:
    """Paragraphs of the main container when trafilatura finds no body; else body lines."""
    text = _paragraphs(visible_text(p) for p in _content_paragraphs(_container(root)))
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
    if tag_of(el) in _BOILERPLATE_TAGS or tag_of(el) in DROP or is_hidden(el):
        return True
    return bool(_BOILERPLATE_NAMES.search(f"{el.get('class', '')} {el.get('id', '')}"))


# --------------------------------------------------------------------------- title and meta

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
    for container in CONTENT_TAGS:
        yield from (visible_text(h) for h in root.iterfind(f".//{container}//h1"))
    yield from (visible_text(t) for t in root.iter("title"))
    yield from (visible_text(h) for h in root.iter("h1"))


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
        value = one_line(el.get("content") or "")
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
    yield joined(visible_text(a) for a in _first_group(root, ".//a[@rel]", _is_rel_author))
    yield joined(_itemprop_name(el) for el in _first_group(root, ".//*[@itemprop='author']"))
    yield _byline_text(root)


def _story_scope(root: etree._Element) -> etree._Element:
    """The first ``<article>`` or ``<main>``: where the story's own byline sits."""
    return next((el for c in CONTENT_TAGS for el in root.iter(c)), root)


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
    block = next((a for a in found[0].iterancestors() if tag_of(a) in BLOCK), root)
    return [el for el in found if any(a is block for a in el.iterancestors())]


def _itemprop_name(el: etree._Element) -> str:
    if (el.get("content") or "").strip():
        return one_line(el.get("content") or "")
    name = el.find(".//*[@itemprop='name']")
    target = name if name is not None else el
    return one_line(target.get("content") or "") or visible_text(target)


def _byline_text(root: etree._Element) -> str:
    """The text of the first short element whose class or id says byline (then author)."""
    for pattern in ("byline", "author"):
        for scope in (_story_scope(root), next(root.iter("body"), root)):
            for el in scope.iter():
                if pattern in _names(el).lower() and _shown_outside_comments(el):
                    text = visible_text(el)
                    if text and len(text) <= _BYLINE_MAX:
                        return text
    return ""


def _names(el: etree._Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}" if isinstance(el.tag, str) else ""


def _shown_outside_comments(el: etree._Element) -> bool:
    """Comment forms and comment threads have 'author' fields too; they are not the byline."""
    for node in (el, *el.iterancestors()):
        if tag_of(node) in DROP or tag_of(node) == "form" or is_hidden(node):
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
            yield el.get("content") or el.get("datetime") or visible_text(el)
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
