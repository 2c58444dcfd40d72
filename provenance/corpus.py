"""Loading wire stories into the corpus: read, detect byline and contributors, fingerprint, upsert.

Stories are streamed from their sources and written in batches, one transaction per batch,
its fingerprint and block-key rows sent in bulk (:func:`provenance.corpus_store.upsert_stories`:
COPY on PostgreSQL), so a large archive goes in fast and with flat memory: nothing of a batch
is kept once it is written. Re-adding a story id updates that story and never duplicates it.
Detecting credits and fingerprinting, most of the work, can run in worker processes
(``jobs``) while this process reads and writes; they send fingerprints back as plain tuples
(:data:`~provenance.corpus_store.FingerprintFields`), which cross between processes several
times cheaper than objects.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import SingletonThreadPool

from provenance import corpus_store, lookup, retrieval, store, workers
from provenance.attribution import detect
from provenance.corpus_store import FingerprintFields, as_fingerprints
from provenance.fetch import Fetcher
from provenance.fingerprint import SCHEME_BY_KEY, SCHEMES, Fingerprint, fingerprint_rows_many
from provenance.index import BlockPlan, MemoryIndex
from provenance.match import same_story
from provenance.model import InputError, Story, TextLine
from provenance.packs import RulePack, UnknownName, resolve_agency
from provenance.sources import MAX_FILE_BYTES, StoryInput, read_stories

# Inputs per query for their stored source hashes (a re-add skips the unchanged ones).
BATCH = 500
# Stories per transaction. Each new story adds about a hundred rows at random places of the
# block-key B-tree; a transaction writes every page it touched once, so larger ones write
# fewer pages per story once the tree outgrows memory. The rows of two batches (one
# written, one gathered) take a few hundred megabytes.
WRITE_BATCH = 5000
VERSION_SCHEME = "shingle3"
VACUUM_AFTER = 5000  # stories written in one load after which the block keys are vacuumed

Prepared = tuple[Story, list[FingerprintFields]]  # a story ready to write: with its fingerprints
# Story row id -> the story and its fingerprints.
Written = Mapping[int, tuple[Story, Sequence[FingerprintFields]]]


@dataclass(slots=True)
class CorpusResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[InputError] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        """One more story "added", "updated" or "unchanged"."""
        setattr(self, outcome, getattr(self, outcome) + 1)


def check_agency_option(name: str | None, packs: Sequence[RulePack]) -> str | None:
    """The pack id of ``corpus add --agency`` (None when not given), checked before anything is read.

    A misspelt agency would store every story under a name no pack knows: the stories are
    matched, but no rule applies to their copies. Raises :class:`~provenance.packs.UnknownName`
    ("--agency: unknown agency 'Reutres' (did you mean Reuters? known: ...)"), for the command
    line to report as a usage error.
    """
    if name is None:
        return None
    try:
        return resolve_agency(name, packs)
    except UnknownName as exc:
        raise exc.at("--agency") from None


def to_story(item: StoryInput, packs: Sequence[RulePack]) -> Story | InputError:
    """A corpus :class:`Story` from a read input, its agency and credits filled from its own text.

    The agency the input names (its own ``agency`` field, else ``--agency``) must be one a
    pack knows, and is stored as that pack's id ("associated press" -> "AP"): under any other
    name the story would match copies to which no rule applies. An unknown one makes the
    input an error, with the valid agencies and the closest one.
    """
    page = item.page
    named = _wire_agency(item, packs)
    if item.agency and not named:
        try:
            named = resolve_agency(item.agency, packs)
        except UnknownName as exc:
            return InputError(page.id, page.source, str(exc), page.url)
    lines = list(page.lines)
    if item.byline:
        lines.insert(0, TextLine(item.byline, "meta"))
    attribution = detect(lines, page.meta, packs, page.title)
    agency = named or _single(attribution.agencies_detected)
    if not agency:
        return InputError(page.id, page.source, _no_agency(item), page.url)
    names: list[str] = []
    for signal in attribution.signals:
        if signal.kind in ("byline", "contributor"):
            names.extend(n for n in signal.names if n not in names)
    return Story(
        id=page.id,
        agency=agency,
        text=page.text,
        url=page.url,
        title=page.title,
        byline=item.byline or attribution.byline,
        dateline=item.dateline or attribution.dateline,
        published=item.published,
        contributors=tuple(dict.fromkeys([*names, *_wire_people(item)])),
        source_hash=item.source_hash,
        **_wire_fields(item),
    )


def _wire_names(item: StoryInput) -> list[str]:
    """The agencies a wire item names, most telling first: provider, copyright holder, sources."""
    wire = item.wire
    if wire is None:
        return []
    return [n for n in (wire.provider, wire.copyright_holder, *wire.info_sources) if n]


def _wire_agency(item: StoryInput, packs: Sequence[RulePack]) -> str | None:
    """The first agency a wire item names that a pack knows (a dpa item carrying AP text is AP's
    when no pack knows dpa)."""
    for name in _wire_names(item):
        try:
            return resolve_agency(name, packs)
        except UnknownName:
            continue
    return None


def _no_agency(item: StoryInput) -> str:
    names = _wire_names(item)
    if names:
        return f"no agency: no rule pack knows {', '.join(repr(n) for n in names[:3])}; give --agency"
    return "no agency: the story names none; give --agency"


def _wire_fields(item: StoryInput) -> dict[str, Any]:
    """What a wire item says of itself, as :class:`Story` fields (nothing for other inputs)."""
    wire = item.wire
    if wire is None:
        return {}
    return {
        "guid": wire.id,
        "version": wire.version,
        "pub_status": wire.pub_status,
        "embargoed": wire.embargoed,
        "copyright_holder": wire.copyright_holder,
        "copyright_notice": wire.copyright_notice,
        "usage_terms": wire.usage_terms,
        "info_sources": tuple(wire.info_sources),
    }


def _wire_people(item: StoryInput) -> list[str]:
    """The writers and contributors a wire item lists (the byline check reads them)."""
    return [*item.wire.bylines, *item.wire.contributors] if item.wire is not None else []


def _single(agencies: list[str]) -> str | None:
    return agencies[0] if len(agencies) == 1 else None


def stored_near(session: Session, items: Sequence[Prepared]) -> set[int]:
    """Before a batch is written (in its transaction): the stored stories near any of its
    stories, by the fingerprints versions share (:data:`VERSION_SCHEME`), for
    :func:`group_versions`. Looked up before the batch's own rows are in the corpus, so the
    lookup does not find, and filter out, every story of the batch near itself."""
    queries = as_fingerprints([fp for _, fps in items for fp in fps if fp[0] == VERSION_SCHEME])
    return set(lookup.near_fingerprints(session, queries)) if queries else set()


def group_versions(session: Session, written: Written, earlier: Iterable[int]) -> None:
    """Join each story just written to the group of its other versions in the corpus, if any.

    The whole batch at once: ``earlier`` are the stories :func:`stored_near` found before the
    batch was written (one lookup for all of its stories); an in-memory index of those and
    of the batch's own stories tells which story is near which (so versions within the
    batch are found too). Texts are loaded only for the candidates
    :func:`provenance.match.same_story` must align.
    """
    # Versions share whole paragraphs, so the word-shingle fingerprints find them; the many
    # sentence skeletons (there for spun copies) would only make the lookup slower.
    shingled = {
        row_id: as_fingerprints([fp for fp in fps if fp[0] == VERSION_SCHEME])
        for row_id, (_, fps) in written.items()
    }
    near = _near_stories(session, shingled, earlier)
    if not near:
        return
    others = {i for ids in near.values() for i in ids if i not in written}
    agencies = {story.agency for story, _ in written.values()}
    stories = {row_id: story for row_id, (story, _) in written.items()} | _stories(session, others, agencies)
    checked: set[tuple[int, int]] = set()
    for row_id, ids in near.items():
        story = stories[row_id]
        versions = []
        for other in ids:
            pair = (min(row_id, other), max(row_id, other))
            candidate = stories.get(other)
            if pair in checked or candidate is None or candidate.agency != story.agency:
                continue
            checked.add(pair)  # the pair is the same seen from either side: align it once
            if same_story(story, candidate):
                versions.append(other)
        if versions:
            corpus_store.set_version_group(session, row_id, versions)


def _near_stories(
    session: Session, shingled: Mapping[int, Sequence[Fingerprint]], earlier: Iterable[int]
) -> dict[int, list[int]]:
    """For each story: the other stored stories worth checking as its versions (best first).

    The stored fingerprints compared are those of the ``earlier`` stories (read back: any
    of them rewritten by this batch has the batch's fingerprints now) and the batch's own.
    """
    if not any(shingled.values()):
        return {}
    stored = store.version_fingerprints(session, [i for i in earlier if i not in shingled], VERSION_SCHEME)
    stored.update(shingled)
    hits = _hits_per_story(stored, shingled)
    near = {}
    for row_id, story_hits in hits.items():
        ids = [i for i in retrieval.select(story_hits, shingled[row_id]) if i != row_id]
        if ids:
            near[row_id] = ids
    return near


def _hits_per_story(
    stored: Mapping[int, Sequence[Fingerprint]], queries: Mapping[int, Sequence[Fingerprint]]
) -> dict[int, retrieval.Hits]:
    """``CorpusIndex(stored).near(fps)`` for the ``fps`` of every story in ``queries``, at once.

    One batch join per scheme for the whole batch instead of one small numpy round trip per
    story: the distinct (querying story, stored fingerprint) pairs within ``k``, counted per
    stored story and scheme.
    """
    hits: dict[int, retrieval.Hits] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for key in {fp.scheme_key for fps in queries.values() for fp in fps} & SCHEME_BY_KEY.keys():
        values, owners = _flat(stored, key)
        asked, askers = _flat(queries, key)
        if not values.size or not asked.size:
            continue
        index = MemoryIndex(values, np.arange(values.size), BlockPlan.for_k(SCHEME_BY_KEY[key].k))
        q_idx, rows, _ = index.query_batch(asked)
        pairs = np.unique(np.stack([askers[q_idx], rows]), axis=1)
        for asker, owner in zip(pairs[0].tolist(), owners[pairs[1]].tolist(), strict=True):
            hits[asker][owner][key] += 1
    return hits


def _flat(fingerprints: Mapping[int, Sequence[Fingerprint]], key: str) -> tuple[np.ndarray, np.ndarray]:
    """The values of one scheme's fingerprints, and the story each belongs to, as arrays."""
    pairs = [(fp.value, story) for story, fps in fingerprints.items() for fp in fps if fp.scheme_key == key]
    values = np.array([v for v, _ in pairs], dtype=np.uint64)
    return values, np.array([story for _, story in pairs], dtype=np.int64)


def _stories(session: Session, row_ids: Iterable[int], agencies: set[str]) -> dict[int, Story]:
    """Stored stories by row id, those of ``agencies`` only, with what versioning compares."""
    row = store.StoryRow
    found: dict[int, Story] = {}
    for chunk in _chunks(sorted(row_ids), 500):
        for row_id, external_id, agency, text, published in session.execute(
            select(row.id, row.external_id, row.agency, row.text, row.published).where(
                row.id.in_(chunk), row.agency.in_(agencies)
            )
        ):
            found[row_id] = Story(id=external_id, agency=agency, text=text, published=published)
    return found


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def prepare(
    items: Sequence[StoryInput | InputError], packs: Sequence[RulePack]
) -> list[Prepared | InputError]:
    """The CPU-bound part of adding stories (credits detected, fingerprints made), no database:
    one result per item, in order. The stories are fingerprinted together
    (:func:`~provenance.fingerprint.fingerprint_rows_many`)."""
    stories = [item if isinstance(item, InputError) else to_story(item, packs) for item in items]
    fingerprinted = iter(fingerprint_rows_many([s.text for s in stories if isinstance(s, Story)]))
    return [s if isinstance(s, InputError) else (s, next(fingerprinted)) for s in stories]


def write_batch(factory: sessionmaker[Session], items: Sequence[Prepared]) -> list[str]:
    """Upsert prepared stories and group their versions, in one transaction.

    Returns each story's outcome ("added", "updated" or "unchanged"), in order. The stories
    come fingerprinted, so the write lock is held for the writing only.
    """
    with store.transaction(factory) as session:
        store.lock_corpus(session)  # before the lookup: no other writer changes what it finds
        earlier = stored_near(session, items)
        done = corpus_store.upsert_stories(session, items)
        written = {o.row_id: item for o, item in zip(done, items, strict=True) if o.outcome != "unchanged"}
        group_versions(session, written, earlier)
        group_wire_versions(session, {story.guid for story, _ in written.values() if story.guid})
    return [o.outcome for o in done]


def group_wire_versions(session: Session, guids: set[str]) -> None:
    """Put the stored versions of each wire guid in one version group: a write-thru or a kill
    is a version of its story whatever its text (a kill's text shares nothing with it)."""
    rows: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(guids), 500):
        query = select(store.StoryRow.guid, store.StoryRow.id).where(store.StoryRow.guid.in_(chunk))
        for guid, row_id in session.execute(query):
            rows[guid].append(row_id)
    for ids in rows.values():
        if len(ids) > 1:
            first, *others = sorted(ids)
            corpus_store.set_version_group(session, first, others)


