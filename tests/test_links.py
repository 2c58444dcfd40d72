"""Outbound links, links to the source, and the link requirement."""

from __future__ import annotations

from provenance.audit import analyse
from provenance.extract import page_from_html
from provenance.links import links_to, url_key
from provenance.model import Link, Story
from provenance.packs import load_packs
from provenance.text import normalize

PACKS = load_packs()
STORY_TEXT = normalize(
    "WASHINGTON (AP) - The Senate passed a bill on Tuesday to fund road repairs in all fifty states, "
    "sending the measure to the House after a week of debate over how to pay for it.\n\n"
    "Supporters said the money would fix thousands of bridges that engineers have rated as poor, and "
    "opponents said the plan would add to the deficit without new revenue to cover the cost."
)
STORY = Story(id="ap-1", agency="AP", text=STORY_TEXT, url="https://apnews.com/article/roads-123")


def _page(extra: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in STORY_TEXT.replace("WASHINGTON (AP) - ", "").split("\n\n"))
    return (
        f"<html><body><article><h1>Roads bill</h1><p>By Kevin Marsh</p>{paras}</article>{extra}</body></html>"
    )


CLAIM = "<footer><p>In each content, the hyperlink to the primary source is specified.</p></footer>"


def test_url_key_ignores_scheme_www_query_and_slash() -> None:
    assert url_key("https://www.apnews.com/article/roads-123/?utm=x#top") == url_key(
        "http://apnews.com/article/roads-123"
    )


def test_links_to_agency_domain_or_story_url() -> None:
    links = [
        Link("https://news.example/a"),
        Link("https://www.apnews.com/hub"),
        Link("http://x.example/roads-123"),
    ]
    assert [link.href for link in links_to(links, ["apnews.com"])] == ["https://www.apnews.com/hub"]
    assert len(links_to(links, [], ["https://x.example/roads-123"])) == 1


def test_page_links_resolved_with_anchor_text_and_where() -> None:
    page = page_from_html(
        '<html><body><header><a href="/">Home</a></header><article><p>Read <a href="https://apnews.com/x">the AP'
        " story</a> now, said the editor of the paper on Monday.</p></article></body></html>",
        id="p",
        source="p",
        url="https://site.example/news/1",
    )
    assert [(link.href, link.text, link.where) for link in page.links] == [
        ("https://site.example/", "Home", "header"),
        ("https://apnews.com/x", "the AP story", "body"),
    ]


def _rules(html: str) -> set[str]:
    page = page_from_html(html, id="p", source="p")
    return {f.rule for f in analyse(page, [STORY], PACKS).findings}


def test_claimed_link_missing_is_flagged() -> None:
    assert "AP-LINK" in _rules(_page(CLAIM))


def test_claimed_link_present_to_the_story_passes() -> None:
    assert "AP-LINK" not in _rules(
        _page(CLAIM + '<p><a href="https://apnews.com/article/roads-123?src=x">Source</a></p>')
    )


def test_canonical_to_the_agency_counts_as_a_link() -> None:
    html = _page(CLAIM).replace(
        "<html>", '<html><head><link rel="canonical" href="https://apnews.com/article/roads-123"></head>'
    )
    assert "AP-LINK" not in _rules(html)


def test_no_claim_no_link_finding() -> None:
    assert "AP-LINK" not in _rules(_page(""))
