"""What a reader sees of an HTML tree: visible lines, hidden elements and landmarks.

Credit lines, bylines and copyright footers live exactly where body extractors cut, so
this walk over the lxml tree is hand-written: no library keeps block boundaries,
hidden-element rules and source lines together. Every line and every link is placed in
the page's header, body or footer by the same landmark rules.

Speed (issue 7): the rules (hidden attributes, landmark tags, roles, class and id words)
were tested per element by the line walker, again per element to strip hidden ones for
trafilatura, and again per link over all its ancestors. :class:`Landmarks` finds the
hidden elements in one pass and keeps the landmark context the walker computes top down,
so the links and trafilatura's copy reuse them. (Preselecting candidates with XPath was
tried: libxml2's string functions made it slower than the Python rules.)

Text as a reader sees it (issue 13). Pages are written by the people this tool checks: a
copier can hide junk words between the visible ones to defeat matching, or hide a credit
that no reader sees to pass the credit check. So text is *not* visible when

* markup hides its element: ``hidden``, ``type=hidden``, a hiding class (``sr-only``,
  ``d-none``…);
* a declaration in ``style=""`` or in the page's own ``<style>`` hides the element:
  ``display:none``, ``visibility:hidden``, ``content-visibility:hidden``, an ``opacity`` of
  0.05 or less, off-screen placement (``position:absolute|fixed`` with ``left`` or ``top``
  at -1000px or beyond, or a ``margin-left``/``margin-top``/``text-indent`` as far),
  clipping (``clip:rect(…)`` of at most a pixel on a positioned element,
  ``clip-path:inset(50%)``), a box of at most 1×1px with ``overflow:hidden``, or an
  ``<iframe>``/``<svg>`` 0 or 1px wide or high;
* its own text is drawn at ``font-size:0`` (any unit; a child that sets a size of its own is
  seen again: that is the inline-block white-space trick, not hiding), in a transparent
  colour, or in the colour of the background behind it (within a few units per channel)
  when both are declared: inline, by ``<style>`` or by ``bgcolor``/``<font color>``. A
  background image, a translucent background, ``background-clip:text``, a text stroke, fill
  colour or shadow make the colour unknown, and then nothing is judged;
* in SVG, a ``<text>`` drawn above the top edge (or 1000 units left) of an ``<svg>`` that has
  no viewBox, transform or moved ``<tspan>`` (its glyphs fall outside the clipped viewport).

Text is visible, beyond plain HTML, in the document of an ``<iframe srcdoc>``
(:mod:`provenance.extract` grafts it under the iframe; its own ``<style>`` applies only
inside it) and in the ``<text>``/``<tspan>``/``<textPath>`` of inline SVG (not in titles,
descriptions or ``<defs>``). What was hidden and held words is kept as
:attr:`Landmarks.hidden_text` (a copy that matches only once hidden junk is removed is a
finding of its own).

The style sheet reader is hand-written: no stylesheet engine is a dependency, and the
question is narrow (which elements do these few properties hide?). It reads the page's
``<style>`` elements (never linked sheets: no network; not those in ``<noscript>`` or
``<template>``) in one linear pass over brace and string tokens. It keeps only rules whose
subject may be on the page (a rule for ``.modal`` is not read on a page without that class:
most of a framework's sheet), and of their declarations only the properties above, in the
categories some rule of the sheet hides by (plus all colours and ``!important`` ones): a
``width`` matters only if some rule hides by size.

* selectors ``tag``, ``.class``, ``#id``, ``*`` and compounds of them (``tag.class``,
  ``.a.b``), in comma lists, are matched exactly, with the cascade (specificity, order,
  ``!important``, inline styles over the sheet);
* any other selector (combinators, attributes, pseudo-classes, CSS nesting) is matched
  *loosely*, by its last compound: such a rule never hides, but when it shows
  (``.open .menu{display:block}``) it cancels the hiding of that property, as it may apply.
  Rules on pseudo-elements are ignored;
* rules inside ``@media`` still count, under their condition: widths are evaluated for each
  class of screen widths (320-2560px) that the sheet's breakpoints make, at most 16, and an
  element is hidden only when hidden at every width (a page showing one byline on phones
  and another on desktops hides neither). Print- and speech-only rules never apply; other
  features (``hover``, ``prefers-color-scheme``…) and ``@container`` make a rule loose;
  ``@supports`` and ``@layer`` are transparent; other at-rules are skipped;
* what is not understood hides nothing: a value, colour, unit (``calc()``, ``var()``, ``%``)
  or selector that does not parse; ``url()`` and strings are never read into (an SVG data
  URL may hold ``style='display:none'``).

Not understood, so never hiding: linked style sheets, scripts that hide or show, attribute
and structural selectors as exact matches, ``transform`` off-screen, ``height:0`` accordions,
closed ``<details>``, ``clip-path`` shapes other than a 50% inset or a zero circle, text
covered by another element, and colours other than hex, ``rgb()``, ``hsl()`` and common names.

Limits, so that a hostile page costs linear time: 1 MB of style text and 1,000 ``<style>``
elements per document, 16 nested blocks, 64 breakpoints, 200 rules per class, id or tag (a
key with more hides nothing), 256 class names per element, 100,000 characters of hidden text
kept. Every walk over the tree is iterative (the line walker keeps an explicit stack of enter,
tail and exit steps; the content probe marks ancestors instead of searching descendants): a
page nested 100,000 elements deep does not reach Python's recursion limit, and costs linear
time.

Cost: reading style sheets and the cascade make extraction about 10 ms a page slower on the
real news pages of ../shared (about 45 KB of inline CSS each).

Zero-width and bidi formatting characters are :func:`provenance.text.normalize`'s to drop
(every line goes through it in :func:`one_line`), and so is text under a right-to-left
override, put back in the order a reader sees it.
"""

from __future__ import annotations

import colorsys
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from provenance.memo import short_text_cache
from provenance.model import LineRole, TextLine, Where
from provenance.text import normalize


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DROP = _words(
    """head script style noscript template svg iframe object embed canvas audio video map
    select datalist dialog math"""
)
BLOCK = _words(
    """p h1 h2 h3 h4 h5 h6 li dt dd td th caption figcaption blockquote pre address div section
    article aside header footer nav main figure ul ol dl table tbody thead tfoot tr form fieldset
    legend details summary hr center body html menu hgroup option"""
)
CONTENT_TAGS = ("article", "main")
_HIDDEN_CLASSES = _words(
    """hidden d-none is-hidden visually-hidden visuallyhidden sr-only screen-reader-text
    screenreader-only"""
)
_SHOWN_LATER = re.compile(r"[a-z0-9]+:(?:block|flex|inline|grid|table)|d-(?:sm|md|lg|xl)-(?!none)")
_HEADER_TAGS = frozenset({"header", "nav"})
_HEADER_ROLES = frozenset({"banner", "navigation"})
_HEADER_WORDS = re.compile(r"(?:^|[^a-z])(?:header|masthead|nav)", re.IGNORECASE)
_FOOTER_WORDS = re.compile(r"(?:^|[^a-z])(?:footer|copyright|colophon)", re.IGNORECASE)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CAPTION_WORDS = re.compile(
    r"(?:^|[^a-z])(?:caption|(?:photo|image|img|media|picture)[-_]?(?:credit|copyright))", re.IGNORECASE
)
_BYLINE_WORDS = re.compile(r"(?:^|[^a-z])(?:byline|author)", re.IGNORECASE)
_LONG_PARAGRAPH = 120  # characters
_WRAPPER_PARAGRAPHS = 3  # long paragraphs: more than a header or footer ever holds
_WORD_CHAR = re.compile(r"\w")

# Limits (see the module docstring).
_STYLE_TEXT_MAX = 1_000_000  # characters of <style> text read per document
_STYLES_MAX = 1_000  # <style> elements read per document
_BLOCK_DEPTH = 16  # nested CSS blocks followed; deeper ones are skipped
_BREAKPOINTS_MAX = 64  # distinct media-query widths; more: width conditions count as unknown
_WIDTHS_MAX = 16  # classes of screen widths evaluated
_RULES_PER_KEY = 200  # rules per class, id or tag; a key with more hides nothing
_CLASSES_MAX = 256  # class names of one element looked up
HIDDEN_TEXT_MAX = 100_000  # characters of hidden text kept per page

_VIEWPORT = (320.0, 2560.0)  # CSS pixels: the screen widths readers use
_FAR = -1000.0  # px: an element moved this far left or up is off-screen
_FAINT = 0.05  # opacity at or below which nothing can be read
_SAME_COLOUR = 8  # per RGB channel (0-255): text this close to its background is not seen

# Rendering modes of the walks: HTML, inside <svg> (only <text> renders), inside <text>.
HTML, SVG, SVG_TEXT = 0, 1, 2
_SVG_UNRENDERED = _words(
    """title desc metadata defs symbol clippath mask pattern marker lineargradient radialgradient
    filter style script"""
)
_NO_TEXT = frozenset({"script", "style", "template", "noscript"})  # never hidden *text*


