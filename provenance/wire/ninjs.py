"""ninjs (IPTC's news in JSON) 1.x, 2.x and 3.x: the text items of a JSON document.

Hand-written because no maintained Python library reads ninjs into plain rights fields (the
IPTC publishes JSON Schemas, which say whether a document is valid, not what it means); lxml
reads the HTML and NITF bodies. A document is one object, an array of objects or JSON Lines.

Field names, from the IPTC schemas 1.6, 2.2, 3.0 and 3.1 (each is read under all its spellings,
whatever version the item declares): the id is ``uri`` (``guid`` accepted); ``version``;
published is ``versioncreated``/``versionCreated``, else ``firstcreated``/``firstCreated``;
``embargoed`` (1.x, 2.x) or ``embargoedUntil`` (3.x); ``pubstatus``/``pubStatus``;
``copyrightholder``/``copyrightHolder``, ``copyrightnotice``/``copyrightNotice``,
``usageterms``/``usageTerms``; ``infosource`` (1.x), ``infosources`` (2.x), ``infoSources``
(3.x); the byline is ``byline`` (1.x) or ``by`` (2.x, 3.x; no version has ``bylines``);
``located``; the headline is ``headlines`` (the ``main`` one) or ``headline`` (1.x); the body
is ``body_*`` (1.x: ``body_text``, ``body_html``, ``body_xhtml``, ``body_nitf``...) or
``bodies`` (2.x, 3.x, with ``contenttype``/``contentType``), NITF first, then HTML, then plain
text, the first that yields paragraphs; the URL is a rendition of type ``text/html``. ninjs
has no provider, dateline or contributors (a NITF body's dateline is used). The format is
3.x when camelCase properties are used, else the version the item declares in
``standard``/``$standard``, else 2.x when it has 2.x's array properties (``bodies``,
``headlines``, ``by``...), else 1.x. Items of ``type`` picture, video, audio, graphic, event or
planning, and items without a body, are not text: no item, no error.

Strict and lenient. An item without an id, a property this reader uses holding the wrong type
(``headline: 5``, ``bodies: "x"``, ``usageterms: {...}``, a version with a fraction), and a
publishing status other than usable, withheld or canceled are errors for that item: rights
metadata must not be dropped silently, and an unknown status may mean "do not publish". These
are read leniently, on purpose: JSON null as absent; a version that is not digits as None (the
schema allows any text) and a whole JSON number as that version; ``cancelled`` as canceled;
an entry of a party list given as a bare string as that name; a body whose markup cannot be
read when another body of the item can. Properties not listed above are not read, so a
document that breaks the schema only there is read as if they were absent.

The IPTC test suite's ``should_fail`` documents, read this way (``test_wire_formats.py``
checks each): errors for malformed JSON (1.0/009 a raw carriage return in a string, 1.0/010,
1.0/011, 1.0/012, 1.3/006), no id (1.0/001, an empty object, which is not even taken for ninjs),
a wrong type in a property read (1.0/006 version 1.2, 1.0/008 usageterms an object, 1.2/002
firstcreated a number) and an unknown status (1.0/015, 1.2/006 commissioned, 1.2/005 replaced).
Read leniently: 1.0/007 (``cancelled``, normalised); 1.0/016, 1.1/002 (``infosource``, which
1.2 added) and 1.2/004 (an infosource ``scheme`` object: only its name is read); 1.0/014,
1.1/001 (``type`` component, which 1.2 added) and 1.0/002 (an unknown type: only the non-text
types are acted on); all the others break the schema only in properties not read: unknown
top-level properties (1.0/003, 1.0/017, 1.3/002-004, 1.5/001, 2.0/001_bad_toplevel,
3.0/001_bad_toplevel, 1.4/005 and the ``*_dev`` proposals ``advice``, ``linkedrights``,
``encodedrights``: 1.x_dev/001-006, 2.x_dev/001-006), representationtype, profile, person,
title, ednote, altids, genre, contentcreated, expires, urgency, digitalsourcetype (1.0/004,
1.0/005, 1.0/013, 1.2/001, 1.2/003, 1.3/001, 1.3/005, 1.3/007, 1.4/001-004, 3.0/006,
1.6/001, 2.2/001, 3.1/001), ``rightsinfo`` (1.4/006, 2.1/004 and 2.x_dev/006: it links to a
rights expression, which :class:`WireItem` has no field for), ``associations`` (1.5/002,
2.0/002, 2.1/001-003, 3.0/002: their ``...`` body is read as text) and the pictures, events
and planning items, which are skipped (2.0/001_bad_geojson, 3.0/001_bad_geojson, 3.0/003-005).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from provenance.wire import nitf
from provenance.wire.model import WireFormatError, WireItem, item_status, version_number
from provenance.wire.xml import collapse, html_paragraphs, parse_xml_text, plain_paragraphs

NOT_TEXT = frozenset({"picture", "video", "audio", "graphic", "event", "planning"})
V3_KEYS = frozenset(
    """
    versionCreated firstCreated contentCreated pubStatus copyrightHolder copyrightNotice
    usageTerms edNote embargoedUntil representationType infoSources altIds trustIndicators
    rightsInfo eventDetails plannedCoverage digitalSourceType
    """.split()  # noqa: SIM905 - a word list reads best as text
)
V2_KEYS = frozenset(
    """
    bodies headlines descriptions people organisations places subjects events objects
    infosources genres trustindicators standard by
    """.split()  # noqa: SIM905 - a word list reads best as text
)
KIND_ORDER = {"nitf": 0, "html": 1, "text": 2, "other": 3}
_NITF_ROOT = re.compile(r"<nitf[\s>]")


def _kind(content_type: str, hint: str, value: str) -> str:
    """``nitf``, ``html``, ``text`` or ``other`` (not read): from the content type when there is
    one, else from the role or ``body_`` suffix, else from the value itself."""
    content_type, hint = content_type.strip().lower(), hint.strip().lower()
    for said in (content_type, hint):
        if "nitf" in said:
            return "nitf"
        if "html" in said:
            return "html"
        if said.startswith("text/plain") or said in ("text", "plain"):
            return "text"
        if said == content_type and said:
            return "nitf" if _NITF_ROOT.search(value, 0, 4096) else "other"  # application/xml and such
    return "html" if value.lstrip().startswith("<") else "text"


def _str(obj: dict, key: str, where: str) -> str | None:
    """``obj[key]`` collapsed, None when absent, null or blank; an error when it is not text."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise WireFormatError(f"{where}: '{key}' is {type(value).__name__}, not text")
    return collapse(value) or None


