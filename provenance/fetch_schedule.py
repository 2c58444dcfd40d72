"""Fetching many URLs across many hosts at once, each host as politely as alone, in input order.

A thread pool fed in input order stalls on the slowest host: a sitemap lists a site's pages
together, so every thread ends up waiting out one host's ``host_delay`` while the other
hosts sit idle, and 50 hosts take 50 times as long as one. Here the URLs read ahead (at most
``window`` of them) wait in one queue per host, and a thread is given only to a host that
may take a request now (:meth:`~provenance.politeness.HostGates.wait_for`, and fewer than
its ``host_concurrency`` requests in flight), the host whose next URL comes first in the
input winning. Results are handed back in input order, so an audit's report does not depend
on which server answered first.

The standard library's ``concurrent.futures`` runs the threads; what no library does is
this per-host readiness, which is why the loop is written here.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar
from urllib.parse import urlsplit

from provenance.politeness import HostGates

Result = TypeVar("Result")


def host_of(url: str) -> str:
    """The host a URL's request goes to (as the fetcher's per-host gates key it)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def fetch_in_order(
    fetch: Callable[[str], Result],
    urls: Iterable[str],
    gates: HostGates,
    *,
    lanes: int,
    window: int,
    failed: Callable[[str, Exception], Result],
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Result]:
    """``fetch(url)`` for every URL, at most ``lanes`` at once, results in the order of ``urls``.

    At most ``window`` URLs are read ahead of the first result not yet handed back, so a long
    list (or a slow first host) never holds more than ``window`` bodies in memory. A fetch
    that raises gives ``failed(url, exception)`` as its result.
    """
    lanes, window = max(1, lanes), max(1, window)
    source = iter(urls)
    waiting: dict[str, deque[tuple[int, str]]] = {}  # per host: (input index, URL), in order
    busy: dict[str, int] = {}  # per host: requests in flight
    running: dict[Future[Result], tuple[str, int, str]] = {}  # future → (host, index, URL)
    done: dict[int, Result] = {}
    read = handed = 0
    exhausted = False
    with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="fetch") as pool:
        try:
            while True:
                while not exhausted and read - handed < window:
                    url = next(source, None)
                    if url is None:
                        exhausted = True
                        break
                    waiting.setdefault(host_of(url), deque()).append((read, url))
                    read += 1
                while handed in done:
                    yield done.pop(handed)
                    handed += 1
                if exhausted and handed == read:
                    return
                if handed in done or (not exhausted and read - handed < window):
                    continue  # hand back or read more before waiting
                pause = _dispatch(pool, fetch, gates, waiting, busy, running, lanes)
                if running:
                    finished, _ = wait(running, timeout=pause, return_when=FIRST_COMPLETED)
                    for future in finished:
                        host, index, url = running.pop(future)
                        busy[host] -= 1
                        done[index] = _result(future, url, failed)
                elif pause is not None:
                    sleep(pause)
        finally:
            for future in running:
                future.cancel()


def _dispatch(
    pool: ThreadPoolExecutor,
    fetch: Callable[[str], Result],
    gates: HostGates,
    waiting: dict[str, deque[tuple[int, str]]],
    busy: dict[str, int],
    running: dict[Future[Result], tuple[str, int, str]],
    lanes: int,
) -> float | None:
    """Start requests on every host that may take one now, earliest input first; the seconds
    until the next host that must wait is ready (None: none is waiting on its delay)."""
    pause: float | None = None
    for host in sorted((h for h, queue in waiting.items() if queue), key=lambda h: waiting[h][0][0]):
        if len(running) >= lanes:
            break
        if busy.get(host, 0) >= gates.concurrency:
            continue
        delay = gates.wait_for(host)
        if delay > 0:
            pause = delay if pause is None else min(pause, delay)
            continue
        index, url = waiting[host].popleft()
        if not waiting[host]:
            del waiting[host]
        running[pool.submit(fetch, url)] = (host, index, url)
        busy[host] = busy.get(host, 0) + 1
    return pause


def _result(future: Future[Result], url: str, failed: Callable[[str, Exception], Result]) -> Result:
    try:
        return future.result()
    except Exception as exc:  # a fetch never raises; if one does, it is that URL's error alone
        return failed(url, exc)