def tag_of(el: etree._Element) -> str:
    """The lower-case tag name; "" for comments and processing instructions."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def grafted(el: etree._Element) -> bool:
    """An ``<iframe srcdoc>`` whose document :mod:`provenance.extract` grafted under it.

    The HTML parser never puts a ``<body>`` inside an iframe, so markup cannot fake one.
    """
    return el.get("srcdoc") is not None and len(el) == 1 and el[0].tag == "body"


def _hidden_by_markup(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("type", "").lower() == "hidden":
        return True
    classes = el.get("class")
    return bool(classes) and _hiding_classes(classes)


@short_text_cache(4096, 1024)
def _hiding_classes(names: str) -> bool:
    """Whether a ``class`` attribute hides its element (pages repeat theirs: tested once)."""
    classes = names.lower().split()
    if not _HIDDEN_CLASSES.intersection(classes):
        return False
    return not any(_SHOWN_LATER.match(c) for c in classes)  # "hidden md:block": shown on desktops


def is_hidden(el: etree._Element) -> bool:
    """Hidden by the element alone: ``hidden``, ``type=hidden``, a hiding class, or an inline
    style that hides it (``display:none``, ``visibility:hidden``, ``opacity:0``, off-screen…).

    The page's style sheet is not consulted: :class:`Landmarks` does that for a whole tree.
    """
    if _hidden_by_markup(el):
        return True
    style = el.get("style")
    return bool(style) and _gone(_inline(style), _NO_SOFT, tag_of(el))


def remove_keeping_tail(el: etree._Element) -> None:
    """Detaches ``el``; its tail text joins the previous sibling's tail or the parent's text."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def remove_unseen(root: etree._Element, copy: etree._Element, marks: Landmarks) -> None:
    """In ``copy`` (a deep copy of ``root``): removes the hidden elements (keeping their tails)
    and blanks the text no reader sees of the muted ones (``font-size:0``, white on white).

    Muted text becomes a space, not nothing: hidden junk between two words must not glue
    them together.
    """
    targets = marks.hidden | marks.muted
    if not targets:
        return
    # Lists keep every proxy alive until the end (see provenance.extract.page_from_html).
    originals, twins = list(root.iter()), list(copy.iter())
    pairs = [(a, b) for a, b in zip(originals, twins, strict=False) if a in targets]
    for original, twin in pairs:
        if original in marks.muted:
            twin.text = _blanked(twin.text)
            for child in twin:
                child.tail = _blanked(child.tail)
    for original, twin in pairs:
        if original in marks.hidden:
            remove_keeping_tail(twin)


def _blanked(text: str | None) -> str | None:
    return " " if text and not text.isspace() else text


# --------------------------------------------------------------------------- CSS values

Rgba = tuple[float, float, float, float]  # channels 0-255, alpha 0-1
_LENGTH = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))([a-z%]*)")
_PX_PER = {
    "": 1.0,  # SVG user units (and quirks-mode CSS)
    "px": 1.0,
    "em": 16.0,
    "rem": 16.0,
    "ex": 8.0,
    "ch": 8.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
    "q": 96 / 101.6,
}
_RELATIVE_SIZES = frozenset({"em", "%", "ex", "ch", "cap", "ic", "lh"})
_SIZE_KEYWORDS = _words("xx-small x-small small medium large x-large xx-large xxx-large larger smaller")
_ARGS = re.compile(r"[\s,/]+")
_HEX = re.compile(r"#([0-9a-f]+)")
_HEX_COLOUR = re.compile(r"#[0-9a-f]{3,8}\b")
_COLOUR_FUNCTION = re.compile(r"(rgba?|hsla?)\(([^()]*)\)")
_COLOUR_KEYWORDS = {
    "inherit": "inherit",
    "currentcolor": "current",
    "unset": "unset",
    "initial": "initial",
    "revert": "initial",
    "revert-layer": "initial",
}
_NAMED_COLOURS: dict[str, Rgba] = {
    name: (r, g, b, 1.0)
    for names, (r, g, b) in {
        "black": (0, 0, 0),
        "white": (255, 255, 255),
        "silver": (192, 192, 192),
        "gray grey": (128, 128, 128),
        "darkgray darkgrey": (169, 169, 169),
        "dimgray dimgrey": (105, 105, 105),
        "lightgray lightgrey": (211, 211, 211),
        "gainsboro": (220, 220, 220),
        "whitesmoke": (245, 245, 245),
        "snow": (255, 250, 250),
        "ivory": (255, 255, 240),
        "ghostwhite": (248, 248, 255),
        "floralwhite": (255, 250, 240),
        "linen": (250, 240, 230),
        "seashell": (255, 245, 238),
        "mintcream": (245, 255, 250),
        "azure": (240, 255, 255),
        "aliceblue": (240, 248, 255),
        "honeydew": (240, 255, 240),
        "beige": (245, 245, 220),
        "oldlace": (253, 245, 230),
        "lavenderblush": (255, 240, 245),
        "cornsilk": (255, 248, 220),
        "lightyellow": (255, 255, 224),
        "red": (255, 0, 0),
        "maroon": (128, 0, 0),
        "yellow": (255, 255, 0),
        "olive": (128, 128, 0),
        "lime": (0, 255, 0),
        "green": (0, 128, 0),
        "aqua cyan": (0, 255, 255),
        "teal": (0, 128, 128),
        "blue": (0, 0, 255),
        "navy": (0, 0, 128),
        "fuchsia magenta": (255, 0, 255),
        "purple": (128, 0, 128),
        "orange": (255, 165, 0),
    }.items()
    for name in names.split()
}


def _px(value: str) -> float | None:
    """A length in CSS pixels (em and rem at 16px); None for %, viewport units, calc()…"""
    m = _LENGTH.fullmatch(value.strip())
    if m is None:
        return None
    number = float(m.group(1))
    if number == 0:
        return 0.0
    per = _PX_PER.get(m.group(2))
    return None if per is None else number * per


def _number(value: str) -> float | None:
    """A plain number or a percentage as a fraction (``opacity``)."""
    m = _LENGTH.fullmatch(value.strip())
    if m is None or m.group(2) not in ("", "%"):
        return None
    return float(m.group(1)) / (100 if m.group(2) else 1)


def _colour(value: str) -> Rgba | str | None:
    """An RGBA colour, a keyword of :data:`_COLOUR_KEYWORDS`, or None when not understood."""
    v = value.strip()
    if v in _COLOUR_KEYWORDS:
        return _COLOUR_KEYWORDS[v]
    if v in ("transparent", "none"):
        return (0.0, 0.0, 0.0, 0.0)
    if v in _NAMED_COLOURS:
        return _NAMED_COLOURS[v]
    if m := _HEX.fullmatch(v):
        return _hex_colour(m.group(1))
    if m := _COLOUR_FUNCTION.fullmatch(v):
        return _colour_function(m.group(1), m.group(2))
    return None


def _hex_colour(digits: str) -> Rgba | None:
    if len(digits) in (3, 4):
        digits = "".join(d * 2 for d in digits)
    if len(digits) not in (6, 8):
        return None
    alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), alpha)


def _colour_function(name: str, args: str) -> Rgba | None:
    parts = [p for p in _ARGS.split(args.strip()) if p]
    if len(parts) < 3:
        return None
    try:
        alpha = 1.0
        if len(parts) > 3:
            alpha = float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3])
        if name.startswith("rgb"):
            r, g, b = (float(p[:-1]) * 2.55 if p.endswith("%") else float(p) for p in parts[:3])
        else:
            hue = float(parts[0].removesuffix("deg")) / 360 % 1
            sat, light = (float(p.removesuffix("%")) / 100 for p in parts[1:3])
            r, g, b = (c * 255 for c in colorsys.hls_to_rgb(hue, light, sat))
    except ValueError:
        return None
    return (r, g, b, min(max(alpha, 0.0), 1.0))


def _close_colours(a: Rgba, b: Rgba) -> bool:
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]), abs(a[2] - b[2])) <= _SAME_COLOUR


def _font_size(value: str, svg: bool) -> bool | None:
    """True: no text can be seen at this size; False: a size of its own; None: the parent's
    (``em``, ``%``, ``inherit``: zero times anything is zero)."""
    v = value.strip()
    if v in ("inherit", "unset", "larger", "smaller"):
        return None
    m = _LENGTH.fullmatch(v)
    if m is None:
        return False  # keywords, calc(), var(): a size, as far as is known
    number, unit = float(m.group(1)), m.group(2)
    if number < 0 or (unit == "" and number != 0 and not svg):
        return None  # invalid: the declaration is ignored
    if number == 0:
        return True
    if unit in _RELATIVE_SIZES:
        return None
    per = _PX_PER.get(unit)
    return per is not None and number * per < 1.0


def _font_shorthand_size(value: str) -> str:
    """The size in a ``font`` shorthand (``font: 0/0 a``, ``font: 700 12px/1.4 Arial``)."""
    v = value.strip()
    if v in ("inherit", "unset"):
        return v
    for token in v.replace("/", " / ").split():
        if token in _SIZE_KEYWORDS:
            return token
        m = _LENGTH.fullmatch(token)
        if m and (m.group(2) or float(m.group(1)) == 0):
            return token
    return "medium"  # system fonts (``font: menu``) have a size of their own


def _box_side(value: str, index: int) -> str:
    """One side (0 top, 3 left) of a ``margin``-like shorthand of one to four values."""
    parts = value.split()
    order = {1: (0, 0, 0, 0), 2: (0, 1, 0, 1), 3: (0, 1, 2, 1), 4: (0, 1, 2, 3)}.get(len(parts))
    return parts[order[index]] if order else ""


def _far(value: str) -> bool:
    x = _px(value) if value else None
    return x is not None and x <= _FAR


