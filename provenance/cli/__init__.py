"""Command line: argument parsing and wiring only; the work is done in the modules it calls.

One module per command (``corpus``, ``audit``/``check``, ``extract``, ``rules``, ``report``/
``runs``/``diff``, ``evidence``), each with a
``register`` function that adds its parser and sets its handler; :mod:`.common` holds the
options and plumbing they share.

Exit codes (a contract for CI): 0 clean, 1 findings at or above ``--fail-on``, 2 usage
errors or any input that could not be read (the other inputs are still audited and saved).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from provenance import __version__
from provenance.cli import audit, corpus, db, evidence, extract, history, rules
from provenance.cli.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Failure
from provenance.terminal import visible

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provenance",
        description="Find republished wire stories and check their attribution.",
    )
    parser.add_argument("--version", action="version", version=f"provenance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (corpus, audit, extract, rules, history, evidence, db):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(argv) if argv is not None else None
    try:
        return int(args.handler(args, parser))
    except Failure as exc:
        print(f"provenance: error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("provenance: interrupted (the pages audited so far are saved)", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line and exit 2, never a traceback for a CI log to parse
        print(f"provenance: internal error: {type(exc).__name__}: {visible(str(exc))}", file=sys.stderr)
        if os.environ.get("PROVENANCE_DEBUG"):
            raise
        return EXIT_ERROR
