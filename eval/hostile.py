"""Hostile inputs: deterministic generators for the fuzz harness and the fuzz test.

``eval/robustness.py`` runs thousands of these through ``provenance extract`` and ``audit``
(each in a fresh worker, with a time bound); ``tests/test_fuzz.py`` runs a few of each class,
small, in-process. Both import :data:`CLASSES` from here so that the harness and the test can
never drift apart.

Why generators and not saved files: an input is ``(class, seed)``; the same pair always gives
the same bytes (``random.Random(f"{class}:{seed}")``, never ``hash()``, which changes per
process), so a failure is reported as a class and a seed and rebuilt in a second, and no
megabytes of hostile files live in the repository. Each generator takes ``small``: the test
builds the same shapes at sizes that keep the whole suite fast; the harness uses the full
sizes the issue asks for (10,000 nested ``<div>``, 32,000-character regex bait, 30,000
unterminated markers, 1,000,000 × U+FDFA), capped to a few MB so the whole run stays within
minutes on two cores.

The variant (and the size) an input gets cycles with its seed, so the first few seeds of a
class already cover every variant and every size; the rest of the input is drawn at random.
Sitemaps and feeds list private addresses only (10.x, 127.0.0.1): the fetcher refuses them
before any request, so no input ever reaches the network.
"""

from __future__ import annotations

import codecs
import gzip
import html
import json
import random
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Corpus:
    """What the generators start from.

    ``pages`` (suffix, bytes) are mutated by the page classes: the real pages of ../shared in
    the harness, the repository's own seed and fixture pages in the test. ``stories``
    (title, text) are the wire stories of ``seeds/wire``: hidden, disguised and baited copies
    of them give ``audit`` a story to match, so matching and the rule packs run too.
    """

    pages: Sequence[tuple[str, bytes]]
    stories: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Input:
    """One generated input: its bytes, the suffix that picks its reader, and the variant drawn."""

    suffix: str
    data: bytes
    note: str

    @property
    def records(self) -> int:
        """Pages the input holds: one per non-blank line of a JSONL batch, else one."""
        if self.suffix != ".jsonl":
            return 1
        return max(1, sum(1 for line in self.data.split(b"\n") if line.strip()))


T = TypeVar("T")
Build = Callable[[random.Random, int, Corpus, bool], Input]


