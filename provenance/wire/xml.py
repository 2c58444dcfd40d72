"""Safe parsing of agency markup and namespace-agnostic reading of the tree.

Every XML format here (NewsML-G2, NITF, NewsML 1.x) goes through :func:`parse_xml`: lxml with
entities left unresolved, no network, no DTD loading, libxml2's default size and depth limits
(``huge_tree`` off: 256 levels, 10 MB text nodes) and comments and processing instructions
dropped. A document whose internal DTD declares entities or elements is refused before any
use (billion laughs, external entities / XXE): wire formats need neither. A reference to an
entity that an external DTD would declare (NITF's DTD declares HTML's, ``&eacute;``) stays
unresolved and is read as HTML's character. HTML held in strings (ninjs ``body_html``, G2
``inlineData`` of type text/html) goes through lxml's HTML parser, which knows no entity
declarations.

Agencies put the same vocabularies in different namespaces (NewsML-G2 with and without its
namespace, NITF 3.x with the 2006 namespace or none, XHTML), so the helpers match elements by
local name only. :func:`block_paragraphs` turns a body (NITF ``body.content``, XHTML, HTML)
into plain paragraphs, walking the tree with an explicit stack so hostile nesting cannot
exhaust Python's recursion limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.entities import name2codepoint

from lxml import etree

from provenance.wire.model import WireFormatError, WireItem

_DECLARATION = re.compile(rb"<!(ENTITY|ELEMENT)\b")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_WS = re.compile(r"[ \t\n\r\f\v]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ENTITY_REF = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})

BLOCK = frozenset(
    """
    p h1 h2 h3 h4 h5 h6 hl1 hl2 hl3 li dt dd blockquote bq block pre div section article aside
    header footer main nav td th caption address tagline byline dateline title
    """.split()  # noqa: SIM905 - a word list reads best as text
)
SKIP = frozenset(
    """
    head script style figure figcaption img media media-caption media-reference noscript
    template iframe object embed svg math nitf-table-metadata
    """.split()  # noqa: SIM905 - a word list reads best as text
)


# No entities, no DTD, no network, no huge trees: a wire document is data, never instructions.
_SAFE: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(**_SAFE)


def pull_parser() -> etree.XMLPullParser:
    """An incremental parser with the same safety settings, reporting start tags (for sniffing)."""
    return etree.XMLPullParser(events=("start",), **_SAFE)


def one_line(message: object, limit: int = 200) -> str:
    """``message`` on one line, cut to ``limit`` characters."""
    return _WS.sub(" ", str(message)).strip()[:limit]


def parse_xml(data: bytes) -> etree._Element:
    """The root element of the XML document ``data``; malformed XML and DTD declarations are refused."""
    start = data.find(b"<!DOCTYPE")
    if start >= 0:
        end = data.find(b"]>", start)
        if _DECLARATION.search(data, start, end if end >= 0 else len(data)):
            raise WireFormatError("XML entity declarations are refused")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise WireFormatError(f"malformed XML: {one_line(exc)}") from None
    except ValueError as exc:  # e.g. a document lxml cannot decode
        raise WireFormatError(f"malformed XML: {one_line(exc)}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and (any(True for _ in dtd.iterentities()) or any(True for _ in dtd.iterelements())):
        raise WireFormatError("XML entity declarations are refused")  # e.g. in UTF-16, missed above
    return root


def _html_entity(match: re.Match[str]) -> str:
    point = None if match[1] in _XML_ENTITIES else name2codepoint.get(match[1])
    return match[0] if point is None else chr(point)


def parse_xml_text(markup: str) -> etree._Element:
    """:func:`parse_xml` for XML held in a string (NITF in a ninjs body or G2 ``inlineData``): its
    declaration is dropped and HTML's named entities (``&auml;``), which the NITF DTD declares
    but which a string cannot bring its DTD for, are replaced by their characters."""
    markup = _ENTITY_REF.sub(_html_entity, _XML_DECL.sub("", markup, count=1))
    return parse_xml(_SURROGATE.sub("\ufffd", markup).encode("utf-8"))  # JSON can carry lone surrogates


def parse_html(markup: str) -> etree._Element | None:
    """The root of the HTML fragment or document ``markup`` (lenient, as browsers are), or None
    when empty. Past libxml2's depth limit (256) the parser drops text: that is refused."""
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=False
    )
    try:
        data = _SURROGATE.sub("\ufffd", _XML_DECL.sub("", markup, count=1)).encode("utf-8")
        root = etree.fromstring(data, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise WireFormatError(f"HTML body: {one_line(error.message)}")
    return root


def local(el: etree._Element) -> str:
    """The local name of an element ('' for comments, entities and the like)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(el: etree._Element) -> str | None:
    """The namespace URI of an element, or None."""
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return None


def children(el: etree._Element | None, name: str) -> list[etree._Element]:
    """The child elements of ``el`` named ``name`` (any namespace)."""
    if el is None:
        return []
    return [c for c in el if local(c) == name]


def child(el: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element at ``path`` (child names) below ``el``, or None."""
    for name in path:
        found = children(el, name)
        if not found:
            return None
        el = found[0]
    return el


def descendants(el: etree._Element | None, name: str) -> Iterator[etree._Element]:
    """The elements below ``el`` (not ``el`` itself) named ``name``, in document order."""
    if el is None:
        return
    for d in el.iterdescendants():
        if local(d) == name:
            yield d


def collapse(text: str | None) -> str:
    """``text`` with runs of ASCII whitespace made one space and the ends trimmed (other spaces
    kept), and lone surrogates (which JSON can carry) made U+FFFD, so that it encodes."""
    return _SURROGATE.sub("\ufffd", _WS.sub(" ", text or "").strip(" "))


def _entity(node: etree._Element) -> str:
    """The character an unresolved entity reference stands for (HTML's names), else the reference."""
    name = str(node.text or "").strip("&;")
    point = name2codepoint.get(name)
    return chr(point) if point is not None else f"&{name};"


def _walk(root: etree._Element, skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, etree._Element]]:
    """Events over the tree below ``root``, without recursion: ``("enter", el)`` (then its text
    counts), ``("leave", el)`` (then its tail), ``("skip", el)`` for a subtree left out (only its
    tail counts) and ``("entity", node)`` for an unresolved entity reference (it and its tail)."""
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            yield "leave", node
        elif isinstance(node, etree._Entity):
            yield "entity", node
        elif not isinstance(node.tag, str) or local(node) in skip:
            yield "skip", node
        else:
            yield "enter", node
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node))


