"""``provenance report``, ``provenance runs`` and ``provenance diff``: the saved audit history."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from provenance import history
from provenance.cli import common
from provenance.formats import FORMATS, chunks
from provenance.report import utc


def register(commands: Any) -> None:
    report = commands.add_parser("report", help="render a saved run in any format")
    report.add_argument("run", nargs="?", default="latest", metavar="RUN", help="run id, latest or latest~N")
    report.add_argument("--format", choices=sorted(FORMATS), default="table", help="report format")
    report.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    common.add_common(report)
    report.set_defaults(handler=run_report)

    runs = commands.add_parser("runs", help="list the saved runs, newest first")
    runs.add_argument("--limit", type=_limit, default=20, help="how many (default 20; 0 for all)")
    runs.add_argument("--format", choices=("table", "json"), default="table")
    common.add_common(runs)
    runs.set_defaults(handler=run_runs)

    diff = commands.add_parser("diff", help="new, resolved and unchanged findings between two runs")
    diff.add_argument("run_a", metavar="RUN_A", help="the earlier run (id, latest~1, …)")
    diff.add_argument("run_b", metavar="RUN_B", help="the later run (id, latest, …)")
    diff.add_argument("--format", choices=("table", "json"), default="table")
    diff.add_argument("--output", "-o", type=Path, help="write to FILE instead of stdout")
    common.add_common(diff)
    diff.set_defaults(handler=run_diff)


def run_report(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    factory = common.database(args)
    with factory() as session:
        try:
            report = history.load_report(session, history.resolve_run(session, args.run))
        except history.RunNotFound as exc:
            raise common.Failure(str(exc)) from None
    try:
        common.write(chunks(report, args.format), args.output)
    finally:
        report.close()
    return common.EXIT_CLEAN


def run_runs(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    factory = common.database(args)
    with factory() as session:
        rows = history.runs(session, args.limit or None)
    if args.format == "json":
        data = [
            {
                "id": r.id,
                "command": r.command,
                "started": utc(r.started),
                "finished": utc(r.finished),
                "tool_version": r.tool_version,
                "pages": r.pages,
                "errors": r.errors,
                "matches": r.matches,
                "findings": r.findings,
                "arguments": r.arguments,
            }
            for r in rows
        ]
        common.write(json.dumps(data, indent=2) + "\n", None)
        return common.EXIT_CLEAN
    lines = [
        f"{'run':>5}  {'started':<19}  {'pages':>5} {'errors':>6} {'matches':>7} {'findings':>8}  status"
    ]
    for r in rows:
        status = "finished" if r.finished else "interrupted"
        lines.append(
            f"{r.id:>5}  {r.started:%Y-%m-%d %H:%M:%S}  {r.pages:>5} {r.errors:>6} {r.matches:>7} {r.findings:>8}  {status}"
        )
    common.write("\n".join(lines) + "\n", None)
    return common.EXIT_CLEAN


def run_diff(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    factory = common.database(args)
    with factory() as session:
        try:
            a = history.load_report(session, history.resolve_run(session, args.run_a))
            b = history.load_report(session, history.resolve_run(session, args.run_b))
        except history.RunNotFound as exc:
            raise common.Failure(str(exc)) from None
    result = history.diff(a, b)
    text = (
        json.dumps(history.diff_dict(result), indent=2) + "\n"
        if args.format == "json"
        else history.render_diff(result)
    )
    common.write(text, args.output)
    return common.EXIT_CLEAN


def _limit(value: str) -> int:
    """0 or a positive count a query can take (a 23-digit number is a usage error, not a crash)."""
    if not value.isdigit() or len(value) > 9:
        raise argparse.ArgumentTypeError(f"expected a count from 0 to 999999999, got {value!r}")
    return int(value)
