"""Raw page → :class:`~provenance.model.Page`: body text, visible lines and metadata.

Pure functions: bytes or a string in, a ``Page`` out; no file system, no network.

Three different views of one page are kept, because the checks need all three:

* ``text`` is the article body, found by trafilatura. Body extraction is a hard problem
  (boilerplate, related links, comments) that a maintained library solves far better than
  a few heuristics would. Settings were measured on real news pages (Zyte's article
  extraction benchmark): ``favor_recall`` with tables keeps whole bodies best, and
  ``fast`` (no readability/justext fallback) loses no body text while adding less
  boilerplate. Text no reader sees (hidden by markup, inline styles or the page's own
  ``<style>``: :mod:`provenance.visible`) is removed before, and a leading headline after
  (wire texts have none). When trafilatura finds nothing, the paragraphs of
  ``<article>``, ``<main>`` or ``<body>`` are used instead.
* ``lines`` are every visible line of the *raw* page with where it sits (header, body,
  footer) and its source line (:mod:`provenance.visible`, which also places the links).
* ``meta`` holds what the page says about itself in ``<meta>`` tags, link relations,
  byline markup and JSON-LD (:mod:`provenance.jsonld`).

The page is parsed once, by lxml, into ``lxml.html`` elements: trafilatura takes that tree
(a copy without hidden elements and comments) instead of markup to parse again.

Hostile pages (issue 13): the parser keeps content nested up to 2048 deep (``huge_tree``;
libxml2 drops what lies deeper, 255 levels without it), and a page nested deeper is built
again from Python's own HTML tokenizer, which has no depth limit (a simplified tree
construction: implied ends of ``p``, ``li``, table cells; stray end tags ignored). The
document of an ``<iframe srcdoc>`` (at most 1 MB per page, three levels of srcdoc in srcdoc)
is parsed and grafted under its iframe, where its text is seen. Trafilatura gets content
deeper than 256 levels flattened into one paragraph per visible line (its time grows with
the square of the depth), and SVG text and srcdoc documents as plain ``<div>``/``<p>``
(it drops ``<svg>`` and ``<iframe>``). ``Page.hidden_text`` keeps what was hidden.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from html.parser import HTMLParser as _Tokenizer

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from provenance.jsonld import joined, jsonld_articles, jsonld_fields
from provenance.limits import nfkc_size, start_tags, too_large
from provenance.links import page_links
from provenance.model import Link, Page, TextLine
from provenance.suppress import find_markers
from provenance.text import normalize, reversed_runs
from provenance.visible import (
    BLOCK,
    CONTENT_TAGS,
    DROP,
    Landmarks,
    LineWalker,
    grafted,
    is_hidden,
    link_where,
    one_line,
    remove_keeping_tail,
    remove_unseen,
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
    """A page that cannot be turned into text: binary, undecodable, empty, invisible or too large."""


def refuse_oversized(*, elements: int = 0, chars: int = 0, lines: int = 0) -> None:
    """Raise :class:`ExtractionError` for a page past :mod:`provenance.limits`."""
    if reason := too_large(elements=elements, chars=chars, lines=lines):
        raise ExtractionError(reason)


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
    refuse_oversized(chars=len(text))
    refuse_oversized(chars=nfkc_size(text))
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    refuse_oversized(lines=sum(1 for raw in raw_lines if raw.strip()))
    body = normalize(text)
    lines = [
        TextLine(norm, "body", number)
        for number, raw in enumerate(raw_lines, start=1)
        if (norm := one_line(raw))
    ]
    return Page(
        id=id,
        source=source,
        text=body,
        url=url,
        title=_text_title(raw_lines),
        lines=lines,
        meta={},
        content_hash=_sha256(text.encode("utf-8", "surrogatepass")),
        suppressions=find_markers(text),
        reversed_text=reversed_runs(text),
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
    refuse_oversized(elements=start_tags(markup))
    root = _parse(markup)
    if root is None:
        raise ExtractionError("no text: page has no visible text")
    # Every element's proxy lives until the page is done, and is freed deepest first: lxml
    # frees a proxy by walking up to the nearest ancestor that has one, which made every
    # walk over a page nested 100,000 deep quadratic (minutes, not a second).
    alive = list(root.iter())
    refuse_oversized(elements=len(alive))
    refuse_oversized(chars=_text_size(alive))
    page = _html_page(root, markup, raw, id=id, source=source, url=url)
    del alive  # a list is freed from its end: descendants before their ancestors
    return page


def _html_page(
    root: etree._Element, markup: str, raw: bytes, *, id: str, source: str, url: str | None
) -> Page:
    """The page from its tree: lines, body, title, metadata, links, JSON-LD, hidden text."""
    marks = Landmarks(root)  # hidden elements and landmarks, shared by the lines and links
    lines = visible_lines(root, marks)
    if not lines:
        raise ExtractionError("no text: page has no visible text")
    refuse_oversized(lines=len(lines), chars=sum(len(line.text) for line in lines))
    title = _html_title(root, marks)
    overridden: list[str] = []
    body = body_text(root, marks, overridden)
    text = _without_headline(body, root, title, marks) or _fallback_text(root, lines, marks)
    if not text:
        raise ExtractionError("no text: page has no visible text")
    meta = page_meta(root, marks)
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
        hidden_text=marks.hidden_text,
        hidden_woven=marks.hidden_woven,
        reversed_text=any(run.strip() for run in overridden),
        layout=_layout(root, marks),
    )


def _layout(root: etree._Element, marks: Landmarks) -> dict[str, int]:
    """The page's depth and the visible words of its srcdoc documents and SVG drawings (for
    :mod:`provenance.manipulation`; on the 131 real pages of ``article-extraction``: depth 51
    at most, no word in either)."""

    def words(elements: Iterable[etree._Element]) -> int:
        return sum(len(visible_text(el, marks).split()) for el in elements if not marks.gone(el))

    svgs = [el for el in root.iter(_SVG_TAGS) if not any(tag_of(a) == "svg" for a in el.iterancestors())]
    return {
        "depth": marks.depth,
        "srcdoc_words": words(el for el in root.iter("iframe") if grafted(el)),
        "svg_words": words(svgs),
    }


_SVG_TAGS = ("svg", "{http://www.w3.org/2000/svg}svg")


_CODE_TAGS = frozenset({"script", "style"})


def _text_size(elements: list[etree._Element]) -> int:
    """Characters of text in the tree once normalised, scripts, styles and comments aside
    (they may be long on a real page and are never read as text)."""
    size = 0
    for el in elements:
        if isinstance(el.tag, str) and el.tag not in _CODE_TAGS and el.text:
            size += nfkc_size(el.text)
        if el.tail:
            size += nfkc_size(el.tail)
    return size


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
    (their newlines count for source lines), ``<iframe srcdoc>`` documents grafted in."""
    root = _parse_tree(markup)
    if root is not None:
        _graft_srcdocs(root)
    return root


