"""The SQL database: wire stories, fingerprints, audit runs, pages, matches and findings.

SQLAlchemy 2 models and the few queries the pipeline needs. SQLite by default
(``sqlite:///provenance.db``), PostgreSQL (``postgresql+psycopg://…``) as a shared database,
any SQLAlchemy URL via ``--db`` or ``PROVENANCE_DB``.
Fingerprints are unsigned 64-bit values stored signed (BIGINT), block keys likewise.
Each audited page is written in its own transaction, so an interrupted run keeps every
finished page and nothing half-written.

Block keys (``fingerprint_keys``) are laid out for the near-duplicate lookup: one row per
fingerprint and block table, clustered by ``(scheme, scheme_version, table_no, key)`` and
carrying the fingerprint's value and story id (SQLite: a ``WITHOUT ROWID`` table on that
primary key; PostgreSQL: its primary key includes them, for index-only scans). A probe
then reads one contiguous run of rows and rejects far candidates in place; with a separate
key index each candidate cost two more row lookups, 26 ms a page at a million stories.

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

import os
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

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
    PrimaryKeyConstraint,
    String,
    Text,
    create_engine,
    event,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from provenance.fingerprint import Fingerprint, to_unsigned
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
    guid: Mapped[str | None] = mapped_column(String(512), index=True)  # a wire item's id without version
    version: Mapped[int | None] = mapped_column(Integer)
    pub_status: Mapped[str] = mapped_column(String(16), default="usable", server_default="usable")
    embargoed: Mapped[str | None] = mapped_column(String(64))
    copyright_holder: Mapped[str | None] = mapped_column(Text)
    copyright_notice: Mapped[str | None] = mapped_column(Text)
    usage_terms: Mapped[str | None] = mapped_column(Text)
    info_sources: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    source_hash: Mapped[str | None] = mapped_column(String(64))  # the input as read, see Story
    added: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated: Mapped[datetime] = mapped_column(DateTime, default=now)
    fingerprints: Mapped[list[FingerprintRow]] = relationship(
        back_populates="story", cascade="all, delete-orphan", passive_deletes=True
    )

    def to_story(self, versions: Sequence[str] = (), latest_status: str | None = None) -> Story:
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
            guid=self.guid,
            version=self.version,
            pub_status=latest_status or self.pub_status or "usable",
            embargoed=self.embargoed,
            copyright_holder=self.copyright_holder,
            copyright_notice=self.copyright_notice,
            usage_terms=self.usage_terms,
            info_sources=tuple(self.info_sources or ()),
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


class BlockKeyRow(Base):
    """One row per fingerprint and block table: the masked value that must agree exactly.

    Clustered by the lookup key and carrying the fingerprint's value and story, so a probe
    reads a contiguous run of key rows and checks the Hamming distance without touching
    ``fingerprints`` (see the module docstring). ``fingerprint_id`` ends the primary key (a
    key is shared by many fingerprints). It is neither a foreign key nor indexed (migration
    0008): an index by fingerprint, which an ON DELETE CASCADE would need, held an entry per
    key row, written at every load, for deletes that know every key row's primary key
    anyway (computed from the fingerprint: :func:`provenance.corpus_store.delete_fingerprints`,
    the one way fingerprints are deleted).
    """

    __tablename__ = "fingerprint_keys"
    scheme: Mapped[str] = mapped_column(String(32), primary_key=True)
    scheme_version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    table_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # masked, signed
    fingerprint_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    story_id: Mapped[int] = mapped_column(Integer)  # the fingerprint's, copied: no join per candidate
    value: Mapped[int] = mapped_column(BigInteger)  # the fingerprint's value (signed), likewise
    __table_args__ = (
        PrimaryKeyConstraint(
            "scheme",
            "scheme_version",
            "table_no",
            "key",
            "fingerprint_id",
            name="fingerprint_keys_pkey",
            postgresql_include=["value", "story_id"],  # index-only scans answer a probe
        ),
        {"sqlite_with_rowid": False},  # the table is its primary-key B-tree: rows clustered by key
    )


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
    # Where the page's HTTP response is archived (a WARC input, or ``audit --evidence``).
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_record_id: Mapped[str | None] = mapped_column(Text, index=True)  # provenance evidence ID
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    # The page's place in the run's input, when a cluster task saved it (unique in the run):
    # a task that runs twice (its worker died after saving) saves its pages once.
    input_position: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (Index("ux_pages_run_input_position", "run_id", "input_position", unique=True),)


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
    # A page's matches, best first: 0 is the report's ``match``. Rows saved before 0004 are rank 0.
    rank: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


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
    """``--db``, else ``$PROVENANCE_DB``, else ``sqlite:///provenance.db``. An empty ``--db ""``
    is an error, not the default: a script whose variable came out empty must not write here."""
    if explicit is not None and not explicit.strip():
        raise ValueError("--db is empty: give a database URL")
    return explicit or os.environ.get("PROVENANCE_DB") or DEFAULT_DB


# A corpus load inserts a hundred block keys a story at random places of one B-tree, and each
# batch's commit writes every page it touched: with 16 KB pages instead of SQLite's 4 KB the
# tree is shallower and a batch touches fewer, larger pages. No repo script compares page
# sizes (a write-only trial during development did); larger ones would make every point
# lookup of an audit read more bytes for little more on writes.
SQLITE_PAGE_SIZE = 16384


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Per connection: we issue BEGIN ourselves (see :func:`_sqlite_begin`), then the pragmas.

    ``isolation_level = None`` stops the sqlite3 module from starting transactions lazily
    before the first INSERT (which left reads outside any transaction). Foreign keys are
    off by default in SQLite; WAL lets readers go on while one writer writes; the busy
    timeout makes a second writer wait for the lock instead of failing at once.
    ``synchronous=NORMAL`` is SQLite's advice for WAL: a commit survives the process being
    killed (kill -9 mid-audit loses nothing), only a power cut may lose the last ones, and
    each page's commit no longer waits for the disk (a 30,000-page batch: 19 s → 13 s).
    A new database file gets 16 KB pages (:data:`SQLITE_PAGE_SIZE`; SQLite ignores the pragma
    once a file has pages, so older files keep theirs).
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")  # before WAL: fixed from then on
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    _switch_to_wal(cursor)
    cursor.close()


def _switch_to_wal(cursor: Any, attempts: int = 50) -> None:
    """``PRAGMA journal_mode=WAL``, retried: on a fresh file that another process is creating
    or switching at the same moment, SQLite answers "database is locked" at once, without
    calling the busy handler (two ``db upgrade`` started together met it)."""
    for attempt in range(attempts):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


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
    if parsed.get_backend_name() == "sqlite" and not _in_memory(parsed) and not _uri_filename(parsed):
        parsed = parsed.set(database=os.path.abspath(parsed.database or ""))
    return parsed


def _uri_filename(url: URL) -> str | None:
    """The file of a SQLite URI filename (``sqlite:///file:/srv/c.db?mode=ro&uri=true``, how a
    read-only connection is asked for), else None."""
    database = url.database or ""
    if url.query.get("uri") != "true" or not database.startswith("file:"):
        return None
    return unquote(database.removeprefix("file:").split("?", 1)[0])


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


class MissingDatabase(RuntimeError):
    """A read was asked of a SQLite database file that does not exist."""


def open_database(url: str | None = None, *, create: bool = True) -> sessionmaker[Session]:
    """Connect, bring the schema to the newest migration, and return a session factory.

    ``create=False`` (what reading commands pass): a SQLite file that does not exist is an
    error, not a new empty database, so a mistyped ``--db`` fails instead of passing.
    """
    if not create and not database_exists(url):
        raise MissingDatabase(f"no database at {_resolved_url(url).database}")
    return sessionmaker(engine_for(url), expire_on_commit=False)


def database_exists(url: str | None = None) -> bool:
    """False only for a SQLite file that is not there (a server database is taken to exist:
    connecting says otherwise)."""
    resolved = _resolved_url(url)
    if resolved.get_backend_name() != "sqlite" or _in_memory(resolved):
        return True
    return os.path.exists(_uri_filename(resolved) or resolved.database or "")


def close_databases() -> None:
    """Dispose of every cached engine (closing pooled connections), e.g. before dropping a database."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()