@dataclass(frozen=True)
class InputClass:
    """A family of hostile inputs and how the harness runs it.

    ``commands``: the CLI command for seed ``s`` is ``commands[s % len(commands)]`` (extract
    reads and detects credits; audit also matches against the corpus, applies the rules and
    suppressions and saves the result). ``count``: inputs in a full run; None means one per
    page of the corpus (the page classes). ``quick``: inputs under ``--quick``.
    """

    name: str
    build: Build
    commands: tuple[str, ...]
    count: int | None
    quick: int
    doc: str
    period: int = 1

    def command(self, seed: int) -> str:
        """``commands[(seed // period) % len(commands)]``: ``period`` is the number of seeds after
        which the class's variants repeat, so every variant runs under every command (with a
        period of 1, an even number of variants would pair each variant with one command)."""
        return self.commands[(seed // self.period) % len(self.commands)]


def generate(cls: InputClass, seed: int, corpus: Corpus, small: bool = False) -> Input:
    """The input ``seed`` of ``cls``: the same bytes every time, in every process."""
    return cls.build(random.Random(f"{cls.name}:{seed}"), seed, corpus, small)


def repo_corpus() -> Corpus:
    """The repository's own pages and stories (seeds/pages, tests/fixtures): what the test
    mutates, since it must pass without ../shared."""
    pages: list[tuple[str, bytes]] = []
    folders = [ROOT / "seeds" / "pages", ROOT / "tests" / "fixtures" / "html"]
    folders.append(ROOT / "tests" / "fixtures" / "inputs" / "pages")
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".htm", ".txt"):
                pages.append((".txt" if path.suffix == ".txt" else ".html", path.read_bytes()))
    return Corpus(pages, wire_stories())


def wire_stories() -> list[tuple[str, str]]:
    """(title, text) of every story of seeds/wire: the corpus the harness's audits match against."""
    stories = []
    with (ROOT / "seeds" / "wire" / "stories.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                stories.append((record.get("title") or "", record["text"]))
    return stories


# --------------------------------------------------------------------------- helpers


def _cycle(seq: Sequence[T], seed: int, stride: int = 1) -> T:
    """``seq[(seed // stride) % len(seq)]``: variants (stride 1) and sizes (stride: the number
    of variants) both cycle, so a few seeds cover every combination."""
    return seq[(seed // stride) % len(seq)]


def _insert(data: bytes, pieces: Sequence[bytes], rng: random.Random) -> bytes:
    """``pieces`` at random offsets of ``data``, in one pass (linear in the size, whatever the count)."""
    cuts = sorted(rng.randint(0, len(data)) for _ in pieces)
    out: list[bytes] = []
    last = 0
    for cut, piece in zip(cuts, pieces, strict=True):
        out += [data[last:cut], piece]
        last = cut
    out.append(data[last:])
    return b"".join(out)


def _story(rng: random.Random, corpus: Corpus) -> tuple[str, list[str]]:
    """A wire story: its title and paragraphs."""
    title, text = rng.choice(corpus.stories)
    return title, [p.strip() for p in text.split("\n\n") if p.strip()]


def _article(title: str, body: str, head: str = "") -> bytes:
    """An ordinary news page around ``body`` (HTML already): hostility is in what goes inside."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>{head}</head><body>"
        f'<header><nav><a href="/">Home</a></nav></header><main><article><h1>{html.escape(title)}</h1>'
        f"{body}</article></main><footer>© Example Daily</footer></body></html>"
    ).encode("utf-8", "surrogatepass")


def _paras(paragraphs: Sequence[str]) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def _as_page(rng: random.Random, title: str, paragraphs: Sequence[str], html_body: str | None) -> Input:
    """The same text as HTML, plain text or Markdown (drawn): the three readers differ."""
    kind = rng.choice(("html", "html", "txt", "md"))
    if kind == "html":
        return Input(".html", _article(title, html_body or _paras(paragraphs)), "html")
    text = "\n\n".join(paragraphs)
    if kind == "md":
        text = f"---\ntitle: {json.dumps(title)}\n---\n\n# {title}\n\n{text}\n"
        return Input(".md", text.encode("utf-8", "surrogatepass"), "markdown")
    return Input(".txt", f"{title}\n\n{text}\n".encode("utf-8", "surrogatepass"), "text")


def _words(rng: random.Random, n: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(n))


# --------------------------------------------------------------------------- real pages, mutated


def _page(corpus: Corpus, seed: int) -> tuple[str, bytes]:
    return corpus.pages[seed % len(corpus.pages)]


def original(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    suffix, data = _page(corpus, seed)
    return Input(suffix, data, "as it is")


def truncated(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    suffix, data = _page(corpus, seed)
    cut = rng.randint(1, max(1, len(data) - 1))
    return Input(suffix, data[:cut], f"cut at byte {cut}")


def byte_flipped(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    suffix, data = _page(corpus, seed)
    flipped = bytearray(data)
    for _ in range(max(1, len(data) // 100)):
        i = rng.randrange(len(flipped))
        flipped[i] ^= 1 << rng.randrange(8)
    return Input(suffix, bytes(flipped), "1 % of bits flipped")


_SOUP_TAGS = (
    "div",
    "p",
    "span",
    "table",
    "tr",
    "td",
    "th",
    "li",
    "ul",
    "ol",
    "b",
    "i",
    "a",
    "script",
    "style",
    "title",
    "textarea",
    "noscript",
    "template",
    "svg",
    "math",
    "select",
    "option",
    "form",
    "iframe",
    "frameset",
    "frame",
    "plaintext",
    "xmp",
    "head",
    "body",
    "html",
    "article",
    "main",
    "h1",
    "br",
    "img",
    "object",
    "embed",
    "base",
    "meta",
    "link",
)
_SOUP_BITS = (
    "<",
    ">",
    "</>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE html>",
    "<?xml version='1.0'?>",
    "&",
    "&#",
    "&amp",
    "&#x;",
    '"',
    "'",
    "=",
)
_TAG = re.compile(rb"<[^<>]{0,300}>")


def tag_soup(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """Random tags, half-tags and markup debris inserted; random existing tags removed."""
    suffix, data = _page(corpus, seed)
    pieces = []
    for _ in range(rng.randint(5, 40 if small else 300)):
        tag = rng.choice(_SOUP_TAGS)
        pieces.append(
            rng.choice(
                (
                    f"<{tag}>",
                    f"</{tag}>",
                    f"<{tag}/>",
                    f"<{tag}",
                    f"</{tag}",
                    f'<{tag} class="{tag}" style="display:',
                    rng.choice(_SOUP_BITS),
                )
            ).encode()
        )
    data = _insert(data, pieces, rng)
    tags = list(_TAG.finditer(data))
    drop = sorted(rng.sample(range(len(tags)), min(len(tags), rng.randint(0, 200))))
    out, last = [], 0
    for i in drop:
        out.append(data[last : tags[i].start()])
        last = tags[i].end()
    out.append(data[last:])
    return Input(suffix, b"".join(out), f"{len(pieces)} inserted, {len(drop)} tags removed")


def attribute_bomb(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """A tag with tens of thousands of attributes, a megabyte attribute value, a stylesheet-like
    class list, thousands of styled elements, or a quote that never closes."""
    suffix, data = _page(corpus, seed)
    n = rng.randint(100, 2_000) if small else rng.choice((1_000, 5_000, 20_000))
    variant = _cycle(("many", "duplicate", "long-value", "classes", "styled", "unclosed", "entities"), seed)
    if variant == "many":
        bomb = "<div " + " ".join(f'a{i}="{i}"' for i in range(n)) + ">x</div>"
    elif variant == "duplicate":
        bomb = "<p " + 'class="x" ' * n + "style=color:red>x</p>"
    elif variant == "long-value":
        bomb = f'<div data-x="{"A" * (n * 40)}" style="{"color:red;" * n}">x</div>'
    elif variant == "classes":
        bomb = f'<span class="{" ".join(f"c{i}" for i in range(n))}">x</span>'
    elif variant == "styled":
        bomb = '<span style="display:none">w</span> ' * (n // 2)
    elif variant == "unclosed":
        bomb = '<a href="' + rng.choice(('"', "'", "")) + "<b title='"
    else:
        bomb = '<p title="' + "&#x0;&#xD800;&#x110000;&#99999999999;&amp" * (n // 10) + '">x</p>'
    return Input(suffix, _insert(data, [bomb.encode()], rng), f"{variant} n={n}")


def long_lines(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """The whole page on one line, or a line of up to 1 MB (a word, or letters without spaces)."""
    suffix, data = _page(corpus, seed)
    n = rng.randint(1_000, 20_000) if small else _cycle((10_000, 100_000, 1_000_000), seed, 3)
    variant = _cycle(("one-line", "word-line", "no-space-line"), seed)
    if variant == "one-line":
        return Input(suffix, re.sub(rb"[\r\n]+", b" ", data), "newlines removed")
    line = b"lorem " * (n // 6) if variant == "word-line" else b"x" * n
    return Input(suffix, _insert(data, [b"\n" + line + b"\n"], rng), f"{variant} of {n} bytes")


def nul_bytes(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """NUL bytes: sprinkled, a run, after every byte (UTF-16 without a BOM), as ``&#0;``."""
    suffix, data = _page(corpus, seed)
    variant = _cycle(("sprinkled", "run", "interleaved", "entity", "trailing"), seed)
    if variant == "sprinkled":
        out = bytearray(data)
        for _ in range(max(1, len(out) // 100)):
            out[rng.randrange(len(out))] = 0
        data = bytes(out)
    elif variant == "run":
        data = _insert(data, [b"\x00" * rng.randint(1, 1_000 if small else 100_000)], rng)
    elif variant == "interleaved":
        data = b"".join(bytes((b, 0)) for b in data[: 20_000 if small else 400_000])
    elif variant == "entity":
        data = _insert(data, [b"&#0;", b"&#x0;", b"\\u0000", b"&#00000000;"] * 20, rng)
    else:
        data += b"\x00"
    return Input(suffix, data, variant)


def _odd_char(rng: random.Random) -> bytes:
    """One random 'character': any code point, or bytes no decoder should accept."""
    kind = rng.randrange(10)
    if kind == 0:  # a lone surrogate, encoded as if it were a character (CESU-8-ish)
        return chr(rng.randint(0xD800, 0xDFFF)).encode("utf-8", "surrogatepass")
    if kind == 1:  # a surrogate pair written as two 3-byte sequences
        return "\ud83d\ude00".encode("utf-8", "surrogatepass")
    if kind == 2:
        return rng.choice((b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf"))  # overlong
    if kind == 3:
        return rng.choice(
            (b"\xff", b"\xfe", b"\x80", b"\xbf", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80")
        )
    if kind == 4:  # combining marks, bidi controls, noncharacters, tags, variation selectors
        return rng.choice(
            "\u0301\u0316\u20dd\u202a\u202b\u202d\u202e\u2066\u2067\u2068\u2069"
            "\ufffe\uffff\ufdd0\ufeff\ufe0f\U000e0041\U000e007f\U0010ffff\u0085\u2028\u2029"
        ).encode()
    if kind == 5:
        return rng.choice(
            ("&#xD800;", "&#0;", "&#x110000;", "&#99999999999;", "&#x1F600;", "&#xDFFF;")
        ).encode()
    if kind == 6:
        return bytes([rng.randint(0, 31)])  # control characters
    if kind == 7:
        return chr(rng.randint(0x10000, 0x10FFFF)).encode("utf-8", "surrogatepass")
    return chr(rng.randint(0x80, 0xFFFF)).encode("utf-8", "surrogatepass")


def random_unicode(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """Random code points and invalid UTF-8 (lone surrogates, overlong forms, stray bytes)."""
    suffix, data = _page(corpus, seed)
    n = rng.randint(1, 50 if small else 1_000)
    return Input(suffix, _insert(data, [_odd_char(rng) for _ in range(n)], rng), f"{n} inserted")


_CHARSETS = (
    "unicode_escape",
    "raw_unicode_escape",
    "punycode",
    "idna",
    "utf-7",
    "hz",
    "cp037",
    "utf-32",
    "x-user-defined",
    "rot13",
    "base64",
    "zlib",
    "uu",
    "mbcs",
    "",
    "utf-16",
)


def bom_charset(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """Byte-order marks (UTF-8, UTF-16, UTF-32; many; mid-file; not matching the bytes) and
    declared charsets that are codecs of another kind (unicode_escape, punycode, base64)."""
    suffix, data = _page(corpus, seed)
    text = data.decode("utf-8", "replace")
    variant = _cycle(
        ("utf8", "many", "every-line", "utf16le", "utf16be", "utf32", "utf16-bom-only", "charset"), seed
    )
    if variant == "utf8":
        data = codecs.BOM_UTF8 + data
    elif variant == "many":
        data = codecs.BOM_UTF8 * rng.randint(2, 1_000) + data
    elif variant == "every-line":
        data = data.replace(b"\n", b"\n" + codecs.BOM_UTF8)
    elif variant == "utf16le":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif variant == "utf16be":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    elif variant == "utf32":
        data = codecs.BOM_UTF32_LE + text.encode("utf-32-le")
    elif variant == "utf16-bom-only":
        data = rng.choice((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) + data
    else:
        charset = rng.choice(_CHARSETS)
        head = rng.choice((f'<meta charset="{charset}">', f'<?xml version="1.0" encoding="{charset}"?>'))
        data = head.encode() + b"\\ud800\\x00\\U0010ffff xn--a-ecp.ru " + data
        variant = f"charset {charset!r}"
    return Input(suffix, data, variant)


# --------------------------------------------------------------------------- disguised copies

_HIDING_STYLES = (
    "font-size:0",
    "font-size: 0px",
    "font-size:0.0em",
    "opacity:0",
    "opacity: 0.00",
    "position:absolute;left:-9999px",
    "position:absolute; top:-10000px",
    "text-indent:-9999px",
    "display:none",
    "visibility:hidden",
    "color:transparent",
    "width:0;height:0;overflow:hidden",
    "clip:rect(0 0 0 0);position:absolute",
    "transform:scale(0)",
    "max-height:0;overflow:hidden",
    "color:#fff;background:#fff",
    "DISPLAY : NONE !important",
)


def hidden_junk(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """A copied story with hidden junk between its words: zero font size, zero opacity,
    off-screen, a class hidden by a ``<style>`` of up to 20,000 rules, ``hidden``, templates."""
    title, paragraphs = _story(rng, corpus)
    rate = _cycle((0.05, 0.3, 1.0), seed)
    rules = rng.choice((1, 50)) if small else _cycle((1, 100, 5_000, 20_000), seed, 3)
    hidden_class = f"h{rng.randrange(rules)}"
    junk_words = [w for _, text in corpus.stories for w in text.split()[:40]]
    junk_words += ["(AP)", "Associated Press", "Reuters", "©", "provenance"]

    def junk() -> str:
        words = html.escape(" ".join(rng.choice(junk_words) for _ in range(rng.randint(1, 4))))
        how = rng.randrange(6)
        if how == 0:
            return f'<span class="{hidden_class}">{words}</span>'
        if how == 1:
            return f"<span hidden>{words}</span>"
        if how == 2:
            return f"<template>{words}</template>"
        if how == 3:
            return f'<span aria-hidden="true" style="{rng.choice(_HIDING_STYLES)}">{words}</span>'
        return f'<span style="{rng.choice(_HIDING_STYLES)}">{words}</span>'

    body = "".join(
        "<p>" + " ".join(html.escape(w) + (junk() if rng.random() < rate else "") for w in p.split()) + "</p>"
        for p in paragraphs
    )
    style = "<style>" + "".join(f".h{i}{{display:none}}" for i in range(rules)) + "</style>"
    return Input(".html", _article(title, body, style), f"rate {rate}, {rules} style rules")


_LOOKALIKES = {
    "cyrillic": dict(zip("aceopxyijsABCEHKMOPTXYI", "асеорхуіјѕАВСЕНКМОРТХУІ", strict=True)),
    "greek": dict(zip("ABEHIKMNOPTXYZov", "ΑΒΕΗΙΚΜΝΟΡΤΧΥΖον", strict=True)),
    "fullwidth": {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"},
    "math-bold": {c: chr(0x1D400 + i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
}


def homoglyphs(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """A copied story with letters swapped for lookalikes (Cyrillic, Greek, fullwidth, bold)."""
    title, paragraphs = _story(rng, corpus)
    script = _cycle(tuple(_LOOKALIKES), seed)
    rate = _cycle((0.05, 0.3, 1.0), seed, len(_LOOKALIKES))
    table = _LOOKALIKES[str(script)]

    def swap(text: str) -> str:
        return "".join(table[c] if c in table and rng.random() < rate else c for c in text)

    page = _as_page(rng, swap(title), [swap(p) for p in paragraphs], None)
    return Input(page.suffix, page.data, f"{script} rate {rate} {page.note}")


_RLO, _PDF, _LRE, _RLI, _PDI = "\u202e", "\u202c", "\u202a", "\u2067", "\u2069"


def rlo_reversed(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """A copied story stored reversed and shown forwards by a right-to-left override (U+202E,
    ``<bdo dir=rtl>``, CSS ``bidi-override``), or thousands of unbalanced bidi controls."""
    title, paragraphs = _story(rng, corpus)
    variant = _cycle(("paragraph", "words", "bdo", "css", "credit", "unbalanced", "isolates"), seed)
    if variant == "paragraph":
        paragraphs = [_RLO + p[::-1] + _PDF for p in paragraphs]
    elif variant == "words":
        paragraphs = [" ".join(_RLO + w[::-1] + _PDF for w in p.split()) for p in paragraphs]
    elif variant in ("bdo", "css"):
        opener = (
            '<bdo dir="rtl">'
            if variant == "bdo"
            else '<span style="unicode-bidi:bidi-override;direction:rtl">'
        )
        closer = "</bdo>" if variant == "bdo" else "</span>"
        body = "".join(f"<p>{opener}{html.escape(p[::-1])}{closer}</p>" for p in paragraphs)
        return Input(".html", _article(title, body), variant)
    elif variant == "credit":
        paragraphs = [
            p.replace("(AP) —", _RLO + "— )PA(" + _PDF).replace("(Reuters) -", _RLO + "- )sretueR(")
            for p in paragraphs
        ]
    elif variant == "unbalanced":
        n = 1_000 if small else 50_000
        paragraphs = [rng.choice((_RLO, _LRE, _RLI)) * n + p for p in paragraphs]
    else:
        paragraphs = [" ".join(_RLI + w + _PDI for w in p.split()) for p in paragraphs]
    page = _as_page(rng, title, paragraphs, None)
    return Input(page.suffix, page.data, f"{variant} {page.note}")


_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u034f"


def zero_width(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """Zero-width characters (and soft hyphens) inside words: some, every letter, runs, entities."""
    title, paragraphs = _story(rng, corpus)
    variant = _cycle(("inside", "every", "run", "entity"), seed)
    rate = _cycle((0.1, 0.5), seed, 4)
    if variant == "inside":
        paragraphs = [
            "".join(c + (rng.choice(_ZERO_WIDTH) if rng.random() < rate else "") for c in p)
            for p in paragraphs
        ]
    elif variant == "every":
        zw = rng.choice(_ZERO_WIDTH)
        paragraphs = [zw.join(p) for p in paragraphs]
    elif variant == "run":
        run = rng.choice(_ZERO_WIDTH) * (1_000 if small else 100_000)
        paragraphs[0] = paragraphs[0].replace(" ", " " + run, 1)  # once: a few hundred KB
    else:
        entity = rng.choice(("&#8203;", "&zwj;", "&shy;", "&ZeroWidthSpace;", "&#xFEFF;", "&NoBreak;"))
        body = "".join(
            "<p>" + "".join(html.escape(c) + (entity if rng.random() < rate else "") for c in p) + "</p>"
            for p in paragraphs
        )
        return Input(".html", _article(title, body), f"entity {entity}")
    page = _as_page(rng, title, paragraphs, None)
    return Input(page.suffix, page.data, f"{variant} rate {rate} {page.note}")


# --------------------------------------------------------------------------- structure

_NEST = {
    "div": ("<div>", "</div>"),
    "span": ("<span>", "</span>"),
    "b": ("<b>", "</b>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "section": ("<section>", "</section>"),
    "a": ('<a href="#">', "</a>"),
    "font": ('<font size="1">', "</font>"),
    "table": ("<table><tr><td>", "</td></tr></table>"),
    "ul": ("<ul><li>", "</li></ul>"),
    "svg": ("<svg><g>", "</g></svg>"),
}


def deep_nesting(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """A story at the bottom of 254, 1,000 or 10,000 nested elements (closed or not)."""
    title, paragraphs = _story(rng, corpus)
    depths = (254, 256, 1_000) if small else (254, 255, 256, 257, 1_000, 10_000)
    depth = _cycle(depths, seed)
    tag = _cycle(tuple(_NEST), seed, len(depths))
    opener, closer = _NEST[tag]
    closed = rng.random() < 0.7
    level_text = rng.random() < 0.3
    story = _paras(paragraphs)
    body = "".join(opener + ("x " if level_text else "") for _ in range(depth)) + story
    body += closer * depth if closed else ""
    return Input(".html", _article(title, body), f"{depth} × <{tag}>{' closed' if closed else ''}")


def _nested_json(structure: str, depth: int, inner: str) -> str:
    openers = {
        "object": ('{"@type":"Person","name":"Jane Doe","author":', "}"),
        "array": ("[", "]"),
        "graph": ('{"@graph":[', "]}"),
        "mixed": ('[{"a":', "}]"),
        "partof": ('{"@type":"CreativeWork","isPartOf":', "}"),
    }
    opener, closer = openers[structure]
    return opener * depth + inner + closer * depth


def jsonld_deep(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """JSON-LD nested 1,000 deep (and up to 100,000), a thousand blocks, a 2 MB headline, broken JSON."""
    title, paragraphs = _story(rng, corpus)
    article = json.dumps({"@type": "NewsArticle", "headline": title, "author": {"name": "Jane Doe"}})
    depths = (10, 100, 1_000) if small else (10, 100, 999, 1_000, 1_001, 5_000, 100_000)
    variant = _cycle(("object", "array", "graph", "mixed", "partof", "many", "huge", "broken"), seed)
    depth = _cycle(depths, seed, 8)
    if variant == "many":
        blocks = [article] * (100 if small else 1_000)
    elif variant == "huge":
        blocks = [
            json.dumps(
                {
                    "@type": "NewsArticle",
                    "headline": "A" * (20_000 if small else 2_000_000),
                    "author": [{"name": f"N{i}"} for i in range(1_000)],
                }
            )
        ]
    elif variant == "broken":
        blocks = [_nested_json("array", depth, article)[: -rng.randint(1, depth)], "{'@type': NewsArticle,}"]
    else:
        blocks = [_nested_json(str(variant), depth, article)]
    head = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return Input(".html", _article(title, _paras(paragraphs), head), f"{variant} depth {depth}")


def iframe_srcdoc(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """The story inside ``srcdoc`` (nested up to six levels), a thousand iframes, a data: URL."""
    title, paragraphs = _story(rng, corpus)
    variant = _cycle(("nested", "many", "big", "object", "frameset"), seed)
    story = _paras(paragraphs)
    if variant == "nested":
        levels = _cycle((1, 2, 4, 6), seed, 5)
        inner = story
        for _ in range(levels):
            inner = f'<iframe srcdoc="{html.escape(inner)}"></iframe>'
        body, note = inner, f"nested {levels}"
    elif variant == "many":
        body = f'<iframe srcdoc="{html.escape(paragraphs[0])}"></iframe>' * (100 if small else 1_000)
        note = "many"
    elif variant == "big":
        body = f'<iframe srcdoc="{html.escape(story * (5 if small else 300))}"></iframe>'
        note = "big"
    elif variant == "object":
        import base64

        data = base64.b64encode(story.encode()).decode()
        body = f'<object data="data:text/html;base64,{data}"></object><embed src="data:text/html,{html.escape(story)}">'
        note = "object"
    else:
        body = f'<frameset><frame srcdoc="{html.escape(story)}"></frameset>'
        note = "frameset"
    return Input(".html", _article(title, body), note)


def svg_text(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """The story as SVG text: ``<text>``, a ``<tspan>`` per word or per letter, ``foreignObject``,
    a ``<use>`` bomb, MathML."""
    title, paragraphs = _story(rng, corpus)
    variant = _cycle(
        ("text", "tspan-words", "tspan-letters", "foreign", "use-bomb", "title-desc", "math"), seed
    )
    text = " ".join(paragraphs)
    if variant == "text":
        svg = "".join(f'<text x="0" y="{i * 20}">{html.escape(p)}</text>' for i, p in enumerate(paragraphs))
    elif variant == "tspan-words":
        svg = "<text>" + "".join(f"<tspan>{html.escape(w)} </tspan>" for w in text.split()) + "</text>"
    elif variant == "tspan-letters":
        letters = list(enumerate(text))
        rng.shuffle(letters)  # drawn in order by x, written in any order
        svg = (
            "<text>" + "".join(f'<tspan x="{i * 7}">{html.escape(c)}</tspan>' for i, c in letters) + "</text>"
        )
    elif variant == "foreign":
        svg = f"<foreignObject>{_paras(paragraphs)}</foreignObject>"
    elif variant == "use-bomb":
        uses = 100 if small else 10_000
        svg = f'<defs><text id="t">{html.escape(paragraphs[0])}</text></defs>' + '<use href="#t"/>' * uses
    elif variant == "title-desc":
        svg = f"<title>{html.escape(text)}</title><desc>(AP) — Associated Press</desc>"
    else:
        body = "<math>" + "".join(f"<mi>{html.escape(c)}</mi>" for c in text) + "</math>"
        return Input(".html", _article(title, body), variant)
    return Input(".html", _article(title, f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>'), variant)


# --------------------------------------------------------------------------- rule-pack bait

_BAIT_SIZES_FULL = (1_000, 4_000, 16_000, 32_000)
_BAIT_SIZES_SMALL = (100, 500, 2_000)


def _bait_line(variant: str, n: int) -> str:
    """A line built to make a backtracking regex take time quadratic (or worse) in ``n``."""
    lines = {
        "contributed": "of AP contributed of Reuters contributed of AFP contributed of PA Media contributed "
        + "A" * n
        + "!",
        "capitals": "A" * n,
        "capital-words": "AB " * (n // 3),
        "initials": "A. " * (n // 3) + "(AP)",
        "commas": "," * n,
        "comma-words": "A, " * (n // 3),
        "by": "By " * (n // 3),
        "by-names": "By " + "Jane Doe, " * (n // 10) + "!",
        "by-and": "By " + "Jane Doe and " * (n // 13) + "Associated",
        "dateline": "(AP) —" * (n // 6),
        "dateline-space": "(AP) — " * (n // 7),
        "city": "NEW YORK, " * (n // 10) + "(AP)",
        "date": "Jan 5, " * (n // 7) + "(Reuters)",
        "dashes": "- " * (n // 2),
        "quotes": "'" * n,
        "parens": "(" * n,
        "alias": "Associated Press " * (n // 17),
        "photo": "AP Photo/" * (n // 9),
        "agencies": "AP Reuters AFP PA Media Agence France-Presse Press Association " * (n // 62),
        "contributed-to": "contributed to this report. " * (n // 28),
        "copyright": "Copyright " * (n // 10) + "2024",
        "digits": "1 2 " * (n // 4),
        "spaces": "By" + " " * n + "!",
        "writer": "Jane Doe " * (n // 9) + "AP Writer",
    }
    return lines[variant]


_BAIT_VARIANTS = (
    "contributed",
    "capitals",
    "capital-words",
    "initials",
    "commas",
    "comma-words",
    "by",
    "by-names",
    "by-and",
    "dateline",
    "dateline-space",
    "city",
    "date",
    "dashes",
    "quotes",
    "parens",
    "alias",
    "photo",
    "agencies",
    "contributed-to",
    "copyright",
    "digits",
    "spaces",
    "writer",
)


def regex_bait(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """A copied story with lines built for quadratic regex backtracking in the rule packs
    (the issue's ``of AP contributed … A×N!``, runs of capitals, commas, ``By``, ``(AP) —``)."""
    title, paragraphs = _story(rng, corpus)
    variant = _cycle(_BAIT_VARIANTS, seed)
    sizes = _BAIT_SIZES_SMALL if small else _BAIT_SIZES_FULL
    n = _cycle(sizes, seed, len(_BAIT_VARIANTS))
    bait = _bait_line(variant, n)
    where = rng.choice(("first", "last", "middle", "inline"))
    if where == "inline":
        paragraphs[0] = paragraphs[0] + " " + bait
    else:
        paragraphs.insert({"first": 0, "last": len(paragraphs), "middle": len(paragraphs) // 2}[where], bait)
    page = _as_page(rng, title, paragraphs, None)
    return Input(page.suffix, page.data, f"{variant} n={n} at {where}, {page.note}")


def ignore_markers(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """30,000 unterminated ``<!-- provenance: ignore X`` openings (and variants) in a copied story."""
    title, paragraphs = _story(rng, corpus)
    n = 1_000 if small else 30_000
    variant = _cycle(("spaces", "newlines", "packed", "commas", "one-open", "closed-late"), seed)
    if variant == "spaces":
        markers = "<!-- provenance: ignore X " * n
    elif variant == "newlines":
        markers = "<!-- provenance: ignore X\n" * n
    elif variant == "packed":
        markers = "<!--provenance:ignore *" * n
    elif variant == "commas":
        markers = "<!-- provenance: ignore AP-" + "," * (n * 10)
    elif variant == "one-open":
        markers = "<!-- provenance: ignore AP-CREDIT " + "reason " * n
    else:
        markers = "<!-- provenance: ignore X " * n + "-->"
    kind = rng.choice(("html", "txt", "md"))
    text = "\n\n".join(paragraphs)
    if kind == "html":
        data = _article(title, markers + _paras(paragraphs))
    elif kind == "md":
        data = f"---\ntitle: {json.dumps(title)}\n---\n\n{markers}\n\n{text}\n".encode()
    else:
        data = f"{title}\n\n{markers}\n\n{text}\n".encode()
    return Input({"html": ".html", "md": ".md", "txt": ".txt"}[kind], data, f"{variant} × {n} in {kind}")


# --------------------------------------------------------------------------- file formats


def _yaml_laughs(levels: int) -> str:
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append(f"title: *a{levels - 1}")
    return "\n".join(lines)


def yaml_front_matter(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """Markdown whose front matter is hostile: a YAML alias bomb, 10,000-deep nesting, Python
    tags, lone-surrogate escapes, year 0, a megabyte of keys, TOML nested 10,000 deep, no end."""
    _, paragraphs = _story(rng, corpus)
    depth = 500 if small else 10_000
    variants = {
        "laughs": lambda: _yaml_laughs(9),
        "one-alias": lambda: 'name: &n "Jane"\nauthor: *n',
        "merge": lambda: "base: &b {author: Jane}\npage:\n  <<: *b\n  title: x",
        "flow-seq": lambda: "title: " + "[" * depth + "]" * depth,
        "flow-map": lambda: "title: " + "{a: " * depth + "1" + "}" * depth,
        "block-map": lambda: "\n".join("  " * i + f"k{i}:" for i in range(100 if small else 800)) + " x",
        "python-tag": lambda: 'title: !!python/object/apply:os.system ["echo pwned"]',
        "surrogate": lambda: 'title: "\\ud800 \\udfff"\nauthor: "\\ud83d"\nsource: "A\\x00P"',
        "year-zero": lambda: "date: 0000-01-01\npublishDate: 2024-02-30 25:61:61",
        "huge": lambda: "\n".join(f"k{i}: {'v' * 20}" for i in range(500 if small else 40_000)),
        "long-value": lambda: "title: " + "A" * (10_000 if small else 2_000_000),
        "not-mapping": lambda: "- a\n- b",
        "scalar-types": lambda: "title: [1, {name: [x]}, null]\nauthor: {name: {name: 3}}\ndate: 1e999",
        "anchors-only": lambda: 'title: &t "A story"\nauthor: &a Jane',
    }
    toml_variants = {
        "toml-nested": lambda: "title = " + "[" * depth + "]" * depth,
        "toml-inline": lambda: "title = " + "{a = " * (depth // 10) + "1" + "}" * (depth // 10),
        "toml-huge": lambda: "\n".join(f'k{i} = "{"v" * 20}"' for i in range(500 if small else 40_000)),
    }
    names = (*variants, *toml_variants, "unterminated")
    variant = _cycle(names, seed)
    body = "\n\n".join(paragraphs)
    if variant in variants:
        text = f"---\n{variants[variant]()}\n---\n\n{body}\n"
    elif variant in toml_variants:
        text = f"+++\n{toml_variants[variant]()}\n+++\n\n{body}\n"
    else:
        text = "---\ntitle: x\n" + "k: v\n" * (1_000 if small else 100_000) + body
    return Input(".md", text.encode("utf-8", "surrogatepass"), variant)


def jsonl_hostile(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """JSONL with lone-surrogate escapes, huge lines, invalid JSON, 100,000-deep arrays, odd types."""
    title, paragraphs = _story(rng, corpus)
    text = "\n\n".join(paragraphs)
    big = 20_000 if small else 2_000_000
    depth = 1_000 if small else 100_000

    def page(i: int, **extra: object) -> str:
        return json.dumps({"id": f"p{i}", "title": title, "text": text, **extra})

    variants: dict[str, Callable[[], list[str]]] = {
        "surrogates": lambda: [
            '{"id": "s1", "text": "\\ud800"}',
            '{"id": "s2", "text": "' + text[:200].replace('"', "") + ' \\udfff\\ud800 (AP)"}',
            '{"id": "\\ud800", "title": "\\udc00", "url": "https://example.com/\\ud800", "text": "x y z"}',
            '{"id": "s4", "html": "<p>\\ud83d</p><p>' + text[:200].replace('"', "") + '</p>"}',
        ],
        "huge-line": lambda: [json.dumps({"id": "h", "text": (text + "\n\n") * (big // len(text))})],
        "huge-id": lambda: [json.dumps({"id": "i" * big, "text": text})],
        "invalid": lambda: [
            '{"id": "a", "text": "x"',
            "{'id': 'b', 'text': 'x'}",
            '{"id": "c", "text": "x",}',
            '{"id": NaN, "text": Infinity}',
            '{"id": 1e999, "text": -Infinity}',
            '{"id": ' + "9" * 5_000 + ', "text": "x"}',
            "\x00\x01\x02",
            "]",
        ],
        "deep": lambda: [
            "[" * depth + "]" * depth,
            '{"id": "d", "text": "x", "x": ' + "[" * depth + "]" * depth + "}",
        ],
        "types": lambda: [
            "[]",
            '"a string"',
            "null",
            "1",
            '{"id": ["x"], "text": "y"}',
            '{"id": {"a": 1}, "text": "y"}',
            '{"id": true, "text": "y"}',
            '{"id": "t", "text": ["a", "b"]}',
            '{"id": "t2", "text": 5}',
            '{"id": "t3", "html": {"p": 1}}',
            '{"id": "t4", "text": "x", "title": ["a"], "url": 3, "published": {}}',
        ],
        "duplicates": lambda: (
            ['{"id": "a", "id": "b", "text": "x", "text": "' + text[:300].replace('"', "") + '"}'] * 3
        ),
        "many": lambda: [page(i) for i in range(20 if small else 100)],
        "empty-lines": lambda: ["{}"] * (200 if small else 100_000),
        "separators": lambda: [
            page(0).replace(" ", "\u2028"),
            page(1) + "\r",
            "\r\r\r",
            page(2, text="a\u0000b\u2029c"),
        ],
        "html-hostile": lambda: [json.dumps({"id": "x", "html": "<div>" * 10_000 + "<p>" + text + "</p>"})],
    }
    variant = _cycle(tuple(variants), seed)
    lines = variants[variant]()
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:
        data = codecs.BOM_UTF8 + data.replace(b"\n", b"\r\n")
    return Input(".jsonl", data, variant)


def _urls(n: int, rng: random.Random) -> list[str]:
    """Private addresses only: the fetcher refuses them before any request is made."""
    return [f"http://10.{rng.randrange(256)}.{rng.randrange(256)}.1/p{i}.html" for i in range(n)]


_SITEMAP = '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>'


def listing_files(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """Sitemaps and feeds as files: nested 100,000 deep, huge, billion laughs, XXE, gzip bombs,
    over 50,000 URLs, ``file:`` and ``javascript:`` URLs, an index of indexes."""
    depth = 1_000 if small else 100_000
    variant = _cycle(
        (
            "nested",
            "huge",
            "many-urls",
            "laughs",
            "xxe",
            "external-dtd",
            "gzip-bomb",
            "schemes",
            "index",
            "rss",
            "atom",
            "long-urls",
            "utf16",
            "truncated",
        ),
        seed,
    )
    suffix = ".xml"
    if variant == "nested":
        body = _SITEMAP.format("<url>" * depth + "<loc>http://10.0.0.1/a</loc>" + "</url>" * depth)
    elif variant == "huge":
        body = _SITEMAP.format(
            "<!-- padding -->\n" * (3_000 if small else 300_000) + "<url><loc>http://10.0.0.1/a</loc></url>"
        )
    elif variant == "many-urls":
        body = _SITEMAP.format(
            "".join(f"<url><loc>{u}</loc></url>" for u in _urls(500 if small else 60_000, rng))
        )
    elif variant == "laughs":
        ents = ['<!ENTITY lol "lol">'] + [
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
        ]
        body = f'<?xml version="1.0"?><!DOCTYPE urlset [{"".join(ents)}]><urlset><url><loc>&lol9;</loc></url></urlset>'
    elif variant == "xxe":
        body = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>&x;</loc></url></urlset>'
    elif variant == "external-dtd":
        body = '<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "http://10.0.0.1/x.dtd"><urlset><url><loc>http://10.0.0.1/a</loc></url></urlset>'
    elif variant == "gzip-bomb":
        raw = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing, streamed: 200 MB of zeros → 200 KB
        chunk = b"\x00" * (1 << 20)
        parts = [raw.compress(b"<urlset>")] + [raw.compress(chunk) for _ in range(2 if small else 200)]
        return Input(".xml", b"".join([*parts, raw.flush()]), variant)
    elif variant == "schemes":
        locs = [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<p>x</p>",
            "gopher://10.0.0.1/",
            "http://[::1]/",
            "http://0x7f.1/",
            "http://2130706433/",
            "//10.0.0.1/x",
            "http://user:pw@10.0.0.1/",
        ]
        body = _SITEMAP.format("".join(f"<url><loc>{html.escape(u)}</loc></url>" for u in locs))
    elif variant == "index":
        sitemaps = "".join(
            f"<sitemap><loc>http://10.0.0.{i % 250}/s{i}.xml</loc></sitemap>"
            for i in range(50 if small else 5_000)
        )
        body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemaps}</sitemapindex>'
    elif variant == "rss":
        items = "".join(
            f"<item><title>t{i}</title><link>{u}</link></item>"
            for i, u in enumerate(_urls(100 if small else 10_000, rng))
        )
        body, suffix = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>', ".rss"
    elif variant == "atom":
        entries = "".join(
            f'<entry><link href="{h}"/><link rel="alternate" href="../../{"a/" * 50}"/></entry>'
            for h in _urls(100 if small else 5_000, rng)
        )
        body, suffix = f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>', ".atom"
    elif variant == "long-urls":
        body = _SITEMAP.format(
            "".join(
                f"<url><loc>http://10.0.0.1/{'a' * (10_000 if small else 1_000_000)}</loc></url>"
                for _ in range(3)
            )
        )
    elif variant == "utf16":
        return Input(
            ".xml",
            codecs.BOM_UTF16_LE
            + _SITEMAP.format("<url><loc>http://10.0.0.1/a</loc></url>").encode("utf-16-le"),
            variant,
        )
    else:
        full = _SITEMAP.format("".join(f"<url><loc>{u}</loc></url>" for u in _urls(50, rng)))
        body = full[: rng.randint(1, len(full) - 1)]
    return Input(str(suffix), body.encode(), str(variant))


def text_flood(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """A million short paragraphs or lines (a few MB), under every line-ending convention."""
    n = 1_000 if small else 1_000_000
    variants = {
        "paragraphs": (".txt", "a\n\n" * n),
        "lines": (".txt", "a\n" * n),
        "crlf": (".txt", "a\r\n\r\n" * n),
        "cr": (".txt", "a\r\r" * n),
        "u2029": (".txt", "a\u2029" * n),
        "u2028": (".txt", "a\u2028" * n),
        "html-p": (".html", "<p>a</p>" * (n // 2)),
        "html-br": (".html", "<div>" + "a<br>" * (n // 2) + "</div>"),
        "md-list": (".md", "- a\n" * n),
        "one-line": (".txt", "a " * n),
        "credits": (".txt", "(AP) —\n\n" * (n // 4)),
        "blank": (".txt", "a" + "\n" * (3 * n) + "b"),
    }
    variant = _cycle(tuple(variants), seed)
    suffix, text = variants[variant]
    return Input(suffix, text.encode(), f"{variant} × {n}")


def nfkc_bomb(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """1,000,000 × U+FDFA (NFKC expands each to 18 characters), other expanders, 100,000
    combining marks on one letter (canonical reordering), fullwidth letters."""
    _, paragraphs = _story(rng, corpus)
    n = 1_000 if small else 1_000_000
    variant = _cycle(
        ("txt", "html", "md", "jsonl", "title", "paragraphs", "mixed", "combining", "fullwidth", "in-story"),
        seed,
    )
    fdfa = "\ufdfa" * n
    if variant == "txt":
        suffix, text = ".txt", fdfa
    elif variant == "html":
        suffix, text = ".html", f"<html><body><p>{fdfa}</p></body></html>"
    elif variant == "md":
        suffix, text = ".md", f"---\ntitle: {'ﷺ' * 1_000}\n---\n\n{fdfa}\n"
    elif variant == "jsonl":
        suffix, text = (
            ".jsonl",
            json.dumps(
                {"id": "f", "title": "\ufdfa" * 1_000, "text": "\ufdfa" * (n // 2)}, ensure_ascii=False
            ),
        )
    elif variant == "title":
        suffix, text = (
            ".html",
            f"<html><head><title>{'ﷺ' * (n // 10)}</title></head><body><p>x</p></body></html>",
        )
    elif variant == "paragraphs":
        suffix, text = ".txt", ("\ufdfa" * 10 + "\n\n") * (n // 10)
    elif variant == "mixed":
        suffix, text = ".txt", "\u3300\ufb03\u2474\u33ff\ufdfb " * (n // 6)
    elif variant == "combining":
        suffix, text = ".txt", "a" + "\u0301\u0316" * (n // 20) + " b"
    elif variant == "fullwidth":
        suffix, text = ".txt", "ＡＰ " * (n // 3)
    else:
        suffix, text = (
            ".txt",
            "\n\n".join(" ".join(w + "\ufdfa" for w in p.split()) for p in paragraphs) * (2 if small else 50),
        )
    return Input(suffix, text.encode(), f"{variant}")


# --------------------------------------------------------------------------- wire files

_WIRE_SEEDS = sorted(
    path for path in (ROOT / "seeds" / "wire").rglob("*") if path.suffix in (".json", ".xml")
)
_G2 = "http://iptc.org/std/nar/2006-10-01/"


def wire_file(rng: random.Random, seed: int, corpus: Corpus, small: bool) -> Input:
    """Wire documents for ``corpus add`` (issue 14): the seed ninjs and NewsML-G2 items cut,
    byte-flipped or with every field given a wrong type; entity bombs, deep nesting, huge
    arrays, gzip bombs, lone surrogates, NITF bodies nested deep, bad statuses and versions."""
    base = _WIRE_SEEDS[seed % len(_WIRE_SEEDS)].read_bytes()
    variant = _cycle(
        (
            "truncated",
            "byte-flipped",
            "wrong-types",
            "billion-laughs",
            "deep-json",
            "deep-xml",
            "huge-array",
            "gzip-bomb",
            "surrogates",
            "bad-status",
            "nitf-deep",
            "jsonl-mixed",
        ),
        seed,
    )
    n = 2_000 if small else 200_000
    suffix = ".xml" if base.lstrip().startswith(b"<") else ".json"
    if variant == "truncated":
        data = base[: rng.randrange(1, len(base))]
    elif variant == "byte-flipped":
        flipped = bytearray(base)
        for _ in range(max(1, len(flipped) // 100)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        data = bytes(flipped)
    elif variant == "wrong-types" and suffix == ".json":
        item = json.loads(base)
        key = rng.choice(sorted(item))
        item[key] = rng.choice([5, None, [], {}, [1, [2]], {"value": 3}, "x" * 10_000, True, -1.5])
        data = json.dumps(item).encode()
    elif variant == "billion-laughs" or (variant == "wrong-types" and suffix == ".xml"):
        entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "lol"}">' for i in range(10))
        data = f'<?xml version="1.0"?><!DOCTYPE newsItem [{entities}]><newsItem xmlns="{_G2}" guid="x">&e9;</newsItem>'.encode()
        suffix = ".xml"
    elif variant == "deep-json":
        suffix, data = ".json", ('{"uri": "x", "bodies": ' + "[" * n + "]" * n + "}").encode()
    elif variant == "deep-xml":
        suffix = ".xml"
        data = f'<newsItem xmlns="{_G2}" guid="x">{"<a>" * n}{"</a>" * n}</newsItem>'.encode()
    elif variant == "huge-array":  # a huge array for the parser, of pictures it skips but one
        text = [json.loads(base)] if suffix == ".json" else [{"uri": "x", "body_text": "y"}]
        pictures = [{"uri": f"urn:x:{i}", "type": "picture", "headline": "p"} for i in range(n)]
        data, suffix = json.dumps(pictures + text).encode(), ".json"
    elif variant == "gzip-bomb":
        data, suffix = gzip.compress(b" " * (60 * 1024 * 1024 if not small else 1024)), ".gz"
    elif variant == "surrogates":
        text = base.decode("utf-8").replace("e", "\\ud800", 5) if suffix == ".json" else base.decode("utf-8")
        data = text.encode()
    elif variant == "bad-status":
        data = re.sub(rb"usable", rng.choice([b"killed", b"", b"stat:", b"\x00", b"canceled" * 1000]), base)
    elif variant == "nitf-deep":
        suffix = ".xml"
        data = f"<nitf><head><docdata><doc-id id-string='x'/></docdata></head><body><body.content>{'<block>' * (n // 100)}<p>text</p>{'</block>' * (n // 100)}</body.content></body></nitf>".encode()
    else:  # a JSONL of good and broken ninjs lines
        suffix = ".jsonl"
        good = (
            json.dumps(json.loads(_WIRE_SEEDS[0].read_bytes()))
            if _WIRE_SEEDS[0].suffix == ".json"
            else '{"uri": "x", "body_text": "y"}'
        )
        data = "\n".join([good, "{", '{"uri": 1}', good.replace('"uri"', '"guid"'), "[]"]).encode()
    return Input(suffix, data, variant)


# --------------------------------------------------------------------------- the classes

_BOTH = ("extract", "audit")

CLASSES: tuple[InputClass, ...] = (
    InputClass("original", original, ("extract",), None, 10, "real pages as they are"),
    InputClass("truncated", truncated, ("extract",), None, 10, "real pages cut at a random byte"),
    InputClass("byte-flipped", byte_flipped, ("extract",), None, 10, "real pages with 1 % of bytes flipped"),
    InputClass("tag-soup", tag_soup, ("extract",), None, 10, "random tags inserted and removed"),
    InputClass("attribute-bomb", attribute_bomb, ("extract",), None, 10, "huge or countless attributes"),
    InputClass("long-lines", long_lines, ("extract",), None, 10, "one-line pages, lines up to 1 MB"),
    InputClass("nul-bytes", nul_bytes, ("extract",), None, 10, "NUL bytes in every form"),
    InputClass("random-unicode", random_unicode, ("extract",), None, 10, "random code points, invalid UTF-8"),
    InputClass("bom-charset", bom_charset, ("extract",), None, 10, "BOMs and codec-like charsets"),
    InputClass("hidden-junk", hidden_junk, _BOTH, 384, 12, "hidden junk between a copy's words", 12),
    InputClass("homoglyphs", homoglyphs, _BOTH, 384, 12, "lookalike letters in a copy", 12),
    InputClass("rlo-reversed", rlo_reversed, _BOTH, 378, 14, "reversed text under bidi overrides", 7),
    InputClass("zero-width", zero_width, _BOTH, 384, 16, "zero-width characters inside words", 8),
    InputClass("deep-nesting", deep_nesting, _BOTH, 120, 12, "254 to 10,000 nested elements", 60),
    InputClass("jsonld-deep", jsonld_deep, _BOTH, 168, 16, "JSON-LD nested 1,000+ deep, huge, broken", 56),
    InputClass("iframe-srcdoc", iframe_srcdoc, _BOTH, 160, 10, "copies inside srcdoc and data: URLs", 20),
    InputClass("svg-text", svg_text, _BOTH, 140, 14, "copies as SVG and MathML text", 7),
    InputClass("regex-bait", regex_bait, _BOTH, 288, 24, "lines built for regex backtracking", 96),
    InputClass("ignore-markers", ignore_markers, _BOTH, 24, 6, "30,000 unterminated ignore markers", 6),
    InputClass("yaml-front-matter", yaml_front_matter, _BOTH, 108, 18, "alias bombs, deep front matter", 18),
    InputClass("jsonl", jsonl_hostile, _BOTH, 88, 11, "surrogates, huge lines, bad JSON", 11),
    InputClass("listing-files", listing_files, ("extract",), 196, 14, "hostile sitemaps and feeds"),
    InputClass("text-flood", text_flood, _BOTH, 12, 4, "a million paragraphs or lines"),
    InputClass("nfkc-bomb", nfkc_bomb, _BOTH, 10, 4, "1,000,000 × U+FDFA and other expanders"),
    InputClass(
        "wire-files", wire_file, ("corpus",), 240, 12, "broken and hostile ninjs, NewsML-G2, NITF", 12
    ),
)
"""Every input class, in the order the harness prints them."""

BY_NAME = {cls.name: cls for cls in CLASSES}
