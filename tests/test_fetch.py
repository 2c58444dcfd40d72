"""provenance.fetch and provenance.fetch_cache: every HTTP behaviour through `responses`.

No test touches the network: `responses` answers every request (and refuses unknown URLs),
DNS goes through an injected resolver, and `sleep`/`clock` are fakes, so nothing waits.
"""

from __future__ import annotations

import gzip
import io
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import requests
import responses
from responses import matchers
from urllib3.connection import HTTPConnection

from provenance import fetch_cache, store
from provenance.fetch import (
    USER_AGENT,
    AddressGuard,
    BlockedAddress,
    CachedResponse,
    Fetcher,
    FetchOptions,
    FetchResult,
    GuardedAdapter,
    MemoryValidatorCache,
    blocked_kind,
    decode_bytes,
    literal_ip,
    retry_after,
)

PUBLIC = "93.184.216.34"
SITE = "https://news.example"
HTML = b"<html><head><title>t</title></head><body><p>Wire story.</p></body></html>"


class FakeTime:
    """A clock that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def clock(self) -> float:
        return self.now


def resolver(mapping: dict[str, list[str]] | None = None) -> Callable[[str], list[str]]:
    table = mapping or {}

    def resolve(host: str) -> list[str]:
        return table.get(host, [PUBLIC])

    return resolve


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make(fake: FakeTime) -> Iterator[Callable[..., Fetcher]]:
    made: list[Fetcher] = []

    def build(cache: Any = None, dns: dict[str, list[str]] | None = None, **options: Any) -> Fetcher:
        fetcher = Fetcher(
            FetchOptions(**options), cache=cache, resolver=resolver(dns), sleep=fake.sleep, clock=fake.clock
        )
        made.append(fetcher)
        return fetcher

    yield build
    for fetcher in made:
        fetcher.close()


def no_robots(rsps: responses.RequestsMock, origin: str = SITE) -> None:
    rsps.get(f"{origin}/robots.txt", status=404)


def urls_called(rsps: responses.RequestsMock) -> list[str]:
    return [call.request.url for call in rsps.calls]


# --------------------------------------------------------------------------- basics


def test_fetch_returns_body_and_headers_and_sends_user_agent(rsps, make):
    no_robots(rsps)
    rsps.get(
        f"{SITE}/a.html",
        body=HTML,
        headers={
            "Content-Type": "text/html; charset=UTF-8",
            "ETag": '"v1"',
            "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT",
        },
    )
    result = make().fetch(f"{SITE}/a.html")
    assert result.ok and result.error is None
    assert (result.status, result.body, result.final_url) == (200, HTML, f"{SITE}/a.html")
    assert (result.content_type, result.charset) == ("text/html", "utf-8")
    assert result.etag == '"v1"' and result.last_modified.startswith("Wed")
    assert not result.from_cache
    assert result.fetched_at.tzinfo is not None
    for call in rsps.calls:  # robots.txt and the page
        assert call.request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("provenance/") and "copyright compliance checker" in USER_AGENT


def test_http_error_status(rsps, make):
    no_robots(rsps)
    rsps.get(f"{SITE}/gone", status=404)
    result = make().fetch(f"{SITE}/gone")
    assert (result.error, result.status, result.body) == ("HTTP 404", 404, None)
    assert not result.ok


@pytest.mark.parametrize(
    "url",
    [
        "ftp://news.example/x",
        "file:///etc/passwd",
        "not a url",
        "http://",
        "",
        "http://[::1",
        "https://a b.example/",
    ],
)
def test_bad_urls_are_errors_not_exceptions(rsps, make, url):
    result = make().fetch(url)
    assert result.error and result.body is None
    assert len(rsps.calls) == 0


def test_timeout_and_connection_failure(rsps, make):
    no_robots(rsps)
    rsps.get(f"{SITE}/slow", body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.get(f"{SITE}/down", body=requests.exceptions.ConnectionError("Connection refused"))
    fetcher = make()
    assert fetcher.fetch(f"{SITE}/slow").error == "timeout"
    down = fetcher.fetch(f"{SITE}/down").error
    assert down.startswith("connection failed:") and "refused" in down and "\n" not in down


def test_unexpected_exception_does_not_escape(rsps, make):
    no_robots(rsps)
    rsps.get(f"{SITE}/boom", body=RuntimeError("adapter bug"))
    result = make().fetch(f"{SITE}/boom")
    assert result.error == "fetch failed: RuntimeError: adapter bug"


# --------------------------------------------------------------------------- redirects


def test_redirect_chain_followed_and_every_hop_checked(rsps, make):
    no_robots(rsps)
    no_robots(rsps, "https://other.example")
    rsps.get(f"{SITE}/a", status=301, headers={"Location": "/b"})
    rsps.get(f"{SITE}/b", status=302, headers={"Location": "https://other.example/c"})
    rsps.get("https://other.example/c", status=307, headers={"Location": "d"})
    rsps.get("https://other.example/d", body=HTML, content_type="text/html")
    result = make().fetch(f"{SITE}/a")
    assert result.ok and result.final_url == "https://other.example/d" and result.url == f"{SITE}/a"
    # robots.txt of the second host was read before its first hop
    assert urls_called(rsps) == [
        f"{SITE}/robots.txt",
        f"{SITE}/a",
        f"{SITE}/b",
        "https://other.example/robots.txt",
        "https://other.example/c",
        "https://other.example/d",
    ]


def test_too_many_redirects(rsps, make):
    no_robots(rsps)
    for i in range(6):
        rsps.get(f"{SITE}/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    rsps.get(f"{SITE}/r6", body=HTML, content_type="text/html")
    result = make().fetch(f"{SITE}/r0")
    assert result.error == "too many redirects (6)"
    assert f"{SITE}/r6" not in urls_called(rsps)


def test_redirect_to_other_scheme_refused(rsps, make):
    no_robots(rsps)
    rsps.get(f"{SITE}/a", status=302, headers={"Location": "file:///etc/passwd"})
    result = make().fetch(f"{SITE}/a")
    assert result.error == "refused: unsupported URL scheme 'file'"
    assert result.final_url == "file:///etc/passwd"


# --------------------------------------------------------------------------- retries


def test_429_then_200_honours_retry_after_seconds(rsps, make, fake):
    no_robots(rsps)
    rsps.get(f"{SITE}/a", status=429, headers={"Retry-After": "7"})
    rsps.get(f"{SITE}/a", body=HTML, content_type="text/html")
    result = make(host_delay=0).fetch(f"{SITE}/a")
    assert result.ok
    assert fake.sleeps == [7.0]


def test_retry_after_http_date_and_cap(rsps, make, fake):
    no_robots(rsps)
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    rsps.get(f"{SITE}/a", status=503, headers={"Retry-After": soon})
    rsps.get(f"{SITE}/a", status=429, headers={"Retry-After": "86400"})
    rsps.get(f"{SITE}/a", body=HTML, content_type="text/html")
    assert make(host_delay=0).fetch(f"{SITE}/a").ok
    assert 27 <= fake.sleeps[0] <= 30
    assert fake.sleeps[1] == 120.0  # capped


def test_503_repeatedly_fails_after_retries_with_backoff(rsps, make, fake):
    no_robots(rsps)
    rsps.get(f"{SITE}/a", status=503)
    result = make(host_delay=0, retries=3).fetch(f"{SITE}/a")
    assert (result.error, result.status) == ("HTTP 503", 503)
    assert urls_called(rsps).count(f"{SITE}/a") == 4
    assert fake.sleeps == [1.0, 2.0, 4.0]


def test_retry_after_parsing():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 01 May 2024 12:00:10 GMT", now) == 10.0
    assert retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


# --------------------------------------------------------------------------- bodies


def test_oversize_refused_by_content_length_without_reading(rsps, make):
    no_robots(rsps)
    rsps.get(
        f"{SITE}/big",
        body=HTML,
        headers={"Content-Type": "text/html", "Content-Length": str(10 * 1024 * 1024)},
    )
    result = make().fetch(f"{SITE}/big")
    assert result.error == "too large: more than 5 MB"
    assert result.status == 200 and result.body is None


class Endless(io.RawIOBase):
    """An endless body: reading it all would never finish, so the cap must stream."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[:] = b"x" * len(buffer)
        self.served += len(buffer)
        return len(buffer)


