"""Fetching URLs on many hosts: as long as on one host, not one host's time per host.

    python benchmarks/fetch_hosts.py             # 50 hosts, 4 pages each
    python benchmarks/fetch_hosts.py --hosts 20 --pages 3 --delay 0.5

One local HTTP server answers on 127.0.0.1 … 127.0.0.N (every loopback address is this
machine, and each is a host of its own to the fetcher), each response after ``--latency``
seconds (a far server). The inputs are read the way ``provenance audit URL…`` reads them
(``sources.read_records``, politeness on: ``--delay`` between requests to a host, two at a
time, robots.txt asked once per host), and timed three ways:

* the pages of one host;
* the same number of pages on each of N hosts, as the audit fetches them now;
* with ``--serial`` (and in the quick run), those N hosts' pages one URL at a time: how URLs
  given on the command line were fetched before, every host waiting for the one before it.

The bound: N hosts take at most twice as long as one (not N times).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from table import print_table  # noqa: E402 - benchmarks/ is the script folder

Row = tuple[str, str, str]
PAGE = (
    (ROOT / "seeds" / "pages" / "spun-copy.html").read_bytes()
    if (ROOT / "seeds" / "pages" / "spun-copy.html").exists()
    else b"<html><body><p>text</p></body></html>"
)
BOUND = 2.0


def _server(latency: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(latency)
            if self.path == "/robots.txt":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("0.0.0.0", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _read(urls: list[str], delay: float, one_at_a_time: bool = False) -> float:
    from provenance.fetch import Fetcher, FetchOptions
    from provenance.sources import read_records

    options = FetchOptions(allow_private=True, host_delay=delay)
    with Fetcher(options) as fetcher:
        started = time.perf_counter()
        if one_at_a_time:
            records = [r for url in urls for r in read_records([url], fetcher=fetcher)]
        else:
            records = list(read_records(urls, fetcher=fetcher))
        seconds = time.perf_counter() - started
    failed = [r for r in records if not hasattr(r, "content")]
    if failed:
        raise SystemExit(f"{len(failed)} fetches failed, first: {failed[0]}")
    return seconds


def rows(
    quick: bool,
    hosts: int | None = None,
    pages: int | None = None,
    delay: float = 1.0,
    latency: float = 0.05,
    serial: bool | None = None,
) -> list[Row]:
    hosts = hosts or (10 if quick else 50)
    pages = pages or (2 if quick else 4)
    server = _server(latency)
    port = server.server_address[1]
    try:
        one = [f"http://127.0.0.1:{port}/page/{i}" for i in range(pages)]
        many = [f"http://127.0.0.{1 + h}:{port}/page/{i}" for h in range(hosts) for i in range(pages)]
        alone = _read(one, delay)
        together = _read(many, delay)
        one_by_one = _read(many, delay, one_at_a_time=True) if (quick if serial is None else serial) else None
    finally:
        server.shutdown()
    ratio = together / alone
    head = f"fetching across hosts ({pages} pages a host, {delay:g} s host delay, {latency * 1e3:.0f} ms latency)"
    out = [
        (head, "", "read as `provenance audit URL...` reads them, politeness on"),
        ("  1 host", f"{alone:.1f} s", ""),
        (
            f"  {hosts} hosts",
            f"{together:.1f} s",
            f"{ratio:.1f}x one host ({'within' if ratio <= BOUND else 'over'} the {BOUND:g}x bound)",
        ),
    ]
    if one_by_one is not None:
        out.append(
            (
                f"  {hosts} hosts, one URL at a time",
                f"{one_by_one:.1f} s",
                f"{one_by_one / alone:.0f}x one host: how URLs on the command line were fetched",
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--pages", type=int, default=4, help="pages per host")
    parser.add_argument("--delay", type=float, default=1.0, help="--host-delay (the default is 1 s)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the server takes per response")
    parser.add_argument(
        "--serial", action="store_true", help="also one URL at a time (slow: hosts x pages x delay)"
    )
    args = parser.parse_args(argv)
    print_table(rows(False, args.hosts, args.pages, args.delay, args.latency, args.serial))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
