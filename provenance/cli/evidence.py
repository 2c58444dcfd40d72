"""``provenance evidence``: the exact bytes behind a finding, read back from the run's WARC file.

A page row names the WARC file, record id and offset of the response it was audited from
(``audit --evidence DIR``, or a WARC given as input). This command looks that row up by the
record id the reports show (or by the page's row id) and prints the archived body — with
``--headers``, the status line and response headers first, as they were received — reading
only that record: it seeks to the offset, so a large WARC is not scanned. The bytes are
exactly the archived ones, so they go to a file or a pipe, never to a terminal, where a
hostile page's escape sequences would be read as commands.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import or_, select

from provenance import store
from provenance.cli import common
from provenance.warc_read import ArchivedResponse, RecordNotFound, read_record_at

_MAX_ROW_ID = 2**63 - 1


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "evidence", help="print the archived HTTP response of an audited page (its WARC record)"
    )
    parser.add_argument(
        "ref",
        metavar="RECORD_ID|PAGE_ROW_ID",
        help="the WARC record id a report shows (urn:uuid:…, with or without <>), or a page row id",
    )
    parser.add_argument("--headers", action="store_true", help="the status line and headers first")
    parser.add_argument("--output", "-o", type=Path, help="write to FILE instead of stdout")
    parser.add_argument(
        "--db",
        type=common.database_option,
        help="database URL (default: $PROVENANCE_DB or sqlite:///provenance.db)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    common.check_output(args.output)
    factory = common.database(args)
    with factory() as session:
        row = session.execute(_lookup(args.ref)).first()
    if row is None:
        raise common.Failure(f"no audited page with WARC record or row id {args.ref!r}")
    warc_file, record_id, offset = row
    if not warc_file or not record_id:
        raise common.Failure(f"page {args.ref} has no archived response (audit it with --evidence DIR)")
    try:
        response = read_record_at(warc_file, offset or 0, record_id)
    except RecordNotFound as exc:
        raise common.Failure(str(exc)) from None
    except OSError as exc:
        raise common.Failure(f"cannot read WARC file {warc_file}: {exc.strerror or exc}") from None
    data = _head(response) + response.body if args.headers else response.body
    _write(data, args.output)
    return common.EXIT_CLEAN


def _lookup(ref: str) -> Any:
    """The newest page row with this record id (a WARC audited twice gives two), or this row id."""
    columns = select(store.PageRow.warc_file, store.PageRow.warc_record_id, store.PageRow.warc_offset)
    ref = ref.strip()
    if ref.isdigit() and int(ref) <= _MAX_ROW_ID:
        return columns.where(store.PageRow.id == int(ref))
    bare = ref.strip("<>")
    wanted = or_(store.PageRow.warc_record_id == f"<{bare}>", store.PageRow.warc_record_id == bare)
    return columns.where(wanted).order_by(store.PageRow.id.desc()).limit(1)


def _head(response: ArchivedResponse) -> bytes:
    lines = [response.status_line, *(f"{name}: {value}" for name, value in response.headers), "", ""]
    return "\r\n".join(lines).encode("iso-8859-1", errors="replace")


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        if sys.stdout.isatty():  # a third party's bytes may hold escape sequences for the terminal
            raise common.Failure(
                "the archived bytes are not printed to a terminal: use --output FILE or a pipe"
            )
        sink: BinaryIO = sys.stdout.buffer
        sink.write(data)
        sink.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise common.Failure(f"cannot write {output}: {exc.strerror}") from None
