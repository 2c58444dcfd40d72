"""What a wire parser hands back: one :class:`WireItem` per text story, or a :class:`WireFormatError`.

The fields are the ones a copyright-compliance check needs from an agency's own delivery: who
owns the story and on what terms (``copyright_*``, ``usage_terms``, ``info_sources``), whether
it may be published at all (``pub_status``, ``embargoed``) and which write-thru it is
(``id``, ``version``). Dates are kept as the agency wrote them: the formats allow partial dates
and local offsets, and a reader that guessed would hide an unparseable embargo.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WireItem:
    """One wire story as the agency delivered it, with the rights metadata it carries."""

    id: str  # guid / uri / NewsML-1 PublicIdentifier (required: an item without one is an error)
    version: int | None  # NewsML-G2 @version, ninjs `version` (string digits ok), NewsML-1 RevisionId
    text: str  # plain body text, paragraphs separated by one blank line ("\n\n"); required
    format: str  # "ninjs 1.x" | "ninjs 2.x" | "ninjs 3.x" | "NewsML-G2" | "NITF" | "NewsML 1.x"
    headline: str | None = None
    bylines: list[str] = field(default_factory=list)  # writers (by / creator / byline)
    contributors: list[str] = field(default_factory=list)  # contributor roles other than writer
    dateline: str | None = None  # the dateline text, e.g. "MOSCOW (AP) —" or "MOSCOW"
    located: str | None = None  # place name from located
    published: str | None = None  # versionCreated / firstCreated / date.issue, ISO 8601 as written
    embargoed: str | None = None  # ISO 8601 as written, or None
    pub_status: str = "usable"  # "usable" | "withheld" | "canceled"
    provider: str | None = None  # provider / ProviderId name
    copyright_holder: str | None = None
    copyright_notice: str | None = None
    usage_terms: str | None = None
    info_sources: list[str] = field(
        default_factory=list
    )  # names (or URIs when no name) of infoSource entries
    url: str | None = None  # a web link of the item when it has one


class WireFormatError(ValueError):
    """Raised with a one-line message naming the field (e.g. "ninjs item 3: no 'uri' or 'guid'")."""


PUB_STATUSES = {
    "usable": "usable",
    "withheld": "withheld",
    "canceled": "canceled",
    "cancelled": "canceled",
    # NewsML 1.x and NITF have a fourth status: not usable until it changes, i.e. withheld
    # (the time it is lifted, when given, goes to ``embargoed``).
    "embargoed": "withheld",
}


def item_status(status: str | None, lifted: str | None, where: str) -> str:
    """An item's status (:func:`pub_status`; none written: usable). An item marked "embargoed"
    (NewsML 1, NITF) is usable once the embargo lifts when the time is given (the embargo
    check compares it with the page's date), withheld when it is not (nothing says when)."""
    if not status:
        return "usable"
    if status.strip().lower() == "embargoed":
        return "usable" if lifted else "withheld"
    return pub_status(status, where)


def pub_status(value: str, where: str) -> str:
    """The normalised publishing status of ``value`` (any case, with or without a scheme prefix
    such as ``stat:``); an unknown status is an error, not a guess: it may mean "do not publish"."""
    code = value.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
    if code not in PUB_STATUSES:
        raise WireFormatError(
            f"{where}: publishing status {value.strip()[:60]!r} is not usable, withheld or canceled"
        )
    return PUB_STATUSES[code]


def version_number(value: str, where: str, *, strict: bool) -> int | None:
    """``value`` as a version number: digits only. Anything else is None when ``strict`` is off
    (ninjs allows any text) and an error when it is on (NewsML's versions are integers)."""
    text = value.strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    if strict:
        raise WireFormatError(f"{where}: version {text[:40]!r} is not a whole number")
    return None
