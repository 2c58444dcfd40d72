"""Fetching across hosts (provenance.fetch_schedule): order kept, hosts never wait on each other,
politeness per host kept, read-ahead bounded, a failing fetch is its URL's error alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from provenance.fetch import FetchResult
from provenance.fetch_schedule import fetch_in_order, host_of
from provenance.politeness import HostGates


def _failed(url: str, exc: Exception) -> FetchResult:
    return FetchResult.failed(url, f"failed: {exc}")


class _Server:
    """A fake fetch that paces like the fetcher, records request starts and in-flight counts."""

    def __init__(self, gates: HostGates, latency: float = 0.0, slow: dict[str, float] | None = None):
        self.gates = gates
        self.latency = latency
        self.slow = slow or {}
        self.starts: list[str] = []
        self.in_flight: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, url: str) -> FetchResult:
        host = host_of(url)
        with self.gates.slot(host):
            self.gates.pace(host)
            with self.lock:
                self.starts.append(url)
                self.in_flight[host] = self.in_flight.get(host, 0) + 1
                self.most[host] = max(self.most.get(host, 0), self.in_flight[host])
            time.sleep(self.slow.get(url, self.latency))
            with self.lock:
                self.in_flight[host] -= 1
        if url.endswith("/boom"):
            raise RuntimeError("kaboom")
        return FetchResult(
            url=url, final_url=url, status=200, content_type="text/html", charset=None, body=url.encode()
        )


def _gates(concurrency: int = 1, delay: float = 0.0) -> HostGates:
    return HostGates(concurrency, delay, time.sleep, time.monotonic)


def test_results_come_back_in_input_order_whoever_answers_first() -> None:
    urls = [f"https://h{i % 5}.example/{i}" for i in range(30)]
    server = _Server(_gates(2), latency=0.001, slow={urls[0]: 0.05, urls[7]: 0.03})
    got = [r.url for r in fetch_in_order(server, urls, server.gates, lanes=6, window=50, failed=_failed)]
    assert got == urls


def test_a_host_waiting_out_its_delay_holds_up_no_other_host() -> None:
    # A sitemap lists a site's pages together: a.example's three, then b.example's three.
    urls = [f"https://a.example/{i}" for i in range(3)] + [f"https://b.example/{i}" for i in range(3)]
    server = _Server(_gates(1, delay=0.2))
    list(fetch_in_order(server, urls, server.gates, lanes=4, window=50, failed=_failed))
    # b.example's first page goes out while a.example waits for its second.
    assert server.starts.index("https://b.example/0") < server.starts.index("https://a.example/1")
    assert [u for u in server.starts if "a.example" in u] == urls[:3]  # each host in its own order


def test_no_host_gets_more_requests_at_once_than_its_limit() -> None:
    urls = [f"https://{'ab'[i % 2]}.example/{i}" for i in range(20)]
    server = _Server(_gates(2), latency=0.01)
    results = list(fetch_in_order(server, urls, server.gates, lanes=8, window=50, failed=_failed))
    assert len(results) == 20
    assert max(server.most.values()) <= 2


def test_read_ahead_is_bounded_by_the_window() -> None:
    consumed = 0

    def urls() -> Iterator[str]:
        nonlocal consumed
        for i in range(1000):
            consumed += 1
            yield f"https://h{i % 7}.example/{i}"

    server = _Server(_gates(2))
    results = fetch_in_order(server, urls(), server.gates, lanes=4, window=16, failed=_failed)
    next(results)
    assert consumed <= 17  # the window, plus the one read that found it full
    assert len(list(results)) == 999


def test_a_fetch_that_raises_is_that_urls_error_and_the_rest_go_on() -> None:
    urls = ["https://a.example/1", "https://a.example/boom", "https://b.example/2"]
    server = _Server(_gates(2))
    results = list(fetch_in_order(server, urls, server.gates, lanes=2, window=8, failed=_failed))
    assert [r.url for r in results] == urls
    assert results[1].error == "failed: kaboom"
    assert results[0].ok and results[2].ok


@pytest.mark.parametrize(
    "url, host", [("https://Example.COM:8443/x", "example.com"), ("not a url", ""), ("http://[::1/", "")]
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize("flag", ["--host-connections", "--fetchers"])
@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_fetch_limits_must_be_whole_numbers_of_at_least_one(
    capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    from provenance.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["audit", "https://example.com/a", flag, value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert flag in err and "at least 1" in err


def test_fetch_limits_reach_the_fetcher() -> None:
    import argparse

    from provenance.cli import common

    parser = argparse.ArgumentParser()
    common.add_fetch_options(parser)
    common.add_common(parser)
    args = parser.parse_args(["--host-connections", "3", "--fetchers", "12"])
    with common.fetcher(args, ["https://example.com/a"], None) as fetcher:
        assert fetcher is not None
        assert (fetcher.options.host_concurrency, fetcher.options.workers) == (3, 12)


def test_each_host_is_prepared_once_before_its_first_fetch() -> None:
    urls = [f"https://{'abc'[i % 3]}.example/{i}" for i in range(12)]
    prepared: list[str] = []
    server = _Server(_gates(2))

    def prepare(url: str) -> None:
        with server.lock:
            prepared.append(host_of(url))

    def fetch(url: str) -> FetchResult:
        assert host_of(url) in prepared  # robots.txt is read before the host's first page
        return server(url)

    results = list(
        fetch_in_order(fetch, urls, server.gates, lanes=4, window=50, failed=_failed, prepare=prepare)
    )
    assert [r.url for r in results] == urls
    assert sorted(prepared) == ["a.example", "b.example", "c.example"]
