"""Issue 15: ``audit --cluster ADDRESS`` judges pages on Dask workers (two spawned worker
processes of a local cluster here) that save them to the run, and the run equals a
``--jobs 1`` run: the same report, and the same rows saved for every page, with a baseline
(known findings suppressed, stale entries reported) and inline markers in play."""

from __future__ import annotations

import builtins
import json
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from conftest import SEEDS, run_cli
from sqlalchemy import select

from provenance import cluster, store
from provenance.config import Config
from provenance.store import FindingRow, MatchRow, PageRow, RunRow

distributed = pytest.importorskip("distributed")

COPIES = 4  # the 14 demo pages four times over, plus two marked pages: 58 pages
MARKED = {
    "marked-known.html": "<!-- provenance: ignore AP-CREDIT licensed, contract 12 -->",
    "marked-typo.html": "<!-- provenance: ignore AP-CREDITT a typo names no rule -->",
}


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    """A local cluster of two worker processes (spawned, one thread each) on loopback."""
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", host="127.0.0.1"
    ) as local:
        yield local.scheduler_address


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """The demo pages copied into a folder under the working directory (so their inline
    markers count), several times over, and a verbatim AP copy with two inline markers."""
    folder = tmp_path / "site"
    folder.mkdir()
    for copy in range(COPIES):
        for page in sorted((SEEDS / "pages").iterdir()):
            shutil.copy(page, folder / f"{copy}-{page.name}")
    stripped = (SEEDS / "pages" / "ap-verbatim-stripped.html").read_text()
    for name, marker in MARKED.items():
        (folder / name).write_text(stripped.replace("<body>", f"<body>\n{marker}", 1))
    return folder


def _timeless(value: object) -> object:
    """The report without what differs between two runs of the same pages (when each file
    was read, the run's id and times)."""
    if isinstance(value, dict):
        return {
            k: _timeless(v)
            for k, v in value.items()
            if k not in ("fetched_at", "run_id", "started", "finished")
        }
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


def _saved(db_url: str, run_id: int) -> dict[str, Any]:
    """The rows of a run by page source: the page, its matches (by rank), its findings."""
    factory = store.open_database(db_url, create=False)
    out: dict[str, Any] = {}
    with factory() as session:
        for page in session.scalars(select(PageRow).where(PageRow.run_id == run_id)):
            matches = session.scalars(
                select(MatchRow).where(MatchRow.page_id == page.id).order_by(MatchRow.rank)
            )
            findings = session.scalars(select(FindingRow).where(FindingRow.page_id == page.id))
            meta = {k: v for k, v in (page.meta or {}).items() if k != "fetched_at"}
            row = (page.page_id, page.url, page.status, page.error, page.content_hash, page.title, page.text)
            out.setdefault(page.source, []).append(
                {
                    "page": (*row, page.attribution, meta),
                    "matches": [
                        (
                            m.story_external_id,
                            m.agency,
                            m.derivation,
                            m.similarity,
                            m.coverage,
                            m.rank,
                            m.evidence,
                        )
                        for m in matches
                    ],
                    "findings": sorted(
                        (
                            f.rule,
                            f.severity,
                            f.message,
                            f.evidence,
                            f.line or 0,
                            f.suppressed,
                            f.suppressed_by or "",
                        )
                        for f in findings
                    ),
                }
            )
    return out


def _last_run(db_url: str) -> RunRow:
    factory = store.open_database(db_url, create=False)
    with factory() as session:
        return session.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(1)).one()


