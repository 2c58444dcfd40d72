"""NITF (News Industry Text Format, IPTC, XML): a story and its document metadata.

Hand-written because no maintained Python library reads NITF into plain rights fields; lxml
does the XML (through :mod:`provenance.wire.xml`). NITF comes on its own (NTB and others) and
inside other formats: NewsML-G2 ``inlineXML``, NewsML 1.x ``DataContent`` and ninjs bodies of
type ``text/vnd.IPTC.NITF``; :func:`read_body` serves all of them.

Read from a document:

* ``head/docdata``: ``doc-id/@id-string`` (the id, required), ``date.issue/@norm`` (published),
  ``date.release/@norm`` (embargoed: the time before which the story may not be released),
  ``doc.copyright/@holder``, ``doc.rights/@limitations`` (usage terms),
  ``@management-status`` (usable, embargoed, withheld, canceled; embargoed is usable after ``date.release``, withheld without one);
  ``doc-scope``, ``ed-msg``, ``urgency`` and keywords are not rights and are not read;
* ``body.head``: ``hedline/hl1`` (else ``head/title``), each ``byline``, ``dateline`` (its
  ``location`` is the place), ``distributor`` (else ``doc-id/@regsrc``) as the provider;
* ``body.content``: the paragraphs (``p``, ``hl2`` subheads, list items, block quotes), with
  ``media`` (photos and their captions) left out; ``body.end`` (tagline) is not story text;
* ``copyrite`` anywhere in the body: the copyright notice; ``pubdata/@ex-ref`` (http) as the URL.

NITF has no version number: ``version`` is None. A document with no paragraphs is no text
item (None).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from provenance.wire.model import WireFormatError, WireItem, item_status
from provenance.wire.xml import attr, block_paragraphs, child, children, descendants, parse_xml, text_of

FORMAT = "NITF"


@dataclass
class NitfBody:
    """What a NITF ``body`` says about the story, for the formats that carry NITF inside."""

    headline: str | None = None
    bylines: list[str] = field(default_factory=list)
    dateline: str | None = None
    located: str | None = None
    paragraphs: list[str] = field(default_factory=list)


def with_body(item: WireItem, body: NitfBody) -> WireItem:
    """``item`` with the body's text, and its headline, bylines, dateline and place where the
    item's metadata had none (NewsML items carry NITF or XHTML bodies)."""
    item.text = "\n\n".join(body.paragraphs)
    item.headline = item.headline or body.headline
    item.bylines = item.bylines or body.bylines
    item.dateline = item.dateline or body.dateline
    item.located = item.located or body.located
    return item


def find_nitf(el: etree._Element) -> etree._Element | None:
    """``el`` itself when it is a ``nitf`` element, else the first ``nitf`` below it."""
    if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "nitf":
        return el
    return next(descendants(el, "nitf"), None)


def read_body(nitf: etree._Element) -> NitfBody:
    """Headline, bylines, dateline and paragraphs of the ``nitf`` element ``nitf``."""
    body = child(nitf, "body")
    head = child(body, "body.head")
    dateline = child(head, "dateline")
    return NitfBody(
        headline=text_of(child(head, "hedline", "hl1")) or text_of(child(nitf, "head", "title")),
        bylines=[t for b in children(head, "byline") if (t := text_of(b))],
        dateline=text_of(dateline),
        located=text_of(child(dateline, "location")),
        paragraphs=block_paragraphs(child(body, "body.content")),
    )


def read_document(nitf: etree._Element, where: str = "NITF") -> WireItem | None:
    """The story of a NITF document, or None when it holds no text."""
    docdata = child(nitf, "head", "docdata")
    doc_id = child(docdata, "doc-id")
    item_id = attr(doc_id, "id-string")
    if item_id is None:
        raise WireFormatError(f"{where}: no head/docdata/doc-id/@id-string")
    where = f"{where} ({item_id[:80]})"
    parts = read_body(nitf)
    if not parts.paragraphs:
        return None
    body = child(nitf, "body")
    status = attr(docdata, "management-status")
    release = attr(child(docdata, "date.release"), "norm")
    ex_ref = attr(child(nitf, "head", "pubdata"), "ex-ref")
    return WireItem(
        id=item_id,
        version=None,
        text="\n\n".join(parts.paragraphs),
        format=FORMAT,
        headline=parts.headline,
        bylines=parts.bylines,
        dateline=parts.dateline,
        located=parts.located,
        published=attr(child(docdata, "date.issue"), "norm"),
        embargoed=release,
        pub_status=item_status(status, release, where),
        provider=text_of(child(body, "body.head", "distributor")) or attr(doc_id, "regsrc"),
        copyright_holder=attr(child(docdata, "doc.copyright"), "holder"),
        copyright_notice=text_of(next(descendants(body, "copyrite"), None)),
        usage_terms=attr(child(docdata, "doc.rights"), "limitations"),
        url=ex_ref if ex_ref and ex_ref.startswith(("http://", "https://")) else None,
    )


def read_each(data: bytes) -> Iterator[WireItem | WireFormatError]:
    """The story of the NITF document ``data`` (none when it holds no text), or its error."""
    try:
        root = parse_xml(data)
    except WireFormatError as exc:
        yield WireFormatError(f"NITF: {exc}")
        return
    try:
        item = read_document(root)
    except WireFormatError as exc:
        yield exc
        return
    if item is not None:
        yield item
