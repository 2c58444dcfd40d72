"""What the corpus holds: counts per agency, the stories themselves, and removing some.

Read by ``corpus stats`` / ``corpus list`` and by the gate before an audit: an audit against
an empty corpus (or one without the agency a publisher is licensed for) finds nothing and
would pass by accident, so the CLI checks :func:`corpus_stats` first. Removal deletes the
stories' rows with their fingerprints and block keys
(:func:`provenance.corpus_store.delete_fingerprints`: nothing cascades to the keys), and
saved matches keep the story's external id (their ``story_id`` becomes NULL).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from provenance.corpus_store import delete_fingerprints
from provenance.store import FingerprintRow, StoryRow, lock_corpus, transaction


@dataclass(frozen=True, slots=True)
class AgencyStats:
    agency: str
    stories: int
    last_added: datetime | None


@dataclass(frozen=True, slots=True)
class CorpusStats:
    agencies: tuple[AgencyStats, ...]  # by agency id
    fingerprints: int

    @property
    def stories(self) -> int:
        return sum(a.stories for a in self.agencies)

    def count(self, agency: str) -> int:
        return next((a.stories for a in self.agencies if a.agency.casefold() == agency.casefold()), 0)


@dataclass(frozen=True, slots=True)
class StoryEntry:
    id: str
    agency: str
    title: str | None
    published: str | None
    added: datetime
    pub_status: str = "usable"  # as delivered (a wire item's own status; see Story.pub_status)
    embargoed: str | None = None


def corpus_stats(factory: sessionmaker[Session]) -> CorpusStats:
    """Stories per agency (with the last added), and fingerprints in all."""
    with factory() as session:
        rows = session.execute(
            select(StoryRow.agency, func.count(), func.max(StoryRow.added))
            .group_by(StoryRow.agency)
            .order_by(StoryRow.agency)
        ).all()
        fingerprints = session.scalar(select(func.count()).select_from(FingerprintRow)) or 0
    return CorpusStats(tuple(AgencyStats(a, n, last) for a, n, last in rows), fingerprints)


def list_stories(
    factory: sessionmaker[Session], agency: str | None = None, limit: int | None = None
) -> list[StoryEntry]:
    """Stories newest first, of one agency or all."""
    query = select(
        StoryRow.external_id,
        StoryRow.agency,
        StoryRow.title,
        StoryRow.published,
        StoryRow.added,
        StoryRow.pub_status,
        StoryRow.embargoed,
    )
    if agency is not None:
        query = query.where(func.lower(StoryRow.agency) == agency.casefold())
    query = query.order_by(StoryRow.added.desc(), StoryRow.external_id).limit(limit)
    with factory() as session:
        return [StoryEntry(*row) for row in session.execute(query).all()]


def remove_stories(factory: sessionmaker[Session], ids: Sequence[str]) -> list[str]:
    """Delete the stories with these external ids; returns the ids that were not found."""
    with transaction(factory) as session:
        lock_corpus(session)
        query = select(StoryRow.external_id, StoryRow.id).where(StoryRow.external_id.in_(ids))
        rows: dict[str, int] = {external_id: row_id for external_id, row_id in session.execute(query)}
        if rows:
            delete_fingerprints(session, list(rows.values()))
            session.execute(delete(StoryRow).where(StoryRow.id.in_(list(rows.values()))))
    return [i for i in ids if i not in rows]