def test_oversize_refused_while_streaming_without_content_length(rsps, make):
    no_robots(rsps)
    endless = Endless()
    rsps.get(f"{SITE}/endless", body=io.BufferedReader(endless), content_type="text/plain")
    result = make(max_bytes=100_000).fetch(f"{SITE}/endless")
    assert result.error == "too large: more than 100000 bytes"
    assert endless.served < 1_000_000


def test_cap_applies_to_the_decompressed_body(rsps, make):
    no_robots(rsps)
    bomb = gzip.compress(b" " * 2_000_000)  # ~2 KB on the wire
    rsps.get(f"{SITE}/bomb", body=bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert make(max_bytes=1024 * 1024).fetch(f"{SITE}/bomb").error == "too large: more than 1 MB"


def test_gzip_body_decoded(rsps, make):
    no_robots(rsps)
    rsps.get(
        f"{SITE}/gz",
        body=gzip.compress(HTML),
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
    )
    result = make().fetch(f"{SITE}/gz")
    assert result.body == HTML


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "application/octet-stream"])
def test_wrong_content_type_refused(rsps, make, content_type):
    no_robots(rsps)
    rsps.get(f"{SITE}/img", body=b"\x89PNG...", content_type=content_type)
    result = make().fetch(f"{SITE}/img")
    assert result.error == f"unsupported content type {content_type}"
    assert result.body is None


