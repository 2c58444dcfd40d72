"""Sitemaps and feeds under every content type servers send them with (issue 12, item 6).

The same RSS file is ``application/rss+xml`` on one server, ``application/x-rss+xml`` on
another (Python's ``http.server``, Debian's Apache), ``text/xml``, ``text/plain`` or
``application/octet-stream`` elsewhere. Each must stand for the pages it lists, decided by
the body, while HTML stays a page and a type that is no text (``image/png``) stays a clear
error. Every exchange is mocked with ``responses``; nothing leaves the machine.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
from typing import Any

import pytest
import responses
from conftest import SEEDS, SITE, run_cli

from provenance import fetch
from provenance.feeds import sniff
from provenance.fetch import Fetcher
from provenance.model import InputError, Page
from provenance.sources import read_pages

PAGE_A = f"{SITE}/a"
PAGE_B = f"{SITE}/b"
ITEMS = [PAGE_A, PAGE_B]
HTML = b"<html><head><title>t</title></head><body><p>A wire story, told at some length.</p></body></html>"
STRIPPED = (SEEDS / "pages" / "ap-verbatim-stripped.html").read_bytes()
CREDITED = (SEEDS / "pages" / "ap-verbatim-credited.html").read_bytes()

CONTENT_TYPES = [
    "application/rss+xml",
    "application/x-rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/x-xml",
    "text/plain",
    "application/octet-stream",
]

RSS2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>News</title><link>{SITE}/</link>
<item><title>A</title><link>{PAGE_A}</link></item>
<item><title>B</title><guid>{PAGE_B}</guid></item>
</channel></rss>""".encode()
RSS1 = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="{SITE}/"><title>News</title></channel>
<item rdf:about="{PAGE_A}"><title>A</title><link>{PAGE_A}</link></item>
<item rdf:about="{PAGE_B}"><title>B</title></item>
</rdf:RDF>""".encode()
ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
<entry><title>A</title><link href="{PAGE_A}"/></entry>
<entry><title>B</title><link rel="alternate" href="/b"/></entry>
</feed>""".encode()
URLSET = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{PAGE_A}</loc></url><url><loc>{PAGE_B}</loc></url>
</urlset>""".encode()
INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{SITE}/child-sitemap</loc></sitemap>
</sitemapindex>""".encode()
LISTINGS = {"rss2": RSS2, "rss1": RSS1, "atom": ATOM, "urlset": URLSET, "sitemapindex": INDEX}


def serve(rsps: responses.RequestsMock, path: str, body: Any, content_type: str) -> None:
    rsps.get(f"{SITE}{path}", body=body, headers={"Content-Type": content_type})


def serve_items(rsps: responses.RequestsMock) -> None:
    for url in ITEMS:
        rsps.get(url, body=HTML, content_type="text/html; charset=utf-8")


def pages_of(url: str, fetcher: Fetcher) -> list[Page | InputError]:
    return list(read_pages([url], fetcher=fetcher))


def fetched(rsps: responses.RequestsMock) -> list[str]:
    return [c.request.url for c in rsps.calls if not c.request.url.endswith("/robots.txt")]


def assert_items_read(items: list[Page | InputError]) -> None:
    """Both item pages fetched and read as HTML pages (no error, no listing read as a page)."""
    assert [type(i).__name__ for i in items] == ["Page", "Page"], items
    assert [i.url for i in items] == ITEMS
    assert all("A wire story" in i.text for i in items if isinstance(i, Page))


# --------------------------------------------------------------------------- every type, every kind


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("kind", LISTINGS)
def test_listing_items_are_fetched_under_every_content_type(rsps, fetcher, kind, content_type):
    serve(rsps, "/listing", LISTINGS[kind], content_type)
    serve(rsps, "/child-sitemap", URLSET, content_type)  # the sitemap index's one child
    serve_items(rsps)
    assert_items_read(pages_of(f"{SITE}/listing", fetcher))
    assert sorted(fetched(rsps)[-2:]) == ITEMS  # fetched in parallel: any order


@pytest.mark.parametrize(
    "content_type", ["text/xml; charset=ISO-8859-1", 'application/x-rss+xml; charset="utf-8"']
)
def test_parameters_on_the_content_type_do_not_matter(rsps, fetcher, content_type):
    serve(rsps, "/feed", RSS2, content_type)
    serve_items(rsps)
    assert_items_read(pages_of(f"{SITE}/feed", fetcher))


@pytest.mark.parametrize(
    "content_type", [*CONTENT_TYPES, "application/gzip", "application/x-gzip", "binary/octet-stream"]
)
@pytest.mark.parametrize("path", ["/sitemap.xml.gz", "/sitemap.gz", "/sitemap.xml.gz?page=2"])
def test_gzip_sitemap_under_every_content_type(rsps, fetcher, content_type, path):
    serve(rsps, path, gzip.compress(URLSET), content_type)
    serve_items(rsps)
    assert_items_read(pages_of(f"{SITE}{path}", fetcher))


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "body",
    [
        codecs.BOM_UTF8 + RSS2,
        b'\n  <?xml version="1.0"?>\n<!-- generated by a CMS -->\n<?xml-stylesheet href="s.xsl"?>\n'
        + RSS2.split(b"?>", 1)[1],
        b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">' + RSS2.split(b"?>", 1)[1],
        RSS2.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    ],
    ids=["utf8-bom", "declaration-comment-pi", "public-doctype", "utf16"],
)
def test_octet_stream_is_sniffed_past_bom_declaration_and_comments(rsps, fetcher, body):
    serve(rsps, "/feed", body, "application/octet-stream")
    serve_items(rsps)
    assert_items_read(pages_of(f"{SITE}/feed", fetcher))