def add_stories(
    factory: sessionmaker[Session],
    sources: Sequence[str],
    packs: Sequence[RulePack],
    agency: str | None = None,
    on_item: Callable[[Story | InputError], None] | None = None,
    fetcher: Fetcher | None = None,
    jobs: int = 1,
    max_bytes: int = MAX_FILE_BYTES,
) -> CorpusResult:
    """Read, fingerprint and store every story of ``sources``; ``on_item`` hears of each one read.

    The sources are streamed and written every :data:`WRITE_BATCH` stories, so memory stays flat
    however long the input; an unreadable story is one error and the rest still load. With
    ``jobs`` > 1, a long input is prepared (:func:`prepare`) by that many worker processes
    while this one reads (see :func:`prepared`) and a thread of its own writes (see
    :class:`_BatchWriter`); like any ``spawn`` pool, that
    needs a script calling it to guard its entry point (``if __name__ == "__main__"``).
    ``max_bytes`` caps a local file and a JSONL line.
    """
    result = CorpusResult()
    batch: list[Prepared] = []
    stories = read_stories(sources, agency=agency, fetcher=fetcher, max_bytes=max_bytes)
    with _BatchWriter(factory, result) as writer:
        for ready in prepared(_changed(factory, stories, packs, result), packs, jobs):
            if isinstance(ready, InputError):
                result.errors.append(ready)
            else:
                batch.append(ready)
                if len(batch) >= WRITE_BATCH:
                    writer.write(batch)
                    batch = []
            if on_item is not None:
                on_item(ready if isinstance(ready, InputError) else ready[0])
        writer.write(batch)
    if result.added + result.updated >= VACUUM_AFTER:
        store.vacuum_keys(factory)  # PostgreSQL: index-only lookups need the visibility map
    return result