@pytest.mark.parametrize(
    "content_type", ["application/xhtml+xml", "text/plain; charset=utf-8", "application/rss+xml", "TEXT/HTML"]
)
def test_text_content_types_accepted(rsps, make, content_type):
    no_robots(rsps)
    rsps.get(f"{SITE}/t", body=HTML, headers={"Content-Type": content_type})
    assert make().fetch(f"{SITE}/t").ok


def test_missing_content_type_accepted(rsps, make):
    no_robots(rsps)
    rsps.get(f"{SITE}/t", body=HTML, content_type=None)
    result = make().fetch(f"{SITE}/t")
    assert result.ok and result.content_type is None


# --------------------------------------------------------------------------- charsets


LATIN = "Café in Zürich: the mayor's façade, déjà vu, naïve señor, años, Ærø."


def _result(body: bytes, charset: str | None = None) -> FetchResult:
    return FetchResult(url="u", final_url="u", status=200, body=body, charset=charset)


def test_charset_from_header(rsps, make):
    no_robots(rsps)
    rsps.get(
        f"{SITE}/l", body=LATIN.encode("latin-1"), headers={"Content-Type": "text/plain; charset=ISO-8859-1"}
    )
    result = make().fetch(f"{SITE}/l")
    assert result.charset == "iso-8859-1"
    assert result.text() == LATIN


def test_charset_header_wins_over_meta():
    body = f'<meta charset="utf-8"><p>{LATIN}</p>'.encode("cp1252")
    assert LATIN in decode_bytes(body, "windows-1252")


def test_charset_from_meta():
    body = f'<html><head><meta charset="iso-8859-1"></head><body>{LATIN}</body></html>'.encode("latin-1")
    assert LATIN in _result(body).text()


