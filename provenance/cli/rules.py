"""``provenance rules list`` and ``provenance rules check FILE``: the rule packs in use.

Pack files are anyone's: what is printed from them (names, messages, paths, the pattern an
error quotes) goes through :func:`provenance.cli.common.visible`, so a control character in a
pack cannot reach the terminal raw.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from provenance.cli import common
from provenance.packs import PackError, load_pack


def register(commands: Any) -> None:
    rules = commands.add_parser("rules", help="list or validate rule packs")
    actions = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the rules of every pack in use, with id, severity and message")
    common.add_common(listing)
    listing.set_defaults(handler=run_list)
    check = actions.add_parser("check", help="validate rule-pack files (errors name the line)")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.set_defaults(handler=run_check)


def run_list(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    settings = common.config(args)
    packs = common.packs(settings)
    settings = common.validated(settings, packs, args)
    for pack in packs:
        where = f" ({pack.path})" if pack.path else ""
        print(common.visible(f"{pack.id}: {pack.name}{where}"))
        for req in pack.requirements:
            level = settings.severity.get(req.rule, req.severity)
            state = "" if req.required is True else f" [required = {req.required}]".replace("False", "false")
            print(common.visible(f"  {req.rule:<20} {level:<8} {req.message}{state}"))
    return common.EXIT_CLEAN


def run_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    failed = 0
    for path in args.files:
        try:
            pack = load_pack(path)
        except PackError as exc:
            failed += 1
            print(common.visible(str(exc)))
            continue
        print(common.visible(f"{path}: ok ({pack.id}, {len(pack.requirements)} rules)"))
    return common.EXIT_ERROR if failed else common.EXIT_CLEAN