def source_signature(packs: Sequence[RulePack]) -> str:
    """What turns an input into a story besides the input itself: the patterns that read
    credits, bylines and contributors, and the fingerprint schemes. A change to either makes
    every input new again (a re-add after an upgrade fingerprints the corpus again)."""
    parts = [f"{s.key}/{s.k}" for s in SCHEMES]
    for pack in sorted(packs, key=lambda p: p.id):
        patterns = (
            pack.ignore,
            pack.datelines,
            pack.bylines,
            pack.credits,
            pack.contributors,
            pack.companions,
        )
        parts += [pack.id, pack.name, *pack.aliases, *(p.pattern for group in patterns for p in group)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _source_hash(item: StoryInput, signature: str) -> str:
    """The input as read (its page's hash: the raw file, the text of a JSONL line or the whole
    wire item), the fields read beside it (title, URL, agency, byline, dates) and the
    signature of what turns it into a story."""
    page = item.page
    fields = (page.id, page.content_hash, page.title, page.url, item.agency, item.byline, item.published)
    key = "\x1f".join((signature, *(f or "" for f in fields), item.dateline or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _changed(
    factory: sessionmaker[Session],
    items: Iterator[StoryInput | InputError],
    packs: Sequence[RulePack],
    result: CorpusResult,
) -> Iterator[StoryInput | InputError]:
    """The inputs that are not stored already exactly as they are, each with its source hash;
    the others are counted unchanged, before any work (a re-add of an unchanged archive only
    reads it). One query per :data:`BATCH` inputs."""
    signature = source_signature(packs)
    while chunk := list(islice(items, BATCH)):
        ready = [
            replace(item, source_hash=_source_hash(item, signature)) if isinstance(item, StoryInput) else item
            for item in chunk
        ]
        ids = [item.page.id for item in ready if isinstance(item, StoryInput)]
        with factory() as session:
            stored = corpus_store.source_hashes(session, ids) if ids else {}
        for item in ready:
            if isinstance(item, StoryInput) and stored.get(item.page.id) == item.source_hash:
                result.count("unchanged")
            else:
                yield item


class _BatchWriter:
    """Writes batches in input order on one thread of its own, one batch in flight, while the
    caller reads and gathers the next one.

    A batch's transaction spends much of its time waiting for the database (PostgreSQL's
    server inserting a COPY's rows, SQLite's B-trees in C, both without the GIL): meanwhile
    this process goes on reading inputs and taking worker results. Outcomes are counted in
    order; a batch that failed raises at the next :meth:`write` or at the end, and nothing
    after it is written (each batch is its own transaction, so the corpus holds whole
    batches). An in-memory SQLite database has one connection per thread, so it is written
    from the caller's thread.
    """

    def __init__(self, factory: sessionmaker[Session], result: CorpusResult) -> None:
        self.factory, self.result = factory, result
        threaded = not isinstance(factory.kw["bind"].pool, SingletonThreadPool)
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="corpus-writer") if threaded else None
        self.pending: Future[list[str]] | None = None

    def write(self, batch: list[Prepared]) -> None:
        """Write ``batch`` (if any) once the one before it is written; the caller must not
        change the list after."""
        self._wait()
        if not batch:
            return
        if self.executor is None:
            self._count(write_batch(self.factory, batch))
        else:
            self.pending = self.executor.submit(write_batch, self.factory, batch)

    def _wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self._count(pending.result())

    def _count(self, outcomes: list[str]) -> None:
        for outcome in outcomes:
            self.result.count(outcome)

    def __enter__(self) -> _BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._wait()
        finally:
            if self.executor is not None:
                self.executor.shutdown(wait=True)  # a batch in flight commits or rolls back first


# --- worker processes -----------------------------------------------------------------------

PARALLEL_AFTER = 1000  # stories prepared here before workers start: a small load never waits for them
TASK = 50  # stories per task sent to a worker
AHEAD = 8  # tasks in flight per worker: more than a batch, so they keep busy while one is written


def default_jobs() -> int:
    """Worker processes for a long load: the CPUs this process may use, at most 4."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cpus))


def prepared(
    items: Iterable[StoryInput | InputError], packs: Sequence[RulePack], jobs: int = 1
) -> Iterator[Prepared | InputError]:
    """:func:`prepare` of each item, in input order; past :data:`PARALLEL_AFTER` in ``jobs`` workers.

    Detecting credits and fingerprinting cost several times what writing does, so a long
    load hands them to worker processes (:func:`provenance.workers.ordered`), a few tasks
    ahead of this process, which keeps reading (and fetching) and writing. The input is
    still streamed.
    """

    def here(chunk: list[StoryInput | InputError]) -> list[Prepared | InputError]:
        return prepare(chunk, packs)

    yield from workers.ordered(
        items,
        _prepare_task,
        jobs,
        after=PARALLEL_AFTER,
        initializer=_start_worker,
        initargs=(list(packs),),
        local=here,
        size=TASK,
        ahead=AHEAD,
    )


_worker_packs: list[RulePack] = []


def _start_worker(packs: list[RulePack]) -> None:
    """In each worker, once: the rule packs (compiled patterns pickle), kept for its tasks."""
    _worker_packs[:] = packs


def _prepare_task(task: list[StoryInput | InputError]) -> list[Prepared | InputError]:
    return prepare(task, _worker_packs)