_RECT = re.compile(r"rect\(([^()]*)\)")
_INSET = re.compile(r"inset\(\s*(\d+(?:\.\d+)?)%")
_CIRCLE_ZERO = re.compile(r"circle\(\s*0(?:px|%)?\s*(?:at\b|\))")


def _tiny_rect(value: str) -> bool:
    m = _RECT.fullmatch(value.strip()) if value else None
    if m is None:
        return False
    sides = [p for p in _ARGS.split(m.group(1).strip()) if p]
    if len(sides) != 4:
        return False
    top, right, bottom, left = (_px(s) for s in sides)
    return (right is not None and left is not None and right - left <= 1) or (
        bottom is not None and top is not None and bottom - top <= 1
    )


def _tiny_clip_path(value: str) -> bool:
    if not value:
        return False
    m = _INSET.match(value)
    return bool(m and float(m.group(1)) >= 50) or bool(_CIRCLE_ZERO.match(value))


# --------------------------------------------------------------------------- declarations

# The properties read, and the category each belongs to: a loose rule (one that may or may
# not apply) that shows a category cancels the hiding by that category.
_CATEGORY = {
    "display": "display",
    "visibility": "visibility",
    "content-visibility": "content-visibility",
    "opacity": "opacity",
    "position": "place",
    "left": "place",
    "top": "place",
    "margin": "place",
    "margin-left": "place",
    "margin-top": "place",
    "text-indent": "place",
    "clip": "clip",
    "clip-path": "clip",
    "width": "size",
    "height": "size",
    "overflow": "size",
    "font-size": "font",
    "font": "font",
    "color": "color",
    "-webkit-text-fill-color": "color",
    "-webkit-text-stroke": "color",
    "text-shadow": "color",
    "background-clip": "color",
    "-webkit-background-clip": "color",
    "fill": "color",
    "fill-opacity": "color",
    "stroke": "color",
    "background": "background",
    "background-color": "background",
    "background-image": "background",
    "transform": "move",
    "dominant-baseline": "move",
    "alignment-baseline": "move",
}
_ALL_CATEGORIES = frozenset(_CATEGORY.values())
_NO_SOFT: frozenset[str] = frozenset()
_IMPORTANT = re.compile(r"!\s*important\s*$")

Priority = tuple[bool, int, tuple[int, int, int], int]  # !important, origin, specificity, order
Declared = dict[str, tuple[Priority, str]]
_INLINE_ORIGIN, _SHEET_ORIGIN, _HINT_ORIGIN = 1, 0, -1
_HINT_PRIORITY: Priority = (False, _HINT_ORIGIN, (0, 0, 0), 0)
_EMPTY: Declared = {}


_DECLARATION = re.compile(
    r"(?<![-\w])("
    + "|".join(re.escape(n) for n in sorted(_CATEGORY, key=len, reverse=True))
    + r")\s*:([^;]*)",
    re.IGNORECASE,
)
_OPAQUE = re.compile(r"url\([^)]*\)|\"[^\"]*\"|'[^']*'")  # never read inside: data: URLs hold markup


@short_text_cache(4096, 2048)
def _declarations(text: str) -> dict[str, tuple[str, bool]]:
    """``prop: value [!important]`` pairs of the properties read, lower-cased; later ones win
    unless an earlier one is important.

    Cached across pages (a site's sheet repeats on all its pages): the dict returned is
    shared, and never changed by its readers.

    One regex finds the names read (other properties cost no Python step); ``url()`` and
    strings are blanked first, so that ``style='display:none'`` inside an SVG data URL is
    not a declaration.
    """
    if "url(" in text or '"' in text or "'" in text:
        text = _OPAQUE.sub(lambda m: "url()" if m.group().startswith("url") else '""', text)
    out: dict[str, tuple[str, bool]] = {}
    for m in _DECLARATION.finditer(text):
        name = m.group(1).lower()
        value = m.group(2).strip().lower()
        important = False
        if "!" in value and (m := _IMPORTANT.search(value)):
            value, important = value[: m.start()].rstrip(), True
        if value and (important or not out.get(name, ("", False))[1]):
            out[name] = (value, important)
    return out


def _inline(style: str) -> Declared:
    return {
        prop: ((important, _INLINE_ORIGIN, (0, 0, 0), 0), value)
        for prop, (value, important) in _declarations(style).items()
    }


@short_text_cache(4096, 256)
def _hides(prop: str, value: str) -> bool:
    """Whether one declaration, on its own, hides (or helps to hide) text (sheets repeat theirs)."""
    category = _CATEGORY[prop]
    if category == "display":
        return value == "none"
    if category == "visibility":
        return value in ("hidden", "collapse")
    if category == "content-visibility":
        return value == "hidden"
    if category == "opacity":
        return (n := _number(value)) is not None and n <= _FAINT
    if category == "font":
        return _font_size(_font_shorthand_size(value) if prop == "font" else value, svg=True) is True
    if prop == "position":
        return value in ("absolute", "fixed")
    if prop == "margin":
        return _far(_box_side(value, 0)) or _far(_box_side(value, 3))
    if category == "place":
        return _far(value)
    if prop == "clip":
        return _tiny_rect(value)
    if prop == "clip-path":
        return _tiny_clip_path(value)
    if prop == "overflow":
        return any(v in ("hidden", "clip") for v in value.split())
    if category == "size":
        return (x := _px(value)) is not None and x <= 1
    return False  # colours and transforms: never judged from a loose rule


def _shows(decls: dict[str, tuple[str, bool]]) -> frozenset[str]:
    """The categories a loose rule may show: what it declares other than hiding values.

    Any colour, background or transform it declares makes that unknown.
    """
    out = set()
    for prop, (value, _) in decls.items():
        category = _CATEGORY[prop]
        if category in ("color", "background", "move") or not _hides(prop, value):
            out.add(category)
            if prop == "position":
                out.add("clip")
    return frozenset(out)


def _pick(d: Declared, longhand: str, shorthand: str) -> tuple[str, bool] | None:
    """The winning value of a longhand and its shorthand, and whether it came from the shorthand."""
    a, b = d.get(longhand), d.get(shorthand)
    if b is None:
        return None if a is None else (a[1], False)
    if a is not None and a[0] >= b[0]:
        return a[1], False
    return b[1], True


def _value(d: Declared, prop: str) -> str:
    entry = d.get(prop)
    return entry[1] if entry else ""


def _gone(d: Declared, soft: frozenset[str], tag: str) -> bool:
    """Whether the declarations hide the element and all it holds."""
    if not d:
        return False
    if "display" not in soft and _value(d, "display") == "none":
        return True
    if "visibility" not in soft and _value(d, "visibility") in ("hidden", "collapse"):
        return True
    if "content-visibility" not in soft and _value(d, "content-visibility") == "hidden":
        return True
    if "opacity" not in soft and (n := _number(_value(d, "opacity"))) is not None and n <= _FAINT:
        return True
    positioned = _value(d, "position") in ("absolute", "fixed")
    if "place" not in soft and _off_screen(d, positioned, tag):
        return True
    if "clip" not in soft and (
        (positioned and _tiny_rect(_value(d, "clip"))) or _tiny_clip_path(_value(d, "clip-path"))
    ):
        return True
    return "size" not in soft and _tiny_box(d, tag)


def _off_screen(d: Declared, positioned: bool, tag: str) -> bool:
    if positioned and (_far(_value(d, "left")) or _far(_value(d, "top"))):
        return True
    for side, index in (("margin-left", 3), ("margin-top", 0)):
        picked = _pick(d, side, "margin")
        if picked and _far(_box_side(picked[0], index) if picked[1] else picked[0]):
            return True
    if not _far(_value(d, "text-indent")):
        return False
    display = _value(d, "display")  # text-indent moves the text of block containers only
    return positioned or (display not in ("inline", "contents") if display else tag in BLOCK)


def _tiny_box(d: Declared, tag: str) -> bool:
    width, height = _px(_value(d, "width")), _px(_value(d, "height"))
    if width is None and height is None:
        return False
    if tag in ("iframe", "svg"):  # replaced content is clipped to its box
        return (width is not None and width <= 1) or (height is not None and height <= 1)
    clipped = any(v in ("hidden", "clip") for v in _value(d, "overflow").split())
    return clipped and width is not None and height is not None and width <= 1 and height <= 1


# --------------------------------------------------------------------------- what a reader sees


@dataclass(frozen=True, slots=True)
class _Paint:
    """How an element is drawn at one screen width, as far as hiding goes.

    ``color`` (the fill inside SVG) and ``background`` are None when not declared or not
    understood: no colour judgement is made then.
    """

    gone: bool = False  # the element and all it holds are hidden
    font_zero: bool = False
    color: Rgba | None = None
    background: Rgba | None = None
    moved: bool = False  # a transform or baseline shift: SVG text may be anywhere

    def mutes(self) -> bool:
        """Whether the element's own text cannot be seen."""
        if self.gone or self.font_zero:
            return True
        if self.color is None:
            return False
        return self.color[3] <= _FAINT or (
            self.background is not None and _close_colours(self.color, self.background)
        )


_PLAIN = _Paint()


def _judge(d: Declared, soft: frozenset[str], parent: _Paint, tag: str, svg: bool, enter_svg: bool) -> _Paint:
    """The paint of an element from its declarations and its parent's paint."""
    gone = parent.gone or _gone(d, soft, tag)
    font_zero = _font_zero(d, soft, parent.font_zero, svg)
    color = (
        _fill(d, soft, None if enter_svg else parent.color) if svg else _text_colour(d, soft, parent.color)
    )
    background = parent.background if svg else _background(d, soft, parent.background)
    moved = (
        parent.moved
        or "move" in soft
        or any(p in d for p in ("transform", "dominant-baseline", "alignment-baseline"))
    )
    paint = _Paint(gone, font_zero, color, background, moved)
    return parent if paint == parent else paint


