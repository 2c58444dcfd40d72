"""``--evidence DIR``: every page fetched in a run, kept as it was served, in one WARC file.

A finding is a claim about a page as it was on the day it was audited; the page changes or
goes away the next week. So ``audit --evidence DIR`` writes each successful fetch's HTTP
response (status line, headers as received, body) to one ``.warc.gz`` file per run
(ISO 28500, the format web archives and courts already accept), with a ``request`` record
for each and a ``warcinfo`` record naming provenance and its version, and each page row
records the file, the record id and the record's offset: ``provenance evidence`` reads the
bytes back (:func:`provenance.warc_read.read_record_at`) years later.

warcio writes the records (digests, gzip members, record ids). What is decided here:

* **The body is the one audited.** requests undoes a ``Content-Encoding`` (gzip, br) while
  reading, and the fetcher keeps only the decoded bytes; the record stores those, so its
  ``Content-Encoding``, ``Transfer-Encoding`` and ``Content-Length`` headers would lie. They
  are kept renamed (``X-Archive-Orig-…``, the convention of web-archive replay tools) and a
  true ``Content-Length`` is set, so the record is valid and replays.
* **A revalidated page** (a 304 answered from the fetch cache) is written with the cached
  body under a ``200`` status line, its cached ``Content-Type`` and the 304's headers, and
  says so in a ``WARC-Provenance-Note`` field.
* **The request record** holds the request line and the headers the fetcher always sends
  (host, user agent, accept); conditional headers are not recorded.
* **One writer per run, thread-safe** (pages are fetched in a thread pool), each record its
  own gzip member flushed at once: an interrupted run keeps every record written.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance import __version__
from provenance.fetch import SNIFFED_TYPES, TEXT_TYPES, Fetcher, FetchResult
from provenance.model import WarcLocation

_REWRITTEN = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_ORIGINAL = "X-Archive-Orig-"
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"


@dataclass(frozen=True)
class ArchivedFetchResult(FetchResult):
    """A fetch result whose response is archived: where (:attr:`evidence`)."""

    evidence: WarcLocation | None = None


def evidence_of(result: FetchResult) -> WarcLocation | None:
    """Where a fetched response is archived, when it is."""
    return result.evidence if isinstance(result, ArchivedFetchResult) else None


class EvidenceWriter:
    """The run's WARC file in ``directory``, created at the first response archived.

    Named ``provenance-run<ID>-<UTC time>.warc.gz`` with ``run_id`` as it is then: the audit
    sets it when it records its run, before any page is fetched (None with ``--no-save``).
    """

    def __init__(
        self,
        directory: Path,
        run_id: int | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.directory = directory
        self.run_id = run_id
        self._clock = clock
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self.path: Path | None = None
        self.records = 0

    def archive(self, result: FetchResult, user_agent: str) -> WarcLocation:
        """Write one fetched response (and its request); where the response record is.

        Raises ``OSError`` when the file cannot be written.
        """
        with self._lock:
            writer, stream, path = self._open()
            response = _response_record(writer, result)
            record_id = response.rec_headers.get_header("WARC-Record-ID")
            offset = stream.tell()
            writer.write_record(response)
            writer.write_record(_request_record(writer, result, user_agent, record_id))
            stream.flush()
            self.records += 1
            return WarcLocation(str(path), record_id, offset)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def _open(self) -> tuple[WARCWriter, IO[bytes], Path]:
        if self._writer is not None and self._file is not None and self.path is not None:
            return self._writer, self._file, self.path
        self.directory.mkdir(parents=True, exist_ok=True)
        run_id = self.run_id
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        stem = f"provenance-run{run_id}-{stamp}" if run_id else f"provenance-{stamp}"
        stream, path = _exclusive(self.directory, stem)
        writer = WARCWriter(stream, gzip=True)
        info = {
            "software": f"provenance/{__version__}",
            "format": "WARC File Format 1.0",
            "description": "HTTP responses of the pages a provenance audit fetched (--evidence)",
            "isPartOf": f"provenance run {run_id}" if run_id else "provenance audit (not saved)",
        }
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        stream.flush()
        self._writer, self._file, self.path = writer, stream, path.resolve()
        return writer, stream, self.path


def _exclusive(directory: Path, stem: str) -> tuple[IO[bytes], Path]:
    """A new file ``stem.warc.gz`` (``stem-2.warc.gz``… when taken): never another run's file."""
    for number in range(1, 1000):
        path = directory / (f"{stem}.warc.gz" if number == 1 else f"{stem}-{number}.warc.gz")
        try:
            return open(path, "xb"), path  # the writer keeps it open for the run
        except FileExistsError:
            continue
    raise FileExistsError(f"{directory / stem}.warc.gz and 998 others exist")


