"""The baseline knows a page by its path from the configuration's root (issue 12).

However a run names the site (``check site``, ``./site``, ``site/``, an absolute path, or from
another directory with the same ``--config``), a finding recorded by one run is known to the
next; ``--update-baseline`` on a few files (what pre-commit passes) keeps every other file's
entries; version-1 files (pages as given on the command line) are still read.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS
from conftest import run_cli as run

from provenance.model import Finding
from provenance.suppress import BASELINE_VERSION, fingerprint

UNUSED = "PROVENANCE-UNUSED-SUPPRESSION"
SPUN, REUTERS = "site/ap-spun.txt", "site/reuters-stripped.txt"  # both have findings


@pytest.fixture
def newsroom(tmp_path: Path, site: Path) -> Path:
    """The demo site inside a repository whose provenance.toml names the baseline; a sibling ci/ directory."""
    root = tmp_path / "newsroom"
    root.mkdir()
    shutil.move(site, root / "site")
    (root / "provenance.toml").write_text('baseline = "baseline.json"\n')
    (tmp_path / "ci").mkdir()
    return root


def spelling(name: str, root: Path) -> tuple[Path, list[str]]:
    """(working directory, arguments) naming the site one way."""
    if name == "other-cwd":
        return root.parent / "ci", ["../newsroom/site", "--config", "../newsroom/provenance.toml"]
    source = {"a": "site", "./a": "./site", "a/": "site/", "absolute": str(root / "site")}[name]
    return root, [source]


def check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *argv: str
) -> tuple[int, dict, str]:
    monkeypatch.chdir(cwd)
    code, out, err = run(capsys, "check", *argv, "--format", "json")
    return code, json.loads(out), err


def findings(report: dict) -> list[dict]:
    return [f for d in report["documents"] for f in d["findings"]]


def entries(root: Path) -> list[dict]:
    data = json.loads((root / "baseline.json").read_text())
    assert data["version"] == BASELINE_VERSION
    return data["findings"]


@pytest.mark.parametrize(
    ("writer", "reader"),
    [
        ("a", "./a"),
        ("./a", "a/"),
        ("a/", "absolute"),
        ("absolute", "a"),
        ("a", "other-cwd"),
        ("other-cwd", "a/"),
    ],
)
def test_every_spelling_of_the_site_knows_the_same_findings(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    newsroom: Path,
    db_url: str,
    writer: str,
    reader: str,
) -> None:
    cwd, args = spelling(writer, newsroom)
    code, _, err = check(capsys, monkeypatch, cwd, *args, "--update-baseline", "--db", db_url)
    assert code == 0 and "findings written" in err

    cwd, args = spelling(reader, newsroom)
    code, report, _ = check(capsys, monkeypatch, cwd, *args, "--db", db_url)
    assert code == 0
    found = findings(report)
    assert found and all(f["suppressed_by"] == "baseline" for f in found)  # none new, none stale
    assert {e["page"] for e in entries(newsroom)} >= {SPUN, REUTERS}  # relative to the config's directory
    assert all(e["file"] for e in entries(newsroom))


def test_update_on_some_files_keeps_the_others_and_replaces_theirs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, newsroom: Path, db_url: str
) -> None:
    code, _, _ = check(capsys, monkeypatch, newsroom, SPUN, REUTERS, "--update-baseline", "--db", db_url)
    assert code == 0
    before = entries(newsroom)
    assert {e["page"] for e in before} == {SPUN, REUTERS}

    # pre-commit passes only the files of the commit
    code, _, err = check(capsys, monkeypatch, newsroom, SPUN, "--update-baseline", "--db", db_url)
    assert code == 0 and entries(newsroom) == before
    assert "kept" in err
    code, report, _ = check(capsys, monkeypatch, newsroom, SPUN, REUTERS, "--db", db_url)
    assert code == 0 and all(f["suppressed"] for f in findings(report))

    # an audited page's entries are its findings of now: fixed ones go
    (newsroom / SPUN).write_bytes((SEEDS / "pages" / "unrelated.txt").read_bytes())
    assert check(capsys, monkeypatch, newsroom, SPUN, "--update-baseline", "--db", db_url)[0] == 0
    assert {e["page"] for e in entries(newsroom)} == {REUTERS}
    assert [e for e in entries(newsroom) if e["page"] == REUTERS] == [
        e for e in before if e["page"] == REUTERS
    ]


def test_update_drops_the_entries_of_a_deleted_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, newsroom: Path, db_url: str
) -> None:
    assert check(capsys, monkeypatch, newsroom, SPUN, REUTERS, "--update-baseline", "--db", db_url)[0] == 0
    (newsroom / REUTERS).unlink()
    assert check(capsys, monkeypatch, newsroom, SPUN, "--update-baseline", "--db", db_url)[0] == 0
    assert {e["page"] for e in entries(newsroom)} == {SPUN}


def test_a_version_1_baseline_with_absolute_paths_is_still_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, newsroom: Path, db_url: str
) -> None:
    """A file written before issue 12, by ``check $PWD/site``: its pages are the paths as given."""
    code, report, _ = check(capsys, monkeypatch, newsroom, str(newsroom / "site"), "--db", db_url)
    assert code == 1
    legacy = [
        {
            "page": doc["id"],
            "rule": f["rule"],
            "fingerprint": fingerprint(doc["id"], Finding(f["rule"], f["severity"], "", f["evidence"])),
            "message": f["message"],
        }
        for doc in report["documents"]
        for f in doc["findings"]
    ]
    assert legacy and all(e["page"].startswith(str(newsroom)) for e in legacy)
    text = json.dumps({"version": 1, "tool": "provenance", "findings": legacy})
    (newsroom / "baseline.json").write_text(text)

    code, report, _ = check(capsys, monkeypatch, newsroom, "site", "--db", db_url)
    assert code == 0 and all(f["suppressed_by"] == "baseline" for f in findings(report))

    # updating one file rewrites the file as version 2 and keeps the old entries of the others
    assert check(capsys, monkeypatch, newsroom, SPUN, "--update-baseline", "--db", db_url)[0] == 0
    assert {e["page"] for e in entries(newsroom)} >= {SPUN, REUTERS}
    code, report, _ = check(capsys, monkeypatch, newsroom, "site", "--db", db_url)
    assert code == 0 and all(f["suppressed_by"] == "baseline" for f in findings(report))


def test_an_unreadable_baseline_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, newsroom: Path, db_url: str
) -> None:
    (newsroom / "baseline.json").write_text('{"version": 99, "findings": []}')
    monkeypatch.chdir(newsroom)
    code, _, err = run(capsys, "check", "site", "--db", db_url)
    assert code == 2 and "cannot read baseline" in err and err.count("\n") == 1
