"""``provenance corpus add|stats|list|remove``: load, inspect and prune the wire-story corpus."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from provenance.cli import common
from provenance.cli.corpus_watch import run_watch
from provenance.cli.progress import progress, wanted
from provenance.corpus import add_stories, check_agency_option, default_jobs
from provenance.inventory import StoryEntry, corpus_stats, list_stories, remove_stories
from provenance.model import InputError, Story
from provenance.packs import UnknownName


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
        type=common.count,
        default=None,
        metavar="N",
        help="worker processes that detect credits and fingerprint a long load "
        "(default: one per CPU, at most 4; 1: none, all in this process)",
    )
    watching = add.add_argument_group("drop folder")
    watching.add_argument(
        "--watch", metavar="DIR", help="add wire files as they land in DIR (until interrupted)"
    )
    watching.add_argument(
        "--interval", type=common.positive, metavar="SECONDS", help="--watch: poll every (default 5)"
    )
    watching.add_argument(
        "--settle",
        type=common.not_negative,
        metavar="SECONDS",
        help="--watch: a file unchanged this long is complete (default 2)",
    )
    watching.add_argument(
        "--once", action="store_true", help="--watch: one pass over what is there, then exit"
    )
    common.add_common(add)
    common.add_fetch_options(add)
    add.set_defaults(handler=run)
    stats = actions.add_parser("stats", help="stories per agency, fingerprints, last added")
    stats.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    common.add_common(stats)
    stats.set_defaults(handler=run_stats)
    listing = actions.add_parser("list", help="the corpus's stories, newest first")
    listing.add_argument("--agency", help="only this agency's stories")
    listing.add_argument("--limit", type=common.count, metavar="N", help="at most N stories")
    listing.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    common.add_common(listing)
    listing.set_defaults(handler=run_list)
    remove = actions.add_parser("remove", help="remove stories by id (their fingerprints go with them)")
    remove.add_argument("ids", nargs="+", metavar="ID", help="story id, as `corpus list` shows it")
    common.add_common(remove)
    remove.set_defaults(handler=run_remove)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.watch is not None and (args.sources or args.urls):
        parser.error("--watch DIR takes no SOURCE: the folder is the source")
    if args.watch is None and (args.once or args.interval is not None or args.settle is not None):
        parser.error("--once, --interval and --settle go with --watch DIR")
    sources = [args.watch] if args.watch is not None else common.sources(args, parser)
    settings = common.config(args)
    packs = common.packs(settings)
    common.validated(settings, packs, args)
    try:
        agency = check_agency_option(args.agency, packs)
    except UnknownName as exc:
        raise common.Failure(str(exc)) from None
    factory = common.database(args, create=True)
    if args.watch is not None:
        return run_watch(args, packs, factory, agency)

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
            agency=agency,
            on_item=on_item,
            fetcher=fetcher,
            jobs=args.jobs or default_jobs(),
            max_bytes=common.max_bytes(args),
        )
    if not args.quiet:
        print(
            f"corpus: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
            f"{len(result.errors)} errors",
            file=sys.stderr,
        )
    return common.EXIT_ERROR if result.errors else common.EXIT_CLEAN


def run_stats(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    stats = corpus_stats(common.database(args))
    if args.format == "json":
        agencies = {
            a.agency: {"stories": a.stories, "last_added": _iso(a.last_added)} for a in stats.agencies
        }
        document = {"stories": stats.stories, "fingerprints": stats.fingerprints, "agencies": agencies}
        common.write(json.dumps(document, indent=2) + "\n", None)
        return common.EXIT_CLEAN
    lines = [f"{'agency':<12} {'stories':>8}  last added"]
    lines += [f"{a.agency:<12} {a.stories:>8}  {_iso(a.last_added) or '-'}" for a in stats.agencies]
    lines.append(f"{'all':<12} {stats.stories:>8}  ({stats.fingerprints} fingerprints)")
    common.write("\n".join(lines) + "\n", None)
    return common.EXIT_CLEAN


def run_list(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    entries = list_stories(common.database(args), args.agency, args.limit)
    if args.format == "json":
        rows = [
            {
                "id": e.id,
                "agency": e.agency,
                "title": e.title,
                "published": e.published,
                "added": _iso(e.added),
                "pub_status": e.pub_status,
                "embargoed": e.embargoed,
            }
            for e in entries
        ]
        common.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", None)
    else:
        common.write(
            "".join(
                f"{e.id}\t{e.agency}\t{e.published or '-'}\t{_status(e)}\t{e.title or ''}\n" for e in entries
            ),
            None,
        )
    return common.EXIT_CLEAN


def run_remove(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    missing = remove_stories(common.database(args), args.ids)
    for story_id in missing:
        common.error(story_id, "no such story in the corpus")
    if not args.quiet:
        print(f"corpus: {len(args.ids) - len(missing)} removed", file=sys.stderr)
    return common.EXIT_ERROR if missing else common.EXIT_CLEAN


def _status(entry: StoryEntry) -> str:
    """``usable``, ``canceled``, ``withheld``, or ``embargoed until …`` for a usable embargoed story."""
    if entry.pub_status == "usable" and entry.embargoed:
        return f"embargoed until {entry.embargoed}"
    return entry.pub_status or "usable"


def _iso(moment: datetime | None) -> str | None:
    """UTC with its offset (the database stores naive UTC)."""
    return moment.replace(tzinfo=UTC).isoformat() if moment is not None else None
