"""Which wire format a delivery is in, told by its content (never by its file name).

Agencies' files are named by their transfer tools (``.xml`` for JSON, ``.txt`` or no suffix at
all), so the bytes decide: a gzip is opened first (with a 50 MB cap: a small gzip can expand a
thousandfold); JSON whose first object carries ninjs properties is ninjs (one object, an array
or JSON Lines); XML is told by its root element, read from the first few KB with the safe
parser settings of :mod:`provenance.wire.xml`:

* ``newsItem``, ``newsMessage``, ``packageItem`` (and the other G2 items: ``conceptItem``,
  ``knowledgeItem``, ``planningItem``, ``catalogItem``) in the NewsML-G2 namespace, or in no
  namespace (TT and other agencies send NewsML-G2 without it) -> ``"newsml-g2"``;
* ``nitf`` -> ``"nitf"``;
* ``NewsML`` (NewsML 1.x, e.g. AFP) -> ``"newsml-1"``.
"""

from __future__ import annotations

import contextlib
import json
import re
import zlib

from lxml import etree

from provenance.wire.model import WireFormatError
from provenance.wire.xml import local, namespace, pull_parser

G2_NAMESPACE = "http://iptc.org/std/nar/2006-10-01/"
G2_ROOTS = frozenset(
    """
    newsItem newsMessage packageItem conceptItem knowledgeItem planningItem catalogItem
    """.split()  # noqa: SIM905 - a word list reads best as text
)
MAX_DECOMPRESSED = 50 * 1024 * 1024
XML_HEAD = 16 * 1024  # bytes read to find the root element
JSON_HEAD = 64 * 1024  # bytes searched for ninjs keys when the JSON does not parse

NINJS_KEYS = frozenset(
    """
    uri guid headline headlines bodies body_text body_html body_xhtml body_nitf versioncreated
    versionCreated firstcreated firstCreated pubstatus pubStatus byline by located
    copyrightholder copyrightHolder copyrightnotice copyrightNotice usageterms usageTerms
    embargoed embargoedUntil slugline
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_NINJS_KEY = re.compile(
    rb'"(?:' + b"|".join(re.escape(k.encode()) for k in sorted(NINJS_KEYS)) + rb'|body_\w+)"\s*:'
)


def decompress(data: bytes) -> bytes:
    """``data`` itself, or its gunzipped content when it is a gzip (refused past 50 MB)."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    out = bytearray()
    rest = data
    try:
        while rest.startswith(b"\x1f\x8b"):  # a gzip file may hold several members
            unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += unzip.decompress(rest, MAX_DECOMPRESSED + 1 - len(out))
            if len(out) > MAX_DECOMPRESSED:
                raise WireFormatError("gzip: more than 50 MB decompressed, refused")
            if not unzip.eof:
                raise WireFormatError("gzip: truncated data")
            rest = unzip.unused_data
    except zlib.error as exc:
        raise WireFormatError(f"gzip: corrupt data ({exc})") from None
    return bytes(out)


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _looks_ninjs(value: object) -> bool:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return isinstance(value, dict) and any(
        isinstance(k, str) and (k in NINJS_KEYS or k.startswith("body_")) for k in value
    )


def _sniff_json(data: bytes) -> str | None:
    try:
        return "ninjs" if _looks_ninjs(json.loads(data)) else None
    except (ValueError, RecursionError):
        pass
    first = data.lstrip().split(b"\n", 1)[0]
    try:  # JSON Lines: the first line is an object of its own
        return "ninjs" if _looks_ninjs(json.loads(first)) else None
    except (ValueError, RecursionError):
        pass
    # malformed JSON that still reads as ninjs: parsing will report where it breaks
    return "ninjs" if _NINJS_KEY.search(data, 0, JSON_HEAD) else None


def _sniff_xml(data: bytes) -> str | None:
    parser = pull_parser()
    with contextlib.suppress(etree.XMLSyntaxError):  # the root may come before the error or the cut
        parser.feed(data[:XML_HEAD])
    root = next((el for _event, el in parser.read_events()), None)
    if root is None:
        return None
    name, ns = local(root), namespace(root)
    if name in G2_ROOTS and ns in (G2_NAMESPACE, None):
        return "newsml-g2"
    if name == "nitf":
        return "nitf"
    if name == "NewsML":
        return "newsml-1"
    return None


def sniff(data: bytes) -> str | None:
    """``"ninjs"``, ``"newsml-g2"``, ``"nitf"``, ``"newsml-1"`` or None for what ``data`` holds.

    A gzip is looked into (:class:`WireFormatError` when it is corrupt or too large)."""
    data = _strip_bom(decompress(data)).lstrip()
    if data[:1] in (b"{", b"["):
        return _sniff_json(data)
    if data[:1] == b"<":
        return _sniff_xml(data)
    return None
