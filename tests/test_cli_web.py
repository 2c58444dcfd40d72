"""Real web pages in, through the command line: URLs, --urls, sitemaps, feeds, Markdown.

Every HTTP exchange is mocked with ``responses`` (an unmatched request fails, nothing leaves
the machine) and host names resolve through a fake resolver.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from conftest import SEEDS

from provenance import fetch
from provenance.cli import main

PUBLIC_IP = "93.184.216.34"  # what the fake resolver answers for every public name
ROBOTS_ALLOW = "User-agent: *\nAllow: /\n"
STRIPPED = (SEEDS / "pages" / "ap-verbatim-stripped.html").read_bytes()
CREDITED = (SEEDS / "pages" / "ap-verbatim-credited.html").read_bytes()


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    addresses = {"intranet.example": ["10.0.0.5"], "localhost": ["127.0.0.1"]}
    monkeypatch.setattr(fetch, "system_resolver", lambda host: addresses.get(host, [PUBLIC_IP]))


@pytest.fixture
def corpus(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["corpus", "add", str(SEEDS / "wire"), "--db", db_url]) == 0
    capsys.readouterr()
    return db_url


def _robots(host: str = "https://news.example") -> None:
    responses.get(f"{host}/robots.txt", body=ROBOTS_ALLOW, content_type="text/plain")


def audit(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> tuple[int, dict, str]:
    code = main(["audit", *args, "--format", "json", "--db", db_url, "--host-delay", "0"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@responses.activate
def test_audit_a_url(capsys: pytest.CaptureFixture[str], corpus: str) -> None:
    _robots()
    responses.get("https://news.example/fire", body=STRIPPED, content_type="text/html; charset=utf-8")
    code, report, _ = audit(capsys, corpus, "https://news.example/fire")
    assert code == 0
    (doc,) = report["documents"]
    assert doc["id"] == doc["url"] == "https://news.example/fire"
    assert doc["match"]["story_id"] == "ap-2024-0002"
    assert {f["rule"] for f in doc["findings"]} >= {"AP-CREDIT", "AP-BYLINE"}


@responses.activate
def test_reaudit_uses_conditional_get_and_the_cached_body(
    capsys: pytest.CaptureFixture[str], corpus: str
) -> None:
    _robots()
    responses.get(
        "https://news.example/port", body=CREDITED, content_type="text/html", headers={"ETag": '"v1"'}
    )
    first = audit(capsys, corpus, "https://news.example/port")[1]["documents"][0]
    responses.replace(responses.GET, "https://news.example/port", status=304, headers={"ETag": '"v1"'})
    second = audit(capsys, corpus, "https://news.example/port")[1]["documents"][0]
    page_calls = [c for c in responses.calls if c.request.url == "https://news.example/port"]
    assert page_calls[-1].request.headers.get("If-None-Match") == '"v1"'
    # A 304 re-confirms the cached body now, so only the fetch time may differ.
    for document in (first, second):
        document["match"]["citation"].pop("fetched_at")
    assert second["status"] == "ok" and second["match"] == first["match"]
    assert second["content_hash"] == first["content_hash"]


@responses.activate
def test_private_addresses_are_refused_and_recorded(
    capsys: pytest.CaptureFixture[str], corpus_db: str
) -> None:
    code, report, err = audit(capsys, corpus_db, "http://intranet.example/a", "http://127.0.0.1/b")
    assert code == 2
    assert [d["status"] for d in report["documents"]] == ["error", "error"]
    assert all("refused" in d["error"] for d in report["documents"])
    assert "intranet.example" in err and "127.0.0.1" in err
    assert len(responses.calls) == 0


@responses.activate
def test_sitemap_pages_are_audited(capsys: pytest.CaptureFixture[str], corpus: str) -> None:
    _robots()
    sitemap = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://news.example/a</loc></url><url><loc>https://news.example/b</loc></url></urlset>"
    )
    responses.get("https://news.example/sitemap.xml", body=sitemap, content_type="application/xml")
    responses.get("https://news.example/a", body=STRIPPED, content_type="text/html")
    responses.get("https://news.example/b", body=CREDITED, content_type="text/html")
    code, report, _ = audit(capsys, corpus, "https://news.example/sitemap.xml")
    assert code == 0
    assert [d["id"] for d in report["documents"]] == ["https://news.example/a", "https://news.example/b"]
    assert [d["match"]["story_id"] for d in report["documents"]] == ["ap-2024-0002", "ap-2024-0001"]


@responses.activate
def test_billion_laughs_sitemap_is_refused_and_nothing_fetched(
    capsys: pytest.CaptureFixture[str], corpus_db: str
) -> None:
    _robots()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<urlset><url><loc>https://news.example/&lol2;</loc></url></urlset>"
    )
    responses.get("https://news.example/sitemap.xml", body=bomb, content_type="application/xml")
    code, report, _ = audit(capsys, corpus_db, "https://news.example/sitemap.xml")
    assert code == 2
    (doc,) = report["documents"]
    assert doc["status"] == "error" and "entities" in doc["error"]
    assert [c.request.url for c in responses.calls if "robots" not in c.request.url] == [
        "https://news.example/sitemap.xml"
    ]


@responses.activate
def test_urls_file_and_robots_disallow(
    capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path
) -> None:
    responses.get("https://news.example/robots.txt", body="User-agent: *\nDisallow: /private/\n")
    responses.get("https://news.example/open", body=CREDITED, content_type="text/html")
    urls = tmp_path / "urls.txt"
    urls.write_text("# pages\nhttps://news.example/open\n\nhttps://news.example/private/x\n")
    code, report, _ = audit(capsys, corpus_db, "--urls", str(urls))
    assert code == 2
    docs = {d["id"]: d for d in report["documents"]}
    assert docs["https://news.example/open"]["status"] == "ok"
    assert "robots.txt" in docs["https://news.example/private/x"]["error"]
    assert not any("/private/" in c.request.url for c in responses.calls)


@responses.activate
def test_ignore_robots_flag(capsys: pytest.CaptureFixture[str], corpus_db: str) -> None:
    responses.get("https://news.example/private/x", body=CREDITED, content_type="text/html")
    code, report, _ = audit(capsys, corpus_db, "https://news.example/private/x", "--ignore-robots")
    assert code == 0 and report["documents"][0]["status"] == "ok"
    assert not any("robots" in c.request.url for c in responses.calls)


def test_extract_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["extract", str(SEEDS / "pages" / "ap-verbatim-credited.html"), "--format", "json"])
    assert code == 0
    (doc,) = json.loads(capsys.readouterr().out)["documents"]
    for key in (
        "id",
        "source",
        "url",
        "status",
        "error",
        "title",
        "body",
        "byline",
        "dateline",
        "published",
        "credit_lines",
        "copyright_notices",
        "links",
        "jsonld",
    ):
        assert key in doc, key
    assert doc["dateline"].endswith("(AP) -")
    assert any("Associated Press" in n for n in doc["copyright_notices"])
    assert doc["links"] and {"href", "text", "where"} <= set(doc["links"][0])


def test_markdown_page_is_audited(capsys: pytest.CaptureFixture[str], corpus: str, tmp_path: Path) -> None:
    stories = [json.loads(line) for line in (SEEDS / "wire" / "stories.jsonl").read_text().splitlines()]
    story = next(s for s in stories if s["id"] == "ap-2024-0002")
    body = story["text"].replace("(AP) ", "")
    page = tmp_path / "fire.md"
    page.write_text(f"---\ntitle: Wildfire\nauthor: Kevin Marsh\n---\n{body}\n", encoding="utf-8")
    code, report, _ = audit(capsys, corpus, str(page))
    (doc,) = report["documents"]
    assert code == 0 and doc["match"]["story_id"] == "ap-2024-0002"
    assert {"AP-CREDIT", "AP-BYLINE"} <= {f["rule"] for f in doc["findings"]}
