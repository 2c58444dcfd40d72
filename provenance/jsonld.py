"""JSON-LD of an HTML page: the (News)Article objects and the attribution fields they carry.

Parsed with :func:`json.loads` rather than a metadata library so that every field the
attribution checks need (``creditText``, ``copyrightNotice``, ``isBasedOn``…) is kept;
hand-written slips are repaired where cheap, and blocks still broken are skipped silently.

Limits (issue 13: pages are written by those the tool checks): a block over 1 MB, or
nested deeper than 64 arrays and objects, is skipped before it is parsed, and the page is
analysed without it. The depth is counted by one linear scan over brackets outside strings,
because ``json.loads`` recurses: a block nested 1,000 deep raised ``RecursionError`` and
stopped the extraction of the whole page. Real JSON-LD nests 5 or 6 deep.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from lxml import etree

from provenance.visible import one_line

_ARTICLE_TYPES = re.compile(r"(?:Article|BlogPosting|Report|LiveBlogPosting)$")
_JSONLD_FIELDS = (
    "author",
    "publisher",
    "creditText",
    "copyrightNotice",
    "copyrightHolder",
    "sourceOrganization",
    "isBasedOn",
    "dateline",
)

_JSONLD_TYPE = re.compile(r"application/ld\+json", re.IGNORECASE)
_JSONLD_DEPTH = 5  # nesting followed; real pages need 2 or 3, cycles must end
_BLOCK_MAX = 1_000_000  # characters of one JSON-LD block; a longer block is skipped
_NESTING_MAX = 64  # arrays and objects inside one another; a deeper block is skipped
# A string (to its closing quote, or to the end: never scanned twice) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"?|[\[\]{}]')
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)
_JSON_WRAPPER = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$|;\s*$")


def jsonld_fields(root: etree._Element) -> dict[str, str]:
    """``jsonld:FIELD`` for the attribution fields of the page's (News)Article objects."""
    nodes = list(_jsonld_nodes(root))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if _is_article(n)]
    out: dict[str, str] = {}
    for name in _JSONLD_FIELDS:
        if value := _first_value(articles, name, by_id):
            out[f"jsonld:{name}"] = value
    if date := _first_value(articles, "datePublished", by_id) or _first_value(nodes, "datePublished", by_id):
        out["jsonld:datePublished"] = date  # any node's date when no article has one (ClaimReview…)
    return out


_JSONLD_KEPT = (
    "@type",
    "headline",
    "url",
    "datePublished",
    "dateModified",
    "author",
    "publisher",
    "copyrightHolder",
    "copyrightNotice",
    "copyrightYear",
    "creditText",
    "isBasedOn",
    "sourceOrganization",
    "dateline",
    "mainEntityOfPage",
)


def jsonld_articles(root: etree._Element) -> list[dict[str, object]]:
    """The page's (News)Article JSON-LD objects, trimmed to the fields provenance reports."""
    return [{k: n[k] for k in _JSONLD_KEPT if k in n} for n in _jsonld_nodes(root) if _is_article(n)][:10]


def _first_value(nodes: list[dict], name: str, by_id: dict[str, dict]) -> str:
    return next((v for n in nodes if (v := _stringify(n.get(name), by_id))), "")


def _jsonld_nodes(root: etree._Element) -> Iterator[dict]:
    for script in root.iter("script"):
        if not _JSONLD_TYPE.search(script.get("type") or ""):
            continue
        data = _lenient_json(_JSON_WRAPPER.sub("", script.text or ""))
        if data is not None:
            yield from _flatten(data)


def _nesting(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (brackets in strings do not count)."""
    depth = deepest = 0
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth = max(depth - 1, 0)
    return deepest


def _lenient_json(text: str) -> object | None:
    """JSON, or JSON with the slips hand-written JSON-LD often has; None when still broken
    or over the limits (1 MB, 64 levels of nesting).

    Trailing commas and whole-line ``//`` comments are repaired; text after the first value
    is ignored.
    """
    if len(text) > _BLOCK_MAX or _nesting(text) > _NESTING_MAX:
        return None
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):  # RecursionError: a guard, the scan above prevents it
        pass
    repaired = _TRAILING_COMMA.sub(r"\1", _LINE_COMMENT.sub("", text)).strip()
    try:
        return json.JSONDecoder(strict=False).raw_decode(repaired)[0]
    except (ValueError, RecursionError):
        return None  # broken beyond repair: says nothing we can trust


def _flatten(data: object, depth: int = 0) -> Iterator[dict]:
    """Top-level objects, list items, ``@graph`` members and a page's ``mainEntity``."""
    if depth > _JSONLD_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from _flatten(data[key], depth + 1)


def _is_article(node: dict) -> bool:
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and _ARTICLE_TYPES.search(t) for t in names)


def _stringify(value: object, by_id: dict[str, dict], depth: int = 0) -> str:
    """Strings as they are; objects by their name (following ``@id`` references); lists joined."""
    if value is None or isinstance(value, bool) or depth > _JSONLD_DEPTH:
        return ""
    if isinstance(value, str | int | float):
        return one_line(str(value))
    if isinstance(value, list):
        return joined(_stringify(v, by_id, depth + 1) for v in value)
    if isinstance(value, dict):
        ref = value.get("@id")
        if "name" not in value and isinstance(ref, str) and ref in by_id and by_id[ref] is not value:
            value = by_id[ref]
        for key in ("name", "legalName", "alternateName", "headline", "url", "@id"):
            if text := _stringify(value.get(key), by_id, depth + 1):
                return text
    return ""


def joined(values: Iterable[str]) -> str:
    """Distinct non-empty values in first-seen order, joined by "; "."""
    return "; ".join(dict.fromkeys(v for v in values if v))
