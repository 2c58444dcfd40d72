"""NewsML 1.x (IPTC, XML; AFP's and Business Wire's delivery format): the text of each ``NewsItem``.

Hand-written because no maintained Python library reads NewsML 1.x into plain rights fields;
lxml does the XML (through :mod:`provenance.wire.xml`).

Read from each ``NewsItem``: ``Identification/NewsIdentifier``: ``PublicIdentifier`` (the id,
required), ``RevisionId`` (the version), ``ProviderId`` (the provider when no ``Provider``
party is named); ``NewsManagement``: ``Status`` (Usable, Withheld, Canceled; Embargoed counts
as usable after ``StatusWillChange/DateAndTime``, the embargo, or withheld without one), ``ThisRevisionCreated``
(else ``FirstCreated``) as published. From the ``NewsComponent`` elements, nested to any depth, in
document order, leaving out components whose ``Role`` is not text (style sheets, logos,
photos, video, contacts, headline components): ``NewsLines`` (``HeadLine``, ``ByLine`` when no
``Creator`` is named, ``DateLine``, ``CopyrightLine`` as the notice, ``RightsLine`` as usage terms),
``AdministrativeMetadata`` (``Provider``, ``Creator`` as bylines, ``Contributor``, ``Source``
as info sources: each a ``Party/@FormalName``), ``RightsMetadata`` (``Copyright/CopyrightHolder``,
``UsageRights/Limitations`` when there is no ``RightsLine``), ``DescriptiveMetadata/Location``
(its ``City``, else its first property, as the place). The body is the first inline
``ContentItem/DataContent`` that holds text (NITF, XHTML or plain), one in a component with the
role ``Body`` or ``Main`` first; a ``ContentItem`` with a ``text/html`` ``@Href`` is the URL.
A ``NewsItem`` without text gives no item.
"""

from __future__ import annotations

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
    each_item,
    local,
    plain_paragraphs,
    text_of,
)

FORMAT = "NewsML 1.x"
NOT_TEXT_ROLES = frozenset(
    """
    stylesheet headline subheadline contact logo photo picture image video audio graphic caption
    thumbnail preview
    """.split()  # noqa: SIM905 - a word list reads best as text
)
NOT_TEXT_KINDS = ("css", "javascript", "image", "video", "audio", "photo", "graphic")
BODY_ROLES = frozenset({"body", "main"})
HTML_ROOTS = BLOCK | {"html", "body"}


def _role(component: etree._Element) -> str:
    return (attr(child(component, "Role"), "FormalName") or "").lower()


def _components(item: etree._Element) -> list[etree._Element]:
    """The ``NewsComponent`` elements of ``item`` in document order, without those of a non-text role
    and what they hold."""
    out: list[etree._Element] = []
    stack = list(reversed(children(item, "NewsComponent")))
    while stack:
        nc = stack.pop()
        if _role(nc) not in NOT_TEXT_ROLES:
            out.append(nc)
            stack.extend(reversed(children(nc, "NewsComponent")))
    return out


def _first(components: list[etree._Element], *path: str) -> str | None:
    for nc in components:
        for el in children(child(nc, *path[:-1]), path[-1]):
            if text := text_of(el):
                return text
    return None


def _parties(components: list[etree._Element], kind: str) -> list[str]:
    out: list[str] = []
    for nc in components:
        for holder in children(child(nc, "AdministrativeMetadata"), kind):
            for party in children(holder, "Party"):
                name = attr(party, "FormalName") or text_of(party)
                if name and name not in out:
                    out.append(name)
    return out


def _content(ci: etree._Element) -> nitf.NitfBody | None:
    kind = " ".join(
        attr(child(ci, n), "FormalName") or "" for n in ("MediaType", "Format", "MimeType")
    ).lower()
    data = child(ci, "DataContent")
    if data is None or ci.get("Href") or any(k in kind for k in NOT_TEXT_KINDS):
        return None
    kids = [k for k in data if local(k)]
    found = nitf.find_nitf(data) if any(local(k) == "nitf" for k in kids) else None
    if found is not None:
        return nitf.read_body(found)
    if kids and all(local(k) in HTML_ROOTS for k in kids):
        html = next((k for k in kids if local(k) == "html"), None)
        return nitf.NitfBody(paragraphs=block_paragraphs(child(html, "body") if html is not None else data))
    if not kids:
        return nitf.NitfBody(paragraphs=plain_paragraphs("".join(data.itertext())))
    return None


