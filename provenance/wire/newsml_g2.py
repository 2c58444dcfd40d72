"""NewsML-G2 (IPTC, XML): each text ``newsItem`` of a document, with its rights metadata.

Hand-written because no maintained Python library reads NewsML-G2 into plain rights fields;
lxml does the XML (through :mod:`provenance.wire.xml`, matching by local name: TT and others
send G2 without its namespace).

A document is a ``newsItem``, or a ``newsMessage`` whose ``itemSet`` holds several items. Each
``newsItem`` gives one :class:`WireItem` when it holds text; photos, video, audio and graphics
(``itemClass``), items whose content is not text (SportsML statistics, event lists, remote
files only) and the other item kinds (``packageItem``, ``conceptItem``, ``knowledgeItem``,
``planningItem``, ``catalogItem``) give none, and are not errors.

Read from a ``newsItem``: ``@guid`` (required) and ``@version`` (a whole number when present);
``rightsInfo``: ``copyrightHolder`` (its ``name``, else ``@literal``, the code of ``@qcode``,
``@uri``), ``copyrightNotice``, ``usageTerms``; ``itemMeta``: ``provider``, ``versionCreated``
(else ``firstCreated``) as published, ``embargoed``, ``pubStatus`` (``stat:usable`` by default,
as the standard says; an unknown status is an error); ``contentMeta``: ``headline``,
``creator`` (else ``by``) as bylines, ``contributor``, ``located``, ``dateline``, ``infoSource``;
``contentSet``: ``inlineXML`` with NITF (whose headline, byline and dateline fill in what
``contentMeta`` lacks) or (X)HTML, else ``inlineData`` as plain text (base64 decoded when its
``@encoding`` says so). The URL is a ``remoteContent`` of type ``text/html`` or an
``itemMeta/link`` with relation ``canonical``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

from lxml import etree

from provenance.wire import nitf
from provenance.wire.model import WireFormatError, WireItem, item_status, version_number
from provenance.wire.xml import (
    BLOCK,
    attr,
    block_paragraphs,
    child,
    children,
    code,
    descendants,
    each_item,
    html_paragraphs,
    local,
    parse_xml_text,
    plain_paragraphs,
    text_of,
)

FORMAT = "NewsML-G2"
NOT_TEXT = frozenset({"picture", "video", "audio", "graphic", "animation"})
HTML_ROOTS = BLOCK | {"html", "body"}


def label(el: etree._Element | None) -> str | None:
    """The name of a G2 concept (``name`` child, ``@literal``, code of ``@qcode``, ``@uri``)."""
    if el is None:
        return None
    return (
        text_of(child(el, "name"))
        or attr(el, "literal")
        or code(attr(el, "qcode"))
        or attr(el, "uri")
        or (text_of(el) if not len(el) else None)
    )


def _labels(els: list[etree._Element]) -> list[str]:
    out: list[str] = []
    for el in els:
        name = label(el)
        if name and name not in out:
            out.append(name)
    return out


def _first_text(parent: etree._Element | None, name: str) -> str | None:
    return next((t for el in children(parent, name) if (t := text_of(el))), None)


def _inline_xml(el: etree._Element) -> nitf.NitfBody | None:
    kind = (attr(el, "contenttype") or "").lower()
    kids = [k for k in el if local(k)]
    found = nitf.find_nitf(el) if "nitf" in kind or any(local(k) == "nitf" for k in kids) else None
    if found is not None:
        return nitf.read_body(found)
    if "html" in kind or (kids and all(local(k) in HTML_ROOTS for k in kids)):
        html = next((k for k in kids if local(k) == "html"), None)
        body = child(html, "body") if html is not None else el
        return nitf.NitfBody(paragraphs=block_paragraphs(body))
    return None  # another vocabulary (SportsML, events...): not story text


def _inline_data(el: etree._Element) -> nitf.NitfBody | None:
    kind = (attr(el, "contenttype") or "text/plain").lower()
    raw = "".join(el.itertext())
    encoding = code(attr(el, "encoding") or attr(el, "encodinguri"))
    if encoding:
        if encoding.lower() != "base64":
            raise WireFormatError(f"inlineData encoding {encoding!r} is not supported")
        try:
            raw = base64.b64decode("".join(raw.split()), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise WireFormatError("inlineData is not valid base64 UTF-8 text") from None
    if "nitf" in kind:
        found = nitf.find_nitf(parse_xml_text(raw))
        return nitf.read_body(found) if found is not None else None
    if "html" in kind:
        return nitf.NitfBody(paragraphs=html_paragraphs(raw))
    if kind.startswith("text/"):
        return nitf.NitfBody(paragraphs=plain_paragraphs(raw))
    return None


def _content(item: etree._Element, where: str) -> nitf.NitfBody | None:
    """The first rendition in ``contentSet`` that holds text: inline XML before inline data."""
    content_set = child(item, "contentSet")
    for name in ("inlineXML", "inlineData"):
        for el in children(content_set, name):
            try:
                body = _inline_xml(el) if name == "inlineXML" else _inline_data(el)
            except WireFormatError as exc:
                raise WireFormatError(f"{where}: {name}: {exc}") from None
            if body is not None and body.paragraphs:
                return body
    return None


def _url(item: etree._Element) -> str | None:
    for el in children(child(item, "contentSet"), "remoteContent"):
        if "html" in (attr(el, "contenttype") or "").lower() and attr(el, "href"):
            return attr(el, "href")
    for el in children(child(item, "itemMeta"), "link"):
        if code(attr(el, "rel")) == "canonical" and attr(el, "href"):
            return attr(el, "href")
    return None


def read_news_item(item: etree._Element, where: str) -> WireItem | None:
    """The story of one ``newsItem``, or None when it holds no text. Its metadata is read (and a
    bad version or status refused) before it is told to be text or not."""
    guid = attr(item, "guid")
    if guid is None:
        raise WireFormatError(f"{where}: no 'guid'")
    where = f"{where} ({guid[:80]})"
    raw_version = item.get("version")
    meta = child(item, "itemMeta")
    status_el = child(meta, "pubStatus")
    status = attr(status_el, "qcode") or attr(status_el, "uri")
    content_meta = child(item, "contentMeta")
    rights = children(item, "rightsInfo")
    bylines = _labels(children(content_meta, "creator")) or [
        t for el in children(content_meta, "by") if (t := text_of(el))
    ]
    found = WireItem(
        id=guid,
        version=version_number(raw_version, where, strict=True) if raw_version is not None else None,
        text="",
        format=FORMAT,
        headline=_first_text(content_meta, "headline"),
        bylines=bylines,
        contributors=_labels(children(content_meta, "contributor")),
        dateline=_first_text(content_meta, "dateline"),
        located=label(child(content_meta, "located")),
        published=_first_text(meta, "versionCreated") or _first_text(meta, "firstCreated"),
        embargoed=_first_text(meta, "embargoed"),
        pub_status=item_status(status, None, where),
        provider=label(child(meta, "provider")),
        copyright_holder=next((n for r in rights if (n := label(child(r, "copyrightHolder")))), None),
        copyright_notice=next((t for r in rights if (t := _first_text(r, "copyrightNotice"))), None),
        usage_terms=next((t for r in rights if (t := _first_text(r, "usageTerms"))), None),
        info_sources=_labels(children(content_meta, "infoSource")),
        url=_url(item),
    )
    item_class = child(meta, "itemClass")
    if code(attr(item_class, "qcode") or attr(item_class, "uri")) in NOT_TEXT:
        return None
    body = _content(item, where)
    if body is None:
        return None
    return nitf.with_body(found, body)


def read_each(data: bytes) -> Iterator[WireItem | WireFormatError]:
    """Each text item of the NewsML-G2 document ``data``, or an error for each one that cannot be read."""
    return each_item(data, "NewsML-G2", _news_items, read_news_item)


def _news_items(root: etree._Element) -> list[etree._Element]:
    return [root] if local(root) == "newsItem" else list(descendants(root, "newsItem"))