def _pieces(root: etree._Element, event: str, node: etree._Element) -> str:
    """The text that ``event`` on ``node`` adds (the root's own tail is outside it)."""
    tail = "" if node is root else node.tail or ""
    if event == "enter":
        return node.text or ""
    if event == "entity":
        return _entity(node) + tail
    return tail


def text_of(el: etree._Element | None) -> str | None:
    """All the text inside ``el``, whitespace collapsed; None when there is none."""
    if el is None:
        return None
    return collapse("".join(_pieces(el, event, node) for event, node in _walk(el))) or None


def attr(el: etree._Element | None, name: str) -> str | None:
    """Attribute ``name`` of ``el``, whitespace collapsed; None when absent or blank."""
    if el is None:
        return None
    return collapse(el.get(name)) or None


def code(value: str | None) -> str | None:
    """The code part of a QCode or URI (``nprov:TT`` -> ``TT``, ``.../ninature/text`` -> ``text``)."""
    if not value:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] or None


def block_paragraphs(root: etree._Element | None) -> list[str]:
    """The paragraphs of a body: the text of each block element (``p``, headings, ``li``, ``hl2``...),
    inline markup joined as written, with figures, media, scripts and ``head`` left out."""
    if root is None:
        return []
    out: list[str] = []
    buf: list[str] = []
    for event, node in _walk(root, SKIP):
        if event in ("enter", "leave") and local(node) in BLOCK:
            out.append(collapse("".join(buf)))
            buf.clear()
        if event == "enter" and local(node) == "br":
            buf.append(" ")
        buf.append(_pieces(root, event, node))
    out.append(collapse("".join(buf)))
    return [p for p in out if p]


def plain_paragraphs(text: str) -> list[str]:
    """The paragraphs of plain text: blocks between blank lines when there are any (lines inside a
    block are joined), otherwise each line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blank = re.compile(r"\n[ \t]*\n")
    parts = blank.split(text) if blank.search(text) else text.split("\n")
    return [p for p in (collapse(part) for part in parts) if p]


def html_paragraphs(markup: str) -> list[str]:
    """The paragraphs of an HTML or XHTML body given as a string."""
    root = parse_html(markup)
    if root is None:
        return []
    body = root.find("body") if local(root) == "html" else None
    return block_paragraphs(body if body is not None else root)


def each_item(
    data: bytes,
    label: str,
    items_of: Callable[[etree._Element], list[etree._Element]],
    read: Callable[[etree._Element, str], WireItem | None],
) -> Iterator[WireItem | WireFormatError]:
    """Each text item of a NewsML document: ``read`` of each element ``items_of`` finds (None:
    no text, skipped), an error for each one that cannot be read and the rest still read."""
    try:
        root = parse_xml(data)
    except WireFormatError as exc:
        yield WireFormatError(f"{label}: {exc}")
        return
    items = items_of(root)
    for n, item in enumerate(items, 1):
        where = f"{label} {local(item)}" if len(items) == 1 else f"{label} {local(item)} {n}"
        try:
            found = read(item, where)
        except WireFormatError as exc:
            yield exc
            continue
        if found is not None:
            yield found
