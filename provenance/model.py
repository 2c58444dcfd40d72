"""Plain data passed between the pure core and the I/O edges.

Everything here is immutable or plain data, so the core (text in, findings out) can be
tested without a database, a network or a file system.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Where = Literal["body", "header", "footer", "meta", "jsonld"]
VISIBLE_WHERE = frozenset({"body", "header", "footer"})  # what a reader of the page sees
# A "mention" cites the agency for one fact in a sentence ("according to Reuters"): reported,
# never a credit of the text.
SignalKind = Literal["byline", "dateline", "credit", "contributor", "notice", "link", "mention"]
Severity = Literal["error", "warning", "info"]
Derivation = Literal["verbatim", "edited", "spun", "partial"]
# What a line is on its page: running text, a heading (never a byline: "Oil Prices Rise" reads
# like a name), or an image caption (its agency names credit a photo, not the text).
LineRole = Literal["text", "heading", "caption"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class TextLine:
    """One visible line of a page, kept with where it was found.

    Attribution signals (credit lines, footers) are looked for in these lines, not in the
    cleaned article body, because body extractors drop exactly those lines.
    """

    text: str
    where: Where = "body"
    line: int | None = None  # 1-based line in the source file, when known
    role: LineRole = "text"


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink on the page, with its anchor text and where it sits."""

    href: str  # absolute URL
    text: str = ""
    where: Where = "body"
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline marker: ``<!-- provenance: ignore RULE-ID[,RULE-ID] reason -->`` (``*`` for all)."""

    rules: tuple[str, ...]
    reason: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class WarcLocation:
    """Where a page's raw HTTP response is archived: a WARC file, the record's id and its byte
    offset in the file (where a reader seeks to replay it; None when unknown)."""

    warc: str
    record_id: str
    offset: int | None = None


@dataclass(slots=True)
class Page:
    """A page to audit (or a story to add), after reading and extraction."""

    id: str
    source: str
    text: str  # article body: normalised, paragraphs separated by a blank line
    url: str | None = None
    title: str | None = None
    lines: list[TextLine] = field(default_factory=list)  # every visible line, for signals
    meta: dict[str, str] = field(default_factory=dict)  # author, site_name, published…
    content_hash: str = ""
    links: list[Link] = field(default_factory=list)
    jsonld: list[dict[str, object]] = field(default_factory=list)  # NewsArticle / Article objects
    suppressions: list[Suppression] = field(default_factory=list)  # inline "ignore" markers
    # Text of the page's hidden elements that held words (display:none, font-size:0, white on
    # white…), space-joined, at most 100,000 characters: what a copy may hide between its words.
    hidden_text: str = ""
    # How many of those words were hidden between visible words (junk woven into the text),
    # not in a hidden block of their own (menus, dialogs, templates): the manipulation's sign.
    hidden_woven: int = 0
    # Visible text stored reversed under a right-to-left override (U+202E), put back in
    # reading order by normalising: how a copy hides from matching while it looks unchanged.
    reversed_text: bool = False
    # How the page is built where builds hide text from checkers: "depth" (the deepest
    # element), "srcdoc_words" and "svg_words" (visible words inside <iframe srcdoc>
    # documents and SVG text). HTML pages only.
    layout: dict[str, int] = field(default_factory=dict)
    # The archived response the page was read from (an input WARC, or ``--evidence``).
    evidence: WarcLocation | None = None


@dataclass(frozen=True, slots=True)
class InputError:
    """An input that could not be read: reported, recorded, never raised out of a run."""

    id: str
    source: str
    error: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """An attribution signal found on a page: a byline, dateline, credit, contributor line or notice."""

    kind: SignalKind
    text: str
    where: Where = "body"
    line: int | None = None
    agency: str | None = None  # agency id (e.g. "AP") when the signal names one
    names: tuple[str, ...] = ()  # person names (bylines, contributor lines)
    prose: bool = False  # a credit inside a body sentence ("..., Reuters reported."), not a credit line


@dataclass(slots=True)
class Attribution:
    """What a page says about where its text comes from."""

    signals: list[Signal] = field(default_factory=list)

    def of_kind(self, kind: SignalKind) -> list[Signal]:
        return [s for s in self.signals if s.kind == kind]

    @property
    def agencies_detected(self) -> list[str]:
        return sorted({s.agency for s in self.signals if s.agency})

    def credit_signals(self, agency: str, metadata: bool = False) -> list[Signal]:
        """The datelines, bylines and credit lines naming ``agency`` that a reader can see.

        Contributor lines and copyright notices show where a text came from, but they
        are not the credit a licence asks for; nor is a credit in the page's metadata (meta
        author, JSON-LD), which no reader sees, unless ``metadata`` says it counts.
        """
        return [
            s
            for s in self.signals
            if s.agency == agency
            and s.kind in ("dateline", "byline", "credit")
            and (metadata or s.where in VISIBLE_WHERE)
        ]

    def credits(self, agency: str, metadata: bool = False) -> bool:
        """True when the page credits ``agency`` (see :meth:`credit_signals`)."""
        return bool(self.credit_signals(agency, metadata))

    @property
    def byline(self) -> str | None:
        bylines = self.of_kind("byline")
        return bylines[0].text if bylines else None

    @property
    def dateline(self) -> str | None:
        datelines = self.of_kind("dateline")
        return datelines[0].text if datelines else None


@dataclass(frozen=True, slots=True)
class Story:
    """A wire story from the corpus."""

    id: str
    agency: str
    text: str
    url: str | None = None
    title: str | None = None
    byline: str | None = None
    dateline: str | None = None
    published: str | None = None
    contributors: tuple[str, ...] = ()  # names from the story's byline and contributor lines
    versions: tuple[str, ...] = ()  # ids of the other versions of this story (updates, write-throughs)
    # What a wire item carries about itself (ninjs, NewsML-G2, NITF, NewsML 1; provenance.wire):
    guid: str | None = None  # the item's id without its version: the versions of one story share it
    version: int | None = None
    # usable | withheld | canceled: when loaded for matching, the status of the latest version
    # of its guid (a kill or a hold sent as a later version applies to every earlier one)
    pub_status: str = "usable"
    embargoed: str | None = None  # ISO 8601: not to be published before
    copyright_holder: str | None = None
    copyright_notice: str | None = None  # the notice the story itself carries
    usage_terms: str | None = None
    info_sources: tuple[str, ...] = ()  # where its text came from (an AP story carried by dpa)
    # The input it was made from, hashed with what made it (packs, fingerprint schemes): a
    # re-add of the same input is skipped before any work (provenance.corpus).
    source_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """An aligned passage: the same text (or its rewrite) on the page and in the story."""

    page_start: int
    page_end: int
    story_start: int
    story_end: int
    kind: Literal["verbatim", "rewritten"]
    similarity: float
    page_text: str = ""
    story_text: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """A wire story a page is shown to derive from, with the numbers behind it."""

    story: Story
    derivation: Derivation
    similarity: float  # 1 - hamming/64 of the best fingerprint pair
    coverage: float  # share of the story reproduced (verbatim or rewritten)
    verbatim_share: float  # share of the story reproduced verbatim
    rewritten_share: float  # share of the story reproduced with rewording
    order_kept: bool
    evidence: tuple[Passage, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    evidence: str = ""
    line: int | None = None
    suppressed: bool = False
    suppressed_by: str = ""  # "baseline", or "inline: <reason>"


@dataclass(slots=True)
class PageResult:
    """Everything an audit learnt about one page: what the report and the database need."""

    page_id: str
    source: str
    url: str | None
    status: Literal["ok", "error"]
    error: str | None = None
    page: Page | None = None
    match: Match | None = None
    attribution: Attribution = field(default_factory=Attribution)
    findings: list[Finding] = field(default_factory=list)
    # Every story the page is shown to derive from, best first: a round-up or live blog can
    # copy several. ``match`` is the best of them, kept for readers that want only one.
    matches: list[Match] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Keep ``match == matches[0]`` whichever of the two the caller gave."""
        if not self.matches and self.match is not None:
            self.matches = [self.match]
        elif self.matches and self.match is None:
            self.match = self.matches[0]
        elif self.matches and self.matches[0] != self.match:
            raise ValueError("match must be the first of matches")
