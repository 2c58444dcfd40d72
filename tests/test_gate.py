"""The CI gate: configuration, licences, severity overrides, suppressions, baseline, rule commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED_PAGE, SEEDS
from conftest import run_cli as run
from sqlalchemy import select

from provenance import store
from provenance.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def rules_of(report: dict, name: str) -> set[str]:
    doc = next(d for d in report["documents"] if Path(d["id"]).name == name)
    return {f["rule"] for f in doc["findings"] if not f["suppressed"]}


def test_config_from_pyproject_and_provenance_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.provenance]\nlicensed = ["AP"]\nfail-on = "warning"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    config = load_config(start=sub)
    assert config.licensed == ("AP",) and config.fail_on == "warning"
    (tmp_path / "provenance.toml").write_text('ignore = ["drafts/*"]\n[severity]\n"AP-LINK" = "off"\n')
    config = load_config(start=sub)  # provenance.toml wins in the same directory
    assert config.licensed is None and config.severity == {"AP-LINK": "off"}
    assert config.ignores("drafts/x.html") and not config.ignores("news/x.html")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('licensed = "AP"\n', "list of strings"),
        ("colour = 1\n", "unknown key"),
        ('[severity]\n"AP-LINK" = "fatal"\n', "not error, warning, info or off"),
        ("[thresholds]\nmin-score = 1\n", "unknown threshold"),
        ("licensed = [\n", "bad TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "provenance.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_bad_config_exits_2(capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "provenance.toml"
    bad.write_text("colour = 1\n")
    code, _, err = run(capsys, "check", str(SEED_PAGE), "--config", str(bad), "--db", db_url)
    assert code == 2 and "unknown key" in err and err.count("\n") == 1


def test_unlicensed_agency_with_full_credit_fails_licensed_passes(
    capsys: pytest.CaptureFixture[str], site: Path, db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "provenance.toml"
    config.write_text('licensed = ["AP"]\n')
    page = str(site / "reuters-credited.html")
    code, out, _ = run(capsys, "check", page, "--config", str(config), "--format", "json", "--db", db_url)
    assert code == 1 and rules_of(json.loads(out), "reuters-credited.html") == {"REUTERS-LICENSE"}
    code, out, _ = run(
        capsys,
        "check",
        page,
        "--licensed",
        "AP",
        "--licensed",
        "Reuters",
        "--format",
        "json",
        "--config",
        str(config),
        "--db",
        db_url,
    )  # the flag overrides the file
    assert code == 0 and rules_of(json.loads(out), "reuters-credited.html") == set()


def test_severity_override_and_off(
    capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path
) -> None:
    config = tmp_path / "provenance.toml"
    config.write_text('[severity]\n"AP-CREDIT" = "warning"\n"AP-BYLINE" = "off"\n')
    code, out, _ = run(
        capsys, "check", str(SEED_PAGE), "--config", str(config), "--format", "json", "--db", corpus_db
    )
    findings = {f["rule"]: f["severity"] for f in json.loads(out)["documents"][0]["findings"]}
    assert "AP-BYLINE" not in findings and findings["AP-CREDIT"] == "warning"
    assert code == 0  # nothing left at error


def test_inline_marker_suppresses_and_records(
    capsys: pytest.CaptureFixture[str], site: Path, corpus_db: str
) -> None:
    page = site / "ap-edited.html"
    page.write_text(
        page.read_text().replace(
            "</body>", "<!-- provenance: ignore AP-REWRITE licensed edit, contract 12 -->\n</body>"
        )
    )
    code, out, _ = run(
        capsys, "check", str(page), "--fail-on", "warning", "--format", "json", "--db", corpus_db
    )
    (finding,) = json.loads(out)["documents"][0]["findings"]
    assert finding["rule"] == "AP-REWRITE" and finding["suppressed"]
    assert finding["suppressed_by"] == "inline: licensed edit, contract 12"
    assert code == 0
    factory = store.open_database(corpus_db)
    with factory() as session:
        (row,) = session.scalars(select(store.FindingRow)).all()
        assert row.suppressed and row.suppressed_by.startswith("inline")


def test_markdown_marker(capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(SEED_PAGE.read_text() + "\n<!-- provenance: ignore * reviewed by legal -->\n")
    code, out, _ = run(capsys, "check", str(page), "--format", "json", "--db", corpus_db)
    assert code == 0
    assert all(f["suppressed"] for f in json.loads(out)["documents"][0]["findings"])


def test_baseline_adopts_the_gate_then_a_new_page_fails(
    capsys: pytest.CaptureFixture[str], site: Path, corpus_db: str, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    assert run(capsys, "check", str(site), "--db", corpus_db)[0] == 1  # the demo site has violations
    code, _, err = run(
        capsys, "check", str(site), "--baseline", str(baseline), "--update-baseline", "--db", corpus_db
    )
    assert code == 0 and "findings written" in err
    code, out, _ = run(
        capsys, "check", str(site), "--baseline", str(baseline), "--format", "json", "--db", corpus_db
    )
    assert code == 0
    assert any(f["suppressed_by"] == "baseline" for d in json.loads(out)["documents"] for f in d["findings"])
    new = site / "new-copy.html"
    new.write_bytes((SEEDS / "pages" / "ap-verbatim-stripped.html").read_bytes())
    code, out, _ = run(
        capsys, "check", str(site), "--baseline", str(baseline), "--format", "json", "--db", corpus_db
    )
    assert code == 1
    assert rules_of(json.loads(out), "new-copy.html") >= {"AP-CREDIT"}
    assert all(not rules_of(json.loads(out), d) for d in ("ap-verbatim-stripped.html", "ap-spun.txt"))


def test_ignore_paths_from_config(
    capsys: pytest.CaptureFixture[str], site: Path, corpus_db: str, tmp_path: Path
) -> None:
    config = tmp_path / "provenance.toml"
    config.write_text('ignore = ["*.txt"]\n')
    _, out, _ = run(
        capsys, "audit", str(site), "--config", str(config), "--format", "json", "--db", corpus_db
    )
    assert all(not d["id"].endswith(".txt") for d in json.loads(out)["documents"])


def test_rules_list_and_check(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "rules", "list")
    assert code == 0 and "AP-CREDIT" in out and "REUTERS-CREDIT" in out
    good = ROOT / "rules" / "ap.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text(
        good.read_text().replace(
            "patterns = [\n    '^(?:{CITY}", "patterns = [\n    '(unclosed',\n    '^(?:{CITY}", 1
        )
    )
    code, out, _ = run(capsys, "rules", "check", str(good), str(bad))
    assert code == 2
    assert f"{good}: ok" in out
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if "(unclosed" in text)
    assert f"{bad}:{line}:" in out


def test_user_pack_replaces_builtin(
    capsys: pytest.CaptureFixture[str], corpus_db: str, tmp_path: Path
) -> None:
    user = tmp_path / "packs"
    user.mkdir()
    text = (
        (ROOT / "rules" / "ap.toml")
        .read_text()
        .replace('id = "AP-CREDIT"\nseverity = "error"', 'id = "AP-CREDIT"\nseverity = "info"')
    )
    (user / "ap.toml").write_text(text)
    code, out, _ = run(
        capsys, "check", str(SEED_PAGE), "--rules", str(user), "--format", "json", "--db", corpus_db
    )
    findings = {f["rule"]: f["severity"] for f in json.loads(out)["documents"][0]["findings"]}
    assert findings["AP-CREDIT"] == "info"
    assert code == 0  # its one error is now info: the gate passes


def test_progress_only_on_a_terminal_and_never_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from provenance.cli.progress import progress, wanted

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not wanted(False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert wanted(False) and not wanted(True)
    for total in (None, 3):
        with progress("auditing", True, total) as advance:
            for _ in range(3):
                advance()