def _font_zero(d: Declared, soft: frozenset[str], parent_zero: bool, svg: bool) -> bool:
    if "font" in soft:
        return False
    picked = _pick(d, "font-size", "font")
    if picked is None:
        return parent_zero
    value, shorthand = picked
    size = _font_size(_font_shorthand_size(value) if shorthand else value, svg)
    return parent_zero if size is None else size


def _text_colour(d: Declared, soft: frozenset[str], parent: Rgba | None) -> Rgba | None:
    if "color" in soft:
        return None
    if _value(d, "-webkit-text-fill-color") not in ("", "currentcolor", "inherit", "initial", "unset"):
        return None
    if _value(d, "-webkit-text-stroke")[:1] not in ("", "0") or _value(d, "text-shadow") not in ("", "none"):
        return None
    if "text" in (_value(d, "background-clip"), _value(d, "-webkit-background-clip")):
        return None  # gradient text: the background shows through the letters
    if "color" not in d:
        return parent
    parsed = _colour(d["color"][1])
    if isinstance(parsed, tuple):
        return parsed
    return parent if parsed in ("inherit", "current", "unset") else None


def _fill(d: Declared, soft: frozenset[str], parent: Rgba | None) -> Rgba | None:
    """SVG text is drawn by its fill (and stroke), not by ``color``."""
    if "color" in soft or _value(d, "stroke") not in ("", "none", "transparent"):
        return None
    opacity = _number(_value(d, "fill-opacity"))
    if opacity is not None and opacity <= _FAINT:
        return (0.0, 0.0, 0.0, 0.0)
    if "fill" not in d:
        return parent
    parsed = _colour(d["fill"][1])
    if isinstance(parsed, tuple):
        return parsed
    return parent if parsed in ("inherit", "unset") else None


def _background(d: Declared, soft: frozenset[str], parent: Rgba | None) -> Rgba | None:
    """The colour behind the element's text: its own opaque background, else its parent's."""
    if "background" in soft:
        return None
    shorthand = d.get("background")
    image = d.get("background-image")
    if image and image[1] != "none" and (shorthand is None or image[0] > shorthand[0]):
        return None
    picked = _pick(d, "background-color", "background")
    if picked is None:
        return parent
    value, from_shorthand = picked
    parsed = _shorthand_colour(value) if from_shorthand else _colour(value)
    if parsed == "image" or parsed == "current" or parsed is None:
        return None
    if isinstance(parsed, str) or parsed[3] <= 0.01:
        return parent  # transparent, inherit, initial: what is behind shows through
    return parsed if parsed[3] >= 0.99 else None  # translucent: a blend, not judged


def _shorthand_colour(value: str) -> Rgba | str | None:
    """The colour in a ``background`` shorthand; "image" when it paints an image."""
    if any(f in value for f in ("url(", "gradient(", "image-set(", "image(", "element(")):
        return "image"
    if m := _COLOUR_FUNCTION.search(value):
        return _colour(m.group())
    if m := _HEX_COLOUR.search(value):
        return _colour(m.group())
    for token in value.split():
        parsed = _colour(token)
        if parsed is not None:
            return parsed
    return (0.0, 0.0, 0.0, 0.0)  # a shorthand without a colour resets it to transparent


_SVG_HINTS = (
    "display",
    "visibility",
    "opacity",
    "font-size",
    "fill",
    "fill-opacity",
    "stroke",
    "transform",
    "overflow",
    "dominant-baseline",
    "alignment-baseline",
)
_BGCOLOR_TAGS = frozenset({"body", "table", "tr", "td", "th"})
_HINT_TAGS = _BGCOLOR_TAGS | {"font", "iframe", "svg"}
_BARE_HEX = re.compile(r"[0-9a-f]{6}")


def _hints(el: etree._Element, tag: str, svg: bool) -> Declared | None:
    """Presentation attributes: SVG's, ``width``/``height`` of iframes and SVGs, ``bgcolor``,
    ``<font color>`` and ``<body text>``. They weigh less than any style rule."""
    out: Declared = {}
    if svg:
        for name in _SVG_HINTS:
            if value := el.get(name):
                out[name] = (_HINT_PRIORITY, value.strip().lower())
    if tag in ("iframe", "svg"):
        for name in ("width", "height"):
            if value := el.get(name):
                out[name] = (_HINT_PRIORITY, value.strip().lower())
    else:
        attrs = {"font": (("color", "color"),), "body": (("bgcolor", "background-color"), ("text", "color"))}
        for attr, prop in attrs.get(tag, (("bgcolor", "background-color"),) if tag in _BGCOLOR_TAGS else ()):
            if value := (el.get(attr) or "").strip().lower():
                out[prop] = (_HINT_PRIORITY, "#" + value if _BARE_HEX.fullmatch(value) else value)
    return out or None


# --------------------------------------------------------------------------- media queries

Tri = bool | None  # three-valued: True, False, or not known
Feature = tuple[tuple[str, float], ...]  # width constraints, all of which must hold
_MEDIA_PARENS = re.compile(r"\(([^()]*)\)")
_MIN_MAX_WIDTH = re.compile(r"(min|max)-(?:device-)?width\s*:\s*(\d+(?:\.\d+)?|\.\d+)(px|em|rem)?")
_RANGE_WIDTH = re.compile(
    r"(?:(\d+(?:\.\d+)?)(px|em|rem)?\s*(<=|<|>=|>)\s*)?(?:device-)?width"
    r"(?:\s*(<=|<|>=|>)\s*(\d+(?:\.\d+)?)(px|em|rem)?)?"
)
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_AND = re.compile(r"\band\b")


def _and(a: Tri, b: Tri) -> Tri:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a: Tri, b: Tri) -> Tri:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _media_px(number: str, unit: str | None) -> float:
    return float(number) * (16.0 if unit in ("em", "rem") else 1.0)


def _width_feature(text: str) -> Feature | None:
    """``min-width: 768px``, ``width >= 40em``, ``400px < width <= 700px``; None otherwise."""
    t = text.strip()
    if m := _MIN_MAX_WIDTH.fullmatch(t):
        return ((">=" if m.group(1) == "min" else "<=", _media_px(m.group(2), m.group(3))),)
    m = _RANGE_WIDTH.fullmatch(t)
    if m is None or not (m.group(3) or m.group(4)):
        return None
    out = []
    if m.group(3):
        out.append((_FLIP[m.group(3)], _media_px(m.group(1), m.group(2))))
    if m.group(4):
        out.append((m.group(4), _media_px(m.group(5), m.group(6))))
    return tuple(out)


def _holds(width: float, op: str, value: float) -> bool:
    return {"<": width < value, "<=": width <= value, ">": width > value, ">=": width >= value}[op]


class _Media:
    """A parsed media query list: each query is (``not``, media type applies, features)."""

    __slots__ = ("queries",)

    def __init__(self, queries: list[tuple[bool, bool, tuple[Feature | None, ...]]]) -> None:
        self.queries = queries

    def breakpoints(self) -> set[float]:
        return {v for _, _, features in self.queries for f in features if f for _, v in f}

    def at(self, width: float | None) -> Tri:
        """Whether the list holds at a screen width (None: widths are not told apart)."""
        result: Tri = not self.queries  # an empty list always holds
        for negated, type_ok, features in self.queries:
            value: Tri = type_ok
            for feature in features if type_ok else ():
                if feature is None or width is None:
                    value = _and(value, None)
                else:
                    value = _and(value, all(_holds(width, op, v) for op, v in feature))
            if negated and value is not None:
                value = not value
            result = _or(result, value)
        return result


_UNKNOWN_MEDIA = _Media([(False, True, (None,))])  # @container, @scope…: may or may not apply


def _media(text: str) -> _Media:
    queries: list[tuple[bool, bool, tuple[Feature | None, ...]]] = []
    if not text.strip():
        return _Media(queries)  # "@media {": always
    for query in _top_level_split(text.lower()):
        q = query.strip()
        if not q:
            queries.append((False, False, ()))  # an empty query in a list never matches
            continue
        negated = q.startswith("not ")
        if negated or q.startswith("only "):
            q = q.split(None, 1)[1] if " " in q else ""
        type_ok = True
        features: list[Feature | None] = []
        if q and q[0] != "(":
            kind, _, q = q.partition(" ")
            kind, paren, rest = kind.partition("(")  # "screen and(max-width…"
            q = (paren + rest + " " + q).strip()
            type_ok = kind in ("all", "screen")
            if q.startswith("and"):
                q = q[3:]
            elif q:
                features.append(None)
        features.extend(_width_feature(m.group(1)) for m in _MEDIA_PARENS.finditer(q))
        rest = _MEDIA_PARENS.sub(" ", q)
        if _AND.sub("", rest).strip():
            features.append(None)  # "or", "not (…)", nested parentheses: not understood
        queries.append((negated, type_ok, tuple(features)))
    return _Media(queries)


def _top_level_split(text: str) -> list[str]:
    """``text`` split at commas outside parentheses (selector and media query lists)."""
    if "(" not in text:
        return text.split(",")
    out, depth, start = [], 0, 0
    for m in re.finditer(r"[(),]", text):
        c = m.group()
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return out


