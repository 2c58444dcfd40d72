"""provenance.feeds: sniffing, safe parsing and recursive expansion of sitemaps and feeds.

Fixtures are small hand-written files in tests/fixtures/feeds; hostile and oversized
documents are built here. HTTP goes through `responses`, DNS through an injected resolver.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import responses
from conftest import SITE

from provenance.feeds import REFUSED_ENTITIES, FeedError, Listing, expand, parse, sniff
from provenance.fetch import Fetcher, FetchOptions, FetchResult

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def urlset(locs: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()


def index(locs: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()
    )


# --------------------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sitemap.xml", "sitemap"),
        ("news_sitemap.xml", "sitemap"),
        ("sitemap_index.xml", "sitemapindex"),
        ("rss2.xml", "rss"),
        ("rss1.rdf", "rss"),
        ("rss091_doctype.xml", "rss"),
        ("atom.xml", "atom"),
        ("page.html", None),
    ],
)
def test_sniff_fixtures(name, kind):
    assert sniff(fixture(name)) == kind


def test_sniff_edge_cases():
    assert sniff(b"\xef\xbb\xbf  <!-- c --><?pi x?>\n<feed/>") == "atom"
    assert sniff('<?xml version="1.0" encoding="utf-16"?><rss/>'.encode("utf-16")) == "rss"
    assert sniff(b"<html><body>rss</body></html>") is None
    assert sniff(b"") is None and sniff(b"just text") is None


# --------------------------------------------------------------------------- parse


def test_sitemap_resolves_relative_dedupes_and_keeps_web_urls():
    listing = parse(fixture("sitemap.xml"), f"{SITE}/sitemap.xml")
    assert listing == Listing(
        "sitemap",
        [
            f"{SITE}/world/summit.html",
            f"{SITE}/world/storm.html",
            f"{SITE}/search?q=wire&page=2",
            f"{SITE}/world/cdata.html",
        ],
    )


def test_relative_links_without_base_are_dropped():
    assert parse(fixture("sitemap.xml"), None).urls == [
        f"{SITE}/world/summit.html",
        f"{SITE}/search?q=wire&page=2",
        f"{SITE}/world/cdata.html",
    ]


def test_google_news_sitemap():
    listing = parse(fixture("news_sitemap.xml"), None)
    assert listing.kind == "sitemap"
    assert listing.urls == [f"{SITE}/business/merger.html", f"{SITE}/sport/final.html"]  # not image:loc


def test_sitemap_index():
    listing = parse(fixture("sitemap_index.xml"), f"{SITE}/sitemap_index.xml")
    assert listing == Listing("sitemapindex", [f"{SITE}/sitemap-world.xml", f"{SITE}/sitemap-news.xml"])


def test_rss2_links_and_permalink_guids():
    listing = parse(fixture("rss2.xml"), f"{SITE}/rss.xml")
    assert listing.kind == "rss"
    assert listing.urls == [
        f"{SITE}/world/summit.html",
        f"{SITE}/world/storm.html",
        f"{SITE}/world/guid.html",
        f"{SITE}/world/atomlink.html",
        f"{SITE}/world/sloppy.html",
    ]  # the channel's own link and the non-URL guid are not pages


def test_rss1_rdf():
    assert parse(fixture("rss1.rdf"), None).urls == [f"{SITE}/world/summit.html", f"{SITE}/world/about.html"]


def test_atom_alternate_links_and_xml_base():
    listing = parse(fixture("atom.xml"), f"{SITE}/atom.xml")
    assert listing.kind == "atom"
    assert listing.urls == [
        f"{SITE}/world/summit.html",
        f"{SITE}/world/storm.html",
        f"{SITE}/world/podcast.html",
        f"{SITE}/sport/final.html",
    ]


def test_public_doctype_without_declarations_is_read():
    assert parse(fixture("rss091_doctype.xml"), None).urls == [f"{SITE}/old.html"]


def test_billion_laughs_refused_before_parsing():
    with pytest.raises(FeedError) as err:
        parse(fixture("billion_laughs.xml"), None)
    assert err.value.reason == REFUSED_ENTITIES


def test_xxe_refused():
    with pytest.raises(FeedError, match="refused: XML declares entities"):
        parse(fixture("xxe.xml"), None)


def test_entities_refused_in_utf16_and_any_internal_subset():
    with pytest.raises(FeedError, match="refused"):
        parse(fixture("xxe.xml").decode().encode("utf-16"), None)
    with pytest.raises(FeedError, match="refused"):
        parse(b'<!DOCTYPE urlset [ <!ATTLIST urlset a CDATA "x"> ]><urlset/>', None)


def test_over_deep_xml_refused():
    deep = (
        b"<urlset><url><loc>https://news.example/a</loc></url>" + b"<x>" * 100 + b"</x>" * 100 + b"</urlset>"
    )
    with pytest.raises(FeedError, match="too deep: XML nested more than 64 levels"):
        parse(deep, None)


def test_too_many_urls_refused():
    with pytest.raises(FeedError, match="too many URLs: more than 50,000"):
        parse(urlset([f"{SITE}/{i}" for i in range(50_001)]), None)
    assert len(parse(urlset([f"{SITE}/{i}" for i in range(50_000)]), None).urls) == 50_000


def test_too_large_refused():
    with pytest.raises(FeedError, match="too large: more than 1 KB"):
        parse(urlset([f"{SITE}/{i}" for i in range(100)]), None, max_bytes=1024)


@pytest.mark.parametrize("body", [fixture("page.html"), b"", b"not xml at all", b"\x00\x01\x02"])
def test_not_a_feed(body):
    with pytest.raises(FeedError):
        parse(body, None)


# --------------------------------------------------------------------------- expand


def xml(rsps: responses.RequestsMock, path: str, body: bytes, content_type: str = "application/xml") -> None:
    rsps.get(f"{SITE}{path}", body=body, content_type=content_type)


def fetched(rsps: responses.RequestsMock) -> list[str]:
    return [c.request.url.removeprefix(SITE) for c in rsps.calls if not c.request.url.endswith("/robots.txt")]


def test_expand_sitemap_index_recursively(rsps, fetcher):
    xml(rsps, "/index.xml", index([f"{SITE}/a.xml", "/nested.xml"]))
    xml(rsps, "/a.xml", urlset([f"{SITE}/p1", f"{SITE}/p2"]))
    xml(rsps, "/nested.xml", index(["/b.xml.gz"]))
    rsps.get(
        f"{SITE}/b.xml.gz",
        body=gzip.compress(urlset([f"{SITE}/p2", f"{SITE}/p3"])),
        content_type="application/x-gzip",
    )
    assert list(expand(f"{SITE}/index.xml", fetcher)) == [f"{SITE}/p1", f"{SITE}/p2", f"{SITE}/p3"]
    assert fetched(rsps) == ["/index.xml", "/a.xml", "/nested.xml", "/b.xml.gz"]


def test_expand_depth_limit(rsps, fetcher):
    xml(rsps, "/i0.xml", index(["/i1.xml"]))
    xml(rsps, "/i1.xml", index(["/i2.xml"]))
    xml(rsps, "/i2.xml", index(["/leaf.xml"]))
    xml(rsps, "/leaf.xml", urlset([f"{SITE}/p"]))
    assert list(expand(f"{SITE}/i0.xml", fetcher, max_depth=3)) == [f"{SITE}/p"]
    rsps.calls.reset()
    out = list(expand(f"{SITE}/i0.xml", fetcher, max_depth=2))
    assert len(out) == 1 and isinstance(out[0], FetchResult)
    assert out[0].url == f"{SITE}/i2.xml" and "nested deeper than 2 levels" in out[0].error
    assert "/leaf.xml" not in fetched(rsps)


def test_expand_index_loop_terminates(rsps, fetcher):
    xml(rsps, "/loop.xml", index(["/loop.xml", "/a.xml"]))
    xml(rsps, "/a.xml", urlset([f"{SITE}/p"]))
    assert list(expand(f"{SITE}/loop.xml", fetcher)) == [f"{SITE}/p"]


def test_expand_feeds(rsps, fetcher):
    xml(rsps, "/rss.xml", fixture("rss2.xml"), "application/rss+xml")
    xml(rsps, "/atom.xml", fixture("atom.xml"), "application/atom+xml")
    assert f"{SITE}/world/guid.html" in list(expand(f"{SITE}/rss.xml", fetcher))
    assert f"{SITE}/sport/final.html" in list(expand(f"{SITE}/atom.xml", fetcher))


def test_expand_reports_failed_fetches_and_goes_on(rsps, fetcher):
    xml(rsps, "/index.xml", index(["/missing.xml", "/page.html", "/a.xml"]))
    rsps.get(f"{SITE}/missing.xml", status=404)
    xml(rsps, "/page.html", fixture("page.html"), "text/html")
    xml(rsps, "/a.xml", urlset([f"{SITE}/p"]))
    out = list(expand(f"{SITE}/index.xml", fetcher))
    errors = [r for r in out if isinstance(r, FetchResult)]
    assert [(e.url, e.error) for e in errors] == [
        (f"{SITE}/missing.xml", "HTTP 404"),
        (f"{SITE}/page.html", "not a sitemap or feed"),
    ]
    assert out[-1] == f"{SITE}/p"


@pytest.mark.parametrize("name", ["billion_laughs.xml", "xxe.xml"])
def test_expand_hostile_sitemap_yields_one_error_and_fetches_nothing_more(rsps, fetcher, name):
    xml(rsps, "/evil.xml", fixture(name))
    xml(rsps, "/child.xml", urlset([f"{SITE}/p"]))
    out = list(expand(f"{SITE}/evil.xml", fetcher))
    assert len(out) == 1 and isinstance(out[0], FetchResult)
    assert out[0].url == f"{SITE}/evil.xml" and out[0].error == REFUSED_ENTITIES
    assert fetched(rsps) == ["/evil.xml"]


def test_expand_gzip_bomb_refused(rsps):
    fetcher = Fetcher(
        FetchOptions(host_delay=0, max_bytes=100_000),
        resolver=lambda h: ["93.184.216.34"],
        sleep=lambda s: None,
    )
    rsps.get(f"{SITE}/bomb.xml.gz", body=gzip.compress(b" " * 5_000_000), content_type="application/gzip")
    out = list(expand(f"{SITE}/bomb.xml.gz", fetcher))
    assert [r.error for r in out] == ["too large: more than 100000 bytes uncompressed"]


def test_expand_max_urls(rsps, fetcher):
    xml(rsps, "/a.xml", urlset([f"{SITE}/p{i}" for i in range(10)]))
    out = list(expand(f"{SITE}/a.xml", fetcher, max_urls=4))
    assert out[:4] == [f"{SITE}/p{i}" for i in range(4)]
    assert len(out) == 5 and "stopped after 4 URLs" in out[4].error


def test_expand_refused_address_never_raises(rsps):
    fetcher = Fetcher(FetchOptions(), resolver=lambda h: ["10.0.0.1"], sleep=lambda s: None)
    out = list(expand("https://intranet.example/sitemap.xml", fetcher))
    assert [r.error for r in out] == ["refused: resolves to private address 10.0.0.1"]
    assert len(rsps.calls) == 0