def _response_record(writer: WARCWriter, result: FetchResult) -> Any:
    body = result.body or b""
    status = 200 if result.from_cache else (result.status or 200)
    headers = _archived_headers(result.headers, body)
    warc_headers = {"WARC-Date": _warc_date(result.fetched_at)}
    if result.from_cache:
        if result.content_type and not any(k.lower() == "content-type" for k, _ in headers):
            media = result.content_type + (f"; charset={result.charset}" if result.charset else "")
            headers.insert(0, ("Content-Type", media))
        warc_headers["WARC-Provenance-Note"] = (
            "body from the fetch cache, unchanged per HTTP 304 at WARC-Date; headers are the 304's"
        )
    elif not result.headers and result.content_type:
        media = result.content_type + (f"; charset={result.charset}" if result.charset else "")
        headers.insert(0, ("Content-Type", media))
    http = StatusAndHeaders(f"{status} {_phrase(status)}", headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        result.final_url,
        "response",
        payload=BytesIO(body),
        length=None,
        http_headers=http,
        warc_headers_dict=warc_headers,
    )


def _archived_headers(received: Iterable[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    """The headers as received, with those the decoded body makes untrue renamed, and its length."""
    headers = [
        (f"{_ORIGINAL}{name}" if name.lower() in _REWRITTEN else name, value) for name, value in received
    ]
    headers.append(("Content-Length", str(len(body))))
    return headers


def _request_record(writer: WARCWriter, result: FetchResult, user_agent: str, response_id: str) -> Any:
    parts = urlsplit(result.final_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    http = StatusAndHeaders(
        f"GET {target} HTTP/1.1",
        [("Host", parts.netloc.rpartition("@")[2]), ("User-Agent", user_agent), ("Accept", _ACCEPT)],
        is_http_request=True,
    )
    return writer.create_warc_record(
        result.final_url,
        "request",
        payload=BytesIO(b""),
        length=0,
        http_headers=http,
        warc_headers_dict={
            "WARC-Date": _warc_date(result.fetched_at),
            "WARC-Concurrent-To": response_id,
        },
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ArchivingFetcher(Fetcher):
    """A :class:`~provenance.fetch.Fetcher` that archives every successful fetch.

    Sitemaps and feeds fetched for their lists are archived too (they are what the run read).
    A response that cannot be archived fails its fetch: a page audited without the evidence
    asked for must not pass unnoticed.
    """

    def __init__(self, *args: Any, evidence: EvidenceWriter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evidence = evidence

    def fetch(
        self,
        url: str,
        *,
        accept: Collection[str] = TEXT_TYPES,
        sniffed: Collection[str] = SNIFFED_TYPES,
    ) -> FetchResult:
        result = super().fetch(url, accept=accept, sniffed=sniffed)
        if not result.ok:
            return result
        try:
            location = self.evidence.archive(result, self.options.user_agent)
        except OSError as exc:
            reason = f"cannot write evidence to {self.evidence.directory}: {exc.strerror or exc}"
            return FetchResult.failed(url, reason, final_url=result.final_url, status=result.status)
        values = {f.name: getattr(result, f.name) for f in fields(FetchResult)}
        return ArchivedFetchResult(**values, evidence=location)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.evidence.close()


def directory_problem(directory: Path) -> str | None:
    """Why ``--evidence DIR`` cannot be written (None when it can): checked before the run."""
    probe = directory
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a directory"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{probe} is not writable"
    return None
