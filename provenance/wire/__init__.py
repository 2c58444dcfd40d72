"""Readers for the formats news agencies deliver stories in: ninjs, NewsML-G2, NITF, NewsML 1.x.

A publisher's wire archive is not plain text: it arrives as the agency's own delivery format,
and that format carries the rights metadata a compliance check needs (copyright holder and
notice, usage terms, info sources, publishing status, embargo, version). These readers are
hand-written, one module per format, because no maintained Python library reads ninjs,
NewsML-G2 or NITF into plain rights fields; lxml does the XML, safely (:mod:`.xml`).

Everything is pure: bytes in, :class:`WireItem` objects out, no file system, no network. The format
is told by content (:func:`sniff`), never by a file name; gzip is opened on the way.
:func:`parse` returns every text item of a document (an empty list when it holds only photos,
video, events, packages...) and raises :class:`WireFormatError` (a one-line message naming the
source, the item and the field) for the first thing it cannot read; :func:`parse_each` goes on
past a bad item, yielding its error in its place, so one bad line of a JSON Lines feed does not
lose the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from provenance.wire import newsml1, newsml_g2, ninjs, nitf
from provenance.wire.model import WireFormatError, WireItem
from provenance.wire.sniff import decompress, sniff

__all__ = ["WireFormatError", "WireItem", "parse", "parse_each", "sniff"]


READERS: dict[str, Callable[[bytes], Iterator[WireItem | WireFormatError]]] = {
    "ninjs": ninjs.read_each,
    "newsml-g2": newsml_g2.read_each,
    "nitf": nitf.read_each,
    "newsml-1": newsml1.read_each,
}


def parse_each(data: bytes, source: str) -> Iterator[WireItem | WireFormatError]:
    """Each text item of the document ``data`` (named ``source`` in messages), or in place of an
    item that cannot be read, its :class:`WireFormatError`; reading goes on after it."""
    source = " ".join(source.split())  # messages stay on one line
    try:
        data = decompress(data)
        kind = sniff(data)
    except WireFormatError as exc:
        yield WireFormatError(f"{source}: {exc}")
        return
    if kind is None:
        yield WireFormatError(f"{source}: not a wire format read here (ninjs, NewsML-G2, NITF, NewsML 1.x)")
        return
    for result in READERS[kind](data):
        yield WireFormatError(f"{source}: {result}") if isinstance(result, WireFormatError) else result


def parse(data: bytes, source: str) -> list[WireItem]:
    """Every text item of the document ``data``; :class:`WireFormatError` for the first that cannot be read."""
    items: list[WireItem] = []
    for result in parse_each(data, source):
        if isinstance(result, WireFormatError):
            raise result
        items.append(result)
    return items
