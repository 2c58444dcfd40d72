"""Work on a stream in worker processes, results in input order: what ``audit --jobs`` runs on.

Hand-written on :class:`concurrent.futures.ProcessPoolExecutor`: the standard pool does the
processes, and this module only adds what a streamed audit needs of it — the first items
done in this process (a small run never pays for starting workers), tasks of several items
(one pickle round trip for many pages), a bounded number of tasks in flight (memory flat
however long the input), and results yielded in the order of the input whatever the order
in which workers finish (so ``--jobs N`` writes exactly what ``--jobs 1`` writes).

How workers start decides whether two workers are worth it on a short run: a fresh
interpreter (``spawn``) imports lxml, trafilatura, SQLAlchemy and numpy again, a second or
two per worker, while a ``fork`` of this process starts with them loaded. A fork is safe
only from a process with no other thread (a thread may hold a lock the child would wait on
forever), so workers are forked when this process runs a single thread on a system that
forks, and spawned otherwise (a progress bar's or a fetch's threads, macOS, Windows). A
forked worker never uses the database connections it inherits: its initializer opens its
own, and it leaves by ``os._exit`` without closing anything of the parent's.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

TASK = 4  # items per task sent to a worker (few: the last tasks keep every worker busy)
AHEAD = 4  # tasks in flight per worker


def ordered(
    items: Iterable[T],
    task: Callable[[list[T]], list[R]],
    jobs: int,
    *,
    after: int,
    initializer: Callable[..., None],
    initargs: Sequence[Any],
    local: Callable[[list[T]], list[R]] | None = None,
    size: int | None = None,
    ahead: int = AHEAD,
) -> Iterator[R]:
    """``task`` over ``items`` in chunks of ``size`` (default :data:`TASK`), results in input
    order. When workers must be spawned, the first ``after`` items go through ``local``
    (default ``task``) here, while a fork starts at once; the rest, when ``jobs`` > 1, go
    through ``task`` in ``jobs`` workers started with
    ``initializer(*initargs)``, ``ahead`` tasks in flight per worker. ``task`` must be a
    module-level function (workers import it by name)."""
    items = iter(items)
    size = size or TASK
    here = local or task
    head = items if jobs <= 1 else islice(items, after if start_method() == "spawn" else 0)
    while chunk := list(islice(head, size)):
        yield from here(chunk)
    if jobs > 1:
        yield from _in_workers(chunks(items, size), task, jobs, initializer, initargs, ahead)


def chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last shorter): the tasks sent to workers."""
    while chunk := list(islice(items, size)):
        yield chunk


def start_method() -> str:
    """``fork`` when it is safe here (see the module docstring), else ``spawn``."""
    forks = "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux")
    return "fork" if forks and threading.active_count() == 1 else "spawn"


def _in_workers(
    tasks: Iterator[list[T]],
    task: Callable[[list[T]], list[R]],
    jobs: int,
    initializer: Callable[..., None],
    initargs: Sequence[Any],
    ahead: int,
) -> Iterator[R]:
    first = next(tasks, None)
    if first is None:
        return  # the input ended before the workers would have paid for their start
    context = multiprocessing.get_context(start_method())
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=initializer, initargs=tuple(initargs))
    try:
        pending: deque[Future[list[R]]] = deque([pool.submit(task, first)])
        for chunk in tasks:
            pending.append(pool.submit(task, chunk))
            if len(pending) >= ahead * jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:  # on an error (or the caller stopping early) the tasks not started are dropped
        pool.shutdown(cancel_futures=True)