def _forget_parent_databases() -> None:
    """In a forked child (``audit --jobs`` workers): the cached engines' pooled connections
    are the parent's sockets and files. Using one would interleave two processes' traffic on
    one PostgreSQL connection, and closing one would end the parent's session; so the child
    drops them without closing (SQLAlchemy's ``dispose(close=False)``) and connects anew."""
    global _engines_lock
    _engines_lock = threading.Lock()
    for engine in list(_engines.values()):
        engine.dispose(close=False)
    _engines.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_databases)


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


def _foreign_tables(connection: Connection) -> list[str]:
    """Tables of a database with no schema revision that are not provenance's own."""
    from sqlalchemy import inspect

    ours = set(Base.metadata.tables) | {"alembic_version"}
    return sorted(t for t in inspect(connection).get_table_names() if t not in ours)


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
        foreign = _foreign_tables(connection) if current is None else []
        connection.rollback()
    if current == head:
        return
    if foreign:  # another application's database: never add our tables to it
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise SchemaError(
            f"not a provenance database: it holds other tables ({shown}) and no provenance schema"
        )
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


# --- corpus (the near-fingerprint lookup is provenance.lookup, writing provenance.corpus_store)


_CHUNK = 500  # ids per IN (...) list: well under every backend's bound-parameter limit


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