def test_charset_undeclared_latin1_guessed():
    body = (LATIN + " ") * 20
    assert "Café in Zürich" in _result(body.encode("latin-1")).text()


def test_charset_bom_and_plain_utf8_and_mislabelled():
    assert _result(b"\xef\xbb\xbfHello").text() == "Hello"
    assert _result("Grüße".encode("utf-16")).text() == "Grüße"
    assert _result("Grüße".encode()).text() == "Grüße"
    assert _result("Grüße".encode(), charset="nonsense-charset").text() == "Grüße"
    assert _result(b"caf\xe9 \x81", charset="utf-8").text().startswith("caf")  # never raises


# --------------------------------------------------------------------------- robots.txt


def test_robots_disallow_means_no_request(rsps, make):
    rsps.get(f"{SITE}/robots.txt", body="User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    rsps.get(f"{SITE}/private/a.html", body=HTML, content_type="text/html")
    result = make().fetch(f"{SITE}/private/a.html")
    assert result.error == f"robots.txt disallows {SITE}/private/a.html"
    assert urls_called(rsps) == [f"{SITE}/robots.txt"]


def test_robots_group_for_our_token(rsps, make):
    rsps.get(
        f"{SITE}/robots.txt",
        body="User-agent: provenance\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
        content_type="text/plain",
    )
    assert make().fetch(f"{SITE}/a").error == f"robots.txt disallows {SITE}/a"


def test_robots_404_allows_all_and_is_fetched_once(rsps, make):
    no_robots(rsps)
    rsps.get(f"{SITE}/a", body=HTML, content_type="text/html")
    rsps.get(f"{SITE}/b", body=HTML, content_type="text/html")
    fetcher = make()
    assert fetcher.fetch(f"{SITE}/a").ok and fetcher.fetch(f"{SITE}/b").ok
    assert urls_called(rsps).count(f"{SITE}/robots.txt") == 1


def test_robots_5xx_disallows_all(rsps, make):
    rsps.get(f"{SITE}/robots.txt", status=503)
    rsps.get(f"{SITE}/a", body=HTML, content_type="text/html")
    result = make(retries=1).fetch(f"{SITE}/a")
    assert result.error.startswith("robots.txt unavailable (HTTP 503)")
    assert f"{SITE}/a" not in urls_called(rsps)


def test_robots_unreachable_disallows_all(rsps, make):
    rsps.get(f"{SITE}/robots.txt", body=requests.exceptions.ConnectionError("refused"))
    result = make().fetch(f"{SITE}/a")
    assert result.error.startswith("robots.txt unavailable (connection failed")
    assert urls_called(rsps) == [f"{SITE}/robots.txt"]


def test_robots_opt_out(rsps, make):
    rsps.get(f"{SITE}/robots.txt", body="User-agent: *\nDisallow: /\n")
    rsps.get(f"{SITE}/a", body=HTML, content_type="text/html")
    assert make(respect_robots=False).fetch(f"{SITE}/a").ok
    assert urls_called(rsps) == [f"{SITE}/a"]


def test_robots_crawl_delay_raises_host_delay(rsps, make, fake):
    rsps.get(f"{SITE}/robots.txt", body="User-agent: *\nCrawl-delay: 5\n", content_type="text/plain")
    rsps.get(f"{SITE}/a", body=HTML, content_type="text/html")
    rsps.get(f"{SITE}/b", body=HTML, content_type="text/html")
    fetcher = make(host_delay=1.0)
    assert fetcher.fetch(f"{SITE}/a").ok and fetcher.fetch(f"{SITE}/b").ok
    assert fake.sleeps == [5.0, 5.0]  # robots at t=0, then a at 5, b at 10


# --------------------------------------------------------------------------- politeness


def test_host_delay_enforced_per_host(rsps, make, fake):
    no_robots(rsps)
    no_robots(rsps, "https://other.example")
    for path in ("a", "b", "c"):
        rsps.get(f"{SITE}/{path}", body=HTML, content_type="text/html")
    rsps.get("https://other.example/x", body=HTML, content_type="text/html")
    fetcher = make(host_delay=2.0)
    for path in ("a", "b", "c"):
        assert fetcher.fetch(f"{SITE}/{path}").ok
    assert fake.now == 6.0  # robots at 0, pages at 2, 4, 6
    assert fetcher.fetch("https://other.example/x").ok
    assert fake.now == 8.0  # other host: its robots.txt at 6 (no wait), the page 2 s later


def test_fetch_many_keeps_order_and_limits_per_host_concurrency(rsps, make):
    no_robots(rsps)
    no_robots(rsps, "https://other.example")
    lock = threading.Lock()
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {}

    def slow(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        host = request.url.split("/")[2]
        with lock:
            in_flight[host] = in_flight.get(host, 0) + 1
            most[host] = max(most.get(host, 0), in_flight[host])
        time.sleep(0.02)
        with lock:
            in_flight[host] -= 1
        return 200, {"Content-Type": "text/plain"}, request.url.encode()

    urls = [f"{origin}/p{i}" for i in range(6) for origin in (SITE, "https://other.example")]
    for url in urls:
        rsps.add_callback(responses.GET, url, callback=slow)
    results = list(make(host_delay=0, host_concurrency=2, workers=8).fetch_many(urls))
    assert [r.url for r in results] == urls
    assert all(r.body == r.url.encode() for r in results)
    assert max(most.values()) <= 2


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.5/", "refused: resolves to private address 10.0.0.5"),
        ("http://127.0.0.1:8080/admin", "refused: resolves to loopback address 127.0.0.1"),
        ("http://[::1]/", "refused: resolves to loopback address ::1"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "refused: resolves to cloud metadata address 169.254.169.254",
        ),
        ("http://[fd00:ec2::254]/", "refused: resolves to cloud metadata address fd00:ec2::254"),
        ("http://100.100.100.200/", "refused: resolves to cloud metadata address 100.100.100.200"),
        ("http://100.64.3.4/", "refused: resolves to shared address 100.64.3.4"),
        ("http://0.0.0.0/", "refused: resolves to unspecified address 0.0.0.0"),
        ("http://224.0.0.1/", "refused: resolves to multicast address 224.0.0.1"),
        ("http://[fe80::1]/", "refused: resolves to link-local address fe80::1"),
        ("http://[::ffff:127.0.0.1]/", "refused: resolves to loopback address ::ffff:7f00:1"),
        ("http://[::ffff:10.0.0.5]/", "refused: resolves to private address ::ffff:a00:5"),
        ("http://2130706433/", "refused: resolves to loopback address 127.0.0.1"),
        ("http://0177.0.0.1/", "refused: resolves to loopback address 127.0.0.1"),
        ("http://0x7f.1/", "refused: resolves to loopback address 127.0.0.1"),
        ("http://intranet.example/", "refused: resolves to private address 192.168.1.2"),
        ("http://split.example/", "refused: resolves to private address 10.1.1.1"),
    ],
)
def test_private_addresses_refused(rsps, make, url, message):
    dns = {"intranet.example": ["192.168.1.2"], "split.example": [PUBLIC, "10.1.1.1"]}
    result = make(dns=dns).fetch(url)
    assert result.error == message
    assert len(rsps.calls) == 0