def _parse_tree(markup: str) -> etree._Element | None:
    """libxml2's tree (content up to 2048 deep); past that depth, :class:`_DeepTreeBuilder`'s."""
    parser = etree.HTMLParser(recover=True, remove_comments=False, no_network=True, huge_tree=True)
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        root = etree.fromstring(markup, parser)
    except (etree.LxmlError, ValueError):
        return None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message for e in parser.error_log):
        return _DeepTreeBuilder().build(markup)  # libxml2 stopped there: the rest would be lost
    return root


def _tag_set(names: str) -> frozenset[str]:
    return frozenset(names.split())


_VOID = _tag_set(
    "area base br col embed hr img input link meta param source track wbr basefont bgsound frame keygen"
)
_HEAD_TAGS = _tag_set("title meta link base style script noscript template")
_CLOSES_P = _tag_set(
    """address article aside blockquote details dialog div dl fieldset figcaption figure footer
    form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul li dd dt"""
)
# A start tag that ends an open element of the same kind, unless a boundary comes first.
_IMPLIED_END = {
    "li": (("li",), ("ul", "ol")),
    "dt": (("dt", "dd"), ("dl",)),
    "dd": (("dt", "dd"), ("dl",)),
    "td": (("td", "th"), ("tr", "table")),
    "th": (("td", "th"), ("tr", "table")),
    "tr": (("tr",), ("table", "tbody", "thead", "tfoot")),
    "option": (("option",), ("select", "datalist", "optgroup")),
}
_LOOK_BACK = 16  # open elements searched for an implied end: bounded, so building stays linear
_NAME = re.compile(r"[a-z_][a-z0-9_.-]*")


