"""Fetching web pages safely and politely: one ``requests.Session``, and a fetch never raises.

provenance audits pages that strangers publish, from URLs that strangers write (sitemaps,
feeds, command lines in CI). A fetcher for that must not be turned against the machine it
runs on, must not hammer the sites it audits, and must turn every failure into one clear
line instead of a traceback that stops a batch. So:

* **Every hop is checked.** Redirects are followed by hand (``allow_redirects=False``), and
  before each request the scheme (http/https only), the host's addresses and robots.txt are
  checked again. requests' own redirect handling cannot refuse a hop before connecting.
* **No private addresses** (server-side request forgery): a host is resolved with the
  injected resolver and refused when *any* address is loopback, private, link-local,
  multicast, reserved, unspecified, shared (100.64/10), site-local, otherwise not global, or
  a cloud metadata endpoint; IP literals too, including IPv6, IPv4-mapped/NAT64 IPv6 and the
  decimal/octal/hex IPv4 forms that ``inet_aton`` accepts. **DNS rebinding is covered** for
  direct connections: the session's adapters resolve again *at connect time*, check those
  addresses and connect to a checked one (TLS still verifies the host name). It is not
  covered through a proxy (``HTTP(S)_PROXY``), which resolves names itself, nor for a
  caller-supplied ``session``, which only gets the pre-flight check. This guard is
  hand-written: the one library for it (advocate) is unmaintained and pins old requests.
* **robots.txt** is read with protego (RFC 9309 semantics, wildcards, ``Crawl-delay``;
  ``urllib.robotparser`` has neither wildcards nor longest-match), once per origin, under the
  same safety rules and a 500 KiB cap (the rest is ignored, as the RFC allows). A 4xx
  (but 429) means no robots.txt: everything is allowed. A 5xx, a 429, or an unreachable
  robots.txt means *disallow everything* for that origin during this Fetcher's life, as RFC
  9309 asks of a crawler that cannot tell what the site allows. ``Crawl-delay`` raises the
  host's minimum delay (capped at ``max_retry_after``).
* **Politeness**: at most ``host_concurrency`` requests in flight and at least ``host_delay``
  seconds between request starts, per host; retries on 429/5xx back off exponentially and
  honour ``Retry-After`` (seconds or HTTP-date, capped). Retries are hand-written rather than
  urllib3's ``Retry`` so that their waits go through the same injectable ``sleep`` and the
  per-host slot is held while a host asks us to wait.
* **Bounded bodies**: only text-like content types are read (see below), and the
  decompressed body is streamed with a cap (``Content-Length`` is checked first).
  gzip/deflate (and br when brotli is installed) are decoded by requests.
* **Content types**: a page is read when it is served as HTML, plain text, Markdown or one of
  the XML types sitemaps and feeds are served with in practice (:data:`XML_TYPES`: besides
  ``application/rss+xml``/``atom+xml``, the ``application/x-rss+xml`` that Python's
  ``http.server`` and Debian's ``mime.types`` give ``.rss``, ``text/xml``, ``application/x-xml``
  …). Whether such a body is a page or a sitemap/feed is decided by its content, not its
  label (:mod:`provenance.sources` sniffs the root element), because the label is so often
  generic. The types servers use when they know nothing about a file (:data:`SNIFFED_TYPES`:
  ``application/octet-stream``, gzip for ``sitemap.xml.gz`` …) are read only when the first
  64 KiB are a sitemap or feed (:func:`provenance.feeds.sniff`: ``<rss``, ``<feed``,
  ``<rdf:RDF``, ``<urlset``, ``<sitemapindex``, after a BOM, XML declaration, comments or
  doctype; inside gzip too): refused by label alone, a feed served from S3 or a CDN would be
  lost; accepted by label alone, any binary download would become a "page". Anything else
  (``image/png``, ``application/pdf``, an unsniffable octet stream) is refused, before or
  right after the first 64 KiB, as ``unsupported content type <type>``.
* **Conditional GET** with a :class:`ValidatorCache`: a 304 returns the stored body.
"""

from __future__ import annotations

import codecs
import ipaddress
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

from provenance import PROJECT_URL, __version__
from provenance.extract import declared_charset
from provenance.politeness import HostGates

log = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 5 * MB
ROBOTS_MAX_BYTES = 500 * 1024
USER_AGENT = f"provenance/{__version__} (+{PROJECT_URL}; copyright compliance checker)"
XML_TYPES = frozenset(
    {
        "application/xml",
        "text/xml",
        "application/x-xml",
        "application/rss+xml",
        "application/x-rss+xml",
        "application/atom+xml",
        "application/rdf+xml",  # RSS 1.0
    }
)
"""XML labels: a sitemap, a feed or an XHTML page may come under any of them (the body decides)."""
TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "text/markdown"}) | XML_TYPES
"""Types read as they come: pages, and sitemaps and feeds (see the module docstring)."""
SNIFFED_TYPES = frozenset(
    {"application/octet-stream", "binary/octet-stream", "application/gzip", "application/x-gzip"}
)
"""Types that say nothing about the body: read only when it sniffs as a sitemap or feed."""
SNIFF_BYTES = 64 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]
"""Host name → its addresses as strings (``system_resolver`` by default; tests inject one)."""

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


# --------------------------------------------------------------------------- options and results


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch. The defaults are polite for a crawler that audits other people's sites."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0  # first retry waits this long, then doubles (without Retry-After)
    max_retry_after: float = 120.0  # cap on any single wait a server can ask for
    host_delay: float = 1.0
    host_concurrency: int = 2
    workers: int = 8
    respect_robots: bool = True
    allow_private: bool = False
    user_agent: str = USER_AGENT
    # One fetch, all of it (redirects, every read): a server that trickles a byte every few
    # seconds keeps each read under ``read_timeout`` forever (slowloris).
    total_timeout: float = 120.0


@dataclass(frozen=True)
class FetchResult:
    """What one fetch gave: a body, or ``error`` with a one-line reason. Never an exception."""

    url: str
    final_url: str
    status: int | None = None
    content_type: str | None = None
    charset: str | None = None
    body: bytes | None = None
    error: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    from_cache: bool = False
    etag: str | None = None
    last_modified: str | None = None
    # The response's headers as received, in order, duplicates kept (a 304's for a revalidated
    # body): what ``--evidence`` archives (provenance.warc_write).
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None

    def text(self) -> str:
        """The body as text (see :func:`decode_body`)."""
        return decode_body(self)

    @classmethod
    def failed(
        cls, url: str, error: str, *, final_url: str | None = None, status: int | None = None
    ) -> FetchResult:
        return cls(url=url, final_url=final_url or url, status=status, error=error)


@dataclass(frozen=True)
class CachedResponse:
    """A stored 200 response and its validators, for conditional GETs."""

    final_url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    charset: str | None
    body: bytes
    fetched_at: datetime


class ValidatorCache(Protocol):
    """Where bodies and validators are kept between runs, keyed by the URL asked for."""

    def get(self, url: str) -> CachedResponse | None: ...

    def put(self, url: str, response: CachedResponse) -> None: ...


class MemoryValidatorCache:
    """A :class:`ValidatorCache` in a dict (tests, one-off runs). Thread-safe."""

    def __init__(self) -> None:
        self._items: dict[str, CachedResponse] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> CachedResponse | None:
        with self._lock:
            return self._items.get(url)

    def put(self, url: str, response: CachedResponse) -> None:
        with self._lock:
            self._items[url] = response


# --------------------------------------------------------------------------- decoding


def decode_body(result: FetchResult) -> str:
    """A fetched body as text: header charset, then BOM / ``<meta charset>``, then strict UTF-8,
    then charset_normalizer's best guess, then cp1252 with replacement characters."""
    return decode_bytes(result.body or b"", result.charset)


def decode_bytes(body: bytes, header_charset: str | None = None) -> str:
    for encoding in _candidate_encodings(body, header_charset):
        try:
            return body.decode(encoding).removeprefix("\ufeff")
        except (UnicodeDecodeError, LookupError):
            continue
    best = charset_normalizer.from_bytes(body).best()
    # A UTF-16/32 guess for bytes without a single NUL is a misfire on short Latin text.
    if best is not None and not (best.encoding.startswith(("utf_16", "utf_32")) and b"\x00" not in body):
        return str(best)
    return body.decode("cp1252", errors="replace")