# --------------------------------------------------------------------------- selectors and sheets

_IDENT = r"(?:[\w-]|\\[0-9a-fA-F]{1,6}\s?|\\[^\n0-9a-fA-F])+"
_COMPOUND = re.compile(rf"(?:([a-zA-Z][a-zA-Z0-9-]*)|\*)?((?:[.#]{_IDENT})*)")
_SIMPLE = re.compile(rf"([.#])({_IDENT})")
# The same without escapes, much faster: for the (usual) selectors without a backslash.
_PLAIN_COMPOUND = re.compile(r"(?:([a-zA-Z][a-zA-Z0-9-]*)|\*)?((?:[.#][\w-]+)*)")
_PLAIN_SIMPLE = re.compile(r"([.#])([\w-]+)")
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")
_PSEUDO_ELEMENT = re.compile(r"::|:(?:before|after|first-line|first-letter)\b", re.IGNORECASE)
_PSEUDO_CLASS = re.compile(r":[\w-]+")
_COMBINATORS = re.compile(r"\s*[\s>+~]\s*")
_CSS_TOKEN = re.compile(r""""[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"?|'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'?|[{}]""")
_AT_NAME = re.compile(r"@(-?[\w-]+)")
_OVERFLOW_VISIBLE = re.compile(r"overflow\s*:\s*visible", re.IGNORECASE)

Compound = tuple[str | None, tuple[str, ...], tuple[str, ...]]  # tag, ids, classes


