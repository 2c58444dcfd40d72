"""Options and plumbing shared by the commands: configuration, packs, database, fetcher, output."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from provenance import store
from provenance.config import Config, ConfigError, load_config, validate
from provenance.fetch import Fetcher, FetchOptions, MemoryValidatorCache
from provenance.fetch_cache import SqlValidatorCache
from provenance.inventory import corpus_stats
from provenance.packs import PackError, RulePack, load_packs
from provenance.sources import needs_network
from provenance.terminal import visible
from provenance.warc_write import ArchivingFetcher, EvidenceWriter, directory_problem

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_URL_LINE = re.compile(r"^https?://\S+$", re.IGNORECASE)
SEVERITIES = ("info", "warning", "error")


class Failure(Exception):
    """A usage or set-up error: printed as one line, exit 2."""


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=database_option, help="database URL (default: $PROVENANCE_DB or sqlite:///provenance.db)"
    )
    parser.add_argument(
        "--rules",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="extra rule-pack directory (repeatable); its packs extend or replace built-ins",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file (default: the nearest provenance.toml or pyproject.toml [tool.provenance])",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")


def database_option(value: str) -> str:
    """``--db`` as given; empty is a usage error (a script's variable that came out empty must
    not fall back to ./provenance.db)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty: give a database URL, or leave --db out")
    return value


def add_sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="file, directory (recursive), .jsonl (one page a line), Markdown, http(s) URL, "
        "sitemap or feed (URL or .xml file), WARC file (.warc, .warc.gz), or - for standard input",
    )


def add_fetch_options(parser: argparse.ArgumentParser) -> None:
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
        "--max-size",
        type=positive,
        default=5.0,
        metavar="MB",
        help="largest page read: a fetched body, a local file, standard input or a JSONL line (default 5)",
    )
    group.add_argument(
        "--timeout", type=positive, default=30.0, metavar="SECONDS", help="read timeout (default 30)"
    )
    group.add_argument(
        "--host-delay",
        type=not_negative,
        default=1.0,
        metavar="SECONDS",
        help="minimum time between requests to one host (default 1)",
    )
    group.add_argument(
        "--host-connections",
        type=count,
        default=2,
        metavar="N",
        help="most requests in flight to one host (default 2)",
    )
    group.add_argument(
        "--fetchers",
        type=count,
        default=8,
        metavar="N",
        help="requests in flight in all, across hosts (default 8)",
    )


def count(value: str) -> int:
    """A whole number of at least 1 (``--jobs``, ``--limit``)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def positive(value: str) -> float:
    number = _number(value)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {value!r}")
    return number


def not_negative(value: str) -> float:
    number = _number(value)
    if not number >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of 0 or more, got {value!r}")
    return number


def _number(value: str) -> float:
    """A finite number: ``inf`` and ``nan`` parse as floats but mean nothing as a size or a time."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if not math.isfinite(number) or number > 1e9:
        raise argparse.ArgumentTypeError(f"expected a finite number up to 1e9, got {value!r}")
    return number


def config(args: argparse.Namespace) -> Config:
    """The configuration file's settings, with the command line's flags over them."""
    try:
        loaded = load_config(args.config)
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    licensed = getattr(args, "licensed", None)
    return replace(
        loaded,
        licensed=tuple(licensed) if licensed else loaded.licensed,
        rules=(*loaded.rules, *args.rules),
    )


def validated(settings: Config, packs: Sequence[RulePack], args: argparse.Namespace) -> Config:
    """The configuration checked against the loaded packs: a mistyped rule id or agency (in
    the file or ``--licensed``) is a usage error naming the closest known one, never a check
    switched off without a word."""
    try:
        return validate(settings, packs, getattr(args, "licensed", None))
    except ConfigError as exc:
        raise Failure(str(exc)) from None


def packs(settings: Config) -> list[RulePack]:
    try:
        return load_packs(settings.rules)
    except PackError as exc:
        raise Failure(str(exc)) from None


def database(args: argparse.Namespace, *, create: bool = False) -> sessionmaker[Session]:
    """The database of ``--db``: only ``corpus add`` and ``db upgrade`` create one (a mistyped
    path must fail, not audit against a new empty corpus and pass)."""
    if args.db is not None and not args.db.strip():
        raise Failure("--db is empty: give a database URL (or leave --db out for $PROVENANCE_DB)")
    try:
        return store.open_database(args.db, create=create)
    except store.MissingDatabase as exc:
        hint = "run `provenance corpus add SOURCE...` first, or check --db / $PROVENANCE_DB"
        raise Failure(f"{exc}: {hint}") from None
    except Exception as exc:
        raise Failure(f"cannot open database {store.database_url(args.db)}: {exc}") from None


