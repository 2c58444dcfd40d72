"""Issue 13: hostile lines, rule packs, report cells and file names.

* The built-in packs stay fast on lines built to make them backtrack (a contributor line
  followed by 32,000 capitals took 290 s; "A./A./..." made the Reuters dateline exponential).
  These run in a child process with a timeout: a regression hangs the child, not the suite.
* A user pack with a pattern that backtracks without end, or a message template with a
  conversion, a format spec or an index, is refused by ``rules check`` and at loading.
* CSV cells that a spreadsheet would run as a formula get a ``'`` before them.
* Error lines on stderr show control characters as escapes: one message, one line.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, run_cli

from provenance.cli import common
from provenance.formats import csv_format
from provenance.model import Finding, PageResult
from provenance.packs import PackError, builtin_rules_dir, load_pack, load_packs
from provenance.regex_safety import backtracking_hazard
from provenance.report import AuditReport

# --------------------------------------------------------------------------- hostile lines

# Opens every pack's gates: each pack's contributor patterns are tried on what follows.
GATES = "of AP contributed of Reuters contributed of AFP contributed of PA Media contributed "

# name -> a line built to make some pattern backtrack (about 20,000 characters each)
HOSTILE_LINES: dict[str, str] = {
    "capitals": GATES + "A" * 20000 + "!",
    "hyphened capitals": GATES + "A-" * 10000 + "!",
    "initials": GATES + "A. " * 7000 + "!",
    "commas": GATES + "A, " * 7000 + "!",
    "by": GATES + "By " * 7000 + "!",
    "and": GATES + "Jane Doe and " * 1500 + "!",
    "hyphen and": GATES + "A-and " * 3000 + "!",
    "long words": GATES + ("A" * 30 + " ") * 650 + "!",
    "agency writers": GATES + "AP writers Reuters reporters " * 700 + "!",
    "reporting by": GATES + "(Reporting by " * 1500 + "!",
    "material from": "information from " + "A&" * 10000 + "x Reuters",
    "dateline places": "A./" * 100 + "x (Reuters) - " + "A./" * 5000,
}

_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from provenance.attribution import detect
    from provenance.model import TextLine
    from provenance.packs import load_packs

    packs = load_packs()
    timings = {}
    for name, line in json.load(sys.stdin).items():
        started = time.perf_counter()
        detect([TextLine(line)], {}, packs)
        timings[name] = time.perf_counter() - started
    print(json.dumps(timings))
    """
)


