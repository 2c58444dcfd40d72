"""The SQL database: wire stories, fingerprints, audit runs, pages, matches and findings.

SQLAlchemy 2 models and the few queries the pipeline needs. SQLite by default
(``sqlite:///provenance.db``), PostgreSQL (``postgresql+psycopg://…``) as a shared database,
any SQLAlchemy URL via ``--db`` or ``PROVENANCE_DB``.
Fingerprints are unsigned 64-bit values stored signed (BIGINT), block keys likewise.
Each audited page is written in its own transaction, so an interrupted run keeps every
finished page and nothing half-written.

The schema is owned by Alembic migrations shipped in :mod:`provenance.migrations`;
:func:`open_database` brings any database to the newest revision before handing it out
(``provenance db upgrade`` does the same explicitly). Concurrency, the rules every caller
relies on:

* writes go through :func:`transaction`: on SQLite it starts ``BEGIN IMMEDIATE`` (one writer
  at a time, waiting up to the busy timeout, so a read-then-write never meets a stale
  snapshot); on PostgreSQL it runs at READ COMMITTED so row locks see the latest rows;
* other sessions are readers with one consistent snapshot (SQLite ``BEGIN``, PostgreSQL
  REPEATABLE READ): an audit's candidate lookup sees a story with all its fingerprints
  and keys, or not at all;
* corpus writers take one corpus lock per transaction (SQLite: the write lock itself,
  PostgreSQL: an advisory lock), so two ``corpus add`` of the same stories never both
  insert one, and never deadlock on each other's rows.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    and_,
    cast,
    column,
    create_engine,
    delete,
    event,
    func,
    make_url,
    select,
    text,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import BIT
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from provenance.fingerprint import SCHEME_BY_KEY, Fingerprint, Scheme, to_signed, to_unsigned
from provenance.index import BlockPlan, block_keys
from provenance.model import PageResult, Story
from provenance.report import attribution_dict, evidence_list

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DB = "sqlite:///provenance.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Constraint names spelled the way PostgreSQL names unnamed ones, so databases made by
# ``create_all`` before migrations existed already carry them, and later migrations can
# drop or alter a constraint by name on every backend (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}

# Advisory-lock keys (PostgreSQL): arbitrary, constant, and distinct from each other.
_MIGRATION_LOCK = 0x70726F76_0001  # "prov" 1
_CORPUS_LOCK = 0x70726F76_0002  # "prov" 2
_WRITE = "provenance_write"  # execution option marking a write transaction


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what the page says about itself; fetched_at
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


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Per connection: we issue BEGIN ourselves (see :func:`_sqlite_begin`), then the pragmas.

    ``isolation_level = None`` stops the sqlite3 module from starting transactions lazily
    before the first INSERT (which left reads outside any transaction). Foreign keys are
    off by default in SQLite; WAL lets readers go on while one writer writes; the busy
    timeout makes a second writer wait for the lock instead of failing at once.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """A write transaction takes the write lock up front; a read gets a snapshot.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another writer committed in between (its snapshot is stale, so waiting
    cannot help); ``BEGIN IMMEDIATE`` waits (busy timeout) and then reads the latest data.
    """
    immediate = connection.get_execution_options().get(_WRITE)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _resolved_url(url: str | None) -> URL:
    """The URL with a relative SQLite path made absolute, so ``--db`` means one file per process."""
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() == "sqlite" and not _in_memory(parsed):
        parsed = parsed.set(database=os.path.abspath(parsed.database or ""))
    return parsed


def _in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or (url.query.get("mode") == "memory")


def new_engine(url: str | URL | None = None) -> Engine:
    """A new engine with this module's connection settings, not migrated and not cached.

    For tools that must look at a database as it is (``db current``, Alembic's own
    environment); everything else wants :func:`engine_for`.
    """
    return _create_engine(url if isinstance(url, URL) else _resolved_url(url))


def _create_engine(url: URL) -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        # Readers get one snapshot per transaction; writers switch to READ COMMITTED in
        # transaction(). Pre-ping: a shared server restarts, and pooled connections die.
        return create_engine(url, pool_pre_ping=True, isolation_level="REPEATABLE READ")
    return create_engine(url)


def engine_for(url: str | None = None) -> Engine:
    """The process's one engine (and connection pool) for ``url``, migrated to the newest schema.

    One engine per database, not one per call: the CLI, a server and the tests open the same
    database many times, and each engine keeps a pool of connections (a PostgreSQL server
    allows only so many). In-memory SQLite URLs get a fresh engine each time, as before.
    """
    resolved = _resolved_url(url)
    if _in_memory(resolved):
        engine = _create_engine(resolved)
        upgrade_engine(engine)
        return engine
    key = resolved.render_as_string(hide_password=False)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _create_engine(resolved)
            try:
                upgrade_engine(engine)
            except BaseException:
                engine.dispose()
                raise
            _engines[key] = engine
    return engine


def open_database(url: str | None = None) -> sessionmaker[Session]:
    """Connect, bring the schema to the newest migration, and return a session factory."""
    return sessionmaker(engine_for(url), expire_on_commit=False)


def close_databases() -> None:
    """Dispose of every cached engine (closing pooled connections), e.g. before dropping a database."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A write transaction: committed at the end of the block, rolled back on any exception.

    On SQLite it holds the write lock from the start (``BEGIN IMMEDIATE``); on PostgreSQL
    it runs at READ COMMITTED, so a statement after a lock wait sees what the other writer
    committed.
    """
    with factory() as session, session.begin():
        options: dict[str, Any] = {_WRITE: True}
        if session.get_bind().dialect.name == "postgresql":
            options["isolation_level"] = "READ COMMITTED"
        session.connection(execution_options=options)
        yield session


# --- schema migrations ----------------------------------------------------------------------


class SchemaError(RuntimeError):
    """The database's schema cannot be brought to this version's (e.g. it is newer)."""


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """Alembic's configuration, built in code: no ``alembic.ini`` needs to exist at run time.

    ``script_location`` is the installed package's own ``migrations`` directory. A
    ``connection`` passed here is the one ``env.py`` migrates (so in-memory and locked
    databases work); without one, ``env.py`` connects to ``url``.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration this version of provenance ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def current_revision(url: str | None = None) -> str | None:
    """The revision the database is at (None: never migrated), without changing anything."""
    engine = new_engine(url)
    try:
        with engine.connect() as connection:
            return _current_revision(connection)
    finally:
        engine.dispose()