class _DeepTreeBuilder(_Tokenizer):
    """A tree from Python's HTML tokenizer, for pages nested deeper than libxml2 parses.

    Iterative and without a depth limit; the tree construction is a simplification of the
    HTML standard's (implied ends of ``p``, list items and table cells, head elements before
    the first body content, stray end tags ignored), good enough to keep every text and
    every attribute that hides one.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        lookup = etree.HTMLParser()
        lookup.set_element_class_lookup(_HTML_CLASSES)
        self.builder = etree.TreeBuilder(parser=lookup)
        self.root = self.builder.start("html", {})
        self.body: etree._Element | None = None
        self.open: list[str] = []  # the open elements under <head> or <body>
        self.counts: Counter[str] = Counter()
        self.builder.start("head", {})

    def build(self, markup: str) -> etree._Element | None:
        try:
            self.feed(markup)
            self.close()
        except (ValueError, AssertionError):  # the tokenizer's own errors: keep what was built
            pass
        self._to_body()
        while self.open:
            self._pop()
        self.builder.end("body")
        self.builder.end("html")
        return self.builder.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("html", "body", "head"):
            if tag == "body":
                self._to_body()
            target = self.root if tag == "html" else self.body
            for name, value in attrs if target is not None else ():
                if _NAME.fullmatch(name) and target.get(name) is None:
                    target.set(name, value or "")
            return
        if not _NAME.fullmatch(tag):
            return
        if self.body is None and tag not in _HEAD_TAGS:
            self._to_body()
        self._imply_end(tag)
        clean: dict[str, str] = {}
        for name, value in attrs:
            if _NAME.fullmatch(name) and name not in clean:
                clean[name] = value or ""
        el = self.builder.start(tag, clean)
        el.sourceline = self.getpos()[0]
        if tag in _VOID:
            self.builder.end(tag)
        else:
            self.open.append(tag)
            self.counts[tag] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.open and self.open[-1] == tag:
            self._pop()  # <path/>: SVG's empty elements

    def handle_endtag(self, tag: str) -> None:
        if self.counts[tag] > 0:
            while self.open and self._pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.body is None and not self.open:
            if not data.strip():
                return
            self._to_body()
        self.builder.data(data)

    def handle_comment(self, data: str) -> None:
        with contextlib.suppress(ValueError):  # lxml refuses "--"; kept only for its line breaks
            self.builder.comment(data.replace("--", "- -").removesuffix("-"))

    def _to_body(self) -> None:
        if self.body is None:
            while self.open:
                self._pop()
            self.builder.end("head")
            self.body = self.builder.start("body", {})

    def _pop(self) -> str:
        tag = self.open.pop()
        self.counts[tag] -= 1
        self.builder.end(tag)
        return tag

    def _imply_end(self, tag: str) -> None:
        if tag in _CLOSES_P and self.open and self.open[-1] == "p":
            self._pop()
        if tag not in _IMPLIED_END:
            return
        ends, boundaries = _IMPLIED_END[tag]
        for i in range(len(self.open) - 1, max(len(self.open) - _LOOK_BACK, 0) - 1, -1):
            if self.open[i] in boundaries:
                return
            if self.open[i] in ends:
                while len(self.open) > i:
                    self._pop()
                return


_SRCDOC_MAX = 1_000_000  # characters of <iframe srcdoc> documents read per page
_SRCDOC_DEPTH = 3  # srcdoc documents inside srcdoc documents followed this deep


def _graft_srcdocs(root: etree._Element) -> None:
    """Parses each ``<iframe srcdoc>`` document and grafts its ``<body>`` (with its head's
    ``<style>`` elements first) under the iframe, in place of the fallback content that
    browsers do not show. Its elements get the iframe's source line."""
    budget = _SRCDOC_MAX
    pending = [(root, 0)]
    while pending:
        tree, level = pending.pop()
        for iframe in list(tree.iter("iframe")):
            srcdoc = iframe.get("srcdoc")
            if srcdoc is None:
                continue
            iframe.text = None
            for child in list(iframe):
                iframe.remove(child)
            if level >= _SRCDOC_DEPTH or not srcdoc.strip() or len(srcdoc) > budget:
                continue
            budget -= len(srcdoc)
            inner = _parse_tree(_BAD_CHARS.sub("", srcdoc))
            body = next(inner.iter("body"), None) if inner is not None else None
            if body is None:
                continue
            head = inner.find("head")
            for i, style in enumerate(list(head.iter("style")) if head is not None else []):
                body.insert(i, style)
            if iframe.sourceline:
                for node in body.iter():
                    node.sourceline = iframe.sourceline
            iframe.append(body)
            pending.append((body, level + 1))