def test_unresolvable_host(rsps, make):
    def fail(host: str) -> list[str]:
        raise socket.gaierror(-2, "Name or service not known")

    fetcher = Fetcher(FetchOptions(), resolver=fail, sleep=lambda s: None)
    assert (
        fetcher.fetch("https://nowhere.invalid/").error
        == "connection failed: cannot resolve host nowhere.invalid"
    )
    assert len(rsps.calls) == 0


def test_redirect_into_private_address_refused(rsps, make):
    no_robots(rsps)
    rsps.get(f"{SITE}/a", status=302, headers={"Location": "http://10.0.0.5/admin"})
    rsps.get(f"{SITE}/b", status=302, headers={"Location": "http://localhost.example/"})
    fetcher = make(dns={"localhost.example": ["127.0.0.1"]})
    result = fetcher.fetch(f"{SITE}/a")
    assert result.error == "refused: resolves to private address 10.0.0.5"
    assert result.final_url == "http://10.0.0.5/admin"
    assert fetcher.fetch(f"{SITE}/b").error == "refused: resolves to loopback address 127.0.0.1"
    assert all("10.0.0.5" not in u and "localhost" not in u for u in urls_called(rsps))


def test_allow_private_for_local_testing(rsps, make):
    rsps.get("http://10.0.0.5/robots.txt", status=404)
    rsps.get("http://10.0.0.5/page", body=HTML, content_type="text/html")
    assert make(allow_private=True).fetch("http://10.0.0.5/page").ok


