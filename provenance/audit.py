"""The audit pipeline: pages in, matches and findings out, every page saved as it finishes.

:func:`analyse` is the pure core (a page and its candidate stories in, a result out).
:func:`run_audit` is the wiring: read inputs, look candidates up in the database, analyse,
and write each page with its matches and findings in one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from provenance import __version__, lookup, manipulation, retrieval, store, workers
from provenance.attribution import detect
from provenance.budget import PAGE_BUDGET, PageTimeout, time_budget
from provenance.config import Config
from provenance.fetch import Fetcher
from provenance.fingerprint import fingerprint_text
from provenance.links import link_signals
from provenance.match import match_all
from provenance.model import Finding, InputError, Match, Page, PageResult, Story, Suppression
from provenance.packs import IGNORED_MARKER, RulePack
from provenance.report import AuditReport
from provenance.rules import evaluate
from provenance.sources import MAX_FILE_BYTES, Record, page_of, read_records
from provenance.spool import ResultSpool
from provenance.suppress import Baseline, apply_markers, known_rules, marker_findings

if TYPE_CHECKING:
    from distributed import Client

DEFAULT = Config()


def analyse(
    page: Page, candidates: Sequence[Story], packs: Sequence[RulePack], config: Config = DEFAULT
) -> PageResult:
    """Attribution, every story the page derives from (best first), and findings for one page (pure).

    A round-up can copy several stories, possibly from several agencies: each match brings
    its own findings (what its agency's pack requires), merged in match order. The page's
    inline markers then apply, and markers that suppress nothing or name a rule no pack in
    ``packs`` defines are findings themselves (see :func:`provenance.suppress.marker_findings`).
    """
    attribution = detect(page.lines, page.meta, packs, page.title)
    proven = (config.keep_match(m) for m in match_all(page.text, list(candidates)))
    matches = distinct_stories(m for m in proven if m is not None)
    best = matches[0] if matches else None
    agencies = [(p.id, p.link_domains) for p in packs]
    attribution.signals.extend(link_signals(page.links, agencies, best.story if best else None))
    findings = merged(
        evaluate(page, attribution, match, packs, licensed=config.licensed) for match in (matches or [None])
    )
    findings = config.adjust([*findings, *manipulation.findings(page, attribution, matches, packs)])
    about_markers = marker_findings(findings, page.suppressions, known_rules(packs))
    findings = apply_markers(findings, page.suppressions) + config.adjust(about_markers)
    return PageResult(
        page_id=page.id,
        source=page.source,
        url=page.url,
        status="ok",
        page=page,
        match=best,
        attribution=attribution,
        findings=findings,
        matches=matches,
    )


def distinct_stories(matches: Iterable[Match]) -> list[Match]:
    """The matches minus versions of a story already matched (best first, so the closest version stays).

    Versions of one story (an update, a write-through) are one story: a page copying the
    update also proves a copy of the first version, but it copies one story, not two.
    """
    kept: list[Match] = []
    seen: set[str] = set()
    for match in matches:
        if match.story.id in seen:
            continue
        kept.append(match)
        seen.add(match.story.id)
        seen.update(match.story.versions)
    return kept


def merged(finding_lists: Iterable[Sequence[Finding]]) -> list[Finding]:
    """The findings of every match in order, each exact duplicate once.

    Two stories of one agency breach the same page-level requirements (credit, notice):
    the page owes the credit once, so it gets the finding once.
    """
    out: dict[tuple[str, str, str, str, int | None], Finding] = {}
    for findings in finding_lists:
        for f in findings:
            out.setdefault((f.rule, f.severity, f.message, f.evidence, f.line), f)
    return list(out.values())


def error_result(error: InputError) -> PageResult:
    return PageResult(page_id=error.id, source=error.source, url=error.url, status="error", error=error.error)


def find_candidates(session: Session, page: Page) -> list[Story]:
    """Stories with enough fingerprints near the page's (document, paragraphs, sentences)."""
    fingerprints = fingerprint_text(page.text)
    wanted = retrieval.select(lookup.near_fingerprints(session, fingerprints), fingerprints)
    return store.load_stories(session, wanted)


def run_audit(
    factory: sessionmaker[Session],
    sources: Sequence[str],
    packs: Sequence[RulePack],
    arguments: list[str],
    stdin: BinaryIO | None = None,
    on_result: Callable[[PageResult], None] | None = None,
    fetcher: Fetcher | None = None,
    config: Config = DEFAULT,
    baseline: Baseline | None = None,
    save: bool = True,
    marker_root: Path | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    jobs: int = 1,
    cluster: Client | str | None = None,
    on_start: Callable[[int], None] | None = None,
) -> AuditReport:
    """Audit every input, saving each page as it is done; one run row per call.

    Findings the ``baseline`` records are saved and reported as suppressed; its entries of
    an audited page that match nothing are reported (``PROVENANCE-UNUSED-SUPPRESSION``).
    ``save=False`` reads the corpus and writes nothing (the report's run id is 0): a CI job
    with read-only credentials. Inline markers are the publisher's own: they are honoured only
    in local files under ``marker_root`` (the configuration's directory; None: nowhere), and
    reported where they are not (:func:`markers_honoured`). ``max_bytes`` caps a local file,
    standard input and a JSONL line (fetched bodies have the fetcher's cap). With ``jobs`` > 1,
    pages are extracted, looked up, matched and judged in that many worker processes
    (:mod:`provenance.workers`; spawned workers only past the first :data:`PARALLEL_AFTER`,
    judged here while they start); results come back in input
    order and are saved here, so the run is the same whatever ``jobs``. Nothing of a page
    stays in memory once it is saved and reported: the report's results are a
    :class:`~provenance.spool.ResultSpool` on disk (``report.close()`` deletes it).
    With ``cluster`` (a Dask client or scheduler address), pages are judged on its workers,
    which apply the baseline and save them under this run (:mod:`provenance.cluster`).
    ``on_start`` is given the run id once the run is recorded, before any input is read.
    """
    run_id, started = (
        (store.start_run(factory, "audit", arguments, __version__).id, None) if save else (0, store.now())
    )
    if on_start is not None and save:
        on_start(run_id)
    results = ResultSpool()  # on disk: memory stays flat however many pages
    job = _Job(list(packs), config, marker_root, _url(factory))
    here = cluster is None  # else the workers apply the baseline and save each page
    items = (
        _results(factory, sources, job, stdin, fetcher, max_bytes, jobs)
        if here
        else _on_cluster(
            cluster, factory, sources, job, run_id if save else None, baseline, stdin, fetcher, max_bytes
        )
    )
    for item in items:
        if baseline is not None and here:
            stale = baseline.apply(item)  # marks the known findings first
            item.findings = [*item.findings, *config.adjust(stale)]
        if save and here:
            with store.transaction(factory) as session:
                store.save_result(session, run_id, item)
        results.append(item)
        if on_result is not None:
            on_result(item)
    if not save:
        return AuditReport(0, started, store.now(), __version__, results)
    tally = results.tally
    counts = {
        "pages": tally.pages,
        "errors": tally.errors,
        "matches": tally.matched,
        "findings": tally.findings + tally.suppressed,
    }
    finished = store.finish_run(factory, run_id, counts)
    return AuditReport(run_id, finished.started, finished.finished, __version__, results)


# Pages judged here while spawned workers start (about what their start costs): a few pages
# never wait. Forked workers start at once and take every page.
PARALLEL_AFTER = 16


@dataclass(frozen=True)
class _Job:
    """What judging a page needs besides the page (sent once to each worker)."""

    packs: list[RulePack]
    config: Config
    marker_root: Path | None
    db_url: str


def _url(factory: sessionmaker[Session]) -> str:
    return factory.kw["bind"].url.render_as_string(hide_password=False)


def _results(
    factory: sessionmaker[Session],
    sources: Sequence[str],
    job: _Job,
    stdin: BinaryIO | None,
    fetcher: Fetcher | None,
    max_bytes: int = MAX_FILE_BYTES,
    jobs: int = 1,
) -> Iterator[PageResult]:
    records = read_records(sources, stdin=stdin, fetcher=fetcher, max_bytes=max_bytes)

    def here(chunk: list[Record | InputError]) -> list[PageResult | None]:
        return [_judge(record, job, factory) for record in chunk]

    for result in workers.ordered(
        records,
        _judge_task,
        jobs,
        after=PARALLEL_AFTER,
        initializer=_start_worker,
        initargs=(job,),
        local=here,
    ):
        if result is not None:
            yield result


def _on_cluster(
    cluster: Client | str,
    factory: sessionmaker[Session],
    sources: Sequence[str],
    job: _Job,
    run_id: int | None,
    baseline: Baseline | None,
    stdin: BinaryIO | None,
    fetcher: Fetcher | None,
    max_bytes: int,
) -> Iterator[PageResult]:
    """The pages judged, baselined and saved (``run_id``; None: not saved) on a Dask cluster."""
    from provenance import cluster as dask_cluster

    client = dask_cluster.connect(cluster)
    try:
        records = read_records(sources, stdin=stdin, fetcher=fetcher, max_bytes=max_bytes)
        shared = replace(job, db_url=dask_cluster.shared_url(job.db_url))
        yield from dask_cluster.judged(client, records, shared, factory, run_id, baseline)
    finally:
        if isinstance(cluster, str):
            client.close()


_worker: dict[str, Any] = {}  # in a worker process: its job and its database


def _start_worker(job: _Job) -> None:
    _worker["job"] = job
    _worker["factory"] = store.open_database(job.db_url, create=False)


def _judge_task(chunk: list[Record | InputError]) -> list[PageResult | None]:
    return [_judge(record, _worker["job"], _worker["factory"]) for record in chunk]


def _judge(
    record: Record | InputError, job: _Job, factory: sessionmaker[Session], local_file: bool | None = None
) -> PageResult | None:
    """One page's result (None for a source the configuration ignores): extracted, looked up,
    matched and judged within its time budget; whatever goes wrong is that page's error.
    ``local_file``: whether the source is a file under the marker root as the process that
    read it saw it (a cluster worker may have no such file); None: looked at here."""
    if job.config.ignores(record.source):
        return None
    ignored: list[Suppression] = []
    item: Page | None = None
    try:
        with time_budget(PAGE_BUDGET):
            page = page_of(record)
            if isinstance(page, InputError):
                return error_result(page)
            item = page
            honoured = (
                markers_honoured(item, job.marker_root)
                if local_file is None
                else local_file and item.url is None
            )
            if item.suppressions and not honoured:
                ignored, item.suppressions = list(item.suppressions), []
            with factory() as session:
                candidates = find_candidates(session, item)
            result = analyse(item, candidates, job.packs, job.config)
    except PageTimeout as exc:
        result = _failed(record, item, str(exc))
    except Exception as exc:
        result = _failed(record, item, f"{type(exc).__name__}: {exc}")
    result.findings.extend(job.config.adjust([_ignored_marker(m) for m in ignored]))
    return result


def _failed(record: Record | InputError, page: Page | None, reason: str) -> PageResult:
    """The error result of a page that failed (or ran out of time) while being extracted or judged."""
    if page is not None:
        return error_result(InputError(page.id, page.source, reason, page.url))
    url = record.url if isinstance(record, InputError) else record.fields.get("url")
    return error_result(InputError(record.id, record.source, reason, url))


def markers_honoured(page: Page, root: Path | None) -> bool:
    """Whether the page's inline markers count: a page read from a local file under ``root``
    (the repository ``check`` runs in). A page fetched by URL, read from a sitemap, a feed or
    standard input, or a file outside the root is someone else's: its markers must not decide
    its own verdict."""
    if root is None or page.url is not None or page.source == "-" or not os.path.isfile(page.source):
        return False
    real, base = os.path.realpath(page.source), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _ignored_marker(marker: Suppression) -> Finding:
    return Finding(
        rule=IGNORED_MARKER,
        severity="info",
        message=(
            f"The inline marker on line {marker.line} ({', '.join(marker.rules)}) is not honoured: "
            "only the publisher's own pages (local files in the repository checked) may suppress findings."
        ),
        line=marker.line,
    )
