"""Sitemaps and feeds → page URLs, parsed safely.

A site to audit is usually given as its sitemap or its RSS/Atom feed, which are XML written
by the site itself: untrusted input. XML parsers have two classic traps that such a file can
spring: entity expansion ("billion laughs": a few hundred bytes that expand to gigabytes)
and external entities (XXE: ``<!ENTITY x SYSTEM "file:///etc/passwd">`` reads local files or
internal URLs). Sitemaps and feeds never need a DTD, so any document that declares an entity
or an internal DTD subset is **refused before parsing**, and the parser is configured not to
resolve entities, load DTDs or touch the network anyway (defence in depth). Size, nesting
depth and URL count are capped (50,000 URLs per file, as the sitemap protocol says).

Parsing is lxml (already a dependency) with a hand-written walk by *local* element names:
feedparser would add a dependency, fetches on its own and only reads feeds, and the sitemap
libraries (ultimate-sitemap-parser…) bring their own HTTP client, which would bypass the
checks in :mod:`provenance.fetch`. Matching local names rather than namespaces also reads the
many real sitemaps and feeds that get their namespace wrong, and Google News sitemaps.

:func:`expand` walks a sitemap index recursively through a :class:`~provenance.fetch.Fetcher`
(so every fetch gets its address, robots.txt and size checks) and reports failures as
results, never as exceptions. A site decides how its indexes branch, so the walk is capped
per source: two index levels (:data:`MAX_INDEX_DEPTH`) and 50 documents
(:data:`MAX_DOCUMENTS`), each cap reported once when reached. Gzipped sitemaps (``sitemap.xml.gz``) are decompressed with
the same size cap, by :func:`parse` itself, so one is read whatever its URL ends with.

**A document is recognised by its content, never by its Content-Type.** Servers label the
same feed ``application/rss+xml``, ``application/x-rss+xml`` (Python's ``http.server`` and
Debian's ``mime.types`` for ``.rss``), ``application/atom+xml``, ``application/xml``,
``text/xml``, ``application/x-xml``, ``text/plain``, or ``application/octet-stream`` when
they know nothing of the file (S3, CDNs); sitemaps come as any XML type or gzip. :func:`sniff`
reads the root element's local name (``rss``, ``RDF``, ``feed``, ``urlset``,
``sitemapindex``) after an optional BOM (UTF-8/16/32), XML declaration, processing
instructions, comments and doctype, looking inside gzip when the body is gzipped. The fetcher
reads the label-less types only when :func:`sniff` says yes (see
:data:`provenance.fetch.SNIFFED_TYPES`); a listing fetched by :func:`expand` takes them as
they come (:data:`FEED_TYPES`), so a wrong one gets :func:`parse`'s precise reason.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

from lxml import etree

from provenance.fetch import (
    DEFAULT_MAX_BYTES,
    SNIFF_BYTES,
    SNIFFED_TYPES,
    TEXT_TYPES,
    Fetcher,
    FetchResult,
    human_size,
)

Kind = Literal["sitemap", "sitemapindex", "rss", "atom"]

MAX_DEPTH = 64
MAX_URLS = 50_000
# Sitemap indexes followed per source: the protocol lets an index list sitemaps, not other
# indexes; one nested level is tolerated (sites split an index by year, then by month), a
# third is refused. Without a bound an index whose children are indexes again costs
# w + w² + w³ fetches (585 for w = 8).
MAX_INDEX_DEPTH = 2
# Sitemap and feed documents fetched per source, the first included. A legitimate index
# lists sitemaps of up to 50,000 URLs each, so 50 of them hold far more than the MAX_URLS
# pages one source may give; a site split into many small daily sitemaps is audited one
# narrower sitemap at a time. Reaching the cap is one error; the pages found so far are audited.
MAX_DOCUMENTS = 50
REFUSED_ENTITIES = "refused: XML declares entities (possible entity-expansion or XXE attack)"
FEED_TYPES = TEXT_TYPES | SNIFFED_TYPES
"""Content types :func:`expand` reads a listing under (the body then decides, see the docstring)."""

_ROOT_KINDS: dict[str, Kind] = {
    "urlset": "sitemap",
    "sitemapindex": "sitemapindex",
    "rss": "rss",
    "rdf": "rss",  # RSS 1.0 is <rdf:RDF>
    "feed": "atom",
}
_SKIP = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_DTD_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_GZIP_MAGIC = b"\x1f\x8b"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"


class FeedError(ValueError):
    """A sitemap or feed that cannot or must not be read; ``reason`` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Listing:
    kind: Kind
    urls: list[str]


# --------------------------------------------------------------------------- sniffing