def body_text(
    root: etree._Element, marks: Landmarks | None = None, overridden: list[str] | None = None
) -> str:
    """The article body by trafilatura, normalised, one blank line between paragraphs.

    Text no reader sees is removed first: trafilatura keeps ``hidden`` and ``display:none``
    text, and a copy need not contain it (a copier may hide junk words between the story's).
    ``root`` is not changed; ``marks`` (the page's, when at hand) saves finding its hidden
    elements again.

    Text stored reversed under a right-to-left override (U+202E) is put in reading order in
    trafilatura's copy (trafilatura drops the control characters, and with them the only
    sign that the text reads the other way); the runs so turned are added to ``overridden``.
    """
    try:
        out = trafilatura.extract(
            _for_trafilatura(root, marks or Landmarks(root), overridden),
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            fast=True,
        )
    except Exception:  # a library crash on one odd page must not lose the page
        return ""
    return _paragraphs(out.split("\n")) if out else ""


# An override as text.normalize reads it: up to a POP DIRECTIONAL FORMATTING or the line end.
_OVERRIDDEN = re.compile("\u202e([^\u202c\n]*)\u202c?")
_OVERRIDDEN_TEXT = etree.XPath("//text()[contains(., '\u202e')]")


def _resolve_overrides(copy: etree._Element) -> list[str]:
    """Puts text under an override in reading order, in place; returns the runs so turned."""
    runs: list[str] = []

    def turn(m: re.Match[str]) -> str:
        runs.append(m.group(1)[::-1])
        return runs[-1]

    for found in _OVERRIDDEN_TEXT(copy):
        owner = found.getparent()
        if owner is None or not isinstance(owner.tag, str):
            continue
        if found.is_tail:
            owner.tail = _OVERRIDDEN.sub(turn, owner.tail or "")
        else:
            owner.text = _OVERRIDDEN.sub(turn, owner.text or "")
    return runs


_TRAFILATURA_DEPTH = 256  # deeper content is flattened: trafilatura's time grows with depth squared
_AT_TRAFILATURA_DEPTH = etree.XPath("/".join(["*"] * _TRAFILATURA_DEPTH))


def _for_trafilatura(
    root: etree._Element, marks: Landmarks, overridden: list[str] | None = None
) -> lxml_html.HtmlElement | str:
    """A copy of the tree without what no reader sees, comments and processing instructions.

    The tree trafilatura would get by parsing the copy's serialisation (its parser drops
    comments and processing instructions), for a third of the cost: copying is cheaper
    than serialising and parsing again. Content deeper than 256 levels becomes one
    paragraph per visible line, and SVG text and srcdoc documents plain HTML; text under a
    right-to-left override is put in reading order (the runs are added to ``overridden``).
    A tree of plain lxml elements (not ``lxml.html``, which trafilatura requires) is still
    serialised.
    """
    copy = deepcopy(root)
    alive = list(copy.iter())  # proxies freed deepest first (see page_from_html)
    remove_unseen(root, copy, marks)
    for node in list(copy.iter(etree.Comment, etree.ProcessingInstruction)):
        remove_keeping_tail(node)
    for deep in _AT_TRAFILATURA_DEPTH(copy):
        if len(deep):
            _replace_content(deep, _plain_lines(deep))
    _plain_svg_and_srcdoc(copy)
    runs = _resolve_overrides(copy)
    if overridden is not None:
        overridden.extend(runs)
    del alive
    if isinstance(copy, lxml_html.HtmlElement):
        return copy
    return etree.tostring(copy, method="html", encoding="unicode")


