"""A time budget per page: one hostile page must not hold a whole run.

A page is read, extracted, matched and judged in this process; a page built to be slow
(quadratic markup, a stylesheet of a million rules, text that makes an alignment explode)
would hold every page after it. :func:`time_budget` raises :class:`PageTimeout` inside the
span of one page when its budget is spent; the caller records the page as an error and
goes on.

* In a process's main thread (``audit``, ``--jobs`` workers) it arms ``SIGALRM``
  (``signal.setitimer``).
* In any other thread (a Dask worker runs its tasks in threads, where no signal is
  delivered) a timer thread raises it in the page's thread with CPython's
  ``PyThreadState_SetAsyncExc``, the one way to interrupt another thread.

Hand-written on those two calls: the alternatives cost more than the job (a worker
process per page doubles the memory and pickles every page; a thread cannot otherwise be
stopped). Its limits, said plainly: both are handled between bytecodes, so one long C call
(a regex match) finishes first — which is why the rule packs' patterns are kept linear
(``rules check`` rejects nested quantifiers); and outside CPython a thread gets no budget.
"""

from __future__ import annotations

import ctypes
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

PAGE_BUDGET = 60.0  # seconds for one page: reading, extraction, matching and rules


class PageTimeout(BaseException):
    """The page's time budget ran out.

    A ``BaseException``, as ``KeyboardInterrupt`` is: it can arrive inside any library
    call, and a library's ``except Exception`` (trafilatura's call is wrapped in one, so
    that a crash on one odd page loses nothing) must not swallow it and let the page run on
    with no budget left. The audit catches it by name.
    """


def _signal_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _message(seconds: float) -> str:
    return f"took longer than its time budget of {seconds:g} s"


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`PageTimeout` inside the block once ``seconds`` have passed (None or 0:
    no budget). Nested budgets are not supported: the inner one replaces the outer."""
    if not seconds:
        yield
    elif _signal_usable():
        with _alarm(seconds):
            yield
    elif _SET_ASYNC_EXC is not None:
        with _interrupt(seconds):
            yield
    else:  # pragma: no cover - a thread outside CPython: no budget
        yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise PageTimeout(_message(seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Expired(PageTimeout):
    """What the timer raises in a thread (raised by class, so it carries no seconds)."""

    def __init__(self) -> None:
        super().__init__("took longer than its time budget")


_SET_ASYNC_EXC = (
    getattr(ctypes.pythonapi, "PyThreadState_SetAsyncExc", None)
    if sys.implementation.name == "cpython"
    else None
)


@contextmanager
def _interrupt(seconds: float) -> Iterator[None]:
    """The budget in a thread: a timer raises :class:`_Expired` in it, unless the block is over.

    The lock makes "still inside" and "raised" one step, so the timer never raises in the
    thread once the block is left; an exception raised but not yet seen when the block ends
    is withdrawn (a NULL exception clears the thread's pending one).
    """
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    inside = True

    def expire() -> None:
        with lock:
            if inside:
                _SET_ASYNC_EXC(target, ctypes.py_object(_Expired))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except _Expired:
        raise PageTimeout(_message(seconds)) from None
    finally:
        with lock:
            inside = False
        timer.cancel()
        _SET_ASYNC_EXC(target, None)