def _unescape(name: str) -> str:
    if "\\" not in name:
        return name

    def one(m: re.Match[str]) -> str:
        if m.group(2) is not None:
            return m.group(2)
        code = int(m.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _ESCAPE.sub(one, name)


def _compound(text: str) -> Compound | None:
    escaped = "\\" in text
    m = (_COMPOUND if escaped else _PLAIN_COMPOUND).fullmatch(text)
    if m is None:
        return None
    ids, classes = [], []
    for kind, name in (_SIMPLE if escaped else _PLAIN_SIMPLE).findall(m.group(2)):
        (ids if kind == "#" else classes).append(_unescape(name))
    tag = m.group(1).lower() if m.group(1) else None
    return tag, tuple(ids), tuple(classes)


def _without_groups(text: str) -> str | None:
    """``text`` without parenthesised and bracketed groups (``:not(.a)``, ``[href]``)."""
    if "(" not in text and "[" not in text:
        return text
    out, depth, start = [], 0, 0
    for m in re.finditer(r"[()\[\]]", text):
        if m.group() in "([":
            if depth == 0:
                out.append(text[start : m.start()])
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                start = m.end()
    if depth:
        return None
    out.append(text[start:])
    return "".join(out)


@short_text_cache(8192, 1024)
def _selector(text: str) -> tuple[Compound, bool] | None:
    """A selector as its subject compound and whether it is matched exactly (else loosely).

    Cached across pages: frameworks and a site's own sheet repeat their selectors."""
    s = text.strip()
    if not s:
        return None
    exact = _compound(s)
    if exact is not None:
        return exact, True
    if _PSEUDO_ELEMENT.search(s):
        return None
    bare = _without_groups(s)
    if bare is None:
        return None
    subject = _compound(_PSEUDO_CLASS.sub("", _COMBINATORS.split(bare.strip())[-1]))
    return (subject, False) if subject is not None else None


@dataclass(slots=True)
class _Rule:
    order: int
    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    exact: bool
    decls: dict[str, tuple[str, bool]]
    media: tuple[_Media, ...]
    shows: frozenset[str]
    spec: tuple[int, int, int] = (0, 0, 0)
    when: tuple[Tri, ...] | None = None  # per width class; None: always

    def matches(self, tag: str, ident: str, classes: set[str]) -> bool:
        if self.spec in _BY_KEY_ALONE:  # found under its only id, class or tag: it matches
            return True
        return (
            (self.tag is None or self.tag == tag)
            and all(i == ident for i in self.ids)
            and all(c in classes for c in self.classes)
        )


_RULES, _DECLS, _SKIP = 0, 1, 2
_BY_KEY_ALONE = frozenset({(1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 0, 0)})  # #id, .class, tag, *


@dataclass(slots=True)
class _Frame:
    """An open block of the style sheet being read."""

    kind: int
    media: tuple[_Media, ...] = ()
    selectors: str = ""
    exact: bool = True
    parts: list[str] = field(default_factory=list)


Matched = tuple[tuple[Declared, frozenset[str]], ...]  # per width class
_UNMATCHED = object()


def _without_comments(css: str) -> str:
    """CSS without ``/* */`` comments (an unclosed one runs to the end) and ``<!--``/``-->``."""
    if "/*" in css:
        parts, i = [], 0
        while (j := css.find("/*", i)) >= 0:
            parts.append(css[i:j])
            parts.append(" ")
            k = css.find("*/", j + 2)
            if k < 0:
                i = len(css)
                break
            i = k + 2
        parts.append(css[i:])
        css = "".join(parts)
    return css.replace("<!--", " ").replace("-->", " ")


class _Sheet:
    """The hiding rules of one document's ``<style>`` elements, read once, matched per element."""

    def __init__(
        self,
        styles: Iterable[tuple[str, str | None]],
        *,
        svg: bool = True,
        names: tuple[set[str], set[str]] | None = None,
    ) -> None:
        """``svg``: whether the document has SVG text (transforms matter only there);
        ``names``: the class names and ids used in the document, when known (a rule whose
        subject needs another can never apply, and is not read further)."""
        self._names = names
        self._medias: dict[str, _Media] = {}
        self.index: dict[str, list[_Rule]] = {}
        self.overloaded: set[str] = set()
        self._rules: list[_Rule] = []
        self._conditional: list[_Rule] = []
        self._selectors: dict[str, tuple[Compound, bool] | None] = {}
        budget = _STYLE_TEXT_MAX
        for css, media in styles:
            if budget <= 0:
                break
            css = css[:budget]
            budget -= len(css)
            self._read(css, (self._media(media),) if media else ())
        self._index(svg)
        self.widths = self._settle()
        self.base: tuple[_Paint, ...] = (_PLAIN,) * len(self.widths)
        self._matched: dict[tuple[str, str, str], Matched | None] = {}
        self._styles: dict[str, Declared] = {}
        self._judged: dict[tuple[int, frozenset[str], int, bool, bool, bool], _Paint] = {}
        # Whole paint tuples of elements without inline declarations, by what they depend on
        # (siblings in menus and lists share them); the inputs are kept, so their ids stay unique.
        self._painted: dict[tuple[int, int, bool, bool, bool], tuple[object, object, tuple[_Paint, ...]]] = {}
        self._interned: dict[_Paint, _Paint] = {_PLAIN: _PLAIN}

    @classmethod
    def of(cls, scope: etree._Element) -> _Sheet:
        styles = _style_texts(scope)
        if not styles:
            return cls(())
        classes: set[str] = set()
        ids: set[str] = set()
        for el in scope.iter(etree.Element):  # (XPath's .//@class is quadratic in deep trees)
            if value := el.get("class"):
                classes.update(value.split())
            if value := el.get("id"):
                ids.add(value)
        return cls(styles, svg=next(scope.iter("text"), None) is not None, names=(classes, ids))

    def _media(self, text: str) -> _Media:
        """Parsed once per distinct query text (big sheets repeat their breakpoints)."""
        found = self._medias.get(text)
        if found is None:
            found = self._medias[text] = _media(text)
        return found

    # ----------------------------------------------------------------- reading

    def _read(self, css: str, media: tuple[_Media, ...]) -> None:
        """One pass over the tokens ``{``, ``}`` and strings (skipped whole)."""
        css = _without_comments(css)
        frames = [_Frame(_RULES, media)]
        start = 0
        for m in _CSS_TOKEN.finditer(css):
            token = m.group()
            if token[0] in "\"'":
                continue
            frame = frames[-1]
            segment = css[start : m.start()]
            start = m.end()
            if token == "{":
                frames.append(self._open(frame, segment, len(frames)))
            else:
                self._close(frame, segment)
                if len(frames) > 1:
                    frames.pop()
        tail = css[start:]
        while len(frames) > 1:  # blocks still open at the end close there, as in browsers
            self._close(frames.pop(), tail)
            tail = ""

    def _open(self, frame: _Frame, segment: str, depth: int) -> _Frame:
        if depth >= _BLOCK_DEPTH or frame.kind == _SKIP:
            return _Frame(_SKIP)
        if frame.kind == _RULES:
            prelude = segment.rpartition(";")[2].strip()  # after @import…; and stray semicolons
            if not prelude.startswith("@"):
                return _Frame(_DECLS, frame.media, prelude)
            inner = self._at_rule(prelude, frame.media)
            return _Frame(_RULES, inner) if inner is not None else _Frame(_SKIP)
        # A block inside declarations: CSS nesting. Nested rules are loose; nested @media
        # applies the parent's selectors under a condition.
        declarations, _, prelude = segment.rpartition(";")
        frame.parts.append(declarations)
        prelude = prelude.strip()
        if prelude.startswith("@"):
            inner = self._at_rule(prelude, frame.media)
            if inner is None:
                return _Frame(_SKIP)
            exact = frame.exact and inner[-1:] != (_UNKNOWN_MEDIA,)
            return _Frame(_DECLS, inner, frame.selectors, exact)
        return _Frame(_DECLS, frame.media, prelude.replace("&", " "), False)

    def _at_rule(self, prelude: str, media: tuple[_Media, ...]) -> tuple[_Media, ...] | None:
        """The conditions inside an at-rule block; None for blocks skipped (@font-face…)."""
        m = _AT_NAME.match(prelude)
        name = m.group(1).lower() if m else ""
        if name == "media":
            return (*media, self._media(prelude[m.end() :] if m else ""))
        if name in ("supports", "layer"):
            return media
        if name in ("container", "scope", "document", "-moz-document", "starting-style"):
            return (*media, _UNKNOWN_MEDIA)
        return None

    def _close(self, frame: _Frame, segment: str) -> None:
        if frame.kind == _DECLS:
            frame.parts.append(segment)
            self._add(frame.selectors, ";".join(frame.parts), frame.media, frame.exact)

    def _add(self, selectors: str, text: str, media: tuple[_Media, ...], exact: bool) -> None:
        if self._absent(selectors):
            return
        decls = None
        for selector in _top_level_split(selectors):
            parsed = self._selectors.get(selector, _UNMATCHED)
            if parsed is _UNMATCHED:
                parsed = self._selectors[selector] = _selector(selector)
            if parsed is None:
                continue
            (tag, ids, classes), simple = parsed  # type: ignore[misc]
            if self._names is not None and not (
                all(c in self._names[0] for c in classes) and all(i in self._names[1] for i in ids)
            ):
                continue  # its element is not on the page
            if decls is None:
                decls = _declarations(text)
            if not decls:
                return
            spec = (len(ids), len(classes), int(bool(tag)))
            rule = _Rule(len(self._rules), tag, ids, classes, simple and exact, decls, media, _NO_SOFT, spec)
            self._rules.append(rule)

    def _absent(self, selectors: str) -> bool:
        """A quick test before parsing: every selector of the list names a class or id, and
        no class or id named is on the page (most rules of a framework's sheet)."""
        if self._names is None or "\\" in selectors or "(" in selectors:
            return False  # escapes; names in :not(.x), which matches elements without them
        found = _PLAIN_SIMPLE.findall(selectors)
        if not found:
            return False
        classes, ids = self._names
        if any((name in classes) if kind == "." else (name in ids) for kind, name in found):
            return False
        return all("." in s or "#" in s for s in selectors.split(","))

    def _index(self, svg: bool) -> None:
        """Keeps the declarations of categories that some rule of the sheet hides by (and
        all colours, and all ``!important`` ones): the others can only confirm that an
        element is shown, which it is anyway. Rules are then indexed by id, class or tag."""
        active = {"color", "background", *(("move",) if svg else ())}
        for rule in self._rules:
            for prop, (value, _) in rule.decls.items():
                category = _CATEGORY[prop]
                if category in active:
                    continue
                if category == "size":
                    hides = prop in ("width", "height") and _hides(prop, value)
                elif category in ("place", "clip"):
                    hides = prop != "position" and _hides(prop, value)
                else:
                    hides = _hides(prop, value)
                if hides:
                    active.add(category)
        kept: dict[int, dict[str, tuple[str, bool]]] = {}
        for rule in self._rules:
            decls = kept.get(id(rule.decls))
            if decls is None:
                decls = kept[id(rule.decls)] = {
                    prop: (value, important)
                    for prop, (value, important) in rule.decls.items()
                    if important
                    or _CATEGORY[prop] in active
                    or (prop == "position" and "clip" in active)
                    or (prop == "display" and "place" in active)  # text-indent needs a block
                }
            if not decls:
                continue
            rule.decls = decls
            rule.shows = _shows(decls)
            key = (
                f"#{rule.ids[0]}"
                if rule.ids
                else f".{rule.classes[0]}"
                if rule.classes
                else f"<{rule.tag}"
                if rule.tag
                else "*"
            )
            rules = self.index.setdefault(key, [])
            if len(rules) >= _RULES_PER_KEY:
                self.overloaded.add(key)
                continue
            rules.append(rule)
            if rule.media:
                self._conditional.append(rule)
        self._rules = []

    def _settle(self) -> tuple[float | None, ...]:
        """The screen widths to evaluate (one per class of widths the media queries tell
        apart), and each conditional rule's truth at them."""
        medias = list({id(m): m for rule in self._conditional for m in rule.media}.values())
        points = sorted({v for m in medias for v in m.breakpoints()})
        widths: tuple[float | None, ...] = (None,)
        if points and len(points) <= _BREAKPOINTS_MAX:
            low, high = _VIEWPORT
            candidates = {low, high, *points, points[0] - 1, points[-1] + 1}
            candidates.update((a + b) / 2 for a, b in itertools.pairwise(points))
            classes: dict[tuple[Tri, ...], float] = {}
            for w in sorted(min(max(c, low), high) for c in candidates):
                classes.setdefault(tuple(m.at(w) for m in medias), w)
            if len(classes) <= _WIDTHS_MAX:
                widths = tuple(classes.values())
        cache: dict[int, tuple[Tri, ...]] = {}
        for rule in self._conditional:
            key = id(rule.media)
            if key not in cache:
                cache[key] = tuple(_all(m.at(w) for m in rule.media) for w in widths)
            rule.when = cache[key]
        return widths

    # ----------------------------------------------------------------- matching

    def paints(
        self, el: etree._Element, tag: str, parent: tuple[_Paint, ...], svg: bool, enter_svg: bool
    ) -> tuple[_Paint, ...]:
        """The element's paint at each width class, from its parent's."""
        matched = self._match(el, tag) if self.index or self.overloaded else None
        style = el.get("style")
        own = self._inline(style) if style else None
        hints = _hints(el, tag, svg) if svg or tag in _HINT_TAGS else None
        if hints:
            own = {**hints, **own} if own else hints
        if matched is None and not own and not enter_svg:
            return parent
        boxed = tag in ("iframe", "svg")
        if own is None:
            whole = (id(matched), id(parent), boxed, svg, enter_svg)
            found = self._painted.get(whole)
            if found is not None:
                return found[2]
        out = []
        memo = self._judged if own is None else {}  # sheet-wide: ``d`` and paints live as long
        for k, p in enumerate(parent):
            d, soft = matched[k] if matched else (_EMPTY, _NO_SOFT)
            key = (id(d), soft, id(p), boxed, svg, enter_svg)
            paint = memo.get(key)
            if paint is None:
                merged = d
                if own:
                    merged = dict(d)
                    for prop, entry in own.items():
                        current = merged.get(prop)
                        if current is None or entry[0] > current[0]:
                            merged[prop] = entry
                paint = _judge(merged, soft, p, tag, svg, enter_svg)
                paint = memo[key] = self._interned.setdefault(paint, paint)
            out.append(paint)
        if own is None:
            self._painted[whole] = (matched, parent, tuple(out))
            return self._painted[whole][2]
        return tuple(out)

    def _inline(self, style: str) -> Declared:
        found = self._styles.get(style)
        if found is None:
            found = self._styles[style] = _inline(style)
        return found

    def _match(self, el: etree._Element, tag: str) -> Matched | None:
        ident, names = el.get("id") or "", el.get("class") or ""
        signature = (tag, ident, names)
        found = self._matched.get(signature, _UNMATCHED)
        if found is _UNMATCHED:
            found = self._matched[signature] = self._cascade(tag, ident, names)
        return found  # type: ignore[return-value]

    def _cascade(self, tag: str, ident: str, names: str) -> Matched | None:
        classes = set(names.split()[:_CLASSES_MAX])
        keys = [f"<{tag}", "*", *([f"#{ident}"] if ident else []), *(f".{c}" for c in classes)]
        exact: list[_Rule] = []
        loose: list[_Rule] = []
        overloaded = False
        for key in keys:
            overloaded = overloaded or key in self.overloaded
            for rule in self.index.get(key, ()):
                if rule.matches(tag, ident, classes):
                    (exact if rule.exact else loose).append(rule)
        if not (exact or loose or overloaded):
            return None
        exact.sort(key=lambda r: (r.spec, r.order))
        conditional = [r for r in (*exact, *loose) if r.when is not None]
        out: list[tuple[Declared, frozenset[str]]] = []
        done: dict[tuple[Tri, ...], tuple[Declared, frozenset[str]]] = {}
        for k in range(len(self.widths)):
            vector = tuple(r.when[k] for r in conditional)  # type: ignore[index]
            if vector in done:
                out.append(done[vector])
                continue
            d: Declared = {}
            soft: set[str] = set()
            for rule in exact:
                applies = True if rule.when is None else rule.when[k]
                if applies is None:
                    soft |= rule.shows
                elif applies:
                    for prop, (value, important) in rule.decls.items():
                        priority: Priority = (important, _SHEET_ORIGIN, rule.spec, rule.order)
                        current = d.get(prop)
                        if current is None or priority > current[0]:
                            d[prop] = (priority, value)
            for rule in loose:
                if rule.when is None or rule.when[k] is not False:
                    soft |= rule.shows
            done[vector] = (d, _ALL_CATEGORIES if overloaded else frozenset(soft))
            out.append(done[vector])
        return tuple(out)


def _all(values: Iterable[Tri]) -> Tri:
    result: Tri = True
    for v in values:
        result = _and(result, v)
    return result


def _style_texts(scope: etree._Element) -> list[tuple[str, str | None]]:
    """The text and ``media`` of the ``<style>`` elements that apply in ``scope``'s document:
    not those of ``<noscript>``/``<template>`` or of a grafted ``<iframe srcdoc>`` inside it.

    Ancestors already seen are remembered, so deep trees are walked up once.
    """
    clean: set[etree._Element] = {scope}
    excluded: set[etree._Element] = set()
    out: list[tuple[str, str | None]] = []
    for style in scope.iter("style"):
        if len(out) >= _STYLES_MAX:
            break
        chain = []
        node = style.getparent()
        outside = False
        while node is not None and node not in clean:
            if node in excluded:
                outside = True
                break
            chain.append(node)
            if tag_of(node) in ("noscript", "template") or (tag_of(node) == "iframe" and grafted(node)):
                outside = True
                break
            node = node.getparent()
        (excluded if outside else clean).update(chain)
        kind = (style.get("type") or "text/css").strip().lower()
        if outside or kind not in ("text/css", ""):
            continue
        media = (style.get("media") or "").strip()
        out.append((style.text or "", media if media.lower() not in ("", "all", "screen") else None))
    return out


# --------------------------------------------------------------------------- hidden elements


def _inner_mode(el: etree._Element, tag: str, mode: int) -> int | None:
    """How the content of an element renders (HTML, SVG or SVG text); None: not at all."""
    if not tag:
        return None
    if mode == HTML:
        if tag == "svg":
            return SVG
        if tag == "iframe":
            return HTML if grafted(el) else None
        return None if tag in DROP else HTML
    if tag in _SVG_UNRENDERED:
        return None
    if tag == "foreignobject":
        return HTML
    return SVG_TEXT if tag == "text" or mode == SVG_TEXT else SVG


def _svg_box(svg: etree._Element) -> tuple[float, float, float] | None:
    """Left and top of an SVG's viewport and how far beyond them text is surely clipped;
    None when the SVG does not clip (``overflow:visible``) or its viewBox does not parse."""
    if "visible" in (svg.get("overflow") or "").lower() or _OVERFLOW_VISIBLE.search(svg.get("style") or ""):
        return None
    box = svg.get("viewbox")
    if not box:
        return (0.0, 0.0, 0.0)
    parts = [p for p in _ARGS.split(box.strip()) if p]
    try:
        # the aspect ratio may show some of the area around a viewBox: only far off counts
        return (float(parts[0]), float(parts[1]), -_FAR)
    except (ValueError, IndexError):
        return None


def _first_offset(value: str | None) -> float | None:
    if not value or not value.strip():
        return 0.0
    return _px(_ARGS.split(value.strip())[0])


def _clipped_text(text: etree._Element, box: tuple[float, float, float], paints: tuple[_Paint, ...]) -> bool:
    """An SVG ``<text>`` drawn above the top (alphabetic baseline at or above it) or far to
    the left of its SVG: ``<svg><text>x</text></svg>`` shows nothing."""
    if any(p.moved for p in paints):
        return False
    for node in text.iterdescendants():
        if any(node.get(a) for a in ("x", "y", "dx", "dy", "transform")):
            return False
    offsets = [_first_offset(text.get(a)) for a in ("x", "dx", "y", "dy")]
    if any(o is None for o in offsets):
        return False
    x, dx, y, dy = offsets  # type: ignore[misc]
    left, top, margin = box
    return y + dy <= top - margin or x + dx <= left + _FAR - margin


class _Found:
    """Hidden text that held words, in document order, up to a cap; and how many of its words
    were woven into running text (see :func:`_between_words`)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.size = 0
        self.woven = 0

    @property
    def room(self) -> int:
        return self.cap - self.size

    def add(self, text: str, el: etree._Element) -> None:
        if self.room > 0 and _WORD_CHAR.search(text):
            self.parts.append(text[: self.room])
            self.size += len(self.parts[-1]) + 1
            if _between_words(el):
                self.woven += len(self.parts[-1].split())

    def text(self) -> str:
        return " ".join(self.parts)[: self.cap]


def _subtree_words(el: etree._Element, limit: int) -> str:
    """The text of ``el`` (not its tail), without scripts and styles, up to about ``limit``."""
    parts: list[str] = []
    size = 0
    stack: list[etree._Element | str] = [el]
    while stack and size < limit:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            size += len(item)
            continue
        if not isinstance(item.tag, str) or tag_of(item) in _NO_TEXT:
            continue
        if item.text:
            parts.append(item.text)
            size += len(item.text)
        for child in reversed(item):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
    return one_line(" ".join(parts))[:limit]


def _between_words(el: etree._Element) -> bool:
    """Whether ``el`` sits inside running text, words right before and right after it: how
    junk is woven between a copy's words. A hidden menu, dialog or block has none around it
    (80 of 1,076 real pages hide text, up to 2.4 times their visible words; at most 24 words
    of it, 3 % of the visible ones, sat between words: ``python eval/findings.py``)."""
    parent = el.getparent()
    if parent is None:
        return False
    before, after = el.getprevious(), el.getnext()
    ahead = el.tail if el.tail and el.tail.strip() else (after.text if after is not None else None)
    behind = (before.tail or before.text) if before is not None else parent.text
    return bool(ahead and behind and _WORD_CHAR.search(ahead) and _WORD_CHAR.search(behind))


def _own_words(el: etree._Element) -> str:
    """An element's own text: its text and its children's tails."""
    return one_line(" ".join(t for t in (el.text, *(c.tail for c in el)) if t))


class _ContentProbe:
    """Whether an element wraps the story: an ``<article>``/``<main>`` or three long
    paragraphs inside (an ``article-header`` div that holds the story is not a header).

    Asking each landmark element for its descendants cost quadratic time in nested
    landmarks; instead, on the first question, every ``<article>``, ``<main>`` and long
    ``<p>`` under ``root`` marks its ancestors, stopping at one already marked (three times
    for paragraphs), which is linear however deep the tree.
    """

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._content: set[etree._Element] | None = None
        self._paragraphs: dict[etree._Element, int] = {}

    def __call__(self, el: etree._Element) -> bool:
        if self._content is None:
            self._mark()
        return el in self._content or self._paragraphs.get(el, 0) >= _WRAPPER_PARAGRAPHS  # type: ignore[operator]

    def _mark(self) -> None:
        content: set[etree._Element] = set()
        for found in self.root.iter(*CONTENT_TAGS):
            node = None if found is self.root else found.getparent()
            while node is not None and node not in content:
                content.add(node)
                node = None if node is self.root else node.getparent()
        counts = self._paragraphs
        for p in self.root.iter("p"):
            if len("".join(p.itertext())) < _LONG_PARAGRAPH:
                continue
            node = None if p is self.root else p.getparent()
            while node is not None and counts.get(node, 0) < _WRAPPER_PARAGRAPHS:
                counts[node] = counts.get(node, 0) + 1
                node = None if node is self.root else node.getparent()
        self._content = content


# element, its parent's paints and whether they mute, its document's sheet, depth, mode, SVG box
_Item = tuple[etree._Element, tuple[_Paint, ...], bool, _Sheet, int, int, tuple[float, float, float] | None]


class Landmarks:
    """Hidden status and header/body/footer context of the elements under one root.

    Built once per tree by one iterative pass: ``hidden`` (the outermost hidden elements, also
    listed in document order as ``unseen``), ``muted`` (elements whose own text no reader sees:
    ``font-size:0``, text coloured like its background), ``hidden_text`` (what both held that
    had words) and ``depth`` (of the deepest element visited). The line walker fills
    ``inside`` as it descends, and :meth:`where_of` (the links) reuses it, computing only what
    the walker skipped (hidden and dropped subtrees) and remembering that too.
    """

    def __init__(self, root: etree._Element, *, read: bool = True) -> None:
        self.root = root
        self.hidden: set[etree._Element] = set()
        self.muted: set[etree._Element] = set()
        self.unseen: list[etree._Element] = []
        self.inside: dict[etree._Element, Where] = {}  # the context of an element's content
        self.wraps = _ContentProbe(root)
        self.hidden_text = ""
        self.hidden_woven = 0  # words of hidden_text that sat between visible words
        self.depth = 0
        if read:
            self._read()

    def _read(self) -> None:
        sheet = _Sheet.of(self.root)
        found = _Found(HIDDEN_TEXT_MAX)
        stack: list[_Item] = [(self.root, sheet.base, False, sheet, 1, HTML, None)]
        while stack:
            el, parent, parent_muted, sheet, depth, mode, box = stack.pop()
            if depth > self.depth:
                self.depth = depth
            tag = el.tag.lower()
            if mode != HTML or tag in DROP:
                inner = _inner_mode(el, tag, mode)
                if inner is None:
                    continue  # what never renders (head, script, <defs>…)
            else:
                inner = HTML
            svg = mode != HTML or inner != HTML
            paints = sheet.paints(el, tag, parent, svg, mode == HTML and inner == SVG)
            if paints is parent:  # nothing declared: as its parent, which was not hidden
                gone, muted = False, parent_muted
            else:
                gone, muted = all(p.gone for p in paints), all(p.mutes() for p in paints)
            if (
                gone
                or _hidden_by_markup(el)
                or (tag == "text" and box is not None and _clipped_text(el, box, paints))
            ):
                self.hidden.add(el)
                self.unseen.append(el)
                if found.room > 0:
                    found.add(_subtree_words(el, found.room), el)
                continue
            if muted:
                self.muted.add(el)
                found.add(_own_words(el), el)
            if tag == "iframe" and inner == HTML:  # a grafted srcdoc: a document with its own styles
                sheet = _Sheet.of(el)
                paints, muted = sheet.base, False
            if tag == "svg":
                box = _svg_box(el)
            elif inner == HTML:
                box = None
            stack.extend(
                (child, paints, muted, sheet, depth + 1, inner, box)
                for child in reversed(el)
                if isinstance(child.tag, str)
            )
        self.hidden_text = found.text()
        self.hidden_woven = found.woven

    def gone(self, el: etree._Element) -> bool:
        """Whether ``el`` or one of its ancestors is hidden."""
        return el in self.hidden or any(a in self.hidden for a in el.iterancestors())

    def where_of(self, el: etree._Element) -> Where:
        """Where ``el`` sits (its ancestors' landmarks): what :func:`link_where` says."""
        parent = el.getparent()
        return "body" if parent is None or el is self.root else self._inside(parent)

    def _inside(self, el: etree._Element) -> Where:
        chain = []
        node: etree._Element | None = el
        while node is not None and node not in self.inside:
            chain.append(node)
            node = None if node is self.root else node.getparent()
        where: Where = "body" if node is None else self.inside[node]
        for anc in reversed(chain):
            where = where_in(anc, tag_of(anc), where, self.wraps)
            self.inside[anc] = where
        return where


# --------------------------------------------------------------------------- landmarks


def landmark(el: etree._Element, tag: str) -> Where | None:
    """What the element itself says it is, by tag, ARIA role, or class and id words."""
    role = el.get("role", "").lower()
    if tag == "footer" or role == "contentinfo":
        return "footer"
    if tag in _HEADER_TAGS or role in _HEADER_ROLES:
        return "header"
    if tag in ("html", "body", *CONTENT_TAGS):
        return None
    return _named_landmark(el.get("class", ""), el.get("id", ""))


@short_text_cache(4096, 1024)
def _named_landmark(classes: str, ident: str) -> Where | None:
    """What class and id words say (menus repeat theirs on every item: searched once)."""
    names = f"{classes} {ident}"
    if _FOOTER_WORDS.search(names):
        return "footer"
    if _HEADER_WORDS.search(names):
        return "header"
    return None


def where_in(
    el: etree._Element, tag: str, outer: Where, wraps: Callable[[etree._Element], bool] | None = None
) -> Where:
    """Footer wins over header (a footer's nav is still footer); wrappers of the article are body.

    ``wraps`` is the tree's shared :class:`_ContentProbe` (one is made when not given).
    """
    if outer == "footer":
        return "footer"
    kind = landmark(el, tag)
    if kind is None or (outer == "header" and kind == "header"):
        return outer
    return outer if (wraps or _ContentProbe(el))(el) else kind


def line_role(
    el: etree._Element, tag: str, outer: LineRole, wraps: Callable[[etree._Element], bool] | None = None
) -> LineRole:
    """Heading (``h1``-``h6``, ARIA heading, unless marked as a byline or author) or image
    caption (``figcaption``, a ``figure`` that is not a wrapper of the story, caption and
    photo-credit classes); else ``outer``."""
    if outer != "text":
        return outer
    if tag in _HEADINGS or el.get("role", "").lower() == "heading":
        # <h3 class="byline">Lisa Kubota</h3>: the markup says what the heading holds
        return "text" if _BYLINE_WORDS.search(f"{el.get('class', '')} {el.get('id', '')}") else "heading"
    if tag == "figcaption" or (tag == "figure" and not (wraps or _ContentProbe(el))(el)):
        return "caption"
    return _named_role(el.get("class", ""), el.get("id", ""))


@short_text_cache(4096, 1024)
def _named_role(classes: str, ident: str) -> LineRole:
    return "caption" if _CAPTION_WORDS.search(f"{classes} {ident}") else "text"


def link_where(el: etree._Element) -> Where:
    """Header, body or footer for any element, by the same landmark rules as the lines.

    One ancestor walk per call: for many elements of one page, :meth:`Landmarks.where_of`
    shares the work.
    """
    where: Where = "body"
    ancestors = list(el.iterancestors())
    probe = _ContentProbe(ancestors[-1] if ancestors else el)
    for anc in reversed(ancestors):
        where = where_in(anc, tag_of(anc), where, probe)
    return where


# --------------------------------------------------------------------------- visible lines


@dataclass(slots=True)
class _Run:
    """Text being gathered into one visible line."""

    where: Where
    line: int | None
    parts: list[str]
    role: LineRole = "text"


_ENTER, _TAIL, _EXIT = 0, 1, 2


class LineWalker:
    """Depth-first walk that cuts the text of the page at block boundaries and ``<br>``.

    Iterative (an explicit stack of enter, tail and exit steps), so that no nesting depth
    reaches Python's recursion limit. ``cursor`` follows the source line as text goes by, so
    a run that starts in the tail of a nested element (which lxml gives no line for) still
    gets a close line number. ``record=False`` leaves the landmarks' ``inside`` alone (a
    walk over one element of a page whose links are still to be placed).
    """

    def __init__(self, marks: Landmarks, *, record: bool = True) -> None:
        self.marks = marks
        self.record = record
        self.lines: list[TextLine] = []
        self.run: _Run | None = None
        self.cursor = 1
        self.glued = False  # an inline element just ended and no text has followed yet

    def collect(self, root: etree._Element) -> list[TextLine]:
        stack: list[tuple[int, etree._Element, Where, LineRole, int]] = [(_ENTER, root, "body", "text", HTML)]
        while stack:
            step, el, where, role, flag = stack.pop()
            if step == _ENTER:
                self._enter(el, where, role, flag, stack)
            elif step == _TAIL:
                line = el.sourceline if tag_of(el) == "br" else None
                if flag:
                    self._text(el.tail, where, line, role)
                else:
                    self._blank(el.tail)
            elif flag:  # the end of a block
                self._flush()
            else:
                self.glued = True
        self._flush()
        return self.lines

    def _enter(
        self,
        el: etree._Element,
        where: Where,
        role: LineRole,
        mode: int,
        stack: list[tuple[int, etree._Element, Where, LineRole, int]],
    ) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        inner = HTML if mode == HTML and tag and tag not in DROP else _inner_mode(el, tag, mode)
        if inner is None or el in self.marks.hidden:  # comments, PIs, invisible elements
            self._skip(el)
            return
        where = where_in(el, tag, where, self.marks.wraps)
        role = line_role(el, tag, role, self.marks.wraps)
        if self.record:
            self.marks.inside[el] = where
        self.cursor = max(self.cursor, el.sourceline or 0)
        block = (
            tag in BLOCK
            or tag == "br"
            or (mode == HTML and tag in ("svg", "iframe"))
            or (mode == SVG and tag == "text")  # each <text> is placed on its own
        )
        if block:
            self._flush()
        elif self.glued and self.run:  # <span>A</span><span>B</span> renders apart
            self.run.parts.append(" ")
        self.glued = False
        shown = inner != SVG and el not in self.marks.muted  # outside <text>, SVG draws no text
        if shown:
            self._text(el.text, where, el.sourceline, role)
        else:
            self._blank(el.text)
        stack.append((_EXIT, el, where, role, block))
        for child in reversed(el):
            stack.append((_TAIL, child, where, role, shown))
            stack.append((_ENTER, child, where, role, inner))

    def _skip(self, el: etree._Element) -> None:
        self.cursor = max(self.cursor, el.sourceline or 0) + (el.text or "").count("\n")

    def _blank(self, text: str | None) -> None:
        """Text no reader sees: white space, as far as the line goes."""
        if text:
            self._text("\n" * text.count("\n") or " ", "body", None, "text")

    def _text(self, text: str | None, where: Where, line: int | None, role: LineRole) -> None:
        if not text:
            return
        self.glued = False
        if not text.strip():
            self.cursor += text.count("\n")
            if self.run:
                self.run.parts.append(" ")
            return
        if self.run is None:
            lead = text[: len(text) - len(text.lstrip())]
            self.run = _Run(where, line or self.cursor + lead.count("\n"), [], role)
        self.run.parts.append(text)
        self.cursor += text.count("\n")

    def _flush(self) -> None:
        run, self.run = self.run, None
        if run is None:
            return
        text = one_line("".join(run.parts))
        if _WORD_CHAR.search(text):
            self.lines.append(TextLine(text, run.where, run.line, run.role))


def visible_lines(root: etree._Element, marks: Landmarks | None = None) -> list[TextLine]:
    """Every visible text line under ``root`` in document order, with where and source line.

    Pass the page's ``marks`` to keep the landmarks found on the way for its links.
    """
    return LineWalker(marks or Landmarks(root)).collect(root)


def visible_text(el: etree._Element, marks: Landmarks | None = None) -> str:
    """The visible text of one element, its lines joined by spaces.

    With the page's ``marks``, the page's style sheet applies (and an element inside a hidden
    one has no visible text); without, only what ``el`` itself holds is consulted.
    """
    if marks is None:
        return " ".join(line.text for line in visible_lines(el))
    if marks.gone(el):
        return ""
    return " ".join(line.text for line in LineWalker(marks, record=False).collect(el))


def one_line(text: str) -> str:
    """Normalised text on one line, runs of white space as one space.

    :func:`provenance.text.normalize` drops zero-width and bidi formatting characters and
    puts text under a right-to-left override back in reading order. On ASCII text it only
    turns white space into other white space, so splitting the text itself is the same.
    """
    if text.isascii():
        return " ".join(text.split())
    return " ".join(normalize(text).split())
