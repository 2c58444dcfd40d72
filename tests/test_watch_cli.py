"""Issue 14: ``corpus add --watch DIR``, a drop folder ingested as files land, restart-safe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEEDS, run_cli

from provenance import store

WIRE = SEEDS / "wire"


def _ids(db_url: str) -> set[str]:
    factory = store.open_database(db_url)
    with factory() as session:
        return set(session.scalars(store.select(store.StoryRow.external_id)))


def test_a_drop_folder_adds_each_file_once_across_restarts(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(WIRE / "reuters" / "lisbon-port-electrification.json", drop / "a.json")
    (drop / "b.json.part").write_text("{ half a file")  # still being written: not read
    code, _, err = run_cli(capsys, "corpus", "add", "--watch", str(drop), "--once", "--db", db_url)
    assert code == 0, err
    assert "1 files: 1 added" in err
    assert _ids(db_url) == {"tag:reuters.com,2024:newsml_L8N3RQ0PX#v1"}
    assert (drop / ".provenance-watch.json").is_file()

    code, _, err = run_cli(capsys, "corpus", "add", "--watch", str(drop), "--once", "--db", db_url)
    assert code == 0 and "added" not in err  # a restart: nothing new, nothing read again

    shutil.copy(WIRE / "afp" / "who-antibiotics-embargoed.xml", drop / "c.xml")
    code, _, err = run_cli(capsys, "corpus", "add", "--watch", str(drop), "--once", "--db", db_url)
    assert code == 0 and "1 files: 1 added" in err
    assert "urn:newsml:afp.com:20240606:who-antibiotics#v1" in _ids(db_url)


def test_an_unreadable_drop_file_is_an_error_and_the_rest_goes_in(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(WIRE / "reuters" / "lisbon-port-electrification.json", drop / "a.json")
    (drop / "bad.xml").write_text("<newsItem xmlns='http://iptc.org/std/nar/2006-10-01/'><unclosed>")
    code, _, err = run_cli(capsys, "corpus", "add", "--watch", str(drop), "--once", "--db", db_url)
    assert code == 2 and "bad.xml" in err
    assert _ids(db_url) == {"tag:reuters.com,2024:newsml_L8N3RQ0PX#v1"}


def test_watch_options_are_checked(tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["corpus", "add", "--watch", str(tmp_path), str(WIRE), "--db", db_url],
        ["corpus", "add", str(WIRE), "--once", "--db", db_url],
    ):
        with pytest.raises(SystemExit) as exit_info:
            run_cli(capsys, *argv)
        assert exit_info.value.code == 2
    code, _, err = run_cli(capsys, "corpus", "add", "--watch", str(tmp_path / "missing"), "--db", db_url)
    assert code == 2 and "not a directory" in err