def test_a_cluster_run_equals_a_one_process_run(
    corpus_db: str, address: str, pages: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    half = sorted(str(p) for p in pages.iterdir() if p.name.startswith(("0-", "1-")))
    code, _, err = run_cli(
        capsys, "audit", *half, "--db", corpus_db, "--baseline", str(baseline), "--update-baseline"
    )
    assert code == 0 and baseline.exists(), err
    # A page that changed since the baseline was written: its entries are stale now.
    (pages / "0-ap-verbatim-stripped.html").write_text((SEEDS / "pages" / "unrelated.txt").read_text())

    with distributed.Client(address) as client:  # the workers forget the previous test's database
        client.run(lambda: cluster._databases.clear())
    runs = {}
    for how in (["--jobs", "1"], ["--cluster", address]):
        argv = ["audit", str(pages), "--db", corpus_db, "--format", "json", "--baseline", str(baseline), *how]
        code, out, err = run_cli(capsys, *argv)
        run = _last_run(corpus_db)
        runs[how[0]] = (
            code,
            _timeless({**json.loads(out), "run": None}),
            _saved(corpus_db, run.id),
            (run.pages, run.findings),
        )

    one, spread = runs["--jobs"], runs["--cluster"]
    assert spread[0] == one[0] == 0
    assert spread[1] == one[1]
    assert spread[2] == one[2]
    assert spread[3] == one[3] == (len(list(pages.iterdir())), one[3][1])
    with distributed.Client(address) as client:  # both workers judged pages: each opened the database
        assert list(client.run(lambda: len(cluster._databases)).values()) == [1, 1]
    findings = {
        (Path(d["source"]).name, f["rule"], f["suppressed"])
        for d in one[1]["documents"]
        for f in d["findings"]
    }
    assert ("marked-typo.html", "PROVENANCE-UNKNOWN-RULE", False) in findings  # markers judged
    assert ("marked-known.html", "AP-CREDIT", True) in findings
    assert ("0-ap-verbatim-stripped.html", "PROVENANCE-UNUSED-SUPPRESSION", False) in findings  # stale
    assert ("1-ap-verbatim-stripped.html", "AP-CREDIT", True) in findings  # known: baseline
    assert ("2-ap-verbatim-stripped.html", "AP-CREDIT", False) in findings  # not in the baseline


def _audit_copies(
    address: str, corpus_db: str, tmp_path: Path, names: list[str], config: Config
) -> tuple[Any, list[Any]]:
    """The report and results of a cluster audit of the demo's spun AP copy under each name
    (``config``'s class is sent to the workers by value: they cannot import this module)."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in names:
        shutil.copy(SEEDS / "pages" / "ap-spun.txt", folder / name)
    report = cluster.audit_on_cluster(address, [str(folder)], corpus_db, config=config)
    try:
        return report, list(report.results)
    finally:
        report.close()


class _Exploding(Config):
    """On a worker, judging a page named ``boom*`` raises (in the main process it is a page)."""

    def ignores(self, source: str) -> bool:
        if Path(source).name.startswith("boom") and _on_a_worker():
            raise RuntimeError("the page blew up")
        return super().ignores(source)


def _on_a_worker() -> bool:
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


def test_a_page_that_raises_is_its_error_and_the_rest_goes_on(
    corpus_db: str, address: str, tmp_path: Path
) -> None:
    names = [*(f"a{n}.txt" for n in range(5)), "boom.txt", *(f"c{n}.txt" for n in range(5))]
    report, results = _audit_copies(address, corpus_db, tmp_path, names, _Exploding())
    assert [Path(r.source).name for r in results] == names  # in input order, none lost
    assert [r.status for r in results] == ["ok"] * 5 + ["error"] + ["ok"] * 5
    assert "the page blew up" in (results[5].error or "")
    saved = _saved(corpus_db, report.run_id)
    assert sorted(Path(source).name for source in saved) == sorted(names)  # saved once each
    assert all(len(rows) == 1 for rows in saved.values())


_JUDGING = threading.local()  # on a worker thread: the source of the page being judged


class _SlowOnWorkers(Config):
    """On a worker, judging a page named ``slow*`` never ends, and the page budget is 0.5 s
    (in the main process each is a page as usual)."""

    def ignores(self, source: str) -> bool:
        if _on_a_worker():
            import provenance.audit as audit_module

            audit_module.PAGE_BUDGET = 0.5
            _JUDGING.source = source
        return super().ignores(source)

    def keep_match(self, match: Any) -> Any:  # called only inside the page's budget
        if Path(getattr(_JUDGING, "source", "")).name.startswith("slow") and _on_a_worker():
            while True:  # a page built to be slow, in a task thread of the worker
                sum(range(1000))
        return super().keep_match(match)


def test_a_slow_page_on_a_worker_runs_out_of_time_and_the_rest_goes_on(
    corpus_db: str, address: str, tmp_path: Path
) -> None:
    names = ["a.txt", "slow.txt", "c.txt"]
    _, results = _audit_copies(address, corpus_db, tmp_path, names, _SlowOnWorkers())
    by_name = {Path(r.source).name: r for r in results}
    assert sorted(by_name) == sorted(names)
    assert [by_name[name].status for name in names] == ["ok", "error", "ok"]
    assert "time budget of 0.5 s" in (by_name["slow.txt"].error or "")


def test_a_chunk_run_again_after_its_worker_died_saves_its_pages_once(corpus_db: str) -> None:
    """Dask runs a task again when its worker dies, even after the task committed its pages:
    the second run (here in process, as a worker runs it) saves none of them again."""
    from provenance.audit import _Job
    from provenance.packs import load_packs
    from provenance.sources import read_records

    factory = store.open_database(corpus_db, create=False)
    run_id = store.start_run(factory, "audit", [], "test").id
    records = list(read_records([str(SEEDS / "pages")]))[:5]
    chunk = [cluster._Item(record, False, position) for position, record in enumerate(records, 10)]
    remote = cluster._RemoteJob(_Job(load_packs(), Config(), None, corpus_db), run_id, False)
    first = cluster._judge_chunk(chunk, remote)
    again = cluster._judge_chunk(chunk, remote)  # the worker died before returning the first
    assert [r.page_id for r in again if r] == [r.page_id for r in first if r]
    with factory() as session:
        positions = session.scalars(select(PageRow.input_position).where(PageRow.run_id == run_id)).all()
    assert sorted(positions) == [10, 11, 12, 13, 14]  # each page once
    cluster._save(factory, run_id, list(first[:2]), [10, 99])  # a page of another place still saves
    with factory() as session:
        positions = session.scalars(select(PageRow.input_position).where(PageRow.run_id == run_id)).all()
    assert sorted(positions) == [10, 11, 12, 13, 14, 99]


def test_an_unreachable_cluster_is_one_line_and_exit_2(
    corpus_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    before = _last_run_id(corpus_db)
    code, out, err = run_cli(
        capsys, "audit", str(SEEDS / "pages"), "--db", corpus_db, "--cluster", "tcp://127.0.0.1:9"
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "tcp://127.0.0.1:9" in err and err.startswith("provenance: error:")
    assert _last_run_id(corpus_db) == before  # no run recorded


def test_a_scheduler_without_workers_is_one_line_and_exit_2(
    corpus_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0", host="127.0.0.1") as empty:
        code, out, err = run_cli(
            capsys, "audit", str(SEEDS / "pages"), "--db", corpus_db, "--cluster", empty.scheduler_address
        )
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"the Dask scheduler at {empty.scheduler_address} has no workers" in err


def test_without_distributed_the_install_hint(
    corpus_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_dask(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    code, _, err = run_cli(
        capsys, "check", str(SEEDS / "pages"), "--db", corpus_db, "--cluster", "tcp://x:8786"
    )
    assert code == 2 and err.count("\n") == 1
    assert "pip install 'wire-provenance[cluster]'" in err


def _last_run_id(db_url: str) -> int | None:
    factory = store.open_database(db_url, create=False)
    with factory() as session:
        return session.scalar(select(RunRow.id).order_by(RunRow.id.desc()).limit(1))
