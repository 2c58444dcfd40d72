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
    prepare: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Result]:
    """``fetch(url)`` for every URL, at most ``lanes`` at once, results in the order of ``urls``.

    At most ``window`` URLs are read ahead of the first result not yet handed back, so a long
    list (or a slow first host) never holds more than ``window`` bodies in memory. A fetch
    that raises gives ``failed(url, exception)`` as its result. ``prepare(url)``, when given,
    runs once per host before its first fetch (the fetcher reads the host's robots.txt
    there): that request books the host's delay, so the first page waits for its turn here,
    not asleep in a thread that another host could use.
    """
    schedule = _Schedule(fetch, gates, max(1, lanes), failed, prepare)
    window = max(1, window)
    source = iter(urls)
    read = handed = 0
    exhausted = False
    with ThreadPoolExecutor(max_workers=schedule.lanes, thread_name_prefix="fetch") as pool:
        try:
            while True:
                while not exhausted and read - handed < window:
                    url = next(source, None)
                    if url is None:
                        exhausted = True
                        break
                    schedule.add(read, url)
                    read += 1
                while handed in schedule.done:
                    yield schedule.done.pop(handed)
                    handed += 1
                if exhausted and handed == read:
                    return
                if handed in schedule.done or (not exhausted and read - handed < window):
                    continue  # hand back or read more before waiting
                pause = schedule.dispatch(pool)
                if schedule.running:
                    finished, _ = wait(schedule.running, timeout=pause, return_when=FIRST_COMPLETED)
                    for future in finished:
                        schedule.finish(future)
                elif pause is not None:
                    sleep(pause)
        finally:
            for future in schedule.running:
                future.cancel()


_PREPARING = -1  # the index of a host's prepare task: no result of its own


class _Schedule:
    """The URLs waiting per host, the requests in flight, and the results not yet handed back."""

    def __init__(
        self,
        fetch: Callable[[str], Result],
        gates: HostGates,
        lanes: int,
        failed: Callable[[str, Exception], Result],
        prepare: Callable[[str], None] | None,
    ) -> None:
        self.fetch, self.gates, self.lanes, self.failed, self.prepare = fetch, gates, lanes, failed, prepare
        self.waiting: dict[str, deque[tuple[int, str]]] = {}  # per host: (input index, URL), in order
        self.busy: dict[str, int] = {}  # per host: requests in flight
        self.prepared: set[str] = set()  # hosts whose prepare task has ended
        self.running: dict[Future[Result | None], tuple[str, int, str]] = {}  # → (host, index, URL)
        self.done: dict[int, Result] = {}

    def add(self, index: int, url: str) -> None:
        self.waiting.setdefault(host_of(url), deque()).append((index, url))

    def dispatch(self, pool: ThreadPoolExecutor) -> float | None:
        """Start requests on every host that may take one now, earliest input first; the
        seconds until the next host that must wait is ready (None: none waits on its delay)."""
        pause: float | None = None
        for host in sorted((h for h, queue in self.waiting.items() if queue), key=self._first):
            if len(self.running) >= self.lanes:
                break
            if self.busy.get(host, 0) >= self.gates.concurrency:
                continue
            if self.prepare is not None and host not in self.prepared:
                if not self.busy.get(host):  # one prepare task per host
                    self._start(pool, host, _PREPARING, self.waiting[host][0][1])
                continue
            delay = self.gates.wait_for(host)
            if delay > 0:
                pause = delay if pause is None else min(pause, delay)
                continue
            index, url = self.waiting[host].popleft()
            if not self.waiting[host]:
                del self.waiting[host]
            self._start(pool, host, index, url)
        return pause

    def finish(self, future: Future[Result | None]) -> None:
        host, index, url = self.running.pop(future)
        self.busy[host] -= 1
        if index == _PREPARING:
            self.prepared.add(host)  # whatever happened: the page's fetch reports it
            return
        try:
            result = future.result()
        except Exception as exc:  # a fetch never raises; if one does, it is that URL's error alone
            result = self.failed(url, exc)
        assert result is not None
        self.done[index] = result

    def _first(self, host: str) -> int:
        return self.waiting[host][0][0]

    def _start(self, pool: ThreadPoolExecutor, host: str, index: int, url: str) -> None:
        task = self.prepare if index == _PREPARING else self.fetch
        assert task is not None
        self.running[pool.submit(task, url)] = (host, index, url)
        self.busy[host] = self.busy.get(host, 0) + 1
