"""``provenance corpus add``: load wire stories into the corpus."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from provenance.cli import common
from provenance.cli.progress import progress, wanted
from provenance.corpus import add_stories, default_jobs
from provenance.model import InputError, Story


def register(commands: Any) -> None:
    corpus = commands.add_parser("corpus", help="manage the wire-story corpus")
    actions = corpus.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add or update wire stories")
    add.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help=".jsonl, .html/.htm/.txt/.md file, a directory, or a URL, sitemap or feed",
    )
    add.add_argument("--agency", help="agency of stories that do not name one (e.g. AP, Reuters)")
    add.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes that detect credits and fingerprint a long load "
        "(default: one per CPU, at most 4; 1: none, all in this process)",
    )
    common.add_common(add)
    common.add_fetch_options(add)
    add.set_defaults(handler=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    sources = common.sources(args, parser)
    settings = common.config(args)
    packs = common.packs(settings)
    factory = common.database(args)

    with (
        progress("adding stories", wanted(args.quiet)) as advance,
        common.fetcher(args, sources, factory) as fetcher,
    ):

        def on_item(item: Story | InputError) -> None:
            advance()
            if isinstance(item, InputError):
                common.error(item.source, item.error)

        result = add_stories(
            factory,
            sources,
            packs,
            agency=args.agency,
            on_item=on_item,
            fetcher=fetcher,
            jobs=args.jobs or default_jobs(),
        )
    if not args.quiet:
        print(
            f"corpus: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
            f"{len(result.errors)} errors",
            file=sys.stderr,
        )
    return common.EXIT_ERROR if result.errors else common.EXIT_CLEAN


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return jobs
