"""Command line: argument parsing and wiring only; the work is done in the modules it calls.

Exit codes (a contract for CI): 0 clean, 1 findings at or above ``--fail-on``, 2 usage
errors or any input that could not be read (the other inputs are still audited and saved).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from provenance import __version__, store
from provenance.attribution import detect
from provenance.audit import run_audit
from provenance.corpus import add_stories
from provenance.fetch import Fetcher, FetchOptions, MemoryValidatorCache
from provenance.fetch_cache import SqlValidatorCache
from provenance.formats import FORMATS, extracted, render
from provenance.model import InputError, PageResult, Story
from provenance.packs import PackError, RulePack, load_packs
from provenance.sources import read_pages

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("info", "warning", "error")


def _fetch_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fetching (http(s) URLs, sitemaps and feeds)")
    group.add_argument(
        "--urls", type=Path, metavar="FILE", help="file of URLs to read, one a line (# comments)"
    )
    group.add_argument(
        "--ignore-robots", action="store_true", help="do not honour robots.txt (your own sites)"
    )
    group.add_argument(
        "--allow-private",
        action="store_true",
        help="allow loopback, private and link-local addresses (local testing only)",
    )
    group.add_argument(
        "--max-size", type=float, default=5.0, metavar="MB", help="largest body fetched (default 5)"
    )
    group.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="read timeout (default 30)"
    )
    group.add_argument(
        "--host-delay",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="minimum time between requests to one host (default 1)",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (default: $PROVENANCE_DB or sqlite:///provenance.db)")
    parser.add_argument(
        "--rules",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="extra rule-pack directory (repeatable); its packs extend or replace built-ins",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")


def _report_options(parser: argparse.ArgumentParser, fail_on: str | None) -> None:
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="file, directory (recursive), .jsonl (one page a line), Markdown, http(s) URL, "
        "sitemap or feed (URL or .xml file), or - for standard input",
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="table", help="report format")
    parser.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default=fail_on,
        help="exit 1 when a finding is at or above this severity"
        + (f" (default: {fail_on})" if fail_on else ""),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provenance",
        description="Find republished wire stories and check their attribution.",
    )
    parser.add_argument("--version", action="version", version=f"provenance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    corpus = commands.add_parser("corpus", help="manage the wire-story corpus")
    corpus_commands = corpus.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")
    add = corpus_commands.add_parser("add", help="add or update wire stories")
    add.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help=".jsonl, .html/.htm/.txt/.md file, a directory, or a URL, sitemap or feed",
    )
    add.add_argument("--agency", help="agency of stories that do not name one (e.g. AP, Reuters)")
    _common(add)
    _fetch_options(add)

    audit = commands.add_parser("audit", help="audit pages: matches, attribution and findings")
    _report_options(audit, fail_on=None)
    _common(audit)
    _fetch_options(audit)

    check = commands.add_parser("check", help="CI gate: audit, exit 1 on findings at or above --fail-on")
    _report_options(check, fail_on="error")
    _common(check)
    _fetch_options(check)

    extract = commands.add_parser("extract", help="show the text and attribution signals found in pages")
    extract.add_argument("sources", nargs="*", metavar="SOURCE", help="as for audit")
    extract.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    extract.add_argument("--output", "-o", type=Path, help="write to FILE instead of stdout")
    _common(extract)
    _fetch_options(extract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.sources = list(args.sources) + _url_list(args.urls)
    except OSError as exc:
        parser.error(f"cannot read --urls {args.urls}: {exc.strerror}")
    if not args.sources:
        parser.error("give at least one SOURCE (or --urls FILE)")
    try:
        packs = load_packs(args.rules)
    except PackError as exc:
        print(f"provenance: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.command == "extract":
        with _closing(_fetcher(args, None)) as fetcher:
            return _extract(args, packs, fetcher)
    try:
        factory = store.open_database(args.db)
    except Exception as exc:
        print(
            f"provenance: error: cannot open database {store.database_url(args.db)}: {exc}", file=sys.stderr
        )
        return EXIT_ERROR
    with _closing(_fetcher(args, factory)) as fetcher:
        if args.command == "corpus":
            return _corpus_add(args, factory, packs, fetcher)
        return _audit(args, factory, packs, list(argv) if argv is not None else sys.argv[1:], fetcher)


def _url_list(path: Path | None) -> list[str]:
    if path is None:
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [s for line in lines if (s := line.strip()) and not s.startswith("#")]


def _needs_network(sources: Sequence[str]) -> bool:
    return any(
        s.lower().startswith(("http://", "https://")) or s.lower().endswith((".xml", ".rss", ".atom"))
        for s in sources
    )


def _fetcher(args: argparse.Namespace, factory: sessionmaker[Session] | None) -> Fetcher | None:
    """A fetcher when a source needs the network; conditional GETs are cached in the database."""
    if not _needs_network(args.sources):
        return None
    options = FetchOptions(
        read_timeout=args.timeout,
        max_bytes=int(args.max_size * 1024 * 1024),
        host_delay=args.host_delay,
        respect_robots=not args.ignore_robots,
        allow_private=args.allow_private,
    )
    cache = SqlValidatorCache(factory) if factory is not None else MemoryValidatorCache()
    return Fetcher(options, cache=cache)


@contextmanager
def _closing(fetcher: Fetcher | None) -> Iterator[Fetcher | None]:
    try:
        yield fetcher
    finally:
        if fetcher is not None:
            fetcher.close()


def _corpus_add(
    args: argparse.Namespace, factory: sessionmaker[Session], packs: list[RulePack], fetcher: Fetcher | None
) -> int:
    def on_item(item: Story | InputError) -> None:
        if isinstance(item, InputError):
            print(f"provenance: error: {item.source}: {item.error}", file=sys.stderr)

    result = add_stories(factory, args.sources, packs, agency=args.agency, on_item=on_item, fetcher=fetcher)
    if not args.quiet:
        print(
            f"corpus: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
            f"{len(result.errors)} errors",
            file=sys.stderr,
        )
    return EXIT_ERROR if result.errors else EXIT_CLEAN


def _extract(args: argparse.Namespace, packs: list[RulePack], fetcher: Fetcher | None) -> int:
    documents = []
    errors = 0
    for item in read_pages(args.sources, stdin=sys.stdin.buffer, fetcher=fetcher):
        if isinstance(item, InputError):
            errors += 1
            print(f"provenance: error: {item.source}: {item.error}", file=sys.stderr)
            documents.append(extracted.document_dict(item, None))
        else:
            documents.append(extracted.document_dict(item, detect(item.lines, item.meta, packs)))
    text = extracted.render_json(documents) if args.format == "json" else extracted.render_table(documents)
    if not _write(text, args.output):
        return EXIT_ERROR
    return EXIT_ERROR if errors else EXIT_CLEAN


def _write(text: str, output: Path | None) -> bool:
    """Write a report to ``output`` or stdout; False (and a message) when the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        return True
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"provenance: error: cannot write {output}: {exc.strerror}", file=sys.stderr)
        return False
    return True


def _audit(
    args: argparse.Namespace,
    factory: sessionmaker[Session],
    packs: list[RulePack],
    argv: list[str],
    fetcher: Fetcher | None,
) -> int:
    if args.sources.count("-") > 1:
        print("provenance: error: standard input (-) given more than once", file=sys.stderr)
        return EXIT_ERROR

    def on_result(result: PageResult) -> None:
        if result.status == "error":
            print(f"provenance: error: {result.source}: {result.error}", file=sys.stderr)

    report = run_audit(
        factory, args.sources, packs, argv, stdin=sys.stdin.buffer, on_result=on_result, fetcher=fetcher
    )
    if not _write(render(report, args.format), args.output):
        return EXIT_ERROR
    if report.errors:
        return EXIT_ERROR
    if args.fail_on and report.findings_at_or_above(args.fail_on):
        return EXIT_FINDINGS
    return EXIT_CLEAN
