"""When a page went out, against when the wire let it: embargoes, read from dates as written.

Pure. A page's publication time is its own date (``article:published_time``, JSON-LD
``datePublished``, ``<time>``, front matter ``date``: ``Page.meta["published"]``), else the
time it was first fetched (``fetched_at``). A story's embargo is the wire item's
``embargoed``. Dates are ISO 8601 as agencies and pages write them; a time without a zone is
read as UTC. A page dated by day only ("2024-05-01") breaks an embargo only when that whole
day lies before it: the day alone cannot show an earlier hour.

Hand-written on ``datetime.fromisoformat`` (which reads every ISO form pages use, "Z"
included, since Python 3.11): a date library would add a dependency to parse one format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from provenance.model import Page


@dataclass(frozen=True, slots=True)
class PageTime:
    """When a page went out, where that was read, and whether only its day is known."""

    when: datetime
    source: str  # "published" (the page's own date) or "fetched_at" (first fetched)
    written: str
    day_only: bool


def page_time(page: Page) -> PageTime | None:
    """The page's publication time (see the module docstring), or None when it has none."""
    for key in ("published", "fetched_at"):
        written = page.meta.get(key, "").strip()
        if written and (parsed := _parse(written)) is not None:
            when, day_only = parsed
            return PageTime(when, key, written, day_only)
    return None


def before_embargo(published: PageTime, embargoed: str) -> bool:
    """Whether the page went out before the embargo (written as the wire wrote it) lifted."""
    parsed = _parse(embargoed)
    if parsed is None:
        return False
    lifted, _ = parsed
    if published.day_only:  # the whole day must lie before the embargo
        return published.when + timedelta(days=1) <= lifted
    return published.when < lifted


def _parse(written: str) -> tuple[datetime, bool] | None:
    """A datetime (UTC when no zone is written) and whether only a day was written."""
    text = written.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC), True
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)), False