def _first_str(obj: dict, keys: tuple[str, ...], where: str) -> str | None:
    return next((v for k in keys if (v := _str(obj, k, where))), None)


def _list(obj: dict, key: str, where: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise WireFormatError(f"{where}: '{key}' is {type(value).__name__}, not a list")
    return value


def _bodies(obj: dict, where: str) -> list[tuple[str, str]]:
    """Every body of the item as (kind, value), in the order they are tried."""
    found: list[tuple[str, str]] = []
    for key, value in obj.items():
        if isinstance(key, str) and key.startswith("body_"):
            if not isinstance(value, str):
                raise WireFormatError(f"{where}: '{key}' is {type(value).__name__}, not text")
            found.append((_kind("", key[5:], value), value))
    for n, body in enumerate(_list(obj, "bodies", where), 1):
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise WireFormatError(f"{where}: bodies[{n}] has no text 'value'")
        content_type = body.get("contentType", body.get("contenttype"))
        role = body.get("role")
        kind = _kind(
            content_type if isinstance(content_type, str) else "",
            role if isinstance(role, str) else "",
            body["value"],
        )
        found.append((kind, body["value"]))
    return sorted(found, key=lambda pair: KIND_ORDER[pair[0]])


def _read_body(kind: str, value: str) -> nitf.NitfBody | None:
    if kind == "nitf":
        try:
            root = nitf.find_nitf(parse_xml_text(value))
        except WireFormatError as exc:
            raise WireFormatError(f"NITF body: {exc}") from None
        return nitf.read_body(root) if root is not None else None
    if kind == "html":
        return nitf.NitfBody(paragraphs=html_paragraphs(value))
    if kind == "text":
        return nitf.NitfBody(paragraphs=plain_paragraphs(value))
    return None


def _body(obj: dict, where: str) -> nitf.NitfBody | None:
    """The first body that yields paragraphs: NITF, then HTML, then plain text. A body that cannot
    be read is passed over when another one can; otherwise its error is raised."""
    failed: WireFormatError | None = None
    for kind, value in _bodies(obj, where):
        try:
            body = _read_body(kind, value)
        except WireFormatError as exc:
            failed = failed or WireFormatError(f"{where}: {exc}")
            continue
        if body is not None and body.paragraphs:
            return body
    if failed is not None:
        raise failed
    return None


def _headline(obj: dict, where: str) -> str | None:
    """The ``headlines`` entry with the role ``main`` (else the first), else ``headline``."""
    headlines = _list(obj, "headlines", where)
    for n, h in enumerate(headlines, 1):
        if not isinstance(h, dict) or not isinstance(h.get("value"), str):
            raise WireFormatError(f"{where}: headlines[{n}] has no text 'value'")
    ranked = sorted(headlines, key=lambda h: h.get("role") != "main")
    headline = _str(obj, "headline", where)
    return next((t for h in ranked if (t := collapse(h["value"]))), None) or headline


def _names(obj: dict, keys: tuple[str, ...], where: str) -> list[str]:
    """Names of the entries of a list of parties (``infoSources`` and kin): ``name``, ``literal``,
    ``uri`` or ``code``, whichever comes first as text; a bare string entry is its own name."""
    out: list[str] = []
    for key in keys:
        for n, entry in enumerate(_list(obj, key, where), 1):
            if isinstance(entry, str):
                name = collapse(entry)
            elif isinstance(entry, dict):
                name = next(
                    (
                        collapse(v)
                        for k in ("name", "literal", "uri", "code")
                        if isinstance(v := entry.get(k), str)
                    ),
                    "",
                )
            else:
                raise WireFormatError(f"{where}: {key}[{n}] is {type(entry).__name__}, not an object")
            if name and name not in out:
                out.append(name)
    return out


def _version(obj: dict, where: str) -> int | None:
    value = obj.get("version")
    if value is None:
        return None
    if isinstance(value, str):
        return version_number(value, where, strict=False)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise WireFormatError(f"{where}: 'version' is {type(value).__name__}, not text")


def _url(obj: dict) -> str | None:
    renditions = obj.get("renditions")
    entries = (
        renditions.values()
        if isinstance(renditions, dict)
        else renditions
        if isinstance(renditions, list)
        else []
    )
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kind = next(
            (v for k in ("contentType", "contenttype", "mimetype") if isinstance(v := entry.get(k), str)), ""
        )
        href = entry.get("href")
        if "html" in kind.lower() and isinstance(href, str) and href.startswith(("http://", "https://")):
            return href
    return None


def format_of(obj: dict) -> str:
    """``ninjs 1.x``, ``2.x`` or ``3.x``: camelCase keys are 3.x, then the declared ``standard``
    version, then 2.x's array properties; lower-case keys alone are 1.x."""
    if V3_KEYS & obj.keys():
        return "ninjs 3.x"
    standard = obj.get("standard", obj.get("$standard"))
    declared = standard.get("version") if isinstance(standard, dict) else None
    if isinstance(declared, str) and declared.strip()[:1] in ("1", "2", "3"):
        return f"ninjs {declared.strip()[0]}.x"
    if V2_KEYS & obj.keys() or any(
        isinstance(obj.get(k), list) for k in ("altids", "renditions", "associations")
    ):
        return "ninjs 2.x"
    return "ninjs 1.x"


def read_item(obj: object, where: str) -> WireItem | None:
    """The story of one ninjs object, or None when it is not text (a photo, an event, no body).

    The metadata is read (and a wrong type refused) before the item is told to be text or not,
    so an item is refused or not whatever it carries."""
    if not isinstance(obj, dict):
        raise WireFormatError(f"{where}: not a JSON object")
    item_id = _first_str(obj, ("uri", "guid"), where)
    if item_id is None:
        raise WireFormatError(f"{where}: no 'uri' or 'guid'")
    where = f"{where} ({item_id[:80]})"
    status = _first_str(obj, ("pubStatus", "pubstatus"), where)
    by = _first_str(obj, ("by", "byline"), where)
    item = WireItem(
        id=item_id,
        version=_version(obj, where),
        text="",
        format=format_of(obj),
        headline=_headline(obj, where),
        bylines=[by] if by else [],
        located=_str(obj, "located", where),
        published=_first_str(
            obj, ("versionCreated", "versioncreated", "firstCreated", "firstcreated"), where
        ),
        embargoed=_first_str(obj, ("embargoedUntil", "embargoed"), where),
        pub_status=item_status(status, None, where),
        copyright_holder=_first_str(obj, ("copyrightHolder", "copyrightholder"), where),
        copyright_notice=_first_str(obj, ("copyrightNotice", "copyrightnotice"), where),
        usage_terms=_first_str(obj, ("usageTerms", "usageterms"), where),
        info_sources=_names(obj, ("infoSources", "infosources", "infosource"), where),
        url=_url(obj),
    )
    kind = obj.get("type")
    if isinstance(kind, str) and kind.strip().lower() in NOT_TEXT:
        return None
    body = _body(obj, where)
    if body is None:
        return None
    item.text = "\n\n".join(body.paragraphs)
    item.headline = item.headline or body.headline
    item.bylines = item.bylines or body.bylines
    item.dateline = body.dateline
    item.located = item.located or body.located
    return item


def _loads(text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _documents(data: bytes) -> Iterator[tuple[str, object]]:
    """(label, JSON value or WireFormatError) for each item: one object, an array, or JSON Lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield "ninjs", WireFormatError(f"ninjs: not UTF-8 ({exc.reason} at byte {exc.start})")
        return
    try:
        value = _loads(text)
    except ValueError as whole:
        lines = text.splitlines()
        heads = [line for line in lines if line.strip()][:2]
        if not any(_is_object(line) for line in heads):
            yield "ninjs", WireFormatError(f"ninjs: malformed JSON: {str(whole)[:200]}")
            return
        for n, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield f"ninjs line {n}", _loads(line)
                except ValueError as exc:
                    yield (
                        f"ninjs line {n}",
                        WireFormatError(f"ninjs line {n}: malformed JSON: {str(exc)[:200]}"),
                    )
        return
    if isinstance(value, list):
        for n, entry in enumerate(value, 1):
            yield f"ninjs item {n}", entry
    else:
        yield "ninjs item", value


def _is_object(line: str) -> bool:
    try:
        return isinstance(_loads(line), dict)
    except ValueError:
        return False


def read_each(data: bytes) -> Iterator[WireItem | WireFormatError]:
    """Each text item of the ninjs document ``data``, or an error for each one that cannot be read."""
    for where, value in _documents(data):
        if isinstance(value, WireFormatError):
            yield value
            continue
        try:
            item = read_item(value, where)
        except WireFormatError as exc:
            yield exc
            continue
        if item is not None:
            yield item
