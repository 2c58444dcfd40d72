"""Audit on a Dask cluster: pages fanned out to workers on many machines, one run.

What ``audit --cluster ADDRESS`` runs when one machine's cores are not enough (a crawl of
millions of pages). This process reads the inputs (files, URLs, WARC files, as
:func:`provenance.sources.read_records` reads them) and sends the records in chunks to the
cluster's workers, a bounded number in flight, so a long input list is never all in
memory. Each worker opens the same database (the shared PostgreSQL corpus; a SQLite file
works for workers on this machine), judges each page exactly as ``--jobs`` workers do
(:func:`provenance.audit._judge`), applies the baseline and saves the chunk's pages under the
run id this process created. The results come back here in input order for the report, so
the report and the saved rows are those of a ``--jobs 1`` run.

Why Dask (``distributed``) and not Ray: pure-Python wheels from PyPI, a ``LocalCluster`` for
tests, ``Client.submit`` futures for bounded, ordered work, a scheduler at
``tcp://host:8786`` and the ``dask scheduler`` / ``dask worker`` commands for N machines.
Ray brings a large native runtime and an object store that this workload — CPU-bound pages
and a shared SQL database — does not need. See docs/scale.md.

What the main process decides, because only it saw the inputs: whether a page's inline
markers count (a local file under the configuration's directory: a worker on another
machine has no such file) and the page's baseline key (relative to the configuration's
directory, symlinks resolved on this machine). Workers get those facts with each record.

Failures: a task that raises, or whose worker died (Dask retries it on another worker
first), is sent again one page at a time; a page that still fails is that page's error,
saved here. A chunk is saved in one transaction, so a worker that dies mid-chunk leaves
none of it behind. ``distributed`` is imported only when a cluster is used: the base
install (without the ``cluster`` extra) never needs it.

A worker that dies after committing a chunk but before returning it makes Dask run the
chunk again: each page is saved with its place in the run's input (``input_position``,
unique in the run), so the second run finds the chunk's pages saved and saves none again.
The per-page time budget (:mod:`provenance.budget`) holds in Dask's task threads as in a
main thread.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from provenance import store
from provenance.model import InputError, Page, PageResult
from provenance.sources import MAX_FILE_BYTES, Record
from provenance.suppress import Baseline, BaselineEntry, page_key

if TYPE_CHECKING:  # the cluster extra may be absent: imported only where used
    from distributed import Client, Future

    from provenance.audit import _Job
    from provenance.config import Config
    from provenance.fetch import Fetcher
    from provenance.packs import RulePack
    from provenance.report import AuditReport

INSTALL_HINT = "pip install 'wire-provenance[cluster]'"
TASK = 8  # pages per task: one round trip and one transaction for several pages
AHEAD = 4  # tasks in flight per worker thread: workers never wait, memory stays bounded
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler before the run is given up


class ClusterError(Exception):
    """The cluster cannot be used (``distributed`` missing, scheduler unreachable): one line."""


# --------------------------------------------------------------------------- connecting


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(f"--cluster needs Dask distributed: {INSTALL_HINT}") from None
    return distributed


def connect(client_or_address: Client | str, timeout: float | None = None) -> Client:
    """A client of the scheduler at ``client_or_address`` (a client is returned as it is);
    :class:`ClusterError` naming the address when it cannot be reached, or has no worker,
    within ``timeout`` seconds (default :data:`CONNECT_TIMEOUT`)."""
    distributed = _distributed()
    if not isinstance(client_or_address, str):
        return client_or_address
    address = client_or_address
    seconds = timeout or CONNECT_TIMEOUT
    try:
        client = distributed.Client(address, timeout=seconds, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:  # refused, timed out, or not an address
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        client.wait_for_workers(1, timeout=seconds)
    except (OSError, TimeoutError):  # a run on no worker would wait for ever
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers (waited {seconds:g} s)") from None
    return client


def shared_url(db_url: str) -> str:
    """The database URL as a worker must see it: a relative SQLite path made absolute (a
    worker's working directory is its own); an in-memory database cannot be shared."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        return db_url
    name = url.database or ""
    if not name or name == ":memory:" or url.query.get("mode") == "memory":
        raise ClusterError("an in-memory SQLite database cannot be shared with cluster workers: use --db")
    if name.startswith("file:"):
        return db_url
    return url.set(database=os.path.abspath(name)).render_as_string(hide_password=False)


# --------------------------------------------------------------------------- the main process


@dataclass(frozen=True, slots=True)
class _Item:
    """A record with what only the reading process knows about it."""

    record: Record | InputError
    local_file: bool  # a file under the marker root here: its inline markers may count
    position: int = 0  # its place in the run's input: saved once under it
    key: str = ""  # the page's baseline key
    entries: tuple[BaselineEntry, ...] = ()  # the baseline's entries for that key


@dataclass(slots=True)
class _Placement:
    """Per-record facts of this machine: marker root and baseline."""

    marker_root: Path | None
    baseline: Baseline | None

    def item(self, position: int, record: Record | InputError) -> _Item:
        from provenance.audit import markers_honoured

        if isinstance(record, InputError):
            return _Item(record, False, position)
        # The file half of the rule (a URL is decided by the worker, from the extracted page).
        local = markers_honoured(Page(record.id, record.source, ""), self.marker_root)
        if self.baseline is None:
            return _Item(record, local, position)
        key = page_key(record.id, record.source, self.baseline.root, self.baseline.cwd)
        return _Item(record, local, position, key, tuple(self.baseline.of_page(key)))


def judged(
    client: Client,
    records: Iterable[Record | InputError],
    job: _Job,
    factory: sessionmaker[Session],
    run_id: int | None,
    baseline: Baseline | None = None,
    *,
    size: int = TASK,
    ahead: int = AHEAD,
) -> Iterator[PageResult]:
    """The results of ``records`` judged on the cluster, in input order; each already has
    the baseline applied and is saved under ``run_id`` (None: nothing is saved).

    At most ``ahead`` tasks of ``size`` records per worker thread are in flight. A task that
    fails is sent again page by page; a page that fails alone is its error result (saved
    here with ``factory``)."""
    remote = _RemoteJob(job, run_id, baseline is not None)
    shared = client.scatter(remote, broadcast=True, hash=False)
    placement = _Placement(job.marker_root, baseline)
    items = (placement.item(position, record) for position, record in enumerate(records))
    limit = max(1, ahead * sum(client.nthreads().values()))
    pending: deque[tuple[Future, list[_Item]]] = deque()
    try:
        while chunk := list(islice(items, size)):
            pending.append((client.submit(_judge_chunk, chunk, shared, pure=False), chunk))
            if len(pending) >= limit:
                yield from _collected(client, *pending.popleft(), shared, job, factory, run_id)
        while pending:
            yield from _collected(client, *pending.popleft(), shared, job, factory, run_id)
    finally:  # on an error, or the caller stopping early, the tasks not done are cancelled
        client.cancel([future for future, _ in pending])


def _collected(
    client: Client,
    future: Future,
    chunk: list[_Item],
    shared: Future,
    job: _Job,
    factory: sessionmaker[Session],
    run_id: int | None,
) -> Iterator[PageResult]:
    try:
        results: list[PageResult | None] = future.result()
    except Exception:  # the task raised, or its workers died: page by page, to find which
        results = [_alone(client, item, shared, job, factory, run_id) for item in chunk]
    yield from (result for result in results if result is not None)


def _alone(
    client: Client,
    item: _Item,
    shared: Future,
    job: _Job,
    factory: sessionmaker[Session],
    run_id: int | None,
) -> PageResult | None:
    try:
        return client.submit(_judge_chunk, [item], shared, pure=False).result()[0]
    except Exception as exc:
        record = item.record
        if job.config.ignores(record.source):
            return None
        from provenance.audit import error_result

        url = record.url if isinstance(record, InputError) else record.fields.get("url")
        reason = f"failed on the cluster: {type(exc).__name__}: {exc}".rstrip(": ")
        result = error_result(InputError(record.id, record.source, reason, url))
        if run_id is not None:
            with store.transaction(factory) as session:
                if not _saved(session, run_id, [item.position]):
                    store.save_result(session, run_id, result, item.position)
        return result


# --------------------------------------------------------------------------- the workers


@dataclass(frozen=True)
class _RemoteJob:
    """What a worker needs besides the pages (scattered once to every worker)."""

    job: _Job
    run_id: int | None
    baselined: bool


@dataclass(slots=True)
class _KeyedBaseline(Baseline):
    """One page's baseline entries under the key the main process computed for it."""

    page: str = field(default="")

    def key(self, result: PageResult) -> str:
        return self.page


_databases: dict[str, sessionmaker[Session]] = {}
_databases_lock = threading.Lock()


def _database(url: str) -> sessionmaker[Session]:
    """This worker process's session factory for ``url`` (opened once)."""
    with _databases_lock:
        if url not in _databases:
            _databases[url] = store.open_database(url, create=False)
        return _databases[url]


def _judge_chunk(chunk: list[_Item], remote: _RemoteJob) -> list[PageResult | None]:
    """On a worker: judge each page as ``--jobs`` does, apply its baseline entries, and save
    the chunk in one transaction (a page whose row cannot be written is saved as its error)."""
    from provenance.audit import _judge

    job = remote.job
    factory = _database(job.db_url)
    results = [_judge(item.record, job, factory, local_file=item.local_file) for item in chunk]
    if remote.baselined:
        for item, result in zip(chunk, results, strict=True):
            if result is not None:
                keyed = _KeyedBaseline(Path(), Path(), list(item.entries), page=item.key)
                stale = keyed.apply(result)  # marks the known findings first
                result.findings = [*result.findings, *job.config.adjust(stale)]
    if remote.run_id is not None:
        _save(factory, remote.run_id, results, [item.position for item in chunk])
    return results


def _saved(session: Session, run_id: int, positions: Sequence[int]) -> set[int]:
    """Which of these places in the run's input have their page saved already (by an
    earlier run of the same task, whose worker died before returning it)."""
    found = session.scalars(
        select(store.PageRow.input_position).where(
            store.PageRow.run_id == run_id, store.PageRow.input_position.in_(positions)
        )
    )
    return {position for position in found if position is not None}


def _save(
    factory: sessionmaker[Session], run_id: int, results: list[PageResult | None], positions: list[int]
) -> None:
    """The chunk's pages in one transaction, each under its place in the input; a page saved
    by an earlier run of the task is not saved again."""
    try:
        with store.transaction(factory) as session:
            saved = _saved(session, run_id, positions)
            for result, position in zip(results, positions, strict=True):
                if result is not None and position not in saved:
                    store.save_result(session, run_id, result, position)
        return
    except Exception:  # one bad row must not lose the chunk: page by page below
        pass
    from provenance.audit import error_result

    for index, (result, position) in enumerate(zip(results, positions, strict=True)):
        if result is None:
            continue
        try:
            with store.transaction(factory) as session:
                if not _saved(session, run_id, [position]):
                    store.save_result(session, run_id, result, position)
        except Exception as exc:
            failed = error_result(
                InputError(
                    result.page_id, result.source, f"not saved: {type(exc).__name__}: {exc}", result.url
                )
            )
            with store.transaction(factory) as session:
                store.save_result(session, run_id, failed, position)
            results[index] = failed


# --------------------------------------------------------------------------- entry point


def audit_on_cluster(
    client_or_address: Client | str,
    sources: Sequence[str],
    db_url: str,
    packs: Sequence[RulePack] | None = None,
    *,
    config: Config | None = None,
    baseline: Baseline | None = None,
    marker_root: Path | None = None,
    save: bool = True,
    arguments: list[str] | None = None,
    stdin: BinaryIO | None = None,
    fetcher: Fetcher | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    on_result: Callable[[PageResult], None] | None = None,
) -> AuditReport:
    """Audit ``sources`` on a Dask cluster into one run of the database at ``db_url``: what
    ``provenance audit SOURCE... --cluster ADDRESS --db DB_URL`` does, for programs that
    drive Dask themselves (their own ``Client``, or a scheduler address).

    ``packs`` default to the built-in rule packs, ``config`` to the defaults; the other
    arguments are those of :func:`provenance.audit.run_audit`. Every worker must reach the
    database at ``db_url``. To fan out a crawl's WARC files, give them as ``sources`` (this
    process reads them record by record and ships each page to a worker), or split the list
    and call this once per part from several machines (one run each).
    """
    from provenance.audit import DEFAULT, run_audit
    from provenance.packs import load_packs

    factory = store.open_database(db_url, create=False)
    client = connect(client_or_address)
    try:
        return run_audit(
            factory,
            sources,
            list(packs) if packs is not None else load_packs(),
            arguments
            if arguments is not None
            else ["audit", *sources, "--cluster", str(client.scheduler.address)],
            stdin=stdin,
            on_result=on_result,
            fetcher=fetcher,
            config=config or DEFAULT,
            baseline=baseline,
            save=save,
            marker_root=marker_root,
            max_bytes=max_bytes,
            cluster=client,
        )
    finally:
        if isinstance(client_or_address, str):
            client.close()
