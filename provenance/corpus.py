"""Loading wire stories into the corpus: read, detect byline and contributors, fingerprint, upsert.

Stories are written in batches (one transaction per batch), so a large archive streams in
with flat memory; re-adding a story id updates that story and never duplicates it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from provenance import retrieval, store
from provenance.attribution import detect
from provenance.fetch import Fetcher
from provenance.fingerprint import Fingerprint, fingerprint_text
from provenance.match import same_story
from provenance.model import InputError, Story, TextLine
from provenance.packs import RulePack
from provenance.sources import StoryInput, read_stories

BATCH = 200
VERSION_SCHEME = "shingle3"


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


def group_versions(session: Session, story: Story, fingerprints: Sequence[Fingerprint]) -> None:
    """Join ``story`` to the group of its other versions already in the corpus, if any."""
    session.flush()
    row = session.scalar(select(store.StoryRow).where(store.StoryRow.external_id == story.id))
    if row is None:
        return
    # Versions share whole paragraphs, so the word-shingle fingerprints find them; the many
    # sentence skeletons (there for spun copies) would only make the lookup slower.
    shingled = [fp for fp in fingerprints if fp.scheme == VERSION_SCHEME]
    hits = store.near_fingerprints(session, shingled)
    near = [i for i in retrieval.select(hits, shingled) if i != row.id]
    others = session.scalars(
        select(store.StoryRow).where(store.StoryRow.id.in_(near), store.StoryRow.agency == story.agency)
    ).all()
    versions = [other for other in others if same_story(story, other.to_story())]
    if versions:
        store.set_version_group(session, row, versions)


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
                fingerprints = fingerprint_text(story.text)
                outcome = store.upsert_story(session, story, fingerprints)
                setattr(result, outcome, getattr(result, outcome) + 1)
                if outcome != "unchanged":
                    group_versions(session, story, fingerprints)
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