def _body(components: list[etree._Element]) -> nitf.NitfBody | None:
    items = [(_role(nc) not in BODY_ROLES, ci) for nc in components for ci in children(nc, "ContentItem")]
    for _, ci in sorted(items, key=lambda pair: pair[0]):  # stable: document order within each rank
        body = _content(ci)
        if body is not None and body.paragraphs:
            return body
    return None


def _located(components: list[etree._Element]) -> str | None:
    locations = [loc for nc in components for loc in children(child(nc, "DescriptiveMetadata"), "Location")]
    locations.sort(key=lambda loc: (attr(loc, "HowPresent") or "").lower() != "origin")
    for loc in locations:
        props = {attr(p, "FormalName"): attr(p, "Value") for p in children(loc, "Property")}
        if name := props.get("City") or next((v for v in props.values() if v), None) or text_of(loc):
            return name
    return None


def _url(components: list[etree._Element]) -> str | None:
    for nc in components:
        for ci in children(nc, "ContentItem"):
            if "html" in (attr(child(ci, "MimeType"), "FormalName") or "").lower() and attr(ci, "Href"):
                return attr(ci, "Href")
    return None


def read_news_item(item: etree._Element, where: str) -> WireItem | None:
    """The story of one ``NewsItem``, or None when it holds no text. Its metadata is read (and a
    bad revision or status refused) before it is told to be text or not."""
    ident = child(item, "Identification", "NewsIdentifier")
    item_id = text_of(child(ident, "PublicIdentifier"))
    if item_id is None:
        raise WireFormatError(f"{where}: no Identification/NewsIdentifier/PublicIdentifier")
    where = f"{where} ({item_id[:80]})"
    revision = text_of(child(ident, "RevisionId"))
    components = _components(item)
    management = child(item, "NewsManagement")
    status = attr(child(management, "Status"), "FormalName")
    embargoed = None
    if status and status.strip().lower() == "embargoed":
        embargoed = text_of(child(management, "StatusWillChange", "DateAndTime"))
    byline = _first(components, "NewsLines", "ByLine")
    bylines = _parties(components, "Creator") or ([byline] if byline else [])
    rights = [r for nc in components for r in children(nc, "RightsMetadata")]
    found = WireItem(
        id=item_id,
        version=version_number(revision, where, strict=True) if revision is not None else None,
        text="",
        format=FORMAT,
        headline=_first(components, "NewsLines", "HeadLine"),
        bylines=bylines,
        contributors=_parties(components, "Contributor"),
        dateline=_first(components, "NewsLines", "DateLine"),
        located=_located(components),
        published=text_of(child(management, "ThisRevisionCreated"))
        or text_of(child(management, "FirstCreated")),
        embargoed=embargoed,
        pub_status=item_status(status, embargoed, where),
        provider=next(iter(_parties(components, "Provider")), None) or text_of(child(ident, "ProviderId")),
        copyright_holder=next(
            (t for r in rights if (t := text_of(child(r, "Copyright", "CopyrightHolder")))), None
        ),
        copyright_notice=_first(components, "NewsLines", "CopyrightLine"),
        usage_terms=_first(components, "NewsLines", "RightsLine")
        or next((t for r in rights if (t := text_of(child(r, "UsageRights", "Limitations")))), None),
        info_sources=_parties(components, "Source"),
        url=_url(components),
    )
    body = _body(components)
    if body is None:
        return None
    return nitf.with_body(found, body)


def read_each(data: bytes) -> Iterator[WireItem | WireFormatError]:
    """Each text item of the NewsML 1.x document ``data``, or an error for each one that cannot be read."""
    return each_item(data, "NewsML 1.x", lambda root: children(root, "NewsItem"), read_news_item)