def upgrade_engine(engine: Engine) -> None:
    """Run every pending migration, one process at a time; a no-op when already at head.

    The migrations run in one transaction holding the database's write lock (SQLite
    ``BEGIN IMMEDIATE``, PostgreSQL an advisory lock at READ COMMITTED), so two processes
    opening a fresh database at once do not both create its tables: the second waits,
    then finds the first one's revision and has nothing to do.
    """
    from alembic import command
    from alembic.util import CommandError

    head = head_revision()
    with engine.connect() as connection:
        current = _current_revision(connection)
        connection.rollback()
    if current == head:
        return
    options: dict[str, Any] = {_WRITE: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "READ COMMITTED"
    with engine.connect() as connection:
        connection = connection.execution_options(**options)
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            try:
                command.upgrade(alembic_config(connection), "head")
            except CommandError as exc:
                raise SchemaError(
                    f"schema revision {_current_revision(connection)} is not one this provenance knows "
                    f"(its newest is {head}); a newer provenance wrote this database: {exc}"
                ) from None


# --- corpus ---------------------------------------------------------------------------------


def upsert_story(session: Session, story: Story, fingerprints: Sequence[Fingerprint]) -> str:
    """Insert or update a story by its id; returns "added", "updated" or "unchanged".

    The fingerprints are replaced only when the text (or the fingerprint schemes) changed.
    """
    content_hash = hashlib.sha256(story.text.encode("utf-8")).hexdigest()
    lock_corpus(session)
    row = _story_for_update(session, story.id)
    created = row is None
    if row is None:
        row = _insert_story(session, story, content_hash)
        created = row is not None
        if row is None:  # a writer that skipped the corpus lock inserted it first: update theirs
            row = _story_for_update(session, story.id)
            assert row is not None
    if not created and row.content_hash == content_hash and _has_schemes(session, row.id, fingerprints):
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


def lock_corpus(session: Session) -> None:
    """Make this transaction the only corpus writer until it ends.

    Corpus transactions read then write many stories (and regroup versions); two of them
    interleaving either both insert one story id or, in different orders, deadlock on each
    other's rows. SQLite already has one writer at a time (:func:`transaction`); on
    PostgreSQL an advisory lock, released at commit, does the same for corpus writers only
    (audits keep writing pages alongside). Taking it again in the same transaction is free.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CORPUS_LOCK})


def _story_for_update(session: Session, external_id: str) -> StoryRow | None:
    """The story row, locked until commit (PostgreSQL: FOR UPDATE; SQLite holds the write lock)."""
    return session.scalar(
        select(StoryRow)
        .where(StoryRow.external_id == external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _insert_story(session: Session, story: Story, content_hash: str) -> StoryRow | None:
    """Insert a new story row inside a savepoint; None when the unique id was taken meanwhile.

    The corpus lock prevents that race between provenance writers; the savepoint keeps the
    batch's transaction usable should another writer (a script, an older version) win it.
    """
    row = StoryRow(external_id=story.id)
    _copy_fields(row, story, content_hash)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


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


def near_fingerprints(session: Session, fingerprints: Iterable[Fingerprint]) -> dict[int, dict[str, int]]:
    """For each story: how many of its fingerprints are near one of ``fingerprints``, per scheme.

    "Near" is within the scheme's ``k``. The indexed block keys are probed for each block
    table's key; on PostgreSQL the Hamming distance is checked in the query too, so only
    near rows cross the wire; elsewhere it is checked here. The same answer as
    :meth:`provenance.retrieval.CorpusIndex.near`, from the database.
    """
    by_scheme: dict[str, list[Fingerprint]] = defaultdict(list)
    for fp in fingerprints:
        if fp.scheme_key in SCHEME_BY_KEY:
            by_scheme[fp.scheme_key].append(fp)
    near = _near_postgresql if session.get_bind().dialect.name == "postgresql" else _near_filtered
    hits: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, fps in by_scheme.items():
        for story_id in near(session, SCHEME_BY_KEY[key], fps).values():
            hits[story_id][key] += 1
    return {story: dict(counts) for story, counts in hits.items()}


def _near_filtered(session: Session, scheme: Scheme, fps: Sequence[Fingerprint]) -> dict[int, int]:
    """Stored fingerprint id → story id, for those within ``scheme.k`` of a query (Python check).

    One query per block table and chunk of keys; the candidates that share a key are
    checked by popcount here.
    """
    plan = BlockPlan.for_k(scheme.k)
    matched: dict[int, int] = {}
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
                    matched[fp_id] = story_id
    return matched


def _near_postgresql(session: Session, scheme: Scheme, fps: Sequence[Fingerprint]) -> dict[int, int]:
    """The same as :func:`_near_filtered`, with the Hamming check in SQL (PostgreSQL ≥ 14).

    The page's (table, key, fingerprint) triples go in as a VALUES list joined to the block
    keys, every table in one query; ``bit_count((stored # query)::bit(64))`` keeps the near
    pairs (``#`` is XOR; the cast keeps the two's-complement bits of the signed BIGINT).
    """
    plan = BlockPlan.for_k(scheme.k)
    triples = sorted(
        {
            (t, to_signed(fp.value & mask), to_signed(fp.value))
            for fp in fps
            for t, mask in enumerate(plan.table_masks)
        }
    )
    matched: dict[int, int] = {}
    for chunk in _chunks(triples, 1000):
        wanted = values(
            column("table_no", Integer), column("key", BigInteger), column("query", BigInteger), name="wanted"
        ).data(chunk)
        distance = func.bit_count(cast(FingerprintRow.value.op("#")(wanted.c.query), BIT(64)))
        rows = session.execute(
            select(FingerprintRow.id, FingerprintRow.story_id)
            .select_from(BlockKeyRow)
            .join(wanted, and_(BlockKeyRow.table_no == wanted.c.table_no, BlockKeyRow.key == wanted.c.key))
            .join(FingerprintRow, BlockKeyRow.fingerprint_id == FingerprintRow.id)
            .where(
                BlockKeyRow.scheme == scheme.name,
                BlockKeyRow.scheme_version == scheme.version,
                distance <= scheme.k,
            )
            .distinct()
        )
        matched.update((fp_id, story_id) for fp_id, story_id in rows)
    return matched


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
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
        meta=dict(page.meta) if page else None,
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