def _candidate_encodings(body: bytes, header_charset: str | None) -> Iterator[str]:
    if header_charset:
        yield _whatwg(header_charset)
    if body.startswith(codecs.BOM_UTF8):
        yield "utf-8-sig"
    elif body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield "utf-16"
    declared = declared_charset(body)
    if declared and not declared.startswith(("utf-16", "utf-32")):  # a UTF-16 label on ASCII bytes lies
        yield declared
    yield "utf-8"


def _whatwg(label: str) -> str:
    """Browsers read latin-1 and ASCII labels as windows-1252; so do we."""
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return label
    return "cp1252" if name in {"latin-1", "iso8859-1", "ascii"} else name


def _content_type(headers: CaseInsensitiveDict[str]) -> tuple[str | None, str | None]:
    """``Content-Type`` → (media type, charset label), both lower-case, either may be None."""
    raw = headers.get("Content-Type")
    if not raw:
        return None, None
    media, *params = raw.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


# --------------------------------------------------------------------------- address guard


class FetchRefused(Exception):
    """Ends one fetch with a one-line reason; becomes ``FetchResult.error``.

    Deliberately not an ``OSError``: raised inside urllib3 at connect time, it must not be
    mistaken for a network error and retried or rewrapped.
    """

    def __init__(self, reason: str, *, final_url: str | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.final_url = final_url
        self.status = status


class BlockedAddress(FetchRefused):
    """The host resolves to an address we must not connect to."""


def system_resolver(host: str) -> list[str]:
    """The system's addresses for ``host`` (``socket.getaddrinfo``), without duplicates."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def literal_ip(host: str) -> IPAddress | None:
    """The address a host *is*, when it is an IP literal in any form the socket layer accepts."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host):  # 2130706433, 0177.0.0.1, 0x7f.1, 127.1
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def blocked_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public internet address (e.g. ``"private"``), or None when it is."""
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            return blocked_kind(embedded)
        if ip.sixtofour is not None and blocked_kind(ip.sixtofour):
            return blocked_kind(ip.sixtofour)
        if ip.is_site_local:
            return "site-local"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("shared", isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


class AddressGuard:
    """Resolves a host and refuses it when any of its addresses is not public."""

    def __init__(self, resolver: Resolver = system_resolver) -> None:
        self._resolver = resolver

    def addresses(self, host: str) -> list[IPAddress]:
        """The host's addresses, all checked; raises :class:`FetchRefused` otherwise."""
        ips = self._resolve(host)
        for ip in ips:
            kind = blocked_kind(ip)
            if kind:
                raise BlockedAddress(f"refused: resolves to {kind} address {ip}")
        return ips

    def _resolve(self, host: str) -> list[IPAddress]:
        literal = literal_ip(host)
        if literal is not None:
            return [literal]
        try:
            ips = [ipaddress.ip_address(str(a).split("%")[0]) for a in self._resolver(host)]
        except (OSError, UnicodeError, ValueError):
            ips = []
        if not ips:
            raise FetchRefused(f"connection failed: cannot resolve host {host}")
        return ips


def _pinned(base: type[HTTPConnection], guard: AddressGuard) -> type[HTTPConnection]:
    """A connection class that resolves and checks at connect time, then connects to a checked
    address: what was checked is what is connected to, so DNS rebinding cannot slip through."""

    class PinnedConnection(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            original = self._dns_host
            error: Exception | None = None
            for ip in guard.addresses(original.rstrip(".")):
                self._dns_host = str(ip)
                try:
                    return super()._new_conn()
                except (NewConnectionError, ConnectTimeoutError) as exc:
                    error = exc
                finally:
                    self._dns_host = original
            assert error is not None  # addresses() is never empty
            raise error

    PinnedConnection.__name__ = f"Pinned{base.__name__}"
    return PinnedConnection


class GuardedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose direct connections go only to addresses the guard accepts.

    Proxied connections (``proxy_manager_for``) are left alone: the proxy resolves names.
    """

    def __init__(self, guard: AddressGuard, **kwargs: Any) -> None:
        self._guard = guard  # before super().__init__, which builds the pool manager
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        http = type(
            "PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": _pinned(HTTPConnection, self._guard)}
        )
        https = type(
            "PinnedHTTPSPool",
            (HTTPSConnectionPool,),
            {"ConnectionCls": _pinned(HTTPSConnection, self._guard)},
        )
        self.poolmanager.pool_classes_by_scheme = {"http": http, "https": https}


# --------------------------------------------------------------------------- the fetcher


@dataclass(frozen=True)
class _Reply:
    """One HTTP exchange, already closed: the body is read only for a 2xx."""

    url: str
    status: int
    headers: CaseInsensitiveDict[str]
    body: bytes | None
    raw_headers: tuple[tuple[str, str], ...] = ()  # as received, duplicates kept


@dataclass(frozen=True)
class _Robots:
    rules: Protego | None = None  # None and no refusal: everything allowed
    refusal: str | None = None  # set: everything disallowed, for this reason


class Fetcher:
    """Fetches pages with one shared ``requests.Session``; see the module docstring."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        cache: ValidatorCache | None = None,
        session: requests.Session | None = None,
        resolver: Resolver | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options or FetchOptions()
        self.cache = cache
        self._guard = AddressGuard(resolver or system_resolver)
        self._own_session = session is None
        self.session = session or self._new_session()
        self._sleep = sleep
        self._gates = HostGates(self.options.host_concurrency, self.options.host_delay, sleep, clock)
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_lock = threading.Lock()
        self._token = self.options.user_agent.split("/")[0].split()[0]
        self._deadline = threading.local()  # per fetch (fetch_many runs fetches in threads)

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        size = max(10, self.options.workers)
        if self.options.allow_private:
            adapter = HTTPAdapter(pool_maxsize=size, max_retries=0)
        else:
            adapter = GuardedAdapter(self._guard, pool_maxsize=size, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- public --------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        accept: Collection[str] = TEXT_TYPES,
        sniffed: Collection[str] = SNIFFED_TYPES,
    ) -> FetchResult:
        """Fetch one URL; every failure comes back as a result with ``error`` set.

        A body is read when its media type is in ``accept`` (or it has none), or is in
        ``sniffed`` and its first :data:`SNIFF_BYTES` are a sitemap or feed.
        """
        self._deadline.at = time.monotonic() + self.options.total_timeout
        try:
            return self._fetch(url, accept, sniffed)
        except FetchRefused as stop:
            return FetchResult.failed(url, stop.reason, final_url=stop.final_url, status=stop.status)
        except Exception as exc:  # the contract: a fetch never raises
            log.exception("unexpected error fetching %s", url)
            return FetchResult.failed(url, _one_line(f"fetch failed: {type(exc).__name__}: {exc}"))

    def fetch_many(self, urls: Iterable[str]) -> Iterator[FetchResult]:
        """Fetch in ``workers`` threads across hosts, results in the order of ``urls``.

        A thread goes only to a host that may take a request now, so a host waiting out its
        delay holds up no other (:mod:`provenance.fetch_schedule`); a host's robots.txt is
        read first, as a request of its own. At most ``32 × workers``
        URLs are read ahead, so a long list is not held in memory.
        """
        from provenance.fetch_schedule import fetch_in_order  # it builds on this module

        yield from fetch_in_order(
            self.fetch,
            urls,
            self._gates,
            lanes=self.options.workers,
            window=32 * max(1, self.options.workers),
            failed=lambda url, exc: FetchResult.failed(
                url, _one_line(f"fetch failed: {type(exc).__name__}: {exc}")
            ),
            prepare=self.read_robots if self.options.respect_robots else None,
            sleep=self._sleep,
        )

    def read_robots(self, url: str) -> None:
        """Read (once) the robots.txt of ``url``'s origin, ahead of its first fetch; never raises
        (an unreadable robots.txt is remembered as a refusal, which that fetch reports)."""
        self._deadline.at = time.monotonic() + self.options.total_timeout
        try:
            parts = urlsplit(url)
            self._robots_for(parts.scheme.lower(), parts.netloc.rpartition("@")[2].lower())
        except Exception:  # the fetch of the page itself will meet and report it
            log.debug("reading robots.txt ahead of %s failed", url, exc_info=True)

    # --- one fetch -----------------------------------------------------------------------

    def _fetch(self, url: str, accept: Collection[str], sniffed: Collection[str]) -> FetchResult:
        cached = self._cache_get(url)
        reply = self._follow(
            url, cached=cached, accept=accept, sniffed=sniffed, cap=self.options.max_bytes, robots=True
        )
        if reply.status == 304 and cached is not None and reply.url == cached.final_url:
            return self._revalidated(url, reply, cached)
        if not 200 <= reply.status < 300 or reply.body is None:
            raise FetchRefused(f"HTTP {reply.status}", final_url=reply.url, status=reply.status)
        content_type, charset = _content_type(reply.headers)
        result = FetchResult(
            url=url,
            final_url=reply.url,
            status=reply.status,
            content_type=content_type,
            charset=charset,
            body=reply.body,
            etag=reply.headers.get("ETag"),
            last_modified=reply.headers.get("Last-Modified"),
            headers=reply.raw_headers,
        )
        if reply.status == 200:
            self._cache_put(url, _to_cached(result))
        return result

    def _revalidated(self, url: str, reply: _Reply, cached: CachedResponse) -> FetchResult:
        fresh = replace(
            cached,
            etag=reply.headers.get("ETag") or cached.etag,
            last_modified=reply.headers.get("Last-Modified") or cached.last_modified,
        )
        self._cache_put(url, fresh)  # records that the body was checked now
        return FetchResult(
            url=url,
            final_url=reply.url,
            status=304,
            content_type=fresh.content_type,
            charset=fresh.charset,
            body=fresh.body,
            from_cache=True,
            etag=fresh.etag,
            last_modified=fresh.last_modified,
            headers=reply.raw_headers,
        )

    def _follow(
        self,
        url: str,
        *,
        cached: CachedResponse | None,
        accept: Collection[str] | None,
        cap: int,
        robots: bool,
        sniffed: Collection[str] = (),
        truncate: bool = False,
    ) -> _Reply:
        """Follow redirects by hand, checking scheme, address and robots.txt before every hop."""
        current = url
        for _ in range(self.options.max_redirects + 1):
            self._admit(current, robots=robots)
            reply = self._exchange(current, _conditional(cached, current), accept, sniffed, cap, truncate)
            target = _redirect_target(reply)
            if target is None:
                return reply
            current = target
        raise FetchRefused(f"too many redirects ({self.options.max_redirects + 1})", final_url=current)

    def _admit(self, url: str, *, robots: bool) -> None:
        host = _valid_host(url)
        if not self.options.allow_private:
            try:
                self._guard.addresses(host)
            except FetchRefused as stop:
                raise FetchRefused(stop.reason, final_url=url) from None
        if robots and self.options.respect_robots:
            self._check_robots(url)

    def _exchange(
        self,
        url: str,
        headers: dict[str, str],
        accept: Collection[str] | None,
        sniffed: Collection[str],
        cap: int,
        truncate: bool,
    ) -> _Reply:
        """One request (with retries) under the host's slot; reads the body of a 2xx."""
        host = (urlsplit(url).hostname or "").lower()
        try:
            with self._gates.slot(host):
                response = self._request(url, host, headers)
                with closing(response):
                    return self._reply(url, response, accept, sniffed, cap, truncate)
        except requests.RequestException as exc:
            raise FetchRefused(_describe(exc), final_url=url) from None
        except FetchRefused as stop:
            raise FetchRefused(stop.reason, final_url=stop.final_url or url, status=stop.status) from None

    def _request(self, url: str, host: str, headers: dict[str, str]) -> requests.Response:
        for attempt in range(self.options.retries + 1):
            self._gates.pace(host)
            response = self.session.get(
                url,
                headers={"User-Agent": self.options.user_agent, "Accept": _ACCEPT, **headers},
                timeout=(self.options.connect_timeout, self.options.read_timeout),
                allow_redirects=False,
                stream=True,
            )
            if response.status_code not in RETRY_STATUSES or attempt == self.options.retries:
                return response
            delay = self._retry_delay(response, attempt)
            response.close()
            self._sleep(delay)
        raise AssertionError("unreachable")  # the loop always returns

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        asked = retry_after(response.headers.get("Retry-After"))
        delay = asked if asked is not None else self.options.backoff * 2**attempt
        return min(max(delay, 0.0), self.options.max_retry_after)

    def _reply(
        self,
        url: str,
        response: requests.Response,
        accept: Collection[str] | None,
        sniffed: Collection[str],
        cap: int,
        truncate: bool,
    ) -> _Reply:
        status = response.status_code
        if not 200 <= status < 300:
            return _Reply(url, status, response.headers, None, _raw_headers(response))
        media, _ = _content_type(response.headers)
        check_head: Callable[[bytes], None] | None = None
        if accept is not None and media is not None and media not in accept:
            unsupported = FetchRefused(f"unsupported content type {media}", final_url=url, status=status)
            if media not in sniffed:
                raise unsupported
            check_head = _listing_or(unsupported)
        deadline = getattr(self._deadline, "at", None)
        body = _read_capped(response, cap, truncate=truncate, check_head=check_head, deadline=deadline)
        if body is None:
            raise FetchRefused(f"too large: more than {human_size(cap)}", final_url=url, status=status)
        return _Reply(url, status, response.headers, body, _raw_headers(response))

    # --- robots.txt ----------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        robots = self._robots_for(parts.scheme.lower(), parts.netloc.rpartition("@")[2].lower())
        if robots.refusal:
            raise FetchRefused(robots.refusal, final_url=url)
        if robots.rules is not None and not robots.rules.can_fetch(url, self._token):
            raise FetchRefused(f"robots.txt disallows {url}", final_url=url)

    def _robots_for(self, scheme: str, netloc: str) -> _Robots:
        origin = f"{scheme}://{netloc}"
        with self._robots_lock:
            if origin in self._robots:
                return self._robots[origin]
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch of robots.txt per origin, however many workers want it
            if origin not in self._robots:
                robots = self._load_robots(origin)
                self._apply_crawl_delay(urlsplit(origin).hostname or "", robots)
                with self._robots_lock:
                    self._robots[origin] = robots
        return self._robots[origin]

    def _load_robots(self, origin: str) -> _Robots:
        try:
            reply = self._follow(
                f"{origin}/robots.txt",
                cached=None,
                accept=None,
                cap=ROBOTS_MAX_BYTES,
                robots=False,
                truncate=True,
            )
        except FetchRefused as stop:
            return _Robots(refusal=f"robots.txt unavailable ({stop.reason}): {origin} treated as disallowed")
        if 200 <= reply.status < 300:
            return _Robots(rules=_parse_robots(reply.body or b""))
        if 400 <= reply.status < 500 and reply.status != 429:
            return _Robots()
        return _Robots(
            refusal=f"robots.txt unavailable (HTTP {reply.status}): {origin} treated as disallowed"
        )

    def _apply_crawl_delay(self, host: str, robots: _Robots) -> None:
        if robots.rules is None:
            return
        delay = robots.rules.crawl_delay(self._token)
        if delay:
            self._gates.at_least(host, min(float(delay), self.options.max_retry_after))

    # --- cache ---------------------------------------------------------------------------

    def _cache_get(self, url: str) -> CachedResponse | None:
        if self.cache is None:
            return None
        try:
            return self.cache.get(url)
        except Exception:  # a broken cache costs a full GET, never the fetch
            log.warning("fetch cache: cannot read %s", url, exc_info=True)
            return None

    def _cache_put(self, url: str, response: CachedResponse) -> None:
        if self.cache is None:
            return
        try:
            self.cache.put(url, response)
        except Exception:
            log.warning("fetch cache: cannot store %s", url, exc_info=True)


# --------------------------------------------------------------------------- helpers


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _valid_host(url: str) -> str:
    """The host of an http(s) URL that requests can send; raises :class:`FetchRefused` otherwise."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchRefused(f"invalid URL: {exc}", final_url=url) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise FetchRefused(f"refused: unsupported URL scheme {parts.scheme or '(none)'!r}", final_url=url)
    if not parts.hostname:
        raise FetchRefused("invalid URL: no host", final_url=url)
    try:
        requests.PreparedRequest().prepare_url(url, None)  # local checks only: host characters, IDNA
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        raise FetchRefused(_one_line(f"invalid URL: {exc}"), final_url=url) from None
    return parts.hostname


def _conditional(cached: CachedResponse | None, url: str) -> dict[str, str]:
    """Validators for the hop that produced the cached body (only that one)."""
    if cached is None or cached.final_url != url:
        return {}
    headers = {}
    if cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


def _redirect_target(reply: _Reply) -> str | None:
    location = reply.headers.get("Location")
    if reply.status not in REDIRECT_STATUSES or not location:
        return None
    return urljoin(reply.url, location.strip())


def _read_capped(
    response: requests.Response,
    cap: int,
    *,
    truncate: bool,
    check_head: Callable[[bytes], None] | None = None,
    deadline: float | None = None,
) -> bytes | None:
    """The decompressed body, streamed; None when it exceeds ``cap`` (cut at ``cap`` if ``truncate``).

    ``check_head`` is given the first :data:`SNIFF_BYTES` (or the whole body when shorter) as
    soon as they are in, and may raise to stop reading there. Past ``deadline`` (a
    :func:`time.monotonic` time) the fetch ends, however steadily bytes still trickle in.
    """
    length = response.headers.get("Content-Length", "").strip()
    if not truncate and length.isdigit() and int(length) > cap:
        return None
    chunks: list[bytes] = []
    total = 0
    for chunk in _arriving(response):
        if deadline is not None and time.monotonic() > deadline:
            raise FetchRefused(
                "too slow: the whole fetch took longer than its time limit", final_url=response.url
            )
        chunks.append(chunk)
        total += len(chunk)
        if check_head is not None and total >= SNIFF_BYTES:
            check_head(b"".join(chunks)[:SNIFF_BYTES])
            check_head = None
        if total > cap:
            return b"".join(chunks)[:cap] if truncate else None
    if check_head is not None:
        check_head(b"".join(chunks))
    return b"".join(chunks)


def _arriving(response: requests.Response) -> Iterator[bytes]:
    """The decoded body as it arrives, one socket read at a time (``read1``): a fixed-size
    read waits to fill its chunk, so a server trickling a byte every few seconds would hold
    it past any deadline checked between chunks."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if read1 is None:  # not urllib3 2 (a test double): plain chunks
        yield from response.iter_content(_CHUNK)
        return
    while chunk := read1(_CHUNK, decode_content=True):
        yield chunk


def _raw_headers(response: requests.Response) -> tuple[tuple[str, str], ...]:
    """The response's header lines as received (urllib3 keeps repeated ones apart; requests
    joins them with commas), falling back to requests' view for a test double."""
    raw = getattr(getattr(response, "raw", None), "headers", None)
    items = raw.items() if raw is not None and hasattr(raw, "items") else response.headers.items()
    return tuple((str(name), str(value)) for name, value in items)


def _listing_or(refusal: FetchRefused) -> Callable[[bytes], None]:
    """A ``check_head`` for :func:`_read_capped` that raises ``refusal`` unless the head is a listing."""

    def check(head: bytes) -> None:
        if not is_listing(head):
            raise refusal

    return check


def is_listing(head: bytes) -> bool:
    """Whether a body's first bytes are a sitemap, sitemap index or feed (plain or gzipped)."""
    from provenance.feeds import sniff  # deferred: provenance.feeds imports this module

    return sniff(head) is not None


def _parse_robots(body: bytes) -> Protego | None:
    try:
        return Protego.parse(body.decode("utf-8", errors="replace"))
    except Exception:  # an unparseable robots.txt restricts nothing (RFC 9309: parse what you can)
        log.warning("unparseable robots.txt ignored", exc_info=True)
        return None


def _to_cached(result: FetchResult) -> CachedResponse:
    return CachedResponse(
        final_url=result.final_url,
        etag=result.etag,
        last_modified=result.last_modified,
        content_type=result.content_type,
        charset=result.charset,
        body=result.body or b"",
        fetched_at=result.fetched_at,
    )


def _describe(exc: requests.RequestException) -> str:
    """A one-line reason for a requests failure."""
    root = _root_cause(exc)
    if isinstance(exc, requests.Timeout) or isinstance(
        root, (ReadTimeoutError, ConnectTimeoutError, TimeoutError)
    ):
        return "timeout"
    if isinstance(exc, requests.exceptions.SSLError):
        return _one_line(f"TLS error: {root}")
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return _one_line(f"bad compressed body: {root}")
    if isinstance(exc, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return _one_line(f"connection failed: {root}")
    return _one_line(f"request failed: {root}")


def _root_cause(exc: BaseException) -> BaseException:
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__cause__
        if inner is None:
            break
        exc = inner
    return exc


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def human_size(n: int) -> str:
    """A byte count as people write caps: "5 MB", "500 KB", "100 bytes"."""
    if n % MB == 0:
        return f"{n // MB} MB"
    if n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"
