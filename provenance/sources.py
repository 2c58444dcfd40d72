"""Inputs → Pages: files, directories, JSONL, standard input, URLs, sitemaps and feeds (the I/O edge).

Everything that touches the file system lives here; parsing lives in :mod:`provenance.extract`.
A run over thousands of pages must not stop at one bad file, so nothing raises out of the
iterators: each input that cannot be read becomes an :class:`~provenance.model.InputError`
with a one-line reason, and iteration goes on. This is plain ``os``/``json`` code: walking,
sniffing and per-line JSONL errors are a few lines each and need no library.

Inputs are untrusted, and each costs bounded time and memory:

* Only regular files are read. A FIFO blocks for ever, ``/dev/zero`` never ends, a socket
  cannot be read: each is an error ("not a regular file"), found by ``stat`` before anything
  is opened (and checked again on the open file, which is opened non-blocking).
* A file or standard input is read up to a size cap (``max_bytes``, by default the fetch cap
  of :data:`~provenance.fetch.DEFAULT_MAX_BYTES`), never more than the cap and one byte; a
  JSONL file may be any size, but each line is capped the same way.
* No text that is not valid Unicode leaves this module: a JSONL record whose fields hold a
  lone surrogate (``"\\ud800"``, valid JSON) is refused like a line of invalid UTF-8, and
  one that slips in elsewhere (a JSON-LD or YAML escape, a file name that is not UTF-8) is
  replaced by U+FFFD, since the database and every report would fail on it.

WARC files (``.warc``, ``.warc.gz``) are read record by record by :mod:`provenance.warc_read`:
each 2xx HTML or text response is a page (its URL the id), each page carrying its record as
evidence (``Page.evidence``), as pages fetched with ``--evidence`` carry theirs
(:mod:`provenance.warc_write`).

Inline ``provenance: ignore`` markers stay on every page read, whatever its origin: whether
one is honoured is the audit's decision (only in local files under the configuration's
root, see :func:`provenance.audit.markers_honoured`), which reports the others.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, is_dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from functools import cache
from typing import Any, BinaryIO, Literal, TypeVar

from provenance import feeds
from provenance.extract import ExtractionError, decode, is_binary, page_from_html, page_from_text
from provenance.fetch import DEFAULT_MAX_BYTES, Fetcher, FetchResult, decode_body, decode_bytes, human_size
from provenance.markdown import page_from_markdown
from provenance.model import InputError, Page, WarcLocation
from provenance.warc_read import WarcPage, WarcTally, is_warc, warc_pages
from provenance.warc_write import evidence_of
from provenance.wire import WireItem
from provenance.wire_sources import WIRE_SUFFIXES, WireStory, is_wire, wire_jsonl_head, wire_stories

_Kind = Literal["html", "text", "markdown", "jsonl", "listing", "sniff", "warc"]

_SUFFIXES: dict[str, _Kind] = {
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".jsonl": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
}
_LISTING_SUFFIXES = (".xml", ".rss", ".atom")  # sitemaps and feeds, when named explicitly
_LOOKED_FOR = ", ".join((*_SUFFIXES, ".warc", ".warc.gz"))
_URL = re.compile(r"^https?://", re.IGNORECASE)


def needs_network(sources: Sequence[str]) -> bool:
    """True when a source is a URL, or a sitemap/feed file whose pages must be fetched."""
    return any(_URL.match(s) or s.lower().endswith(_LISTING_SUFFIXES) for s in sources)


_STDIN = "-"
# The most read from one file, from standard input or in one JSONL line: the fetch cap's
# default (``--max-size``), so a page is refused at the same size whichever way it comes.
MAX_FILE_BYTES = DEFAULT_MAX_BYTES
_SKIP_CHUNK = 1 << 20  # the rest of an overlong JSONL line is skipped this many bytes at a time
_NONBLOCKING = getattr(os, "O_NONBLOCK", 0)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The fields of a JSONL record that become text of a page or story (see _page and _story).
_RECORD_TEXT = ("id", "html", "text", "title", "url", "agency", "byline", "published", "dateline")
_UTF8_BOM = b"\xef\xbb\xbf"
_BINARY_HEAD = 65536  # bytes of a JSONL file checked for binary content
_SNIFF_BYTES = 4096
_HTML_START = re.compile(
    rb"\A\s*<(?:!doctype\s+html|html|head|body|meta|title|div|p|article|main|section|span|h[1-6]"
    rb"|script|style|link|!--)[\s>/]",
    re.IGNORECASE,
)
_HTML_ANYWHERE = re.compile(rb"<(?:!doctype\s+html|html|body)[\s>]", re.IGNORECASE)


@dataclass(frozen=True)
class StoryInput:
    """A wire story as read from the corpus, before it becomes a :class:`~provenance.model.Story`."""

    page: Page
    agency: str | None
    byline: str | None
    published: str | None
    dateline: str | None
    wire: WireItem | None = None  # what a wire item (ninjs, NewsML-G2…) says of itself
    source_hash: str | None = None  # set by corpus loading: see Story.source_hash


@dataclass(frozen=True, slots=True)
class _Found:
    """A file named by a source argument, with how to read it."""

    path: str
    kind: _Kind


@dataclass(frozen=True, slots=True)
class Record:
    """One page's worth of content, read but not extracted: a whole file or one JSONL line."""

    id: str
    source: str
    content: bytes | str
    kind: Literal["html", "text", "markdown"]
    fields: dict[str, Any]
    raw: bytes | None = None  # the file's bytes, for the content hash
    fetched_at: str | None = None  # when a URL was fetched (files: when they were read)
    evidence: WarcLocation | None = None  # the archived response (a WARC input, or --evidence)


