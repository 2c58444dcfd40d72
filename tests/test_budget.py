"""The per-page time budget outside a process's main thread (a Dask worker's task threads):
a slow block is interrupted, a block that ends in time is never interrupted afterwards."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from provenance.budget import PageTimeout, time_budget

SAFETY = 30.0  # seconds after which a loop gives up on its own (the test then fails)


def _in_a_thread(work: Callable[[], object]) -> BaseException | object:
    """What ``work`` returns or raises, run in a thread of its own."""
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # the outcome under test
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(SAFETY + 5)
    assert not thread.is_alive()
    return outcome[0]


def _spin(seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:  # busy, as a page built to be slow is
        sum(range(1000))
    return "finished"


def test_a_slow_block_in_a_thread_runs_out_of_time() -> None:
    def slow() -> str:
        with time_budget(0.2):
            return _spin(SAFETY)

    outcome = _in_a_thread(slow)
    assert isinstance(outcome, PageTimeout)
    assert str(outcome) == "took longer than its time budget of 0.2 s"


def test_a_block_that_ends_in_time_is_not_interrupted_afterwards() -> None:
    def quick_then_busy() -> str:
        with time_budget(0.1):
            pass
        return _spin(0.5)  # past the budget, outside the block

    assert _in_a_thread(quick_then_busy) == "finished"


def test_a_thread_can_run_one_budget_after_another() -> None:
    def pages() -> list[str]:
        out = []
        for seconds in (0.1, 0.1, 0.1):
            try:
                with time_budget(seconds):
                    _spin(SAFETY)
            except PageTimeout:
                out.append("timed out")
        with time_budget(5):
            out.append(_spin(0.05))
        return out

    assert _in_a_thread(pages) == ["timed out", "timed out", "timed out", "finished"]


def test_no_budget_is_no_interruption() -> None:
    def unbudgeted() -> str:
        with time_budget(None), time_budget(0):
            return _spin(0.2)

    assert _in_a_thread(unbudgeted) == "finished"


def test_the_main_thread_keeps_its_alarm() -> None:
    with pytest.raises(PageTimeout, match=r"time budget of 0\.2 s"), time_budget(0.2):
        _spin(SAFETY)
