"""Extraction quality on real article pages (../shared/data/article-extraction), printed.

1. Body: token-level precision / recall / F1 of provenance's body text against the gold
   ``articleBody``, side by side with plain ``trafilatura.extract`` on the same pages in the
   same run (the benchmark's own metric: bags of lower-cased word tokens).
2. Attribution: among pages whose raw HTML *shows* a byline and a copyright footer (judged
   here by independent markup/text tests, not by provenance), the share for which provenance
   extracts both; the misses are listed.

Usage: python eval/extraction.py [--data DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

import trafilatura
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.attribution import detect  # noqa: E402
from provenance.extract import page_from_html  # noqa: E402
from provenance.limits import MAX_CHARS, MAX_ELEMENTS, MAX_LINES  # noqa: E402
from provenance.manipulation import MAX_PARSER_DEPTH  # noqa: E402
from provenance.packs import load_packs  # noqa: E402
from provenance.text import normalize, tokens  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "article-extraction"
_BYLINE_MARKUP = re.compile(r"byline|author", re.I)
_BY_LINE = re.compile(r"^\s*by\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)+", re.M)
_COPYRIGHT = re.compile(r"©\s*(?:\d{4}|[A-Z])|\bcopyright\b\s*(?:©\s*)?\d{4}|\(c\)\s*\d{4}", re.I)
_INVISIBLE = {"script", "style", "noscript", "template", "svg", "head"}


def prf(predicted: str, gold: str) -> tuple[float, float, float]:
    p, g = Counter(tokens(predicted)), Counter(tokens(gold))
    overlap = sum((p & g).values())
    precision = overlap / sum(p.values()) if p else 0.0
    recall = overlap / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _hidden(el: etree._Element) -> bool:
    if not isinstance(el.tag, str) or el.tag.lower() in _INVISIBLE or el.get("hidden") is not None:
        return True
    return bool(re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", el.get("style") or "", re.I))


def _visible_elements(root: etree._Element) -> list[etree._Element]:
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and not any(map(_hidden, [el, *el.iterancestors()]))
    ]


def shows_byline(root: etree._Element) -> bool:
    """Visible byline markup with a capitalised name in it, or a visible "By First Last" line."""
    for el in _visible_elements(root):
        names = " ".join(str(el.get(a, "")) for a in ("class", "id", "itemprop", "rel"))
        if _BYLINE_MARKUP.search(names):
            text = normalize(" ".join(el.itertext()))
            if 1 <= len(text.split()) <= 12 and re.search(r"\b[A-Z][a-z]+\s+[A-Z][\w'-]+", text):
                return True
    body = root.find(".//body")
    text = "\n".join(t.strip() for t in (body.itertext() if body is not None else []) if t.strip())
    return bool(_BY_LINE.search(text))


def shows_copyright(root: etree._Element) -> bool:
    for el in _visible_elements(root):
        if el.text and _COPYRIGHT.search(el.text):
            return True
        if el.tail and _COPYRIGHT.search(el.tail):
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    gold = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    packs = load_packs()
    ours: list[tuple[float, float, float]] = []
    theirs: list[tuple[float, float, float]] = []
    both_shown = both_found = 0
    misses: list[str] = []
    sizes: list[tuple[int, int, int, int, int]] = []  # elements, body chars, lines, depth, srcdoc+SVG words
    items = sorted(gold.items())[: args.limit or None]
    for key, entry in items:
        raw = gzip.decompress((args.data / "html" / f"{key}.html.gz").read_bytes())
        try:
            page = page_from_html(raw, id=key, source=key, url=entry.get("url"))
            body = page.text
        except ValueError:
            page, body = None, ""
        ours.append(prf(body, entry["articleBody"]))
        theirs.append(prf(trafilatura.extract(raw.decode("utf-8", "replace")) or "", entry["articleBody"]))
        root = etree.fromstring(raw, etree.HTMLParser(recover=True))
        if page is not None and root is not None:
            layout = page.layout
            tucked = layout.get("srcdoc_words", 0) + layout.get("svg_words", 0)
            sizes.append(
                (sum(1 for _ in root.iter()), len(page.text), len(page.lines), layout["depth"], tucked)
            )
        if root is None or not (shows_byline(root) and shows_copyright(root)):
            continue
        both_shown += 1
        attribution = detect(page.lines, page.meta, packs) if page else None
        has_byline = bool(attribution and attribution.byline)
        has_notice = bool(attribution and attribution.of_kind("notice"))
        if has_byline and has_notice:
            both_found += 1
        else:
            missing = ", ".join(n for n, ok in (("byline", has_byline), ("notice", has_notice)) if not ok)
            misses.append(f"  {entry.get('url', key)}: missing {missing}")

    def mean(rows: list[tuple[float, float, float]], i: int) -> float:
        return sum(r[i] for r in rows) / len(rows) if rows else 0.0

    print(f"Body extraction on {len(items)} pages (token-level, mean over pages)")
    print(f"  {'extractor':<22} {'precision':>9} {'recall':>9} {'F1':>9}")
    for name, rows in (("provenance", ours), ("trafilatura (default)", theirs)):
        print(f"  {name:<22} {mean(rows, 0):>9.3f} {mean(rows, 1):>9.3f} {mean(rows, 2):>9.3f}")
    print(f"  F1 difference (provenance - trafilatura): {mean(ours, 2) - mean(theirs, 2):+.3f}")
    print()
    share = both_found / both_shown if both_shown else 0.0
    if sizes:  # what provenance.limits and provenance.manipulation are set against
        largest = [max(row[i] for row in sizes) for i in range(5)]
        print(
            f"Largest of the {len(sizes)} pages: {largest[0]:,} elements (limit {MAX_ELEMENTS:,}), "
            f"{largest[1]:,} characters of body (limit {MAX_CHARS:,}), {largest[2]:,} visible lines "
            f"(limit {MAX_LINES:,}); nesting {largest[3]} deep (MANIPULATION past {MAX_PARSER_DEPTH}); "
            f"words in srcdoc documents and SVG text: {largest[4]}"
        )
        print()
    print(f"Pages whose raw HTML shows a byline and a copyright footer: {both_shown}")
    print(f"  both extracted: {both_found} ({share:.1%})")
    if misses:
        print("  misses:")
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
