"""``provenance audit`` and ``provenance check`` (the CI gate: ``audit --fail-on error``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.audit import PARALLEL_AFTER, run_audit
from provenance.cli import common
from provenance.cli.progress import progress, wanted
from provenance.corpus import default_jobs
from provenance.formats import FORMATS, chunks
from provenance.model import PageResult
from provenance.report import AuditReport, View, exit_code, summary_line
from provenance.suppress import Baseline, load_baseline, write_baseline
from provenance.warc_write import ArchivingFetcher

if TYPE_CHECKING:
    from distributed import Client


def register(commands: Any) -> None:
    audit = commands.add_parser("audit", help="audit pages: matches, attribution and findings")
    _options(audit)
    audit.set_defaults(handler=run, gate=None)
    check = commands.add_parser("check", help="CI gate: audit, exit 1 on findings at or above --fail-on")
    _options(check)
    check.set_defaults(handler=run, gate="error")


def _options(parser: argparse.ArgumentParser) -> None:
    common.add_sources(parser)
    parser.add_argument("--format", choices=sorted(FORMATS), default="table", help="report format")
    parser.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--fail-on",
        choices=common.SEVERITIES,
        help="exit 1 when a finding is at or above this severity (check: error, or the configuration's)",
    )
    parser.add_argument(
        "--licensed",
        action="append",
        metavar="AGENCY",
        help="an agency the publisher is licensed for (repeatable; overrides the configuration)",
    )
    parser.add_argument(
        "--baseline", type=Path, metavar="FILE", help="known findings: reported as suppressed"
    )
    parser.add_argument(
        "--update-baseline", action="store_true", help="write every current finding to the baseline file"
    )
    parser.add_argument(
        "--show-clean", action="store_true", help="table: list every page, not only those with findings"
    )
    parser.add_argument(
        "--no-inline-suppressions",
        action="store_true",
        help="honour no inline marker (audits of third-party pages or dumps); markers are reported",
    )
    parser.add_argument(
        "--jobs",
        type=common.count,
        default=None,
        metavar="N",
        help="worker processes that read and judge the pages (forked, or spawned past the first "
        f"{PARALLEL_AFTER} pages; default: one per CPU, at most 4; 1: all in this process)",
    )
    parser.add_argument(
        "--no-save",
        action="store_true",
        help="read the corpus, write nothing: no run is recorded (read-only database credentials)",
    )
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="judge the pages on the workers of a Dask scheduler (tcp://host:8786) that all reach "
        "--db; they save to this run (docs/scale.md)",
    )
    common.add_common(parser)
    common.add_fetch_options(parser)
    parser.add_argument(
        "--evidence",
        type=Path,
        metavar="DIR",
        help="write every fetched page's raw HTTP response to one WARC file per run in DIR; "
        "page rows and reports name its record (replay: provenance evidence RECORD_ID)",
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    sources = common.sources(args, parser)
    settings = common.config(args)
    packs = common.packs(settings)
    settings = common.validated(settings, packs, args)
    baseline_path = args.baseline or settings.baseline
    if args.update_baseline and baseline_path is None:
        parser.error("--update-baseline needs --baseline FILE (or baseline in the configuration)")
    # Baseline pages are keyed relative to the configuration's directory (else the working one).
    root = settings.path.parent if settings.path is not None else Path.cwd()
    try:
        previous = load_baseline(baseline_path, root)
    except (OSError, ValueError) as exc:
        raise common.Failure(f"cannot read baseline: {exc}") from None
    known = previous if baseline_path and not args.update_baseline else None
    common.check_output(args.output)  # before the audit, not after it
    if args.update_baseline:
        common.check_output(baseline_path, "--baseline")
    factory = common.database(args)
    common.require_corpus(factory, settings.licensed)
    fail_on = None if args.update_baseline else args.fail_on or settings.fail_on or args.gate
    # The table to a terminal shows unreadable inputs and ends with the summary; any other
    # report (or a file) gets them on stderr, once.
    on_screen = args.output is None and args.format in ("table", "github")

    with (
        progress("auditing", wanted(args.quiet)) as advance,
        common.fetcher(args, sources, None if args.no_save else factory) as fetcher,
        _cluster(args.cluster) as cluster,
    ):

        def on_result(result: PageResult) -> None:
            advance()
            if result.status == "error" and not on_screen:
                common.error(result.source, result.error or "")

        report = run_audit(
            factory,
            sources,
            packs,
            args.argv if args.argv is not None else sys.argv[1:],
            stdin=sys.stdin.buffer,
            on_result=on_result,
            fetcher=fetcher,
            max_bytes=common.max_bytes(args),
            jobs=args.jobs or default_jobs(),
            cluster=cluster,
            on_start=lambda run_id: _name_evidence(fetcher, run_id),
            config=settings,
            baseline=known,
            save=not args.no_save,
            marker_root=None if args.no_inline_suppressions else root,
        )
    report.view = View(fail_on=fail_on, show_clean=args.show_clean, summary=not args.quiet)
    try:
        return _report(args, report, baseline_path, previous, on_screen)
    finally:
        report.close()


def _name_evidence(fetcher: object, run_id: int) -> None:
    """``--evidence``: the run's WARC file is named after the run."""
    if isinstance(fetcher, ArchivingFetcher):
        fetcher.evidence.run_id = run_id


@contextmanager
def _cluster(address: str | None) -> Iterator[Client | None]:
    """A client of the Dask scheduler at ``address`` for the run (None: no cluster); one line
    and exit 2 when it cannot be reached, before any run is recorded."""
    from provenance import cluster

    if address is None:
        yield None
        return
    try:
        client = cluster.connect(address)
    except cluster.ClusterError as exc:
        raise common.Failure(str(exc)) from None
    try:
        yield client
    finally:
        client.close()


def _report(
    args: argparse.Namespace,
    report: AuditReport,
    baseline_path: Path | None,
    previous: Baseline,
    on_screen: bool,
) -> int:
    """Write the report (streamed: the pages are read back from the run's spool), the baseline
    and the summary; the exit code."""
    common.write(chunks(report, args.format), args.output)
    if not args.quiet and not on_screen:
        print(f"provenance: {summary_line(report)}", file=sys.stderr)
    if args.update_baseline:
        count, kept = write_baseline(baseline_path, report.results, previous)
        if not args.quiet:
            others = f" ({kept} of pages not audited kept)" if kept else ""
            print(f"baseline: {count} findings written to {baseline_path}{others}", file=sys.stderr)
        return common.EXIT_ERROR if report.errors else common.EXIT_CLEAN
    return exit_code(report)