def detect_timings(lines: dict[str, str], timeout: float = 60) -> dict[str, float]:
    """Seconds ``detect`` takes on each line with the built-in packs, in a child process
    (killed after ``timeout``: the code this guards against ran for minutes)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=json.dumps(lines),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"detect did not finish {sorted(lines)} within {timeout} s")
    return json.loads(done.stdout)


def test_a_contributor_line_then_32000_capitals_takes_under_a_second() -> None:
    line = GATES + "A" * 32000 + "!"
    (seconds,) = detect_timings({"issue 13": line}).values()
    assert seconds < 1.0


def test_builtin_packs_stay_fast_on_hostile_lines() -> None:
    timings = detect_timings(HOSTILE_LINES)
    slow = {name: round(s, 2) for name, s in timings.items() if s > 2.0}
    assert not slow, f"lines of ~20,000 characters that took over 2 s: {slow}"


def test_the_name_macro_still_reads_hyphenated_and_glued_names() -> None:
    from provenance.attribution import detect
    from provenance.model import TextLine

    packs = load_packs()
    lines = [
        TextLine("By Jill Colvin-Associated Press"),
        TextLine("Gertrude Chavez-Dreyfuss of Reuters contributed to this report."),
    ]
    signals = detect(lines, {}, packs).signals
    assert ("byline", "AP", ("Jill Colvin",)) in {(s.kind, s.agency, s.names) for s in signals}
    assert ("contributor", "Reuters", ("Gertrude Chavez-Dreyfuss",)) in {
        (s.kind, s.agency, s.names) for s in signals
    }


# --------------------------------------------------------------------------- nested quantifiers


def user_pack(
    tmp_path: Path,
    credit: str = r"^(?i:source)\s*:\s*{ALIAS}",
    macro: str = r"[A-Z][A-Z.\x27\-]*(?:\s+[A-Z][A-Z.\x27\-]*){0,3}",
    message: str = "The page copies a story by {agency_name} without crediting it.",
) -> Path:
    """A small valid pack, like the README's example, with the credit pattern, the CITY macro
    and the credit message given."""
    path = tmp_path / "xna.toml"
    path.write_text(
        textwrap.dedent(
            f"""\
            id = "XNA"
            name = "Example News Agency"
            aliases = ["Example News Agency", "XNA"]

            [macros]
            CITY = '{macro}'

            [dateline]
            patterns = ['^(?:{{CITY}}\\s*)?\\(XNA\\)(?:\\s*-+)?']

            [byline]
            patterns = ['^(?i:by)\\s+{{ALIAS}}']

            [credit]
            patterns = [
                '{credit}',
            ]

            [contributor]
            patterns = ['{{ALIAS}}\\s+(?i:reporters?)\\s+(?P<names>.{{1,600}}?)\\s+contributed\\b']

            [notice]
            marker = '©'
            canonical = "© {{year}} Example News Agency. All rights reserved."

            [requirements.credit]
            id = "XNA-CREDIT"
            severity = "error"
            message = "{message}"
            """
        ),
        encoding="utf-8",
    )
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


NESTED = [r"(a+)+$", r"(a*)*$", r"(a|aa)+$", r"(\w+\s?)*$", r"(?:Foo|F\w*)+!", r"(\w+\s?){1,9}!"]


@pytest.mark.parametrize("pattern", NESTED)
def test_rules_check_refuses_nested_quantifiers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pattern: str
) -> None:
    path = user_pack(tmp_path, credit=pattern)
    code, out, _ = run_cli(capsys, "rules", "check", str(path))
    assert code == 2
    assert out.startswith(f"{path}:{line_of(path, pattern)}: pattern {pattern!r}: ")
    assert "more than one way" in out or "empty string" in out
    assert len(out.splitlines()) == 1


@pytest.mark.parametrize("pattern", NESTED)
def test_loading_a_user_pack_with_nested_quantifiers_fails(tmp_path: Path, pattern: str) -> None:
    user_pack(tmp_path, credit=pattern)
    with pytest.raises(PackError) as caught:
        load_packs([tmp_path])
    assert caught.value.line == line_of(tmp_path / "xna.toml", pattern)


def test_a_macro_with_nested_quantifiers_is_pointed_at(tmp_path: Path) -> None:
    path = user_pack(tmp_path, macro=r"(?:\w+\s?)*")
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert caught.value.line == line_of(path, "CITY =")
    assert "macro {CITY}" in caught.value.message


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:\s+[A-Z]\w*){0,3}$",  # each iteration starts with a space the last one cannot end with
        r"(?:\w++\s?)*$",  # possessive: gives nothing back
        r"\((?:[^),]*+,)*[^)]*\)",
        r"(?:/(?:[A-Z]\w*|file)){0,4}$",  # two readings of one iteration, boundaries fixed
        r"(?:,\s*(?:and\s+)?|\band\s+|&\s*)",
        r"\w+\s*(?:,|\band\b)\s*\w+",
    ],
)
def test_unambiguous_repetitions_are_accepted(tmp_path: Path, pattern: str) -> None:
    assert backtracking_hazard(pattern) is None
    assert load_pack(user_pack(tmp_path, credit=pattern)).credits[0].pattern == pattern


def test_builtin_packs_pass_the_backtracking_check() -> None:
    """Loading skips the check for the built-in packs (they are checked here instead)."""
    files = sorted(builtin_rules_dir().glob("*.toml"))
    assert len(files) >= 4
    for path in files:
        load_pack(path, check_backtracking=True)


# --------------------------------------------------------------------------- message templates


@pytest.mark.parametrize(
    "field",
    [
        "{agency_name:d}",
        "{agency_name:>300000000}",
        "{agency_name!r}",
        "{agency_name!s:>9}",
        "{agency_name.upper}",
        "{agency_name[0]}",
        "{}",
        "{0}",
        "{agency_name:{agency}}",
    ],
)
def test_rules_check_refuses_templates_that_are_not_plain_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    path = user_pack(tmp_path, message=f"Copied from {field}.")
    code, out, _ = run_cli(capsys, "rules", "check", str(path))
    assert code == 2
    assert out.startswith(f"{path}:{line_of(path, 'message =')}: message field {field} must be ")


def test_plain_fields_and_escaped_braces_are_accepted(tmp_path: Path) -> None:
    path = user_pack(tmp_path, message="Copied from {agency_name} ({agency}) {{sic}}.")
    (req,) = load_pack(path).requirements
    assert req.render(agency_name="X", agency="Y") == "Copied from X (Y) {sic}."


# --------------------------------------------------------------------------- CSV cells


def csv_report(*cells: str) -> list[dict[str, str]]:
    findings = [Finding("AP-LINK", "warning", "m", cell, 1) for cell in cells]
    page = PageResult("=id", '=HYPERLINK("http://evil")', "@url", "ok", findings=findings)
    report = AuditReport(7, datetime(2024, 6, 13), datetime(2024, 6, 13), "0", [page])
    return list(csv.DictReader(io.StringIO(csv_format.render(report), newline="")))


def test_csv_cells_that_would_be_formulas_are_prefixed() -> None:
    hostile = ["=SUM(A1)", "+1", "- The Associated Press", "@cmd", "\tx", "\rx"]
    rows = csv_report(*hostile, "plain", "a=b", "", "'quoted")
    assert [r["evidence"] for r in rows] == [*(f"'{h}" for h in hostile), "plain", "a=b", "", "'quoted"]
    assert {(r["source"], r["id"], r["url"]) for r in rows} == {
        ('\'=HYPERLINK("http://evil")', "'=id", "'@url")
    }


# --------------------------------------------------------------------------- stderr


def test_visible_escapes_control_and_bidi_characters() -> None:
    text = "a\nb\rc\x1b[31md\x00e\x7ff\x85g\u202eh\u2066i\u2028j\\k é"
    assert common.visible(text) == "a\\nb\\rc\\x1b[31md\\x00e\\x7ff\\x85g\\u202eh\\u2066i\\u2028j\\k é"


def test_an_error_is_one_line_and_cannot_start_a_workflow_command(capsys: pytest.CaptureFixture[str]) -> None:
    common.error("site/x\n::error title=INJECTED::pwned.txt", "empty file\x1b]0;title\x07")
    err = capsys.readouterr().err
    assert err == (
        "provenance: error: site/x\\n::error title=INJECTED::pwned.txt: empty file\\x1b]0;title\\x07\n"
    )


def test_a_file_name_with_a_newline_stays_in_its_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    assert run_cli(capsys, "corpus", "add", str(SEEDS / "wire"), "--db", db, "-q")[0] == 0
    site = tmp_path / "site"
    site.mkdir()
    (site / "x\n::error title=INJECTED::pwned.txt").write_text("")
    code, _, err = run_cli(
        capsys, "audit", str(site / "x\n::error title=INJECTED::pwned.txt"), "--db", db, "--format", "json"
    )
    assert code == 2
    (line,) = [line for line in err.splitlines() if "INJECTED" in line]
    assert line == f"provenance: error: {site}/x\\n::error title=INJECTED::pwned.txt: empty file"
    assert not any(line.startswith("::") for line in err.splitlines())