def _plain_lines(el: etree._Element) -> list[str]:
    """The lines of a subtree of the copy (what is hidden is already gone from it)."""
    return [line.text for line in LineWalker(Landmarks(el, read=False), record=False).collect(el)]


def _replace_content(el: etree._Element, lines: list[str]) -> None:
    for child in list(el):
        el.remove(child)
    el.text = None
    for line in lines:
        etree.SubElement(el, "p").text = line


def _plain_svg_and_srcdoc(copy: etree._Element) -> None:
    """Grafted srcdoc documents as ``<div>``, inline SVG as a ``<div>`` of its text lines:
    trafilatura drops ``<iframe>`` and ``<svg>`` whole."""
    for el in list(copy.iter("iframe", "svg")):
        if tag_of(el) == "iframe":
            if grafted(el):
                el.tag = el[0].tag = "div"
            continue
        parent = el.getparent()
        if parent is None or any(tag_of(a) == "svg" for a in el.iterancestors()):
            continue  # an SVG inside one already replaced
        div = el.makeelement("div", {})
        _replace_content(div, _plain_lines(el))
        div.tail = el.tail
        parent.replace(el, div)


def _without_headline(
    text: str, root: etree._Element, title: str | None, marks: Landmarks | None = None
) -> str:
    """The body without a leading headline: trafilatura keeps an ``<h1>`` that wire texts lack."""
    first, _, rest = text.partition("\n\n")
    if not rest:
        return text
    lead = first.casefold()
    if lead == (title or "").casefold():
        return rest
    h1s = itertools.islice(root.iter("h1"), _HEADINGS_MAX)  # read one by one, up to the headline
    return rest if any(visible_text(h, marks).casefold() == lead for h in h1s) else text


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


def _fallback_text(root: etree._Element, lines: list[TextLine], marks: Landmarks | None = None) -> str:
    """Paragraphs of the main container when trafilatura finds no body; else body lines."""
    text = _paragraphs(visible_text(p, marks) for p in _content_paragraphs(_container(root), marks))
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


def _content_paragraphs(
    container: etree._Element, marks: Landmarks | None = None
) -> Iterator[etree._Element]:
    """The ``<p>`` inside ``container`` with no boilerplate element between (or as) them.

    Top down, skipping boilerplate subtrees: linear however deep the page is nested.
    """
    stack = [c for c in reversed(container) if isinstance(c.tag, str)]
    while stack:
        el = stack.pop()
        if _is_boilerplate(el, marks):
            continue
        if tag_of(el) == "p":
            yield el
        stack.extend(c for c in reversed(el) if isinstance(c.tag, str))


def _is_boilerplate(el: etree._Element, marks: Landmarks | None = None) -> bool:
    if tag_of(el) in _BOILERPLATE_TAGS or tag_of(el) in DROP or is_hidden(el):
        return True
    if marks is not None and el in marks.hidden:
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
_HEADINGS_MAX = 100  # <h1> elements of a page looked at for its title and headline
_CANDIDATES_MAX = 50  # elements named like a byline, or author links, looked at


def _html_title(root: etree._Element, marks: Landmarks | None = None) -> str | None:
    """og:title, then the story's ``<h1>``, then ``<title>``, then any ``<h1>``."""
    return next((t for t in _title_candidates(root, marks) if t), None)


def _title_candidates(root: etree._Element, marks: Landmarks | None) -> Iterator[str]:
    yield _first_meta(_meta_index(root), "og:title", "twitter:title")
    for container in CONTENT_TAGS:
        yield from (visible_text(h, marks) for h in _headings_in(root, container))
    yield from (visible_text(t, marks) for t in root.iter("title"))
    yield from (visible_text(h, marks) for h in itertools.islice(root.iter("h1"), _HEADINGS_MAX))


def _headings_in(root: etree._Element, container: str) -> Iterator[etree._Element]:
    """The ``<h1>`` inside a ``container`` element, in document order, among the page's first
    100 (``.//article//h1`` costs quadratic time in nested containers)."""
    for h in itertools.islice(root.iter("h1"), _HEADINGS_MAX):
        if any(tag_of(a) == container for a in h.iterancestors()):
            yield h


