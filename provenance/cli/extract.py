"""``provenance extract``: show the text and attribution signals found in pages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from provenance.attribution import detect
from provenance.cli import common
from provenance.formats import extracted
from provenance.model import InputError
from provenance.sources import read_pages


def register(commands: Any) -> None:
    parser = commands.add_parser("extract", help="show the text and attribution signals found in pages")
    common.add_sources(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.add_argument("--output", "-o", type=Path, help="write to FILE instead of stdout")
    common.add_common(parser)
    common.add_fetch_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    sources = common.sources(args, parser)
    packs = common.packs(common.config(args))
    documents = []
    errors = 0
    with common.fetcher(args, sources, None) as fetcher:
        for item in read_pages(
            sources, stdin=sys.stdin.buffer, fetcher=fetcher, max_bytes=common.max_bytes(args)
        ):
            if isinstance(item, InputError):
                errors += 1
                common.error(item.source, item.error)
                documents.append(extracted.document_dict(item, None))
            else:
                documents.append(
                    extracted.document_dict(item, detect(item.lines, item.meta, packs, item.title))
                )
    render = extracted.render_json if args.format == "json" else extracted.render_table
    common.write(render(documents), args.output)
    return common.EXIT_ERROR if errors else common.EXIT_CLEAN