def sniff(body: bytes) -> Kind | None:
    """The kind of sitemap or feed by its root element name, or None (HTML, anything else).

    Only the first :data:`~provenance.fetch.SNIFF_BYTES` count (of the decompressed text when
    ``body`` is gzipped), so a body's head is enough.
    """
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip_head(body)
    head = _as_text(body[:SNIFF_BYTES])
    pos = 0
    while (m := _SKIP.match(head, pos)) and m.end() > pos:
        pos = m.end()
    root = _ROOT.match(head, pos)
    return _ROOT_KINDS.get(root.group(1).lower()) if root else None


def _as_text(body: bytes) -> str:
    """Bytes as text for pattern checks: UTF-16/32 decoded, anything ASCII-compatible as latin-1."""
    for bom_or_start, encoding in (
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if body.startswith(bom_or_start):
            return body.decode(encoding, errors="ignore").lstrip("\ufeff")
    return body.decode("latin-1").removeprefix("ï»¿")  # a UTF-8 BOM read as latin-1


# --------------------------------------------------------------------------- parsing


def parse(body: bytes, base_url: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Listing:
    """A sitemap, sitemap index, RSS or Atom document → its URLs (absolute, http(s), deduplicated).

    Raises :class:`FeedError` for anything unsafe, oversized or not a sitemap or feed.
    """
    if len(body) > max_bytes:
        raise FeedError(f"too large: more than {human_size(max_bytes)}")
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip(body, max_bytes)
    text = _as_text(body)
    if _DTD_SUBSET.search(text) or _ENTITY.search(text):
        raise FeedError(REFUSED_ENTITIES)
    kind = sniff(body)
    if kind is None:
        raise FeedError("not a sitemap or feed")
    root = _parse_xml(body, base_url)
    _check_depth(root)
    raw = list(_EXTRACT[kind](root))
    if len(raw) > MAX_URLS:
        raise FeedError(f"too many URLs: more than {MAX_URLS:,} in one file")
    return Listing(kind, _clean(raw, base_url))


def _parse_xml(body: bytes, base_url: str | None) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=True,  # real feeds carry stray "&nbsp;" and unescaped "&": read what is readable
    )
    try:
        root = etree.fromstring(body, parser, base_url=base_url)
    except (etree.LxmlError, ValueError) as exc:
        raise FeedError(f"malformed XML: {' '.join(str(exc).split())}") from None
    if root is None:
        raise FeedError("malformed XML: no root element")
    if _declares_anything(root.getroottree().docinfo.internalDTD):  # an encoding the pre-check missed
        raise FeedError(REFUSED_ENTITIES)
    return root


def _declares_anything(dtd: etree.DTD | None) -> bool:
    """An internal DTD subset with declarations (a bare ``<!DOCTYPE rss PUBLIC …>`` has none)."""
    return dtd is not None and bool(dtd.entities() or dtd.elements())


def _check_depth(root: etree._Element) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FeedError(f"too deep: XML nested more than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in element)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()


def _locs(root: etree._Element, entry: str) -> Iterator[str]:
    """``<urlset><url><loc>`` and ``<sitemapindex><sitemap><loc>``."""
    for item in _children(root, entry):
        loc = next((t for c in _children(item, "loc") if (t := _text(c))), None)
        if loc:
            yield loc


def _rss_links(root: etree._Element) -> Iterator[str]:
    """RSS 2.0 ``<channel><item>`` and RSS 1.0 ``<rdf:RDF><item>``: link, permalink guid, rdf:about."""
    items = _children(root, "item") + [i for ch in _children(root, "channel") for i in _children(ch, "item")]
    for item in items:
        link = _item_link(item) or _permalink(item) or (item.get(_RDF_ABOUT) or "").strip()
        if link:
            yield link


def _item_link(item: etree._Element) -> str | None:
    for link in _children(item, "link"):  # <link>URL</link>, or an <atom:link href> in an RSS item
        value = _text(link) or (link.get("href") or "").strip()
        if value:
            return value
    return None


def _permalink(item: etree._Element) -> str | None:
    """A ``<guid>`` that is a permalink: said so, or unsaid and an absolute http(s) URL."""
    for guid in _children(item, "guid"):
        value = _text(guid)
        flag = guid.get("isPermaLink")
        if flag is not None:
            return value if flag.strip().lower() == "true" else None
        return value if _is_web_url(value) else None
    return None


def _atom_links(root: etree._Element) -> Iterator[str]:
    """Atom ``<entry><link rel="alternate" href>`` (no rel means alternate), honouring xml:base."""
    for entry in _children(root, "entry"):
        for link in _children(entry, "link"):
            href = (link.get("href") or "").strip()
            if href and (link.get("rel") or "alternate").strip().lower() == "alternate":
                yield _join(link.base, href) or href
                break


_EXTRACT = {
    "sitemap": lambda root: _locs(root, "url"),
    "sitemapindex": lambda root: _locs(root, "sitemap"),
    "rss": _rss_links,
    "atom": _atom_links,
}


def _clean(urls: Iterable[str], base_url: str | None) -> list[str]:
    """Absolute, http(s) only, first occurrence kept."""
    seen: dict[str, None] = {}
    for raw in urls:
        url = raw if raw[:8].lower().startswith(("http://", "https://")) else (_join(base_url, raw) or raw)
        if _is_web_url(url):
            seen.setdefault(url, None)
    return list(seen)


def _join(base: str | None, url: str) -> str | None:
    if not base:
        return None
    try:
        return urljoin(base, url)
    except ValueError:
        return None


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


# --------------------------------------------------------------------------- expanding


def expand(
    url: str,
    fetcher: Fetcher,
    max_depth: int = MAX_INDEX_DEPTH,
    max_urls: int = MAX_URLS,
    first: Listing | None = None,
    max_documents: int = MAX_DOCUMENTS,
) -> Iterator[str | FetchResult]:
    """Page URLs from a sitemap, sitemap index or feed, following indexes ``max_depth`` deep.

    Yields each page URL once; a sitemap that cannot be fetched or read is yielded as a
    :class:`FetchResult` whose ``url`` is that sitemap and whose ``error`` says why, and
    nothing listed in it is fetched. Never raises. ``first`` is ``url``'s listing when the
    caller has already fetched and parsed it (it counts as a document all the same).

    Work is bounded whatever the site serves: an index more than ``max_depth`` indexes down
    is not followed, and all such indexes are reported as one result at the end (the first,
    and how many more); after ``max_documents`` documents, the rest is reported as one
    result naming the cap and the number of listed documents left unread (the pages found
    until then are still yielded); after ``max_urls`` page URLs, likewise. A site of indexes
    of indexes therefore costs at most ``max_documents`` fetches and a few results, never
    one per document of a tree that grows as w³.
    """
    pages: set[str] = set()
    visited: set[str] = set()
    too_deep: list[str] = []
    stack = [(url, 0)]
    while stack:
        current, depth = stack.pop()
        if current in visited:
            continue
        if len(visited) >= max_documents:
            left = len({u for u, _ in stack} - visited) + 1
            yield from _too_deep(too_deep, max_depth)
            yield FetchResult.failed(
                url,
                f"stopped after {max_documents:,} sitemap/feed documents (max_documents): "
                f"{left:,} more listed, not fetched",
            )
            return
        visited.add(current)
        listing = first if first is not None and current == url else _fetch_listing(current, fetcher)
        if isinstance(listing, FetchResult):
            yield listing
        elif listing.kind == "sitemapindex":
            if depth >= max_depth:
                too_deep.append(current)
            else:
                stack.extend((child, depth + 1) for child in reversed(listing.urls))
        else:
            for page in listing.urls:
                if page in pages:
                    continue
                if len(pages) >= max_urls:
                    yield from _too_deep(too_deep, max_depth)
                    yield FetchResult.failed(current, f"stopped after {max_urls:,} URLs (max_urls)")
                    return
                pages.add(page)
                yield page
    yield from _too_deep(too_deep, max_depth)


def _too_deep(indexes: list[str], max_depth: int) -> Iterator[FetchResult]:
    """One result for every index not followed for its depth: the first, and how many more."""
    if indexes:
        more = f" (and {len(indexes) - 1:,} more like it)" if len(indexes) > 1 else ""
        yield FetchResult.failed(
            indexes[0], f"sitemap index nested deeper than {max_depth} levels: not followed{more}"
        )


def _fetch_listing(url: str, fetcher: Fetcher) -> Listing | FetchResult:
    result = fetcher.fetch(url, accept=FEED_TYPES)
    if result.error is not None or result.body is None:
        return result
    try:
        return parse(result.body, result.final_url, max_bytes=fetcher.options.max_bytes)
    except FeedError as exc:
        return FetchResult.failed(url, exc.reason, final_url=result.final_url, status=result.status)


def _gunzip(body: bytes, cap: int) -> bytes:
    """A gzipped sitemap, decompressed to at most ``cap`` bytes (a gzip bomb stops there)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, cap + 1)
    except zlib.error as exc:
        raise FeedError(f"bad gzip data: {exc}") from None
    if len(out) > cap:
        raise FeedError(f"too large: more than {human_size(cap)} uncompressed")
    return out


def _gunzip_head(body: bytes) -> bytes:
    """The first :data:`SNIFF_BYTES` of a gzipped body, as far as they decompress (a cut-off
    stream gives what it has; bad data gives nothing)."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, SNIFF_BYTES)
    except zlib.error:
        return b""
