"""Work on a stream in worker processes, results in input order: what ``audit --jobs`` runs on.

Hand-written on :class:`concurrent.futures.ProcessPoolExecutor`: the standard pool does the
processes, and this module only adds what a streamed audit needs of it — the first items
done in this process (a small run never pays for starting workers), tasks of several items
(one pickle round trip for many pages), a bounded number of tasks in flight (memory flat
however long the input), and results yielded in the order of the input whatever the order
in which workers finish (so ``--jobs N`` writes exactly what ``--jobs 1`` writes). Workers
are fresh interpreters (``spawn``): never a fork of a process that may hold threads and
database connections.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

TASK = 8  # items per task sent to a worker
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
    order. The first ``after`` items go through ``local`` (default ``task``) here; the rest,
    when ``jobs`` > 1, through ``task`` in ``jobs`` workers started with
    ``initializer(*initargs)``, ``ahead`` tasks in flight per worker. ``task`` must be a
    module-level function (workers import it by name)."""
    items = iter(items)
    size = size or TASK
    here = local or task
    head = items if jobs <= 1 else islice(items, after)
    while chunk := list(islice(head, size)):
        yield from here(chunk)
    if jobs > 1:
        yield from _in_workers(chunks(items, size), task, jobs, initializer, initargs, ahead)


def chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last shorter): the tasks sent to workers."""
    while chunk := list(islice(items, size)):
        yield chunk


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
    context = multiprocessing.get_context("spawn")
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
