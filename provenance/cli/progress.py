"""A progress line for long audits and corpus loads: count, rate, and ETA when the total is known.

Shown only on a terminal (stderr is a TTY) and never with ``--quiet``: CI logs and pipes get
no control characters. Built on ``rich``, which redraws one line in place.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second (blank until there is a rate to show)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f}/s" if task.speed else "")


def wanted(quiet: bool) -> bool:
    """Progress is drawn on a terminal only, and never with --quiet."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress(label: str, enabled: bool, total: int | None = None) -> Iterator[Callable[[], None]]:
    """Yields ``advance()``: call it once per page or story done."""
    if not enabled:
        yield lambda: None
        return
    known: list[ProgressColumn] = [BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn()]
    unknown: list[ProgressColumn] = [TextColumn("{task.completed}"), RateColumn(), TimeElapsedColumn()]
    columns = [TextColumn("{task.description}"), *(known if total else unknown)]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
