"""Issue 12: a gate that cannot pass by accident. Each case a new user or a CI engineer met,
run through the installed console script (``provenance``), as they ran it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SEED_PAGE, SEEDS

from provenance import PROJECT_URL
from provenance.fetch import USER_AGENT
from provenance.formats import prov, sarif

CONSOLE = Path(sys.executable).parent / "provenance"


def cli(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console script, run as a user runs it (no PROVENANCE_DB unless given)."""
    command = [str(CONSOLE)] if CONSOLE.exists() else [sys.executable, "-m", "provenance"]
    environment = {k: v for k, v in os.environ.items() if k != "PROVENANCE_DB"}
    environment.update(env or {})
    return subprocess.run(
        [*command, *argv], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def corpus(tmp_path: Path) -> str:
    """A SQLite corpus holding the demo stories."""
    url = f"sqlite:///{tmp_path / 'corpus.db'}"
    done = cli("corpus", "add", str(SEEDS / "wire"), "--db", url, "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return url


def _last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1]


# --------------------------------------------------------------------------- fail closed


def test_an_empty_corpus_is_a_usage_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert cli("db", "upgrade", "--db", url, cwd=tmp_path).returncode == 0  # a database, no stories
    done = cli("check", str(SEED_PAGE), "--db", url, cwd=tmp_path)
    assert done.returncode == 2
    assert "the corpus is empty: run `provenance corpus add" in done.stderr


def test_a_mistyped_database_path_fails_and_creates_nothing(tmp_path: Path, corpus: str) -> None:
    typo = tmp_path / "corpsu.db"
    done = cli("check", str(SEED_PAGE), "--db", f"sqlite:///{typo}", cwd=tmp_path)
    assert done.returncode == 2 and "no database at" in done.stderr
    assert not typo.exists()
    assert cli("db", "current", "--db", f"sqlite:///{typo}", cwd=tmp_path).returncode == 2
    assert not typo.exists()


def test_the_pre_commit_hook_without_a_database_fails_and_leaves_nothing(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    shutil.copy(SEED_PAGE, page)
    done = cli("check", "page.txt", cwd=tmp_path)  # what the hook runs: no --db, no PROVENANCE_DB
    assert done.returncode == 2
    assert not (tmp_path / "provenance.db").exists()


@pytest.mark.parametrize("name", ["story.mdx", "story.html.gz"])
def test_a_folder_with_no_pages_is_an_error_naming_the_suffixes(
    tmp_path: Path, corpus: str, name: str
) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / name).write_bytes(b"x")
    done = cli("check", str(folder), "--db", corpus, cwd=tmp_path)
    assert done.returncode == 2
    assert "no pages found: looked for .html, .htm, .txt" in done.stdout + done.stderr


def test_a_licensed_agency_without_stories_is_a_usage_error(tmp_path: Path, corpus: str) -> None:
    done = cli("check", str(SEED_PAGE), "--db", corpus, "--licensed", "PA", cwd=tmp_path)
    assert done.returncode == 2 and "no stories of PA" in done.stderr


def test_corpus_stats_list_and_remove(tmp_path: Path, corpus: str) -> None:
    stats = json.loads(cli("corpus", "stats", "--format", "json", "--db", corpus, cwd=tmp_path).stdout)
    assert stats["stories"] > 0 and stats["fingerprints"] > 0
    assert set(stats["agencies"]) >= {"AP"}
    assert all(a["last_added"].endswith("+00:00") for a in stats["agencies"].values())
    listed = json.loads(cli("corpus", "list", "--format", "json", "--db", corpus, cwd=tmp_path).stdout)
    assert len(listed) == stats["stories"]
    first = listed[0]["id"]
    assert cli("corpus", "remove", first, "--db", corpus, cwd=tmp_path).returncode == 0
    after = json.loads(cli("corpus", "stats", "--format", "json", "--db", corpus, cwd=tmp_path).stdout)
    assert after["stories"] == stats["stories"] - 1
    missing = cli("corpus", "remove", first, "--db", corpus, cwd=tmp_path)
    assert missing.returncode == 2 and "no such story" in missing.stderr


# --------------------------------------------------------------------------- summaries


def test_the_summary_says_why_the_exit_code_is_what_it_is(tmp_path: Path, corpus: str) -> None:
    failing = cli("check", str(SEED_PAGE), "--db", corpus, cwd=tmp_path)
    assert failing.returncode == 1
    assert re.search(r"\d+ findings at or above error: failing \(exit 1\)$", _last_line(failing.stdout))
    assert "errors" not in _last_line(failing.stdout)  # inputs are "unreadable inputs"
    passing = cli(
        "check", str(SEED_PAGE), "--db", corpus, "--fail-on", "error", "--format", "json", cwd=tmp_path
    )
    assert re.search(r"failing \(exit 1\)$", _last_line(passing.stderr))
    quiet = cli("check", str(SEED_PAGE), "--db", corpus, "-q", cwd=tmp_path)
    assert "exit 1" not in quiet.stdout + quiet.stderr  # -q silences the summary


def test_every_format_counts_findings_alike(tmp_path: Path, corpus: str) -> None:
    pages = tmp_path / "site"
    shutil.copytree(SEEDS / "pages", pages)
    baseline = tmp_path / "baseline.json"
    assert (
        cli(
            "check",
            str(pages),
            "--db",
            corpus,
            "--baseline",
            str(baseline),
            "--update-baseline",
            cwd=tmp_path,
        ).returncode
        == 0
    )
    (pages / "000_03d3abf5e2ddca13.txt").unlink()  # its findings stay in the baseline (and go stale)
    args = ("audit", str(pages), "--db", corpus, "--baseline", str(baseline))
    report = json.loads(cli(*args, "--format", "json", cwd=tmp_path).stdout)["summary"]
    table = _last_line(cli(*args, cwd=tmp_path).stdout)
    github = _last_line(cli(*args, "--format", "github", cwd=tmp_path).stdout)
    markdown = cli(*args, "--format", "markdown", cwd=tmp_path).stdout
    assert f", {report['findings']} findings" in table and f"{report['suppressed']} suppressed" in table
    assert f", {report['findings']} findings" in github
    assert re.search(rf"\| \d+ \| \d+ \| {report['findings']} \|", markdown)


def test_the_table_lists_only_pages_with_findings(tmp_path: Path, corpus: str) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("The council met on Tuesday to discuss the budget for next year.\n")
    shown = cli("audit", str(clean), str(SEED_PAGE), "--db", corpus, cwd=tmp_path).stdout
    assert "clean.txt" not in shown and SEED_PAGE.name in shown
    everything = cli("audit", str(clean), str(SEED_PAGE), "--db", corpus, "--show-clean", cwd=tmp_path).stdout
    assert "clean.txt" in everything


def test_an_unreadable_input_is_printed_once(tmp_path: Path, corpus: str) -> None:
    done = cli("check", str(tmp_path / "missing.html"), str(SEED_PAGE), "--db", corpus, cwd=tmp_path)
    assert done.returncode == 2
    assert (done.stdout + done.stderr).count("missing.html") == 1


# --------------------------------------------------------------------------- CI without write access


def test_no_save_records_no_run_and_works_read_only(tmp_path: Path, corpus: str) -> None:
    path = corpus.removeprefix("sqlite:///")
    before = cli("runs", "--format", "json", "--db", corpus, cwd=tmp_path).stdout
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    done = cli("check", str(SEED_PAGE), "--db", read_only, "--no-save", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # findings, read from a read-only database
    assert json.loads(done.stdout)["run"]["id"] == 0
    assert cli("runs", "--format", "json", "--db", corpus, cwd=tmp_path).stdout == before


def test_an_unwritable_output_fails_before_the_audit(tmp_path: Path, corpus: str) -> None:
    done = cli(
        "check",
        str(SEED_PAGE),
        "--db",
        corpus,
        "--output",
        str(tmp_path / "missing" / "x.sarif"),
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "cannot write --output" in done.stderr
    runs = json.loads(cli("runs", "--format", "json", "--db", corpus, cwd=tmp_path).stdout)
    assert runs == []  # nothing was audited


def test_timestamps_carry_their_offset(tmp_path: Path, corpus: str) -> None:
    report = json.loads(cli("audit", str(SEED_PAGE), "--db", corpus, "--format", "json", cwd=tmp_path).stdout)
    assert report["run"]["started"].endswith("+00:00") and report["run"]["finished"].endswith("+00:00")
    document = json.loads(
        cli("audit", str(SEED_PAGE), "--db", corpus, "--format", "prov", cwd=tmp_path).stdout
    )
    times = re.findall(r'"\$": "(\d{4}-\d\d-\d\dT[^"]+)"', json.dumps(document))
    assert times and all(t.endswith("+00:00") for t in times)


# --------------------------------------------------------------------------- our name, and the docs


def test_the_distribution_has_a_name_of_its_own() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "wire-provenance" and "provenance" in project["scripts"]
    for uri in (PROJECT_URL, USER_AGENT, sarif.INFORMATION_URI, prov.NS):
        assert "pypi.org/project/wire-provenance/" in uri


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_the_ci_docs_run_as_written(tmp_path: Path, corpus: str) -> None:
    """docs/ci.md: its workflow installs our distribution and its commands run here; its
    pre-commit configurations name our hook and this version's tag."""
    text = (ROOT / "docs" / "ci.md").read_text()
    workflow, *precommit = [yaml.safe_load(b) for b in _blocks(text, "yaml")]
    steps = [s["run"] for s in workflow["jobs"]["provenance"]["steps"] if "run" in s]
    assert steps[0] == "pip install wire-provenance"
    site = tmp_path / "site"
    shutil.copytree(SEEDS / "pages", site)
    for step in steps[1:]:
        command = step.removesuffix(" || true").split()
        assert command[0] == "provenance"
        done = cli(*command[1:], cwd=tmp_path, env={"PROVENANCE_DB": corpus})
        assert done.returncode == 1, (step, done.stderr)  # the demo site has findings
    assert (tmp_path / "provenance.sarif").exists()
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for config in precommit:
        (repo,) = config["repos"]
        assert {h["id"] for h in repo["hooks"]} <= hooks | {"provenance-check"}
        assert repo["repo"] == "local" or repo["rev"] == f"v{version}"


@pytest.mark.parametrize(
    ("option", "value"), [("--timeout", "-1"), ("--max-size", "nan"), ("--host-delay", "-2")]
)
def test_numbers_out_of_range_are_usage_errors(tmp_path: Path, option: str, value: str) -> None:
    done = cli("check", str(SEED_PAGE), option, value, cwd=tmp_path)
    assert done.returncode == 2 and "expected a" in done.stderr and "number" in done.stderr
