"""Reading WARC files (ISO 28500): the pages of a crawl archive, and one archived response again.

Crawlers (Heritrix, wget ``--warc-file``, Browsertrix, Common Crawl) keep what they fetched
in WARC files, and ``audit --evidence`` writes one (:mod:`provenance.warc_write`). An audit
reads such a file as the pages it holds: each ``response`` record with a 2xx HTTP status and
an HTML, XHTML or plain-text body is a page, whose URL is the record's ``WARC-Target-URI``,
whose charset is the one its HTTP ``Content-Type`` names (then the body's own declaration,
as for a fetched page), and whose fetch time is the record's ``WARC-Date``. Other records
(``warcinfo``, ``request``, ``metadata``, ``revisit``, images, scripts, redirects, 404s) are
skipped and counted, not errors.

warcio parses the records (gzip members, chunked and content-encoded payloads, WARC and ARC
headers); what is written here is what it leaves to its callers:

* **Streaming**: one record's body at a time, capped like a local file (``max_bytes``), so
  a multi-gigabyte crawl is never held in memory.
* **A bad record is one error, not the end of the file.** warcio stops at a corrupt record
  and reads a truncated one as a short body without a word; here a record whose block is
  shorter than its ``Content-Length`` is an error naming its offset and id, and after a
  corrupt one reading starts again at the next record boundary (the next gzip member, or
  the next ``WARC/1.x`` line of an uncompressed file), found by a bounded forward scan.
* **Replay by offset** (:func:`read_record_at`): a record is read by seeking to its offset,
  so getting one page's evidence back out of a large archive reads one record.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from provenance.fetch import human_size

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz")
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
"""Media types read as pages; a response without one is read when its body looks like HTML."""
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_START = (b"WARC/1.0\r\n", b"WARC/1.1\r\n", b"WARC/0.17\r\n", b"WARC/0.18\r\n")
_SCAN_CHUNK = 1 << 20


def is_warc(name: str) -> bool:
    """Whether a file name is a WARC file's (``.warc``, ``.warc.gz``)."""
    return name.lower().endswith(WARC_SUFFIXES)


@dataclass(frozen=True, slots=True)
class WarcPage:
    """A response record that is a page: its bytes as archived, and where they are."""

    url: str
    body: bytes
    content_type: str | None  # media type, lower-case
    charset: str | None  # from the HTTP Content-Type header
    fetched_at: str | None  # WARC-Date, ISO 8601 UTC
    record_id: str
    offset: int


@dataclass(frozen=True, slots=True)
class WarcProblem:
    """A record (or a stretch of the file) that could not be read: one line, the rest goes on."""

    offset: int
    record_id: str | None
    reason: str

    def describe(self) -> str:
        """``at offset 1234 (record <urn:uuid:…>): truncated WARC record: 31 bytes missing``."""
        record = f" (record {self.record_id})" if self.record_id else ""
        return f"at offset {self.offset}{record}: {self.reason}"


@dataclass
class WarcTally:
    """What a WARC file held: pages read, records skipped by why, problems."""

    pages: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: int = 0

    def skipped_line(self) -> str:
        """``12 records skipped (8 request, 3 non-page response, 1 warcinfo)``, or ``""``."""
        total = sum(self.skipped.values())
        if not total:
            return ""
        parts = ", ".join(f"{n} {why}" for why, n in self.skipped.most_common())
        return f"{total} record{'s' if total != 1 else ''} skipped ({parts})"


def warc_pages(path: str, max_bytes: int, tally: WarcTally | None = None) -> Iterator[WarcPage | WarcProblem]:
    """The pages of one WARC file, in file order, with one problem per unreadable stretch.

    Raises ``OSError`` when the file cannot be opened (the caller names the file).
    """
    tally = tally if tally is not None else WarcTally()
    with open(path, "rb") as stream:
        compressed = stream.read(2) == _GZIP_MAGIC[:2]
        start: int | None = 0
        announce = True  # one problem per corrupt stretch, not one per false start in it
        while start is not None:
            start, announce = yield from _pages_from(stream, start, compressed, max_bytes, tally, announce)
    log.info("%s: %d pages; %s", path, tally.pages, tally.skipped_line() or "no record skipped")


def _pages_from(
    stream: BinaryIO,
    start: int,
    compressed: bool,
    max_bytes: int,
    tally: WarcTally,
    announce: bool,
) -> Generator[WarcPage | WarcProblem, None, tuple[int | None, bool]]:
    """Records from ``start`` on. Returns where to start again after a corrupt one (None: the
    file is done), and whether the next corrupt one is a new problem (a record was read since)."""
    stream.seek(start)
    records = ArchiveIterator(stream, check_digests=False)
    record_id: str | None = None  # of the record being read, for the error
    try:
        for record in records:
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            if _malformed(record):  # warcio reads on; its length is unknown, so resync instead
                raise ValueError("a WARC header without WARC-Type or Content-Length")
            announce = True
            # ``offset`` is where the record being read starts (get_record_offset() would read
            # the whole record first, leaving no body to read).
            item = _page_of(record, start + records.offset, max_bytes, tally)
            record_id = None
            if item is not None:
                yield item
    except Exception as exc:  # warcio raises several kinds (ArchiveLoadFailed, zlib.error, EOFError…)
        failed_at = start + max(records.offset, 0)  # warcio's count can go astray on bad input
        if announce:
            tally.problems += 1
            yield WarcProblem(failed_at, record_id, _corrupt(exc))
        return _next_boundary(stream, failed_at + 1, compressed), False
    return None, True


