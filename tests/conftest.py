"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL, and paths to the demo seeds.

Every test that takes ``db_url`` runs twice, ``[sqlite]`` and ``[postgresql]``. The PostgreSQL
one gets a fresh database per test from pytest-postgresql on an already running server
named by the environment (``.ci/run`` starts one):

* ``PROVENANCE_TEST_PG_HOST`` (e.g. ``127.0.0.1``; unset: the ``[postgresql]`` tests skip),
* ``PROVENANCE_TEST_PG_PORT`` (default 5432), ``PROVENANCE_TEST_PG_USER`` (default postgres),
  ``PROVENANCE_TEST_PG_PASSWORD`` (default none).

Run one backend with ``-m postgresql`` / ``-m "not postgresql"`` or ``-k sqlite``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from sqlalchemy.engine import URL

from provenance import store
from provenance.fetch import Fetcher, FetchOptions
from provenance.packs import RulePack, load_packs

try:
    from pytest_postgresql import factories
except ImportError:  # the test extra not installed: only the SQLite half runs
    factories = None

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_PAGE = SEEDS / "pages" / "000_03d3abf5e2ddca13.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"


PG_HOST = os.environ.get("PROVENANCE_TEST_PG_HOST") or None
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]

if factories is not None:
    # The running server (session-wide), then a database created fresh for each test from
    # an empty template and dropped after it.
    pg_server = factories.postgresql_noproc(
        host=PG_HOST,
        port=os.environ.get("PROVENANCE_TEST_PG_PORT") or None,
        user=os.environ.get("PROVENANCE_TEST_PG_USER") or None,
        password=os.environ.get("PROVENANCE_TEST_PG_PASSWORD") or None,
        dbname="provenance_test",
    )
    pg_database = factories.postgresql("pg_server")


def postgresql_url(request: pytest.FixtureRequest) -> str:
    """The URL of this test's fresh PostgreSQL database; skips when no server is configured."""
    if not PG_HOST:
        pytest.skip("no PostgreSQL server configured (set PROVENANCE_TEST_PG_HOST)")
    if factories is None:
        pytest.skip("pytest-postgresql is not installed (pip install '.[test]')")
    info = request.getfixturevalue("pg_database").info
    socket_dir = info.host.startswith("/")
    return URL.create(
        "postgresql+psycopg",
        username=info.user,
        password=info.password or None,
        host=None if socket_dir else info.host,
        port=info.port,
        database=info.dbname,
        query={"host": info.host} if socket_dir else {},
    ).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield postgresql_url(request)
    store.close_databases()  # pooled connections closed before the database is dropped


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database only, for tests of PostgreSQL's own behaviour (mark them ``postgresql``)."""
    yield postgresql_url(request)
    store.close_databases()


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never let a test touch ./provenance.db or a database named by the environment."""
    monkeypatch.delenv("PROVENANCE_DB", raising=False)
    monkeypatch.chdir(tmp_path)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """One line per database backend, so a CI log shows both suites ran (and how they ended)."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for backend in ("sqlite", "postgresql"):
                if f"[{backend}" in nodeid or f"-{backend}]" in nodeid:
                    counts.setdefault(backend, {}).setdefault(outcome, 0)
                    counts[backend][outcome] += 1
    for backend, tally in sorted(counts.items()):
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(tally.items()))
        terminalreporter.write_line(f"database tests on {backend}: {summary}")


@pytest.fixture(scope="session")
def packs() -> list[RulePack]:
    """The built-in rule packs."""
    return load_packs()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process: exit code, stdout, stderr."""
    from provenance.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus_db(db_url: str) -> str:
    """``db_url`` holding the demo corpus (seeds/wire): an audit refuses an empty corpus."""
    from provenance.corpus import add_stories

    loaded = add_stories(store.open_database(db_url), [str(SEEDS / "wire")], load_packs())
    assert not loaded.errors, loaded.errors
    return db_url


@pytest.fixture
def site(tmp_path: Path, capsys: pytest.CaptureFixture[str], db_url: str) -> Path:
    """A copy of the demo pages to edit, with the demo corpus loaded into ``db_url``."""
    import shutil

    shutil.copytree(SEEDS / "pages", tmp_path / "site")
    assert run_cli(capsys, "corpus", "add", str(SEEDS / "wire"), "--db", db_url)[0] == 0
    return tmp_path / "site"


# --------------------------------------------------------------------------- the web, mocked

SITE = "https://news.example"  # a public site (its address is resolved to a public one below)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Mocked HTTP where ``SITE`` has no robots.txt (test_fetch.py has its own, without it)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{SITE}/robots.txt", status=404)
        yield mock


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    """A fetcher without delays that resolves every host to a public address."""
    f = Fetcher(FetchOptions(host_delay=0), resolver=lambda host: ["93.184.216.34"], sleep=lambda s: None)
    yield f
    f.close()
