"""A time budget per page: one hostile page must not hold a whole run.

A page is read, extracted, matched and judged in this process; a page built to be slow
(quadratic markup, a stylesheet of a million rules, text that makes an alignment explode)
would hold every page after it. :func:`time_budget` arms ``SIGALRM`` for the span of one
page and raises :class:`PageTimeout` in it when the budget is spent; the caller records the
page as an error and goes on.

Hand-written on ``signal.setitimer``: the alternatives cost more than the job (a worker
process per page doubles the memory and pickles every page; a thread cannot be stopped).
Its limits, said plainly: it works in the main thread of a POSIX process (elsewhere it does
nothing), and a signal is handled between bytecodes, so one long C call (a regex match)
finishes first — which is why the rule packs' patterns are kept linear (``rules check``
rejects nested quantifiers).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

PAGE_BUDGET = 60.0  # seconds for one page: reading, extraction, matching and rules


class PageTimeout(Exception):
    """The page's time budget ran out."""


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`PageTimeout` inside the block once ``seconds`` have passed (None or 0:
    no budget). Nested budgets are not supported: the inner one replaces the outer."""
    if not seconds or not _usable():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise PageTimeout(f"took longer than its time budget of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
