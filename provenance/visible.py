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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

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
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
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


def tag_of(el: etree._Element) -> str:
    """The lower-case tag name; "" for comments and processing instructions."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def is_hidden(el: etree._Element) -> bool:
    """``hidden``, ``type=hidden``, ``display:none``/``visibility:hidden`` or a hiding class."""
    if el.get("hidden") is not None or el.get("type", "").lower() == "hidden":
        return True
    if _HIDDEN_STYLE.search(el.get("style", "")):
        return True
    classes = el.get("class", "").lower().split()
    if not _HIDDEN_CLASSES.intersection(classes):
        return False
    return not any(_SHOWN_LATER.match(c) for c in classes)  # "hidden md:block": shown on desktops


def unseen_positions(root: etree._Element) -> tuple[list[int], set[etree._Element]]:
    """Positions in ``root.iter()`` of the nodes a reader never sees (hidden elements,
    comments, processing instructions), and the hidden elements themselves.

    Positions, because they hold in a deep copy of the tree too.
    """
    positions: list[int] = []
    hidden: set[etree._Element] = set()
    for i, node in enumerate(root.iter()):
        if not isinstance(node.tag, str):
            positions.append(i)
        elif is_hidden(node):
            positions.append(i)
            hidden.add(node)
    return positions, hidden


def remove_at(root: etree._Element, positions: list[int]) -> None:
    """Removes the nodes at ``positions`` of ``root.iter()`` (from :func:`unseen_positions`),
    keeping the text that follows each (its tail)."""
    nodes = list(root.iter())
    for i in positions:
        remove_keeping_tail(nodes[i])


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


def landmark(el: etree._Element, tag: str) -> Where | None:
    """What the element itself says it is, by tag, ARIA role, or class and id words."""
    role = el.get("role", "").lower()
    if tag == "footer" or role == "contentinfo":
        return "footer"
    if tag in _HEADER_TAGS or role in _HEADER_ROLES:
        return "header"
    if tag in ("html", "body", *CONTENT_TAGS):
        return None
    names = f"{el.get('class', '')} {el.get('id', '')}"
    if _FOOTER_WORDS.search(names):
        return "footer"
    if _HEADER_WORDS.search(names):
        return "header"
    return None


def where_in(el: etree._Element, tag: str, outer: Where) -> Where:
    """Footer wins over header (a footer's nav is still footer); wrappers of the article are body."""
    if outer == "footer":
        return "footer"
    kind = landmark(el, tag)
    if kind is None or (outer == "header" and kind == "header"):
        return outer
    return outer if _wraps_content(el) else kind


def _wraps_content(el: etree._Element) -> bool:
    """An ``article-header`` div that holds the story's paragraphs is not a header."""
    if any(True for _ in el.iterdescendants(*CONTENT_TAGS)):
        return True
    found = 0
    for p in el.iterdescendants("p"):
        found += len("".join(p.itertext())) >= _LONG_PARAGRAPH
        if found >= _WRAPPER_PARAGRAPHS:
            return True
    return False


def line_role(el: etree._Element, tag: str, outer: LineRole) -> LineRole:
    """Heading (``h1``-``h6``, ARIA heading, unless marked as a byline or author) or image
    caption (``figcaption``, a ``figure`` that is not a wrapper of the story, caption and
    photo-credit classes); else ``outer``."""
    if outer != "text":
        return outer
    if tag in _HEADINGS or el.get("role", "").lower() == "heading":
        # <h3 class="byline">Lisa Kubota</h3>: the markup says what the heading holds
        return "text" if _BYLINE_WORDS.search(f"{el.get('class', '')} {el.get('id', '')}") else "heading"
    if tag == "figcaption" or (tag == "figure" and not _wraps_content(el)):
        return "caption"
    if _CAPTION_WORDS.search(f"{el.get('class', '')} {el.get('id', '')}"):
        return "caption"
    return "text"


def link_where(el: etree._Element) -> Where:
    """Header, body or footer for any element, by the same landmark rules as the lines.

    One ancestor walk per call: for many elements of one page, :meth:`Landmarks.where_of`
    shares the work.
    """
    where: Where = "body"
    for anc in reversed(list(el.iterancestors())):
        where = where_in(anc, tag_of(anc), where)
    return where


class Landmarks:
    """Hidden status and header/body/footer context of the elements under one root.

    Built once per tree: ``hidden`` by one pass over it, ``unseen`` (positions) for
    trafilatura's copy. The line walker fills ``inside`` as it descends, and
    :meth:`where_of` (the links) reuses it, computing only what the walker skipped
    (hidden and dropped subtrees) and remembering that too.
    """

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.unseen, self.hidden = unseen_positions(root)
        self.inside: dict[etree._Element, Where] = {}  # the context of an element's content

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
            where = where_in(anc, tag_of(anc), where)
            self.inside[anc] = where
        return where


# --------------------------------------------------------------------------- visible lines


@dataclass(slots=True)
class _Run:
    """Text being gathered into one visible line."""

    where: Where
    line: int | None
    parts: list[str]
    role: LineRole = "text"


class LineWalker:
    """Depth-first walk that cuts the text of the page at block boundaries and ``<br>``.

    ``cursor`` follows the source line as text goes by, so a run that starts in the tail
    of a nested element (which lxml gives no line for) still gets a close line number.
    """

    def __init__(self, marks: Landmarks) -> None:
        self.marks = marks
        self.lines: list[TextLine] = []
        self.run: _Run | None = None
        self.cursor = 1
        self.glued = False  # an inline element just ended and no text has followed yet

    def collect(self, root: etree._Element) -> list[TextLine]:
        self.walk(root, "body", "text")
        self._flush()
        return self.lines

    def walk(self, el: etree._Element, where: Where, role: LineRole) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in DROP or el in self.marks.hidden:  # comments, PIs, invisible elements
            self._skip(el)
            return
        where = where_in(el, tag, where)
        role = line_role(el, tag, role)
        self.marks.inside[el] = where
        self.cursor = max(self.cursor, el.sourceline or 0)
        block = tag in BLOCK or tag == "br"
        if block:
            self._flush()
        elif self.glued and self.run:  # <span>A</span><span>B</span> renders apart
            self.run.parts.append(" ")
        self.glued = False
        self._text(el.text, where, el.sourceline, role)
        for child in el:
            self.walk(child, where, role)
            self._text(child.tail, where, child.sourceline if tag_of(child) == "br" else None, role)
        if block:
            self._flush()
        else:
            self.glued = True

    def _skip(self, el: etree._Element) -> None:
        self.cursor = max(self.cursor, el.sourceline or 0) + (el.text or "").count("\n")

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


def visible_text(el: etree._Element) -> str:
    """The visible text of one element, its lines joined by spaces."""
    return " ".join(line.text for line in visible_lines(el))


def one_line(text: str) -> str:
    """Normalised text on one line, runs of white space as one space."""
    return " ".join(normalize(text).split())