def test_sniff_reads_inside_gzip_and_only_the_head():
    assert sniff(gzip.compress(ATOM)) == "atom"
    assert sniff(gzip.compress(URLSET + b" " * 200_000)[:200]) == "sitemap"  # a cut-off stream's head
    assert sniff(b"\x1f\x8b not really gzip") is None
    assert sniff(gzip.compress(HTML)) is None


# --------------------------------------------------------------------------- pages and refusals


@pytest.mark.parametrize("content_type", ["text/html", "application/xhtml+xml", "text/xml", "text/plain"])
def test_html_stays_a_page(rsps, fetcher, content_type):
    serve(rsps, "/story", HTML, content_type)
    (item,) = pages_of(f"{SITE}/story", fetcher)
    assert isinstance(item, Page) and item.url == f"{SITE}/story"
    assert "A wire story" in item.text
    assert fetched(rsps) == [f"{SITE}/story"]


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf"])
def test_unsupported_type_is_one_clear_error(rsps, fetcher, content_type):
    serve(rsps, "/thing", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), content_type)
    (item,) = pages_of(f"{SITE}/thing", fetcher)
    assert isinstance(item, InputError)
    assert item.error == f"unsupported content type {content_type}"
    assert item.url == f"{SITE}/thing"


@pytest.mark.parametrize("body", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)), HTML, gzip.compress(HTML)])
def test_octet_stream_that_is_no_listing_is_refused(rsps, fetcher, body):
    serve(rsps, "/blob", body, "application/octet-stream")
    (item,) = pages_of(f"{SITE}/blob", fetcher)
    assert isinstance(item, InputError)
    assert item.error == "unsupported content type application/octet-stream"


class Endless(io.RawIOBase):
    """An endless body of zeros: only a refusal at its head ends the fetch early."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[:] = b"\x00" * len(buffer)
        self.served += len(buffer)
        return len(buffer)


def test_octet_stream_is_refused_after_its_head_not_read_to_the_cap(rsps, fetcher):
    endless = Endless()
    serve(rsps, "/download", io.BufferedReader(endless), "application/octet-stream")
    result = fetcher.fetch(f"{SITE}/download")
    assert result.error == "unsupported content type application/octet-stream"
    assert result.body is None
    assert endless.served < fetch.DEFAULT_MAX_BYTES // 4


def test_sniffing_can_be_turned_off_by_the_caller(rsps, fetcher):
    serve(rsps, "/feed", RSS2, "application/octet-stream")
    assert fetcher.fetch(f"{SITE}/feed").ok
    result = fetcher.fetch(f"{SITE}/feed", sniffed=())
    assert result.error == "unsupported content type application/octet-stream"


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def corpus(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(fetch, "system_resolver", lambda host: ["93.184.216.34"])
    assert run_cli(capsys, "corpus", "add", str(SEEDS / "wire"), "--db", db_url)[0] == 0
    return db_url


def audit(capsys: pytest.CaptureFixture[str], db_url: str, url: str) -> tuple[int, dict, str]:
    code, out, err = run_cli(capsys, "audit", url, "--format", "json", "--db", db_url, "--host-delay", "0")
    return code, json.loads(out), err


def test_cli_audits_the_pages_of_an_x_rss_xml_feed(rsps, corpus, capsys):
    """What ``python -m http.server`` serves a ``.rss`` file as; refused before issue 12."""
    serve(rsps, "/news.rss", RSS2, "application/x-rss+xml")
    rsps.get(PAGE_A, body=STRIPPED, content_type="text/html")
    rsps.get(PAGE_B, body=CREDITED, content_type="text/html")
    code, report, err = audit(capsys, corpus, f"{SITE}/news.rss")
    assert "unsupported content type" not in err
    assert code == 0
    assert [d["id"] for d in report["documents"]] == ITEMS
    assert [d["status"] for d in report["documents"]] == ["ok", "ok"]
    assert [d["match"]["story_id"] for d in report["documents"]] == ["ap-2024-0002", "ap-2024-0001"]


def test_cli_names_the_url_and_type_of_an_image(rsps, corpus, capsys):
    serve(rsps, "/photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "image/png")
    code, report, err = audit(capsys, corpus, f"{SITE}/photo.png")
    assert code == 2
    (doc,) = report["documents"]
    assert (doc["status"], doc["error"]) == ("error", "unsupported content type image/png")
    (line,) = [line for line in err.splitlines() if "unsupported content type" in line]
    assert f"{SITE}/photo.png" in line and "image/png" in line