def _page_of(
    record: ArcWarcRecord, offset: int, max_bytes: int, tally: WarcTally
) -> WarcPage | WarcProblem | None:
    record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
    if record.rec_type != "response":
        tally.skipped[record.rec_type or "untyped"] += 1
        return None
    http = record.http_headers
    status = _status(http.get_statuscode() if http is not None else None)
    if http is None or status is None:
        tally.skipped["non-HTTP response"] += 1
        return None
    if not 200 <= status < 300:
        tally.skipped[f"HTTP {status}"] += 1
        return None
    media, charset = _content_type(http.get_header("Content-Type"))
    if media is not None and media not in PAGE_TYPES:
        tally.skipped["non-page response"] += 1
        return None
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if not url:
        tally.problems += 1
        return WarcProblem(offset, record_id, "response record without WARC-Target-URI")
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        tally.problems += 1
        return WarcProblem(offset, record_id, f"too large: more than {human_size(max_bytes)}")
    if record.raw_stream.limit:  # the block ended before its Content-Length: a cut file
        tally.problems += 1
        return WarcProblem(
            offset, record_id, f"truncated WARC record: {record.raw_stream.limit} bytes missing"
        )
    if media is None and not _looks_like_html(body):
        tally.skipped["non-page response"] += 1
        return None
    tally.pages += 1
    return WarcPage(
        url, body, media, charset, _iso(record.rec_headers.get_header("WARC-Date")), record_id, offset
    )


# --------------------------------------------------------------------------- replay


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """One archived response read back: its HTTP head as stored and its payload."""

    record_id: str
    url: str | None
    status_line: str  # "HTTP/1.1 200 OK"
    headers: tuple[tuple[str, str], ...]
    body: bytes


class RecordNotFound(LookupError):
    """The WARC file has no readable record with that id at that offset."""


def read_record_at(path: str, offset: int, record_id: str | None = None) -> ArchivedResponse:
    """The response record at ``offset`` of ``path`` (seek, then one record read).

    ``record_id``, when given, must be the id of the record found there. The payload is
    returned as the page was audited: transfer and content encodings undone (the
    ``--evidence`` writer stores it so already). Raises :class:`RecordNotFound` or ``OSError``.
    """
    with open(path, "rb") as stream:
        stream.seek(offset)
        try:
            record = next(iter(ArchiveIterator(stream, check_digests=False)), None)
            if record is None:
                raise RecordNotFound(f"{path}: no WARC record at offset {offset}")
            found = record.rec_headers.get_header("WARC-Record-ID") or ""
            if record_id and found != record_id:
                raise RecordNotFound(f"{path}: the record at offset {offset} is {found}, not {record_id}")
            http = record.http_headers
            body = record.content_stream().read()
        except RecordNotFound:
            raise
        except Exception as exc:
            raise RecordNotFound(
                f"{path}: no readable WARC record at offset {offset}: {_one_line(exc)}"
            ) from None
    status_line = f"{http.protocol} {http.statusline}".strip() if http is not None else ""
    headers = tuple((str(k), str(v)) for k, v in http.headers) if http is not None else ()
    url = record.rec_headers.get_header("WARC-Target-URI")
    return ArchivedResponse(found, url, status_line, headers, body)


# --------------------------------------------------------------------------- helpers


def _next_boundary(stream: BinaryIO, position: int, compressed: bool) -> int | None:
    """Where the next record may start at or after ``position`` (None: nowhere): the next gzip
    member header, or the next line that is a WARC version line."""
    markers = (_GZIP_MAGIC,) if compressed else tuple(b"\n" + m for m in _WARC_START)
    after_newline = 0 if compressed else 1
    keep = max(len(m) for m in markers) - 1
    stream.seek(position)
    base, carry = position, b""
    while chunk := stream.read(_SCAN_CHUNK):
        data = carry + chunk
        hits = [i for m in markers if (i := data.find(m)) >= 0]
        if hits:
            return base + min(hits) + after_newline
        carry = data[-keep:]
        base += len(data) - len(carry)
    return None


def _corrupt(exc: BaseException) -> str:
    if "non-chunked gzip" in str(exc):
        return (
            "one gzip stream holds several records (a WARC must be gzipped record by record): "
            "rewrite it with `warcio recompress`"
        )
    return f"corrupt WARC record: {_one_line(exc)}"


def _malformed(record: ArcWarcRecord) -> bool:
    headers = record.rec_headers
    return str(record.format).startswith("warc") and (
        not headers.get_header("WARC-Type") or headers.get_header("Content-Length") is None
    )


def _status(code: object) -> int | None:
    try:
        return int(str(code))
    except ValueError:
        return None


def _content_type(value: str | None) -> tuple[str | None, str | None]:
    """``text/html; charset="ISO-8859-1"`` → ``("text/html", "iso-8859-1")``."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, found = param.partition("=")
        if key.strip().lower() == "charset":
            charset = found.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def _looks_like_html(body: bytes) -> bool:
    head = body[:4096].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title"))


def _iso(value: str | None) -> str | None:
    """``2024-05-01T10:00:00Z`` → ``2024-05-01T10:00:00+00:00`` (as fetched pages record it)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value.strip()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _one_line(exc: BaseException, limit: int = 120) -> str:
    """A short printable reason: warcio quotes the bad bytes, which may be binary."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = "".join(c if c.isprintable() and ord(c) < 0x80 else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