def require_corpus(factory: sessionmaker[Session], licensed: Sequence[str] | None) -> None:
    """An audit against an empty corpus finds nothing and would pass: fail instead, and
    likewise when an agency the publisher is licensed for has no story to match."""
    stats = corpus_stats(factory)
    if not stats.stories:
        raise Failure("the corpus is empty: run `provenance corpus add SOURCE...` first (or check --db)")
    missing = [agency for agency in licensed or () if not stats.count(agency)]
    if missing:
        have = ", ".join(f"{a.agency} {a.stories}" for a in stats.agencies)
        raise Failure(f"the corpus has no stories of {', '.join(missing)} (licensed); it holds: {have}")


def sources(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    """The SOURCE arguments plus the lines of ``--urls``; at least one is needed."""
    found = list(args.sources)
    if args.urls is not None:
        try:
            lines = args.urls.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            parser.error(f"cannot read --urls {args.urls}: {exc.strerror}")
        listed = [s for line in lines if (s := line.strip()) and not s.startswith("#")]
        local = next((s for s in listed if not _URL_LINE.match(s)), None)
        if local is not None:  # a list of URLs must not turn a local path into an input
            parser.error(f"--urls {args.urls}: not an http(s) URL: {local[:200]!r}")
        found += listed
    if not found:
        parser.error("give at least one SOURCE (or --urls FILE)")
    if found.count("-") > 1:
        parser.error("standard input (-) given more than once")
    return found


def max_bytes(args: argparse.Namespace) -> int:
    """``--max-size`` in bytes: the cap of every page read, fetched or local."""
    return int(args.max_size * 1024 * 1024)


@contextmanager
def fetcher(
    args: argparse.Namespace, sources: Sequence[str], factory: sessionmaker[Session] | None
) -> Iterator[Fetcher | None]:
    """A fetcher when a source needs the network (closed afterwards); validators cached in the database."""
    if not needs_network(sources):
        yield None
        return
    options = FetchOptions(
        read_timeout=args.timeout,
        max_bytes=max_bytes(args),
        host_delay=args.host_delay,
        host_concurrency=args.host_connections,
        workers=args.fetchers,
        respect_robots=not args.ignore_robots,
        allow_private=args.allow_private,
    )
    cache = SqlValidatorCache(factory) if factory is not None else MemoryValidatorCache()
    evidence: Path | None = getattr(args, "evidence", None)
    if evidence is None:
        instance = Fetcher(options, cache=cache)
    else:
        check_evidence(args)
        instance = ArchivingFetcher(options, cache=cache, evidence=EvidenceWriter(evidence))
    try:
        yield instance
    finally:
        instance.close()


def check_evidence(args: argparse.Namespace) -> None:
    """``--evidence DIR`` that cannot be written fails before the audit runs."""
    directory: Path | None = getattr(args, "evidence", None)
    if directory is not None and (problem := directory_problem(directory)):
        raise Failure(f"cannot write --evidence {directory}: {problem}")


def error(source: str, reason: str) -> None:
    """Print ``provenance: error: SOURCE: REASON`` on stderr, as one line.

    Both parts may come from outside (a file name, an id, a page's or server's text), so both
    go through :func:`visible`: a file named ``x\\n::error title=INJECTED::pwned.txt`` shows
    as ``x\\n::error...`` on the one line, and cannot start a workflow command of its own.
    """
    print(f"provenance: error: {visible(source)}: {visible(reason)}", file=sys.stderr)


def check_output(output: Path | None, option: str = "--output") -> None:
    """A file the command will write (``--output``, the baseline) that cannot be written
    fails before the audit runs, not after it."""
    if output is None:
        return
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise Failure(f"cannot write {option} {output}: no directory {folder}")
    writable = os.access(folder, os.W_OK) and (not output.exists() or os.access(output, os.W_OK))
    if output.is_dir() or not writable:
        raise Failure(f"cannot write {option} {output}: not a writable file")


def write(text: str | Iterable[str], output: Path | None) -> None:
    """Write a report (whole, or in pieces as a streamed format makes them) to ``output`` or stdout."""
    pieces = [text] if isinstance(text, str) else text
    if output is None:
        for piece in pieces:
            sys.stdout.write(piece)
        return
    try:
        with output.open("w", encoding="utf-8") as sink:
            for piece in pieces:
                sink.write(piece)
    except OSError as exc:
        raise Failure(f"cannot write {output}: {exc.strerror}") from None