def page_meta(root: etree._Element, marks: Landmarks | None = None) -> dict[str, str]:
    """Author, dates, site and the JSON-LD attribution fields a page declares about itself.

    With the page's ``marks``, bylines and dates are read as a reader sees them.
    """
    jsonld = jsonld_fields(root)
    index = _meta_index(root)
    meta = {
        "author": _author(root, index, jsonld.get("jsonld:author", ""), marks),
        "published": _published(root, index, jsonld.get("jsonld:datePublished", ""), marks),
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


def _author(
    root: etree._Element, index: dict[str, str], jsonld_author: str, marks: Landmarks | None = None
) -> str:
    """Meta tags first, then JSON-LD, then author links and byline markup near the story."""
    return next((a for a in _author_candidates(root, index, jsonld_author, marks) if a), "")


def _author_candidates(
    root: etree._Element, index: dict[str, str], jsonld_author: str, marks: Landmarks | None
) -> Iterator[str]:
    yield _first_meta(index, "author")
    article_author = _first_meta(index, "article:author")  # often a profile URL, not a name
    yield "" if _is_url(article_author) else article_author
    yield jsonld_author
    yield joined(visible_text(a, marks) for a in _first_group(root, ".//a[@rel]", _is_rel_author))
    yield joined(_itemprop_name(el, marks) for el in _first_group(root, ".//*[@itemprop='author']"))
    yield _byline_text(root, marks)


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
    found = _kept(scope.iterfind(path), keep) or _kept(root.iterfind(path), keep)
    if not found:
        return []
    block = next((a for a in found[0].iterancestors() if tag_of(a) in BLOCK), root)
    return [el for el in found if any(a is block for a in el.iterancestors())]


def _kept(elements: Iterator[etree._Element], keep: Callable[[etree._Element], bool]) -> list[etree._Element]:
    """The first 50 elements kept (a page of thousands of author links is not a byline)."""
    return list(itertools.islice((el for el in elements if keep(el)), _CANDIDATES_MAX))


def _itemprop_name(el: etree._Element, marks: Landmarks | None = None) -> str:
    if (el.get("content") or "").strip():
        return one_line(el.get("content") or "")
    name = el.find(".//*[@itemprop='name']")
    target = name if name is not None else el
    return one_line(target.get("content") or "") or visible_text(target, marks)


def _byline_text(root: etree._Element, marks: Landmarks | None = None) -> str:
    """The text of the first short element whose class or id says byline (then author).

    At most 50 candidates per pattern and scope are read: each costs a walk of its subtree.
    """
    for pattern in ("byline", "author"):
        for scope in (_story_scope(root), next(root.iter("body"), root)):
            named = (el for el in scope.iter() if pattern in _names(el).lower())
            for el in itertools.islice(named, _CANDIDATES_MAX):
                if _shown_outside_comments(el, marks):
                    text = visible_text(el, marks)
                    if text and len(text) <= _BYLINE_MAX:
                        return text
    return ""


def _names(el: etree._Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}" if isinstance(el.tag, str) else ""


def _shown_outside_comments(el: etree._Element, marks: Landmarks | None = None) -> bool:
    """Comment forms and comment threads have 'author' fields too; they are not the byline."""
    for node in (el, *el.iterancestors()):
        if tag_of(node) in DROP or tag_of(node) == "form" or is_hidden(node):
            return False
        if marks is not None and node in marks.hidden:
            return False
        if "comment" in _names(node).lower():
            return False
    return True


def _published(
    root: etree._Element, index: dict[str, str], jsonld_date: str, marks: Landmarks | None = None
) -> str:
    """The first plausible publication date: meta tags, JSON-LD, then page markup."""
    return next((c for c in _date_candidates(root, index, jsonld_date, marks) if _plausible_date(c)), "")


def _date_candidates(
    root: etree._Element, index: dict[str, str], jsonld_date: str, marks: Landmarks | None
) -> Iterator[str]:
    yield from (index.get(name, "") for name in _DATE_META)
    yield jsonld_date
    for el in root.iterfind(".//*[@itemprop]"):
        if "datepublished" in el.get("itemprop", "").lower().split():
            yield el.get("content") or el.get("datetime") or visible_text(el, marks)
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