def test_ip_classification():
    assert literal_ip("2130706433") == literal_ip("127.0.0.1") == literal_ip("[::ffff:7f00:1]").ipv4_mapped
    assert literal_ip("news.example") is None and literal_ip("cafe.be") is None
    assert blocked_kind(literal_ip(PUBLIC)) is None
    assert blocked_kind(literal_ip("2606:2800:220:1:248:1893:25c8:1946")) is None
    assert blocked_kind(literal_ip("[64:ff9b::a00:1]")) == "private"  # NAT64 of 10.0.0.1
    assert blocked_kind(literal_ip("[2002:a00:1::]")) == "private"  # 6to4 of 10.0.0.1
    assert blocked_kind(literal_ip("[fec0::1]")) == "site-local"
    assert blocked_kind(literal_ip("192.0.2.1")) is not None  # documentation range


def test_connect_time_check_defeats_dns_rebinding(monkeypatch):
    """The adapter resolves again when it connects, and connects only to the address it checked."""
    answers = iter([[PUBLIC], ["10.0.0.5"]])
    guard = AddressGuard(lambda host: next(answers))
    adapter = GuardedAdapter(guard)
    connected: list[tuple[str, int]] = []

    def fake_connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        connected.append(address)
        return socket.socket()  # never connected: nothing goes out

    monkeypatch.setattr("urllib3.connection.connection.create_connection", fake_connect)
    for attempt in range(2):
        pool = adapter.poolmanager.connection_from_url("http://rebind.example/")
        conn = pool._new_conn()
        assert isinstance(conn, HTTPConnection)
        if attempt == 0:
            sock = conn._new_conn()
            sock.close()
            assert connected == [(PUBLIC, 80)]
            assert conn.host == "rebind.example"  # Host header and TLS name unchanged
        else:
            with pytest.raises(BlockedAddress, match=re.escape("private address 10.0.0.5")):
                conn._new_conn()
    assert connected == [(PUBLIC, 80)]
    adapter.close()


def test_fetcher_session_uses_guarded_adapter(make):
    assert isinstance(make().session.get_adapter("https://x.example/"), GuardedAdapter)
    assert not isinstance(make(allow_private=True).session.get_adapter("https://x.example/"), GuardedAdapter)


# --------------------------------------------------------------------------- conditional GET


def test_304_returns_cached_body(rsps, make):
    no_robots(rsps)
    validators = {"ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"}
    rsps.get(f"{SITE}/a", body=HTML, headers={"Content-Type": "text/html; charset=utf-8", **validators})
    cache = MemoryValidatorCache()
    fetcher = make(cache=cache)
    first = fetcher.fetch(f"{SITE}/a")
    assert first.ok and not first.from_cache
    assert cache.get(f"{SITE}/a").etag == '"v1"'

    rsps.replace(
        responses.GET,
        f"{SITE}/a",
        status=304,
        headers={"ETag": '"v1"'},
        match=[
            matchers.header_matcher(
                {"If-None-Match": '"v1"', "If-Modified-Since": validators["Last-Modified"]},
                strict_match=False,
            )
        ],
    )
    second = fetcher.fetch(f"{SITE}/a")
    assert second.from_cache and second.ok and second.error is None
    assert (second.body, second.status, second.content_type, second.charset) == (
        HTML,
        304,
        "text/html",
        "utf-8",
    )


