"""Per-host politeness: at most N requests to a host at once, request starts a delay apart.

Every request to a host takes one of its slots (``host_concurrency``) and books its start
time (``host_delay``, raised by the host's robots.txt ``Crawl-delay``). A fetch thread that
books a start in the future sleeps until then; the scheduler of a fetch across many hosts
(:mod:`provenance.fetch_schedule`) asks :meth:`HostGates.wait_for` first and gives its
threads only to hosts that are ready, so one slow host never holds up the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class _Gate:
    def __init__(self, concurrency: int, delay: float) -> None:
        self.slots = threading.BoundedSemaphore(max(1, concurrency))
        self.lock = threading.Lock()
        self.delay = delay
        self.next_at: float | None = None


class HostGates:
    """Per host: at most ``concurrency`` requests at once, request starts ``delay`` apart."""

    def __init__(
        self, concurrency: int, delay: float, sleep: Callable[[float], None], clock: Callable[[], float]
    ):
        self.concurrency = max(1, concurrency)
        self._delay = delay
        self._sleep = sleep
        self._clock = clock
        self._gates: dict[str, _Gate] = {}
        self._lock = threading.Lock()

    def _gate(self, host: str) -> _Gate:
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _Gate(self.concurrency, self._delay)
            return gate

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        gate = self._gate(host)
        with gate.slots:
            yield

    def pace(self, host: str) -> None:
        """Wait until this host may get its next request (and book that start time)."""
        gate = self._gate(host)
        with gate.lock:
            now = self._clock()
            start = now if gate.next_at is None else max(now, gate.next_at)
            gate.next_at = start + gate.delay
        if start > now:
            self._sleep(start - now)

    def wait_for(self, host: str) -> float:
        """Seconds until this host may get its next request (0: now); books nothing."""
        gate = self._gate(host)
        with gate.lock:
            return 0.0 if gate.next_at is None else max(0.0, gate.next_at - self._clock())

    def at_least(self, host: str, delay: float) -> None:
        """Raise the host's minimum delay (robots.txt ``Crawl-delay``)."""
        gate = self._gate(host)
        with gate.lock:
            if delay > gate.delay:
                if gate.next_at is not None:
                    gate.next_at += delay - gate.delay
                gate.delay = delay
