"""``provenance corpus add --watch DIR``: a drop folder whose new wire files are added as they land.

The polling, settling and restart state are :mod:`provenance.watch`'s; this module connects
them to :func:`provenance.corpus.add_stories` (idempotent: a file ingested twice adds
nothing) and to the terminal. The state is kept in ``DIR/.provenance-watch.json``. The watch
runs until interrupted (Ctrl-C or SIGTERM: exit 0), or, with ``--once``, for one pass over
what is ready now (for cron jobs and tests).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from sqlalchemy.orm import Session, sessionmaker

from provenance.cli import common
from provenance.corpus import add_stories, default_jobs
from provenance.packs import RulePack
from provenance.watch import WatchStateError, watch

STATE_NAME = ".provenance-watch.json"
INTERVAL = 5.0  # seconds between polls
SETTLE = 2.0  # seconds a file must stay unchanged to count as complete


def run_watch(
    args: argparse.Namespace, packs: Sequence[RulePack], factory: sessionmaker[Session], agency: str | None
) -> int:
    folder = Path(args.watch)
    if not folder.is_dir():
        raise common.Failure(f"--watch {folder}: not a directory")
    stopping: list[bool] = []
    errors: list[str] = []

    def ingest(paths: list[Path]) -> None:
        result = add_stories(
            factory,
            [str(p) for p in paths],
            packs,
            agency=agency,
            jobs=args.jobs or default_jobs(),
            max_bytes=common.max_bytes(args),
        )
        for error in result.errors:
            common.error(error.source, error.error)
            errors.append(error.source)
        if not args.quiet:
            print(
                f"corpus: {len(paths)} files: {result.added} added, {result.updated} updated, "
                f"{result.unchanged} unchanged, {len(result.errors)} errors",
                file=sys.stderr,
                flush=True,
            )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.append(True)

    def failed(path: Path, exc: Exception) -> None:  # the batch's ingest raised: retried once changed
        common.error(str(path), f"{type(exc).__name__}: {exc}")
        errors.append(str(path))

    passes: list[int] = []

    def done() -> bool:
        passes.append(1)
        return bool(stopping) or (args.once and len(passes) > 1)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        watch(
            folder,
            ingest,
            state=folder / STATE_NAME,
            interval=args.interval or INTERVAL,
            settle=0.0 if args.once else SETTLE if args.settle is None else args.settle,
            stop=done,
            sleep=(lambda _seconds: None) if args.once else time.sleep,  # --once: no wait after the pass
            on_error=failed,
        )
    except WatchStateError as exc:
        raise common.Failure(str(exc)) from None
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return common.EXIT_ERROR if args.once and errors else common.EXIT_CLEAN
