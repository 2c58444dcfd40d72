"""The SQL database: wire stories, fingerprints, audit runs, pages, matches and findings.

SQLAlchemy 2 models and the few queries the pipeline needs. SQLite by default
(``sqlite:///provenance.db``), any SQLAlchemy URL via ``--db`` or ``PROVENANCE_DB``.
Fingerprints are unsigned 64-bit values stored signed (BIGINT), block keys likewise.
Each audited page is written in its own transaction, so an interrupted run keeps every
finished page and nothing half-written.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from provenance.fingerprint import SCHEME_BY_KEY, Fingerprint, to_signed, to_unsigned
from provenance.index import BlockPlan, block_keys
from provenance.model import PageResult, Story
from provenance.report import attribution_dict, evidence_list

DEFAULT_DB = "sqlite:///provenance.db"


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class StoryRow(Base):
    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(512), unique=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    byline: Mapped[str | None] = mapped_column(Text)
    dateline: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(64))
    contributors: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    version_group: Mapped[int | None] = mapped_column(Integer, index=True)  # the row id of its first version
    added: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated: Mapped[datetime] = mapped_column(DateTime, default=now)
    fingerprints: Mapped[list[FingerprintRow]] = relationship(
        back_populates="story", cascade="all, delete-orphan", passive_deletes=True
    )

    def to_story(self, versions: Sequence[str] = ()) -> Story:
        return Story(
            id=self.external_id,
            agency=self.agency,
            text=self.text,
            url=self.url,
            title=self.title,
            byline=self.byline,
            dateline=self.dateline,
            published=self.published,
            contributors=tuple(self.contributors or ()),
            versions=tuple(v for v in versions if v != self.external_id),
        )


class FingerprintRow(Base):
    __tablename__ = "fingerprints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(16))  # document | paragraph
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(String(32))
    scheme_version: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)  # signed storage of an unsigned 64-bit value
    story: Mapped[StoryRow] = relationship(back_populates="fingerprints")
    keys: Mapped[list[BlockKeyRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class BlockKeyRow(Base):
    """One row per fingerprint and block table: the masked value that must agree exactly."""

    __tablename__ = "fingerprint_keys"
    fingerprint_id: Mapped[int] = mapped_column(
        ForeignKey("fingerprints.id", ondelete="CASCADE"), primary_key=True
    )
    table_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(32))
    scheme_version: Mapped[int] = mapped_column(Integer)
    key: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_fingerprint_keys_lookup", "scheme", "scheme_version", "table_no", "key"),)


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command: Mapped[str] = mapped_column(String(32))
    started: Mapped[datetime] = mapped_column(DateTime, default=now)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
    arguments: Mapped[list[str]] = mapped_column(JSON, default=list)
    tool_version: Mapped[str] = mapped_column(String(32))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    matches: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[int] = mapped_column(Integer, default=0)


class PageRow(Base):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    audited: Mapped[datetime] = mapped_column(DateTime, default=now)


class MatchRow(Base):
    __tablename__ = "matches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    story_external_id: Mapped[str] = mapped_column(String(512))
    agency: Mapped[str] = mapped_column(String(64))
    derivation: Mapped[str] = mapped_column(String(16))
    similarity: Mapped[float] = mapped_column(Float)
    coverage: Mapped[float] = mapped_column(Float)
    verbatim_share: Mapped[float] = mapped_column(Float)
    rewritten_share: Mapped[float] = mapped_column(Float)
    order_kept: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class FindingRow(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    line: Mapped[int | None] = mapped_column(Integer)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    suppressed_by: Mapped[str] = mapped_column(Text, default="")


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("PROVENANCE_DB") or DEFAULT_DB


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def open_database(url: str | None = None) -> sessionmaker[Session]:
    """Connect, create missing tables, and return a session factory."""
    engine: Engine = create_engine(database_url(url), future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session, session.begin():
        yield session


# --- corpus ---------------------------------------------------------------------------------


def upsert_story(session: Session, story: Story, fingerprints: Sequence[Fingerprint]) -> str:
    """Insert or update a story by its id; returns "added", "updated" or "unchanged".

    The fingerprints are replaced only when the text (or the fingerprint schemes) changed.
    """
    content_hash = hashlib.sha256(story.text.encode("utf-8")).hexdigest()
    row = session.scalar(select(StoryRow).where(StoryRow.external_id == story.id))
    created = row is None
    if row is None:
        row = StoryRow(external_id=story.id)
        session.add(row)
    elif row.content_hash == content_hash and _has_schemes(session, row.id, fingerprints):
        _copy_fields(row, story, content_hash)
        return "unchanged"
    _copy_fields(row, story, content_hash)
    if not created:
        session.execute(delete(FingerprintRow).where(FingerprintRow.story_id == row.id))
        row.updated = now()
    session.flush()
    for fp in fingerprints:
        plan = BlockPlan.for_k(SCHEME_BY_KEY[fp.scheme_key].k)
        fprow = FingerprintRow(
            story_id=row.id,
            level=fp.level,
            position=fp.position,
            start=fp.start,
            end=fp.end,
            scheme=fp.scheme,
            scheme_version=fp.version,
            value=to_signed(fp.value),
        )
        fprow.keys = [
            BlockKeyRow(table_no=t, scheme=fp.scheme, scheme_version=fp.version, key=to_signed(key))
            for t, key in enumerate(block_keys(fp.value, plan))
        ]
        session.add(fprow)
    return "added" if created else "updated"


def _has_schemes(session: Session, story_row_id: int, fingerprints: Sequence[Fingerprint]) -> bool:
    """True when the stored fingerprints were made with exactly the schemes of ``fingerprints``."""
    stored = set(
        session.execute(
            select(FingerprintRow.scheme, FingerprintRow.scheme_version)
            .where(FingerprintRow.story_id == story_row_id)
            .distinct()
        ).all()
    )
    return {tuple(r) for r in stored} == {(fp.scheme, fp.version) for fp in fingerprints}


def _copy_fields(row: StoryRow, story: Story, content_hash: str) -> None:
    row.agency = story.agency
    row.url = story.url
    row.title = story.title
    row.byline = story.byline
    row.dateline = story.dateline
    row.published = story.published
    row.contributors = list(story.contributors)
    row.text = story.text
    row.content_hash = content_hash


def count_stories(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StoryRow)) or 0


def near_fingerprints(session: Session, fingerprints: Iterable[Fingerprint]) -> dict[int, dict[str, int]]:
    """For each story: how many of its fingerprints are near one of ``fingerprints``, per scheme.

    "Near" is within the scheme's ``k``. One query per scheme and block table probes the
    indexed block keys; the Hamming distance of what comes back is checked here. The same
    answer as :meth:`provenance.retrieval.CorpusIndex.near`, from the database.
    """
    by_scheme: dict[str, list[Fingerprint]] = defaultdict(list)
    for fp in fingerprints:
        if fp.scheme_key in SCHEME_BY_KEY:
            by_scheme[fp.scheme_key].append(fp)
    hits: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, fps in by_scheme.items():
        scheme = SCHEME_BY_KEY[key]
        plan = BlockPlan.for_k(scheme.k)
        matched: set[int] = set()  # stored fingerprint ids already counted
        for t, mask in enumerate(plan.table_masks):
            wanted: dict[int, list[int]] = defaultdict(list)
            for fp in fps:
                wanted[to_signed(fp.value & mask)].append(fp.value)
            for chunk in _chunks(list(wanted), 500):
                rows = session.execute(
                    select(BlockKeyRow.key, FingerprintRow.id, FingerprintRow.story_id, FingerprintRow.value)
                    .join(FingerprintRow, BlockKeyRow.fingerprint_id == FingerprintRow.id)
                    .where(
                        BlockKeyRow.scheme == scheme.name,
                        BlockKeyRow.scheme_version == scheme.version,
                        BlockKeyRow.table_no == t,
                        BlockKeyRow.key.in_(chunk),
                    )
                )
                for block_key, fp_id, story_id, value in rows:
                    if fp_id in matched:
                        continue
                    stored = to_unsigned(value)
                    if any((stored ^ q).bit_count() <= scheme.k for q in wanted[block_key]):
                        matched.add(fp_id)
                        hits[story_id][key] += 1
    return {story: dict(counts) for story, counts in hits.items()}


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def load_stories(session: Session, ids: Iterable[int]) -> list[Story]:
    """Stories by row id (in the order given), each knowing the ids of its other versions."""
    ids = list(ids)
    if not ids:
        return []
    rows = {row.id: row for row in session.scalars(select(StoryRow).where(StoryRow.id.in_(ids)))}
    groups = {row.version_group for row in rows.values() if row.version_group is not None}
    members: dict[int, list[str]] = defaultdict(list)
    if groups:
        for group, external_id in session.execute(
            select(StoryRow.version_group, StoryRow.external_id)
            .where(StoryRow.version_group.in_(groups))
            .order_by(StoryRow.published, StoryRow.id)
        ):
            members[group].append(external_id)
    return [
        rows[i].to_story(members.get(rows[i].version_group, ()) if rows[i].version_group else ())
        for i in ids
        if i in rows
    ]


def set_version_group(session: Session, row: StoryRow, versions: Sequence[StoryRow]) -> None:
    """Put ``row`` in one group with ``versions`` (merging their groups): the lowest row id names it."""
    groups = {row.version_group or row.id} | {v.version_group or v.id for v in versions}
    group = min(groups)
    row.version_group = group
    session.execute(update(StoryRow).where(StoryRow.version_group.in_(groups)).values(version_group=group))
    for v in versions:
        v.version_group = group


# --- runs -----------------------------------------------------------------------------------


def start_run(factory: sessionmaker[Session], command: str, arguments: list[str], version: str) -> RunRow:
    with transaction(factory) as session:
        run = RunRow(command=command, arguments=arguments, tool_version=version, started=now())
        session.add(run)
    return run


def finish_run(factory: sessionmaker[Session], run_id: int, counts: dict[str, int]) -> RunRow:
    with transaction(factory) as session:
        session.execute(update(RunRow).where(RunRow.id == run_id).values(finished=now(), **counts))
        fresh = session.get(RunRow, run_id)
        assert fresh is not None
    return fresh


def save_result(session: Session, run_id: int, result: PageResult) -> PageRow:
    """Write one audited page with its match and findings (the caller owns the transaction)."""
    page = result.page
    row = PageRow(
        run_id=run_id,
        page_id=result.page_id,
        source=result.source,
        url=result.url,
        status=result.status,
        error=result.error,
        content_hash=page.content_hash if page else None,
        title=page.title if page else None,
        text=page.text if page else None,
        attribution=attribution_dict(result) if result.status == "ok" else {},
    )
    session.add(row)
    session.flush()
    if result.match is not None:
        m = result.match
        story_row_id = session.scalar(select(StoryRow.id).where(StoryRow.external_id == m.story.id))
        session.add(
            MatchRow(
                page_id=row.id,
                story_id=story_row_id,
                story_external_id=m.story.id,
                agency=m.story.agency,
                derivation=m.derivation,
                similarity=m.similarity,
                coverage=m.coverage,
                verbatim_share=m.verbatim_share,
                rewritten_share=m.rewritten_share,
                order_kept=m.order_kept,
                evidence=evidence_list(m),
            )
        )
    for f in result.findings:
        session.add(
            FindingRow(
                page_id=row.id,
                rule=f.rule,
                severity=f.severity,
                message=f.message,
                evidence=f.evidence,
                line=f.line,
                suppressed=f.suppressed,
                suppressed_by=f.suppressed_by,
            )
        )
    return row
