"""Markdown pages with YAML or TOML front matter (Hugo, Jekyll) → :class:`Page`.

Hand-written rather than rendered through a Markdown library: a renderer gives HTML and
loses the source line of every paragraph, and findings must point at the line of the file
a CI system annotates. Here the body keeps its lines; only the inline syntax is stripped
(emphasis, code ticks, headings, quotes, list markers, link and image syntax, raw tags).

Front matter becomes page metadata: ``title``; ``author``/``authors``/``byline`` (a
byline); ``date``/``publishDate``; ``canonical``/``canonicalURL``/``source_url`` (a link);
``source``/``credit``/``credits`` (a credit line, e.g. ``source: Associated Press``).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from typing import Any

import yaml

from provenance.extract import ExtractionError, refuse_oversized
from provenance.limits import nfkc_size
from provenance.model import Link, Page, TextLine
from provenance.suppress import find_markers
from provenance.text import normalize, reversed_runs

_FRONT = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.S)
# Every pattern below stops at the next opening of its own kind ("[", "<", the emphasis
# character) rather than scanning on to the end of the line: a pattern that may run past
# an opening is tried again from that opening, so a long line of openings that never close
# ("[[[[…", "<a <a <a…", "*a *a *a…") took quadratic time, minutes for one 5 MB line.
_LINK = re.compile(r"(!?)\[([^\[\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_REF_DEF = re.compile(r"^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_REF_USE = re.compile(r"\[([^\[\]]+)\]\[([^\[\]]*)\]")
# An anchor's text may hold other tags, never another anchor (invalid HTML): it ends at the
# first </a>, and an <a> with no </a> before the next <a is no link.
_HTML_A = re.compile(
    r"<a\s[^<>]*?href=[\"']([^\"'<>]+)[\"'][^<>]*>((?:[^<]|<(?!a[\s>]|/a>))*+)</a>", re.I | re.S
)
_TAG = re.compile(r"<[^<>\n]+>")
_BLOCK_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)+")
# Emphasis, strikethrough and code spans, one pattern per delimiter character; a span holds
# no delimiter of its own kind (a nested one goes on the next pass, see _strip_inline). A run
# of backticks opens only from its start: tried from inside a long run it was quadratic too.
_EMPHASIS = (
    re.compile(r"(\*{1,3})(?=\S)([^*]+?)(?<=\S)\1"),
    re.compile(r"(_{1,3})(?=\S)([^_]+?)(?<=\S)\1"),
    re.compile(r"(~~)(?=\S)([^~]+?)(?<=\S)~~"),
    re.compile(r"(?<!`)(`++)(?=\S)([^`]+?)(?<=\S)\1"),
)
_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_KEY = re.compile(r"""^["']?([A-Za-z_][\w-]*)["']?\s*[:=]""")  # a top-level YAML or TOML key

_META_KEYS = {
    "author": "author",
    "authors": "author",
    "byline": "author",
    "date": "published",
    "publishdate": "published",
    "published": "published",
    "canonical": "canonical",
    "canonicalurl": "canonical",
    "canonical_url": "canonical",
    "source_url": "canonical",
    "original_url": "canonical",
    "source": "source",
    "credit": "source",
    "credits": "source",
    "site": "site_name",
    "site_name": "site_name",
}


class FrontMatterError(ExtractionError):
    """Front matter that is not valid YAML or TOML, or not a mapping, or that uses YAML aliases."""


ALIASES_REFUSED = "front matter uses YAML aliases (refused: a few of them can expand without limit)"


class _NoAliasLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses aliases (``*name``) as soon as it meets one.

    Safe loading builds no objects of the file's choosing, but it still expands aliases: nine
    anchors of nine aliases each, a few hundred bytes, stand for 9**9 values, and reading the
    title or author out of them takes minutes and gigabytes ("billion laughs" in YAML). Front
    matter is a handful of keys written by hand; none needs an alias, so the first one makes
    the page an input error, before anything is built. Anchors alone are harmless and pass.
    """

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise FrontMatterError(ALIASES_REFUSED)
        return super().compose_node(parent, index)


# Dates stay as written ("2024-03-01T09:00:00Z", what a page's own date looks like elsewhere):
# built into datetime objects they lose their form, and a year 0 or 10000 raised ValueError.
_NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _load_yaml(raw: str) -> Any:
    loader = _NoAliasLoader(raw)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """Front matter as a dict, the body, and how many lines the front matter took.

    Raises :class:`FrontMatterError` for front matter that is not a YAML or TOML mapping,
    uses YAML aliases (see :class:`_NoAliasLoader`) or nests too deep for the parsers (both
    recurse per level: a line of ``[`` would otherwise surface as a ``RecursionError``).
    """
    m = _FRONT.match(text)
    if not m:
        return {}, text, 0
    fence, raw = m.group(1), m.group(2)
    language = "YAML" if fence == "---" else "TOML"
    try:
        data = _load_yaml(raw) if fence == "---" else tomllib.loads(raw)
    except FrontMatterError:
        raise  # said already (aliases)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        reason = str(exc).splitlines()[0]
        raise FrontMatterError(f"bad {language} front matter: {reason}") from None
    except RecursionError:
        raise FrontMatterError(f"bad {language} front matter: nested too deep") from None
    except (ValueError, OverflowError) as exc:  # a value its constructor refuses
        raise FrontMatterError(f"bad {language} front matter: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("bad front matter: not a mapping")
    return data, text[m.end() :], m.group(0).count("\n")


def _key_line(text: str, target: str) -> int | None:
    """The file line of the first front-matter key read as ``target`` (findings point at it)."""
    m = _FRONT.match(text)
    if not m:
        return None
    first = text[: m.start(2)].count("\n") + 1
    for i, raw in enumerate(m.group(2).split("\n")):
        key = _KEY.match(raw)
        if key and _META_KEYS.get(key.group(1).lower()) == target:
            return first + i
    return None


def _scalar(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(_scalar(v) for v in value if v is not None)
    if isinstance(value, dict):
        return _scalar(value.get("name") or value.get("title") or "")
    return normalize(str(value)) if value is not None else ""


def _metadata(front: dict[str, Any]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key, value in front.items():
        target = _META_KEYS.get(str(key).lower())
        if target and (text := _scalar(value)) and target not in meta:
            meta[target] = text
    return meta


def _strip_inline(line: str, refs: dict[str, str], links: list[Link], number: int) -> str:
    for m in _HTML_A.finditer(line):
        links.append(Link(m.group(1), normalize(_TAG.sub("", m.group(2))), "body", number))

    def link(m: re.Match[str]) -> str:
        if m.group(1):  # an image: its alt text is not prose
            return ""
        links.append(Link(m.group(3), normalize(m.group(2)), "body", number))
        return m.group(2)

    def ref(m: re.Match[str]) -> str:
        target = refs.get((m.group(2) or m.group(1)).lower())
        if target:
            links.append(Link(target, normalize(m.group(1)), "body", number))
        return m.group(1)

    line = _LINK.sub(link, line)
    line = _REF_USE.sub(ref, line)
    for m in _AUTOLINK.finditer(line):
        links.append(Link(m.group(1), m.group(1), "body", number))
    line = _AUTOLINK.sub(lambda m: m.group(1), line)
    line = _TAG.sub("", line)
    line = _BLOCK_PREFIX.sub("", line)
    for _ in range(3):  # nested emphasis
        for emphasis in _EMPHASIS:
            line = emphasis.sub(lambda m: m.group(2), line)
    return line.replace("\\", "").strip()


def _blank_comments(body: str) -> str:
    """The body with each HTML comment replaced by its newlines (so later lines keep their numbers).

    ``str.find`` rather than ``<!--.*?-->``: that regex rescans to the end of the text for
    every comment left open, quadratic on a page of unterminated ``<!--``. An opening with no
    end is left as text, as before: hiding the rest of the body would let one ``<!--`` hide
    a copied story from the audit.
    """
    parts: list[str] = []
    pos = 0
    while (start := body.find("<!--", pos)) >= 0:
        end = body.find("-->", start + 4)
        if end < 0:
            break
        parts += [body[pos:start], "\n" * body.count("\n", start, end)]
        pos = end + 3
    parts.append(body[pos:])
    return "".join(parts)


def page_from_markdown(text: str, *, id: str, source: str, url: str | None = None) -> Page:
    """A Markdown page: body with its source lines, front matter as metadata."""
    refuse_oversized(chars=len(text))
    refuse_oversized(chars=nfkc_size(text))
    front, body, offset = split_front_matter(text)
    if not body.strip():
        raise ExtractionError("empty: no text after the front matter")
    meta = _metadata(front)
    body_lines = _blank_comments(body).split("\n")
    refuse_oversized(lines=sum(1 for raw in body_lines if raw.strip()))
    refs = {}
    for raw in body_lines:
        if m := _REF_DEF.match(raw):
            refs[m.group(1).lower()] = m.group(2)
    links: list[Link] = []
    lines: list[TextLine] = []
    paragraphs: list[list[str]] = [[]]
    in_fence = False
    for i, raw in enumerate(body_lines):
        number = offset + i + 1
        if _FENCE.match(raw):
            in_fence = not in_fence
            continue
        if in_fence or _REF_DEF.match(raw) or _RULE.match(raw):
            continue
        clean = normalize(_strip_inline(raw, refs, links, number))
        if not clean:
            paragraphs.append([])
            continue
        heading = raw.lstrip().startswith("#")
        lines.append(TextLine(clean, "body", number, "heading" if heading else "text"))
        paragraphs[-1].append(clean)
        if heading:
            paragraphs.append([])  # a heading is a paragraph of its own
    title = _scalar(front.get("title")) or None
    head: list[TextLine] = []
    if meta.get("author"):
        head.append(TextLine(f"By {meta['author']}", "meta", _key_line(text, "author")))
    if meta.get("source"):
        head.append(TextLine(f"Source: {meta['source']}", "meta", _key_line(text, "source")))
    if meta.get("canonical"):
        links.insert(0, Link(meta["canonical"], "canonical", "meta"))
    return Page(
        id=id,
        source=source,
        text="\n\n".join(" ".join(p) for p in paragraphs if p),
        url=url,
        title=title,
        lines=head + lines,
        meta=meta,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        links=links,
        suppressions=find_markers(text),
        reversed_text=reversed_runs(body),
    )
