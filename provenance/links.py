"""Hyperlinks: collected from the raw page, and checked against the source they should cite.

A licence or an aggregator's own boilerplate ("the hyperlink to the primary source is
specified") may promise a link to the original story. Whether the page keeps that promise
is a question of its outbound links: to the agency's domains, or to the story's own URL
(compared without scheme, ``www.``, query, fragment or trailing slash, so a tracking
parameter does not hide a real link).

Splitting URLs is the costly part (every link is tested against every agency's domains, and
menus repeat their links on every page of a site): a URL's host, key and resolution are
computed once per process (:func:`provenance.memo.short_text_cache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urljoin, urlsplit

from lxml import etree

from provenance.memo import short_text_cache
from provenance.model import Link, Signal, Story, Where
from provenance.text import normalize

_MAX_LINKS = 2000


def page_links(
    root: etree._Element, base_url: str | None, where_of: Callable[[etree._Element], Where]
) -> list[Link]:
    """Every http(s) link of the page with its anchor text, in document order (deduplicated).

    ``where_of`` says whether an element sits in the header, body or footer (the extractor's
    landmark rules).
    """
    base = base_url or _base_href(root) or ""
    seen: set[tuple[str, str]] = set()
    resolved: dict[str, str | None] = {}  # menus repeat hrefs; resolving is the costly part
    out: list[Link] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if href not in resolved:
            resolved[href] = _resolve(base, href)
        absolute = resolved[href]
        if absolute is None:
            continue
        text = normalize(" ".join(a.itertext()))[:300]
        if (absolute, text) in seen:
            continue
        seen.add((absolute, text))
        out.append(Link(absolute, text, where_of(a), a.sourceline))
        if len(out) >= _MAX_LINKS:
            break
    return out


@short_text_cache(8192, 2048)
def _resolve(base: str, href: str) -> str | None:
    """The absolute http(s) URL ``href`` points to from ``base``; None for other schemes."""
    try:
        absolute = urljoin(base, href)
    except ValueError:
        return None
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _base_href(root: etree._Element) -> str | None:
    for base in root.iter("base"):
        if href := base.get("href"):
            return href
    return None


@short_text_cache(8192, 2048)
def url_key(url: str) -> str:
    """A URL reduced to host and path, for comparing links with a story's URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip().lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


@short_text_cache(8192, 2048)
def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:
        return ""


def on_domain(url: str, domains: Iterable[str]) -> bool:
    """True when the link's host is one of ``domains`` or a subdomain of one."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)


def links_to(
    links: Sequence[Link], domains: Iterable[str], story_urls: Iterable[str | None] = ()
) -> list[Link]:
    """The links that point to the agency (its domains) or to the story itself."""
    domains = [d.lower().removeprefix("www.") for d in domains]
    wanted = {url_key(u) for u in story_urls if u}
    return [link for link in links if on_domain(link.href, domains) or url_key(link.href) in wanted]


def link_signals(
    links: Sequence[Link], agencies: Iterable[tuple[str, Sequence[str]]], story: Story | None
) -> list[Signal]:
    """``link`` signals: links to an agency's domains, and to the matched story's URL.

    ``agencies`` pairs each agency id with its web domains (from its rule pack).
    """
    out: list[Signal] = []
    story_key = url_key(story.url) if story is not None and story.url else None
    for link in links:
        agency = next((a for a, domains in agencies if on_domain(link.href, domains)), None)
        if agency is None and story_key is not None and url_key(link.href) == story_key:
            agency = story.agency if story is not None else None
        if agency is not None:
            out.append(Signal("link", link.href, link.where, link.line, agency=agency))
    return out
