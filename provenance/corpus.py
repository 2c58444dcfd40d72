"""Loading wire stories into the corpus: read, detect byline and contributors, fingerprint, upsert.

Stories are written in batches (one transaction per batch), so a large archive streams in
with flat memory; re-adding a story id updates that story and never duplicates it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from provenance import store
from provenance.attribution import detect
from provenance.fetch import Fetcher
from provenance.fingerprint import fingerprint_text
from provenance.model import InputError, Story, TextLine
from provenance.packs import RulePack
from provenance.sources import StoryInput, read_stories

BATCH = 200


@dataclass(slots=True)
class CorpusResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[InputError] = field(default_factory=list)


def to_story(item: StoryInput, packs: Sequence[RulePack]) -> Story | InputError:
    """A corpus :class:`Story` from a read input, its agency and credits filled from its own text."""
    page = item.page
    lines = list(page.lines)
    if item.byline:
        lines.insert(0, TextLine(item.byline, "meta"))
    attribution = detect(lines, page.meta, packs)
    agency = item.agency or _single(attribution.agencies_detected)
    if not agency:
        return InputError(page.id, page.source, "no agency: the story names none; give --agency", page.url)
    names: list[str] = []
    for signal in attribution.signals:
        if signal.kind in ("byline", "contributor"):
            names.extend(n for n in signal.names if n not in names)
    return Story(
        id=page.id,
        agency=_canonical_agency(agency, packs),
        text=page.text,
        url=page.url,
        title=page.title,
        byline=item.byline or attribution.byline,
        dateline=item.dateline or attribution.dateline,
        published=item.published,
        contributors=tuple(names),
    )


def _single(agencies: list[str]) -> str | None:
    return agencies[0] if len(agencies) == 1 else None


def _canonical_agency(agency: str, packs: Sequence[RulePack]) -> str:
    """Map an alias ("Associated Press", "ap") to its pack's agency id ("AP")."""
    wanted = agency.strip().casefold()
    for pack in packs:
        if wanted == pack.id.casefold() or wanted in (a.casefold() for a in pack.aliases):
            return pack.id
    return agency.strip()


def add_stories(
    factory: sessionmaker[Session],
    sources: Sequence[str],
    packs: Sequence[RulePack],
    agency: str | None = None,
    on_item: Callable[[Story | InputError], None] | None = None,
    fetcher: Fetcher | None = None,
) -> CorpusResult:
    result = CorpusResult()
    batch: list[Story] = []

    def flush() -> None:
        with store.transaction(factory) as session:
            for story in batch:
                outcome = store.upsert_story(session, story, fingerprint_text(story.text))
                setattr(result, outcome, getattr(result, outcome) + 1)
        batch.clear()

    for item in read_stories(sources, agency=agency, fetcher=fetcher):
        story = item if isinstance(item, InputError) else to_story(item, packs)
        if isinstance(story, InputError):
            result.errors.append(story)
        else:
            batch.append(story)
            if len(batch) >= BATCH:
                flush()
        if on_item is not None:
            on_item(story)
    if batch:
        flush()
    return result