def test_changed_page_replaces_cache(rsps, make):
    no_robots(rsps)
    cache = MemoryValidatorCache()
    cache.put(
        f"{SITE}/a",
        CachedResponse(f"{SITE}/a", '"old"', None, "text/html", None, b"old", datetime.now(UTC)),
    )
    rsps.get(f"{SITE}/a", body=b"new", headers={"Content-Type": "text/html", "ETag": '"new"'})
    result = make(cache=cache).fetch(f"{SITE}/a")
    assert result.body == b"new" and not result.from_cache
    assert rsps.calls[-1].request.headers["If-None-Match"] == '"old"'
    assert cache.get(f"{SITE}/a").body == b"new"


def test_broken_cache_does_not_break_fetch(rsps, make):
    class Broken:
        def get(self, url: str) -> CachedResponse | None:
            raise RuntimeError("disk full")

        def put(self, url: str, response: CachedResponse) -> None:
            raise RuntimeError("disk full")

    no_robots(rsps)
    rsps.get(f"{SITE}/a", body=HTML, content_type="text/html")
    assert make(cache=Broken()).fetch(f"{SITE}/a").ok


def test_sql_cache_round_trip(db_url):
    factory = store.open_database(db_url)  # fetch_cache imported above: its table exists
    cache = fetch_cache.SqlValidatorCache(factory)
    url = f"{SITE}/a"
    assert cache.get(url) is None
    when = datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
    stored = CachedResponse(
        f"{SITE}/b", '"v1"', "Wed, 01 May 2024 10:00:00 GMT", "text/html", "utf-8", HTML * 50, when
    )
    cache.put(url, stored)
    assert cache.get(url) == stored
    with store.transaction(factory) as session:
        row = session.query(fetch_cache.FetchCacheRow).one()
        assert len(row.body) < len(HTML * 50)  # compressed
        assert row.checked_at is not None
    cache.put(url, CachedResponse(f"{SITE}/b", '"v2"', None, "text/html", None, b"new", when))
    assert cache.get(url).etag == '"v2"' and cache.get(url).body == b"new"
    cache.put("https://x.example/" + "a" * 3000, stored)  # too long to key: silently not cached
    assert cache.get("https://x.example/" + "a" * 3000) is None


def test_sql_cache_with_fetcher_and_threads(rsps, make, db_url):
    factory = store.open_database(db_url)
    cache = fetch_cache.SqlValidatorCache(factory)
    no_robots(rsps)
    urls = [f"{SITE}/p{i}" for i in range(10)]
    for url in urls:
        rsps.get(url, body=url.encode(), headers={"Content-Type": "text/plain", "ETag": '"e"'})
    fetcher = make(cache=cache, host_delay=0, workers=4, host_concurrency=4)
    assert all(r.ok for r in fetcher.fetch_many(urls))
    for url in urls:
        rsps.replace(
            responses.GET,
            url,
            status=304,
            match=[matchers.header_matcher({"If-None-Match": '"e"'}, strict_match=False)],
        )
    again = list(fetcher.fetch_many(urls))
    assert all(r.from_cache and r.body == r.url.encode() for r in again)


def test_robots_url_carries_no_credentials(rsps, make):
    no_robots(rsps)
    rsps.get("https://user:secret@news.example/a", body=HTML, content_type="text/html")
    assert make().fetch("https://user:secret@news.example/a").ok
    assert urls_called(rsps)[0] == f"{SITE}/robots.txt"