def vacuum_keys(bind: Engine | sessionmaker[Session]) -> bool:
    """``VACUUM (ANALYZE)`` the block keys on PostgreSQL (a no-op elsewhere); True if it ran.

    Worth calling after loading many stories: the lookup's index-only scans skip the table
    only for pages the visibility map marks all-visible, which freshly inserted rows are not
    until a vacuum (autovacuum gets there eventually: PostgreSQL 13+ vacuums after inserts,
    but only once a fifth of the table is new). VACUUM cannot run inside a transaction, so
    this takes its own autocommit connection; call it after the load has committed.
    """
    engine = bind if isinstance(bind, Engine) else bind.kw["bind"]
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            f"VACUUM (ANALYZE) {BlockKeyRow.__tablename__}"
        )
    return True


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
    latest = _latest_status(session, {row.guid for row in rows.values() if row.guid})
    return [
        rows[i].to_story(
            members.get(rows[i].version_group, ()) if rows[i].version_group else (),
            latest.get(rows[i].guid) if rows[i].guid else None,
        )
        for i in ids
        if i in rows
    ]


def _latest_status(session: Session, guids: set[str]) -> dict[str, str]:
    """The status of the latest version of each wire guid: a kill (``canceled``) or a hold
    (``withheld``) sent as a later version applies to every version a page may have copied."""
    latest: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(guids), _CHUNK):
        query = select(StoryRow.guid, StoryRow.version, StoryRow.pub_status).where(StoryRow.guid.in_(chunk))
        for guid, version, status in session.execute(query):
            if guid not in latest or (version or 0) >= latest[guid][0]:
                latest[guid] = (version or 0, status or "usable")
    return {guid: status for guid, (_, status) in latest.items()}


def version_fingerprints(
    session: Session, story_row_ids: Iterable[int], scheme: str
) -> dict[int, list[Fingerprint]]:
    """The stored fingerprints of one scheme (any version) of these stories, by story row id.

    Version grouping compares a batch of new stories with the few stored ones that share a
    near fingerprint with any of them; this loads those few stories' fingerprints at once.
    """
    table = FingerprintRow.__table__
    columns = [table.c.story_id, table.c.scheme, table.c.scheme_version, table.c.level, table.c.position]
    found: dict[int, list[Fingerprint]] = defaultdict(list)
    for chunk in _chunks(list(story_row_ids), _CHUNK):
        rows = session.execute(
            select(*columns, table.c.start, table.c.end, table.c.value).where(
                table.c.story_id.in_(chunk), table.c.scheme == scheme
            )
        )
        for story_id, name, version, level, position, start, end, value in rows:
            found[story_id].append(
                Fingerprint(name, version, level, position, start, end, to_unsigned(value))
            )
    return dict(found)


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


def save_result(
    session: Session, run_id: int, result: PageResult, input_position: int | None = None
) -> PageRow:
    """Write one audited page with its matches (ranked, best first) and findings.

    The caller owns the transaction. ``input_position``: the page's place in the run's input,
    given by cluster tasks (:mod:`provenance.cluster`), which save a page at most once by it.
    """
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
        warc_file=page.evidence.warc if page and page.evidence else None,
        warc_record_id=page.evidence.record_id if page and page.evidence else None,
        warc_offset=page.evidence.offset if page and page.evidence else None,
        input_position=input_position,
    )
    session.add(row)
    session.flush()
    story_row_ids = _story_row_ids(session, [m.story.id for m in result.matches])
    for rank, m in enumerate(result.matches):
        session.add(
            MatchRow(
                page_id=row.id,
                story_id=story_row_ids.get(m.story.id),
                story_external_id=m.story.id,
                agency=m.story.agency,
                derivation=m.derivation,
                similarity=m.similarity,
                coverage=m.coverage,
                verbatim_share=m.verbatim_share,
                rewritten_share=m.rewritten_share,
                order_kept=m.order_kept,
                evidence=evidence_list(m),
                rank=rank,
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


def _story_row_ids(session: Session, external_ids: Sequence[str]) -> dict[str, int]:
    """Row ids of the stories with these external ids (a story gone from the corpus is absent)."""
    if not external_ids:
        return {}
    rows = session.execute(
        select(StoryRow.external_id, StoryRow.id).where(StoryRow.external_id.in_(external_ids))
    )
    return {external_id: row_id for external_id, row_id in rows}