class _Refused(Exception):
    """A local input that is not read: not a regular file, or over the size cap."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- public API


def read_pages(
    sources: Sequence[str],
    stdin: BinaryIO | None = None,
    fetcher: Fetcher | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> Iterator[Page | InputError]:
    """Pages from files, directories, JSONL, ``-`` (standard input) and URLs, in order.

    A URL is fetched with ``fetcher``; a sitemap, sitemap index or feed (fetched, or a local
    ``.xml``/``.rss``/``.atom`` file) stands for the pages it lists. ``max_bytes`` caps a
    local file, standard input and a JSONL line (fetched bodies have the fetcher's cap).
    """
    for item in read_records(sources, stdin, fetcher=fetcher, max_bytes=max_bytes):
        yield page_of(item)


def read_records(
    sources: Sequence[str],
    stdin: BinaryIO | None = None,
    fetcher: Fetcher | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> Iterator[Record | InputError]:
    """What :func:`read_pages` reads, before extraction: the raw record of each page (fetched
    and read here; :func:`page_of` extracts it, in another process if need be)."""
    for item in _records(sources, stdin, fetcher=fetcher, max_bytes=max_bytes):
        assert not isinstance(item, WireStory)  # wire files are read for corpus loads only
        yield item


def page_of(item: Record | InputError) -> Page | InputError:
    """The page of a record read by :func:`read_records` (an error stays an error)."""
    page = item if isinstance(item, InputError) else _page(item)
    return _valid_unicode(page) if isinstance(page, InputError) else page


def read_stories(
    sources: Sequence[str],
    agency: str | None = None,
    fetcher: Fetcher | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> Iterator[StoryInput | InputError]:
    """Wire stories from JSONL, HTML, text or Markdown files, directories and URLs.

    ``agency`` is the default for stories that do not name one; ``max_bytes`` is as for
    :func:`read_pages`.
    """
    for item in _records(sources, None, stem_ids=True, fetcher=fetcher, max_bytes=max_bytes, wire=True):
        if isinstance(item, WireStory):
            yield _wire_story(item, agency)
            continue
        page = item if isinstance(item, InputError) else _page(item)
        yield _valid_unicode(page) if isinstance(page, InputError) else _story(item, page, agency)


# --------------------------------------------------------------------------- records


def _records(
    sources: Sequence[str],
    stdin: BinaryIO | None,
    *,
    stem_ids: bool = False,
    fetcher: Fetcher | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    wire: bool = False,
) -> Iterator[Record | WireStory | InputError]:
    """The records of every source; with ``wire`` (a corpus load), wire files too (by content).

    URLs given one after another are fetched together, across hosts (``Fetcher.fetch_many``),
    their records still in the order given.
    """
    urls: list[str] = []
    for source in [*sources, None]:  # None ends the last run of URLs
        if source is not None and _URL.match(source) and not source.lower().endswith(".xml.gz"):
            urls.append(source)
            continue
        if urls:
            yield from _url_records(urls, fetcher)
            urls = []
        if source is None:
            continue
        if source == _STDIN:
            yield _stdin_record(stdin, max_bytes)
            continue
        if _URL.match(source):  # a gzipped sitemap: the pages it lists
            yield from _gzipped_sitemap_records(source, fetcher)
            continue
        for found in _expand(source, wire):
            if isinstance(found, InputError):
                yield found
            elif found.kind == "jsonl":
                yield from _jsonl_records(found.path, max_bytes, wire)
            elif found.kind == "warc":
                yield from _warc_records(found.path, max_bytes)
            elif wire and found.kind in ("wire", "listing", "sniff"):
                yield from _maybe_wire_file(found, stem_ids, max_bytes, fetcher)
            elif found.kind == "listing":
                yield from _listing_file_records(found.path, fetcher, max_bytes)
            else:
                yield _file_record(found, stem_ids, max_bytes)


def _maybe_wire_file(
    found: _Found, stem_ids: bool, max_bytes: int, fetcher: Fetcher | None
) -> Iterator[Record | WireStory | InputError]:
    """A file that may be a wire document: its items when its bytes are one, else as named."""
    try:
        data = _read_file(found.path, max_bytes)
    except (_Refused, OSError) as exc:
        yield _unread(found.path, exc)
        return
    if is_wire(data):
        yield from wire_stories(data, found.path)
    elif found.kind == "listing":
        yield from _listing_file_records(found.path, fetcher, max_bytes)
    elif found.kind == "wire":
        yield InputError(found.path, found.path, f"not a wire item: {_WIRE_FORMATS}, read by content")
    else:
        page_id = _stem(found.path) if stem_ids else found.path
        yield _whole_record(page_id, found.path, data, found.kind)


_WIRE_FORMATS = "ninjs, NewsML-G2, NITF or NewsML 1"


def _wire_story(found: WireStory, agency: str | None) -> StoryInput:
    item = found.item
    return StoryInput(
        page=found.page,
        agency=agency,
        byline="; ".join(item.bylines) or None,
        published=item.published,
        dateline=item.dateline,
        wire=item,
    )


# --------------------------------------------------------------------------- URLs, sitemaps, feeds


def _gzipped_sitemap_records(url: str, fetcher: Fetcher | None) -> Iterator[Record | InputError]:
    if fetcher is None:
        yield _no_network(url)
    else:
        yield from _listed_records(url, feeds.expand(url, fetcher), fetcher)


def _no_network(url: str) -> InputError:
    return InputError(url, url, "cannot fetch: network access is not enabled here", url)


def _url_records(urls: list[str], fetcher: Fetcher | None) -> Iterator[Record | InputError]:
    """Each URL's fetched page, or every page a fetched sitemap or feed lists, in order."""
    if fetcher is None:
        yield from (_no_network(url) for url in urls)
        return
    for url, result in zip(urls, fetcher.fetch_many(urls), strict=True):
        yield from _url_result_records(url, result, fetcher)


def _url_result_records(url: str, result: FetchResult, fetcher: Fetcher) -> Iterator[Record | InputError]:
    if result.error is not None or result.body is None:
        yield InputError(url, url, result.error or "empty response", url)
        return
    if feeds.sniff(result.body):
        try:
            listing = feeds.parse(result.body, result.final_url, max_bytes=fetcher.options.max_bytes)
        except feeds.FeedError as exc:
            yield InputError(url, url, exc.reason, url)
            return
        yield from _listed_records(url, feeds.expand(url, fetcher, first=listing), fetcher)
        return
    yield _fetched_record(url, result)


def _listing_file_records(
    path: str, fetcher: Fetcher | None, max_bytes: int
) -> Iterator[Record | InputError]:
    """A sitemap or feed saved as a file: the pages it lists are fetched.

    A sitemap index saved as a file is followed like a fetched one (:func:`feeds.expand`, with
    its depth and document caps): its entries are sitemaps, not pages.
    """
    try:
        body = _read_file(path, max_bytes)
        listing = feeds.parse(body, None, max_bytes=max_bytes)
    except (_Refused, OSError) as exc:
        yield _unread(path, exc)
        return
    except feeds.FeedError as exc:
        yield InputError(path, path, exc.reason)
        return
    if fetcher is None:
        yield InputError(path, path, "cannot fetch the pages it lists: network access is not enabled here")
        return
    yield from _listed_records(path, feeds.expand(path, fetcher, first=listing), fetcher)


def _listed_records(
    listing: str, entries: Iterator[str | FetchResult], fetcher: Fetcher
) -> Iterator[Record | InputError]:
    """Fetch the page URLs of a listing (in parallel, in order); listing errors are reported too."""
    errors: list[InputError] = []

    def urls() -> Iterator[str]:
        for entry in entries:
            if isinstance(entry, str):
                yield entry
            else:
                errors.append(
                    InputError(entry.url, entry.url, f"sitemap/feed {entry.url}: {entry.error}", entry.url)
                )

    for result in fetcher.fetch_many(urls()):
        yield from errors
        errors.clear()
        if result.error is not None or result.body is None:
            yield InputError(
                result.url, f"{listing} -> {result.url}", result.error or "empty response", result.url
            )
        else:
            yield _fetched_record(result.url, result)
    yield from errors


def _fetched_record(url: str, result: FetchResult) -> Record | InputError:
    body = result.body or b""
    if not body.strip():
        return InputError(url, url, "empty response", url)
    kind = _content_kind(result.content_type, body)
    text = decode_body(result)
    fetched = result.fetched_at.isoformat(timespec="seconds") if result.fetched_at else None
    fields = {"url": result.final_url or url}
    return Record(url, url, text, kind, fields, body, fetched, evidence_of(result))


def _warc_records(path: str, max_bytes: int) -> Iterator[Record | InputError]:
    """The pages of a WARC file (:mod:`provenance.warc_read`), each with its record as evidence;
    a bad record is one error naming its offset, and the next records still count."""
    tally = WarcTally()
    try:
        _check_regular(os.stat(path).st_mode)
        for item in warc_pages(path, max_bytes, tally):
            if isinstance(item, WarcPage):
                yield _warc_record(path, item)
            else:
                where = f"{path}@{item.offset}"
                yield InputError(where, path, item.describe())
    except (_Refused, OSError) as exc:
        yield _unread(path, exc)
        return
    if not tally.pages and not tally.problems:  # a WARC of images must not pass as "0 findings"
        held = tally.skipped_line() or "no records"
        yield InputError(path, path, f"no pages found: no 2xx HTML or text response in this WARC ({held})")


def _warc_record(path: str, page: WarcPage) -> Record:
    """A response record as a fetched page: charset from its HTTP header, then its body."""
    kind = _content_kind(page.content_type, page.body)
    text = decode_bytes(page.body, page.charset)
    evidence = WarcLocation(os.path.abspath(path), page.record_id, page.offset)
    return Record(page.url, path, text, kind, {"url": page.url}, page.body, page.fetched_at, evidence)


def _content_kind(content_type: str | None, body: bytes) -> Literal["html", "text", "markdown"]:
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media == "text/markdown":
        return "markdown"
    if media == "text/plain":
        return "text"
    return "html" if _sniff(body) == "html" else "text"


def _stdin_record(stdin: BinaryIO | None, max_bytes: int) -> Record | InputError:
    """Standard input, whatever it is (a pipe is the usual case), read up to the cap."""
    stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if stream is None:
        return InputError(_STDIN, _STDIN, "unreadable: no standard input")
    try:
        data = _read_bounded(stream, max_bytes)
    except (_Refused, OSError, ValueError) as exc:
        return _unread(_STDIN, exc)
    return _whole_record(_STDIN, _STDIN, data, "sniff")


def _file_record(found: _Found, stem_ids: bool, max_bytes: int) -> Record | InputError:
    try:
        data = _read_file(found.path, max_bytes)
    except (_Refused, OSError) as exc:
        return _unread(found.path, exc)
    page_id = _stem(found.path) if stem_ids else found.path
    return _whole_record(page_id, found.path, data, found.kind)


def _whole_record(page_id: str, source: str, data: bytes, kind: _Kind) -> Record | InputError:
    if not data.strip():
        return InputError(page_id, source, "empty file")
    content_kind = _sniff(data) if kind == "sniff" else kind
    record_kind: Literal["html", "text", "markdown"] = "text" if content_kind == "jsonl" else content_kind
    return Record(page_id, source, data, record_kind, {}, data)


def _stem(path: str) -> str:
    root, _ = os.path.splitext(path)
    return root or path


def _sniff(data: bytes) -> Literal["html", "text"]:
    """HTML when the first bytes look like markup; anything else is plain text."""
    head = data[:_SNIFF_BYTES].removeprefix(_UTF8_BOM)
    if _HTML_START.search(head) or _HTML_ANYWHERE.search(head[:1024]):
        return "html"
    return "text"


# --------------------------------------------------------------------------- reading local files


def _open_regular(path: str) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file; raises :class:`_Refused` if not.

    ``stat`` first, so a FIFO is never opened (opening one waits for a writer) and a device
    never sees an open; the open itself is non-blocking and checked again with ``fstat``, in
    case the path was swapped in between. Raises ``OSError`` as ``open`` does.
    """
    _check_regular(os.stat(path).st_mode)
    f = open(path, "rb", opener=_open_nonblocking)  # noqa: SIM115 - returned open, the caller closes it
    try:
        _check_regular(os.fstat(f.fileno()).st_mode)
        os.set_blocking(f.fileno(), True)
    except BaseException:
        f.close()
        raise
    return f


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | _NONBLOCKING)


def _check_regular(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((name for test, name in _FILE_TYPES if test(mode)), "a special file")
    raise _Refused(f"not a regular file ({what})")


_FILE_TYPES = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _read_file(path: str, max_bytes: int) -> bytes:
    """A regular file's bytes, at most ``max_bytes`` (more is :class:`_Refused`, unread)."""
    with _open_regular(path) as f:
        if os.fstat(f.fileno()).st_size > max_bytes:
            raise _Refused(_too_large(max_bytes))
        return _read_bounded(f, max_bytes)  # the size may lie (/proc) or grow while read


def _read_bounded(stream: BinaryIO, max_bytes: int) -> bytes:
    """All of ``stream`` when it holds at most ``max_bytes``, reading at most one byte more."""
    parts: list[bytes] = []
    size = 0
    while size <= max_bytes and (part := stream.read(max_bytes + 1 - size)):
        parts.append(part)
        size += len(part)
    if size > max_bytes:
        raise _Refused(_too_large(max_bytes))
    return b"".join(parts)


def _too_large(max_bytes: int) -> str:
    return f"too large: more than {human_size(max_bytes)}"


# --------------------------------------------------------------------------- files and directories


def _expand(source: str, wire: bool = False) -> Iterator[_Found | InputError]:
    """One source argument → the files it names (a directory gives each file in it; with
    ``wire``, the files that may be wire documents too)."""
    if os.path.isdir(source):
        found = False
        for item in _walk(source, set(), wire):
            found = True
            yield item
        if not found:  # an empty or foreign folder (.mdx, .html.gz) must not pass as "0 findings"
            yield InputError(source, source, f"no pages found: looked for {_LOOKED_FOR} files")
    elif source.lower().endswith(_LISTING_SUFFIXES):
        yield _Found(source, "listing")
    elif wire and source.lower().endswith(WIRE_SUFFIXES):
        yield _Found(source, "wire")
    elif is_warc(source):
        yield _Found(source, "warc")
    else:
        yield _Found(source, _SUFFIXES.get(os.path.splitext(source)[1].lower(), "sniff"))


def _walk(directory: str, seen: set[str], wire: bool = False) -> Iterator[_Found | InputError]:
    """Files with a known suffix, recursively, sorted by name; hidden entries are skipped."""
    real = os.path.realpath(directory)
    if real in seen:  # a symlink loop
        return
    seen.add(real)
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield InputError(directory, directory, f"cannot list directory: {_reason(exc)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(directory, entry.name)
        if _is_dir(entry):
            yield from _walk(path, seen, wire)
        elif kind := _SUFFIXES.get(os.path.splitext(entry.name)[1].lower()):
            yield _Found(path, kind)
        elif is_warc(entry.name):
            yield _Found(path, "warc")
        elif wire and entry.name.lower().endswith(WIRE_SUFFIXES):
            yield _Found(path, "wire")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _unread(where: str, exc: BaseException) -> InputError:
    """The error of a local input not read: refused (not a regular file, over the cap) or unreadable."""
    reason = exc.reason if isinstance(exc, _Refused) else f"unreadable: {_reason(exc)}"
    return InputError(where, where, reason)


def _reason(exc: BaseException) -> str:
    """``[Errno 2] No such file or directory: 'x'`` → ``no such file or directory``."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return text[:1].lower() + text[1:] if text else type(exc).__name__


# --------------------------------------------------------------------------- JSONL


def _jsonl_records(
    path: str, max_bytes: int, wire: bool = False
) -> Iterator[Record | WireStory | InputError]:
    """One record a line, streamed; a bad line is one error and the next lines still count.

    The file may be any size (a corpus export); a line over ``max_bytes`` is one error,
    skipped without being held in memory. With ``wire``, a file whose first record is a
    ninjs item is read as ninjs items, one a line.
    """
    try:
        with _open_regular(path) as f:
            if is_binary(f.read(_BINARY_HEAD)):
                yield InputError(path, path, "binary file")
                return
            f.seek(0)
            lines = _bounded_lines(f, max_bytes)
            if wire:
                lines, ninjs = _ninjs_lines(lines)
                if ninjs:
                    yield from _wire_lines(path, lines, max_bytes)
                    return
            yield from _jsonl_lines(path, lines, max_bytes)
    except (_Refused, OSError) as exc:
        yield _unread(path, exc)


def _ninjs_lines(lines: Iterator[bytes | int]) -> tuple[Iterator[bytes | int], bool]:
    """The lines again (those read to decide put back), and whether the first record is ninjs."""
    head: list[bytes | int] = []
    for line in lines:
        head.append(line)
        if isinstance(line, bytes) and line.strip():
            return itertools.chain(head, lines), wire_jsonl_head(line.removeprefix(_UTF8_BOM))
    return iter(head), False


def _wire_lines(path: str, lines: Iterable[bytes | int], max_bytes: int) -> Iterator[WireStory | InputError]:
    for number, line in enumerate(lines, start=1):
        where = f"{path}:{number}"
        if isinstance(line, int):
            yield InputError(where, where, f"line {number}: {_too_large(max_bytes)}")
        elif line.strip():
            yield from wire_stories(line.removeprefix(_UTF8_BOM), where)


def _bounded_lines(f: BinaryIO, max_bytes: int) -> Iterator[bytes | int]:
    """The lines of ``f``; in place of a line longer than ``max_bytes``, its length (skipped)."""
    while line := f.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        skipped = len(line)
        while rest := f.readline(_SKIP_CHUNK):
            skipped += len(rest)
            if rest.endswith(b"\n"):
                break
        yield skipped


def _jsonl_lines(path: str, lines: Iterable[bytes | int], max_bytes: int) -> Iterator[Record | InputError]:
    found = False
    offset = 0
    for number, line in enumerate(lines, start=1):
        if isinstance(line, int):
            found, offset = True, offset + line
            where = f"{path}:{number}"
            yield InputError(where, where, f"line {number}: {_too_large(max_bytes)}")
            continue
        start, offset = offset, offset + len(line)
        if not line.strip():
            continue
        found = True
        line = line.rstrip(b"\r\n")
        if number == 1 and line.startswith(_UTF8_BOM):
            line, start = line[len(_UTF8_BOM) :], start + len(_UTF8_BOM)
        yield _jsonl_record(path, number, line, start)
    if not found:
        yield InputError(path, path, "empty file")


def _jsonl_record(path: str, number: int, line: bytes, start: int) -> Record | InputError:
    where = f"{path}:{number}"
    try:
        text = decode(line)
    except ExtractionError as exc:
        return InputError(where, where, f"line {number}: {_shift_byte(str(exc), start)}")
    try:
        fields = json.loads(text)
    except ValueError as exc:
        return InputError(where, where, f"line {number}: malformed JSON: {_json_reason(exc)}")
    except RecursionError:  # [[[[… deeper than the parser's stack
        return InputError(where, where, f"line {number}: malformed JSON: nested too deep")
    return _record_from_fields(where, number, fields)


def _record_from_fields(where: str, number: int, fields: object) -> Record | InputError:
    if not isinstance(fields, dict):
        return InputError(where, where, f"line {number}: expected a JSON object, got {type(fields).__name__}")
    if invalid := _lone_surrogate(fields):
        return InputError(where, where, f"line {number}: {invalid}")
    raw_id = fields.get("id")
    if raw_id is None or isinstance(raw_id, bool | dict | list) or not str(raw_id).strip():
        return InputError(where, where, f"line {number}: missing 'id'")
    page_id = str(raw_id)
    for key in ("html", "text"):
        content = fields.get(key)
        if isinstance(content, str) and content.strip():
            return Record(page_id, where, content, "html" if key == "html" else "text", fields)
    return InputError(page_id, where, f"line {number}: missing 'text' or 'html'", _opt(fields, "url"))


def _lone_surrogate(fields: dict[str, Any]) -> str | None:
    """Why the record is refused, when a field it is read for holds a lone surrogate.

    ``"\\ud800"`` is valid JSON but no character: it cannot be stored, printed or written
    as UTF-8. It is the JSON spelling of invalid UTF-8, which a line is refused for too.
    """
    for key in _RECORD_TEXT:
        value = fields.get(key)
        if isinstance(value, str) and (m := _SURROGATE.search(value)):
            return f"'{key}' holds a lone surrogate (\\u{ord(m.group()):04x}), which is not valid Unicode"
    return None


def _shift_byte(message: str, start: int) -> str:
    """``invalid UTF-8 at byte 3`` of a line → the byte offset in the whole file."""
    return re.sub(r"at byte (\d+)", lambda m: f"at byte {int(m.group(1)) + start}", message)


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (column {exc.colno})"
    return str(exc)


# --------------------------------------------------------------------------- records → pages


def _page(record: Record) -> Page | InputError:
    """The page of a record, in valid Unicode.

    Whatever reached the page's strings from an escape or a file name and is not valid
    Unicode is replaced (see :func:`_valid_unicode`). A JSONL record's own fields were
    checked before (:func:`_lone_surrogate`); the story fields :func:`_story` adds come from
    those fields or from this page.
    """
    url = _opt(record.fields, "url")
    try:
        page = _valid_unicode(_extract(record, url))
    except ExtractionError as exc:
        return InputError(record.id, record.source, str(exc), url)
    except Exception as exc:  # one odd input must never stop a run
        return InputError(record.id, record.source, f"extraction failed: {type(exc).__name__}: {exc}", url)
    if title := _opt(record.fields, "title"):
        page.title = title
    if record.raw is not None:
        page.content_hash = hashlib.sha256(record.raw).hexdigest()
    page.meta.setdefault("fetched_at", record.fetched_at or _now())
    page.evidence = record.evidence
    return page


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _extract(record: Record, url: str | None) -> Page:
    content = record.content
    if record.kind == "html":
        return page_from_html(content, id=record.id, source=record.source, url=url)
    text = decode(content) if isinstance(content, bytes) else content
    if record.kind == "markdown":
        return page_from_markdown(text, id=record.id, source=record.source, url=url)
    return page_from_text(text, id=record.id, source=record.source, url=url)


def _story(record: Record, page: Page, agency: str | None) -> StoryInput:
    fields = record.fields
    return StoryInput(
        page=page,
        agency=_opt(fields, "agency") or agency,
        byline=_opt(fields, "byline") or page.meta.get("author"),
        published=_opt(fields, "published") or page.meta.get("published"),
        dateline=_opt(fields, "dateline") or page.meta.get("jsonld:dateline"),
    )


_T = TypeVar("_T")


def _valid_unicode(value: _T) -> _T:
    """``value`` with every lone surrogate in its strings replaced by U+FFFD (the same object
    when there is none), through lists, tuples, dicts and dataclasses.

    The last check before a page or an error leaves this module: a JSON-LD or YAML escape
    (``\\ud800``) or a file name that is not UTF-8 (``os`` decodes its bytes to surrogates)
    gives a string that the database and every report fail to encode, which would stop the
    whole run. Recursive: JSON-LD nested past the stack raises ``RecursionError``, which
    :func:`_page` reports like any failed extraction.
    """
    cleaned: _T = _without_surrogates(value)
    return cleaned


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):  # a surrogate is never ASCII (isascii is a flag the string keeps)
        return value if value.isascii() or not _SURROGATE.search(value) else _SURROGATE.sub("\ufffd", value)
    kind = type(value)
    if kind is list or kind is tuple:
        items = [_without_surrogates(v) for v in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if kind is list else tuple(items)
    if kind is dict:
        pairs = [(_without_surrogates(k), _without_surrogates(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    names = _field_names(kind)  # () for anything but a dataclass: numbers, None
    changes = {}
    for name in names:
        old = getattr(value, name)
        if type(old) is str:  # most fields: checked here, without a call (pages have many lines)
            if not old.isascii() and _SURROGATE.search(old):
                changes[name] = _SURROGATE.sub("\ufffd", old)
        elif old is not None and (new := _without_surrogates(old)) is not old:
            changes[name] = new
    return replace(value, **changes) if changes else value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """The fields of a dataclass type (those its constructor takes); () for any other type."""
    if not is_dataclass(kind):
        return ()
    return tuple(f.name for f in dataclass_fields(kind) if f.init)


def _opt(fields: dict[str, Any], key: str) -> str | None:
    """An optional string field; numbers are stringified, empty values are absent."""
    value = fields.get(key)
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None
