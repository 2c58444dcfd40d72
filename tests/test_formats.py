"""Output formats: SARIF, JUnit, GitHub workflow commands and CSV, by hand and end to end.

Hand-built reports pin down each format's details (suppressions, errors, escaping, counts);
the seed page run through the command line checks that every format reports the same
findings as the JSON contract, and that SARIF and JUnit validate against their schemas.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import SEED_PAGE
from lxml import etree

from provenance.cli import main
from provenance.formats import FORMATS, csv_format, github, junit, sarif
from provenance.model import Attribution, Finding, Match, PageResult, Passage, Signal, Story
from provenance.report import AuditReport

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"
NEW_FORMATS = ("sarif", "junit", "github", "csv")

Key = tuple[str, int | None]  # (rule, line) of one finding

# --------------------------------------------------------------------------- a realistic report

STORY = Story(
    id="ap-2024-0613-ports",
    agency="AP",
    text="Dockworkers walked off the job at three ports on Monday.",
    url="https://apnews.com/article/ports-strike-0613",
    title="Dockworkers strike at three ports",
    byline="By JANE DOE, Associated Press",
)
MATCH = Match(
    story=STORY,
    derivation="edited",
    similarity=0.91,
    coverage=0.834,
    verbatim_share=0.61,
    rewritten_share=0.22,
    order_kept=True,
    evidence=(
        Passage(
            0, 57, 0, 57, "verbatim", 1.0, "Dockworkers walked off the job", "Dockworkers walked off the job"
        ),
    ),
)
COPY_FINDINGS = [
    Finding(
        "AP-CREDIT",
        "error",
        "The page reproduces a story by The Associated Press without crediting The Associated Press.",
        "no AP dateline, byline or credit line on the page",
    ),
    Finding(
        "AP-NOTICE-FORM",
        "warning",
        'The copyright notice is not in an accepted form: "(c) AP" instead of "The Associated Press".',
        "(c) AP 2024",
        line=41,
    ),
    Finding(
        "AP-NOTICE-FORM",
        "warning",
        'The copyright notice is not in an accepted form: "AP Photo" instead of "The Associated Press".',
        "AP Photo 2024, all rights",
        line=57,
    ),
    Finding(
        "AP-BYLINE", "error", "The byline names Sam Smith instead of the agency.", "By Sam Smith", line=4
    ),
    Finding(
        "AP-BYLINE",
        "error",
        "The byline names Ann Lee instead of the agency.",
        "Ann Lee",
        line=9,
        suppressed=True,
        suppressed_by="inline: staff rewrite, see contract 12",
    ),
    Finding(
        "AP-LINK",
        "warning",
        "The page does not link to The Associated Press or to the original story.",
        "Source link below.",
        line=60,
        suppressed=True,
        suppressed_by="baseline",
    ),
    Finding(
        "AP-REWRITE", "info", "The page rewrites a story by The Associated Press.", "edited copy", line=None
    ),
]
COPY = PageResult(
    page_id="site/news/port-strike.html",
    source="site/news/port-strike.html",
    url="https://example-news.com/news/port-strike",
    status="ok",
    match=MATCH,
    attribution=Attribution([Signal("byline", "By Sam Smith", line=4, names=("Sam Smith",))]),
    findings=COPY_FINDINGS,
)
CLEAN = PageResult(
    page_id="site/news/council.html",
    source="site/news/council.html",
    url="https://example-news.com/news/council",
    status="ok",
)
BROKEN = PageResult(
    page_id="site/news/broken.html",
    source="site/news/broken.html",
    url=None,
    status="error",
    error="unreadable: permission denied",
)
FETCHED = PageResult(  # read from a URL, matched to a story the corpus has no URL for
    page_id="https://example-news.com/wire/42",
    source="https://example-news.com/wire/42",
    url="https://example-news.com/wire/42",
    status="ok",
    match=Match(Story("reuters-77", "Reuters", "text"), "verbatim", 0.99, 0.97, 0.97, 0.0, True),
    findings=[Finding("REUTERS-CREDIT", "error", "No Reuters credit.", "no credit", line=3)],
)
RECORD = PageResult(  # one line of a JSONL file
    page_id="rec-7",
    source="feeds/pages.jsonl:3",
    url=None,
    status="ok",
    findings=[Finding("AP-NOTICE-MISSING", "warning", "No AP notice.", "", line=12)],
)


def make_report(*results: PageResult) -> AuditReport:
    return AuditReport(
        run_id=7,
        started=datetime(2024, 6, 13, 9, 0, 0),
        finished=datetime(2024, 6, 13, 9, 0, 2, 500000),
        tool_version="0.1.0",
        results=list(results),
    )


REPORT = make_report(COPY, CLEAN, BROKEN, FETCHED, RECORD)


# --------------------------------------------------------------------------- schemas


def _schema_dir() -> Path:
    """The shared schemas; only their absence skips (validation is always the last step of a test)."""
    if not SCHEMAS.is_dir():
        pytest.skip(f"schemas not available at {SCHEMAS}")
    return SCHEMAS


def assert_valid_sarif(log: dict[str, Any]) -> None:
    schema = json.loads((_schema_dir() / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def assert_valid_junit(xml: str) -> None:
    schema = etree.XMLSchema(etree.parse(str(_schema_dir() / "junit-10.xsd")))
    document = etree.fromstring(xml.encode("utf-8"))
    assert schema.validate(document), schema.error_log


# --------------------------------------------------------------------------- parsing outputs back


def sarif_keys(text: str) -> list[Key]:
    """(rule, line) of every result; a finding without a line is at line 1, its own line kept aside."""
    keys = []
    for result in json.loads(text)["runs"][0]["results"]:
        line = result.get("properties", {}).get("line")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == (line or 1)
        keys.append((result["ruleId"], line))
    return keys


def junit_keys(text: str) -> list[Key]:
    keys = []
    for case in etree.fromstring(text.encode("utf-8")).iter("testcase"):
        for failure in case.iter("failure"):
            found = re.search(r" at line (\d+)$", (failure.text or "").splitlines()[0])
            keys.append((case.get("name", ""), int(found.group(1)) if found else None))
    return keys


COMMAND = re.compile(r"^::(?P<name>\w+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def unescape_data(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(value: str) -> str:
    return unescape_data(value.replace("%3A", ":").replace("%2C", ","))


def parse_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """Every workflow command line: (name, properties, message), all unescaped."""
    out = []
    for line in text.splitlines():
        m = COMMAND.match(line)
        if m is None:
            continue
        props = {}
        for pair in (m["props"] or "").split(","):
            if pair:
                key, _, value = pair.partition("=")
                props[key] = unescape_property(value)
        out.append((m["name"], props, unescape_data(m["data"])))
    return out


def github_keys(text: str) -> list[Key]:
    return [
        (props["title"], int(props["line"]) if "line" in props else None)
        for name, props, _ in parse_commands(text)
        if props.get("title") != "provenance"  # input errors
    ]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def csv_keys(text: str) -> list[Key]:
    return [(row["rule"], int(row["line"]) if row["line"] else None) for row in csv_rows(text) if row["rule"]]


def json_keys(text: str) -> list[Key]:
    return [(f["rule"], f["line"]) for doc in json.loads(text)["documents"] for f in doc["findings"]]


PARSERS: dict[str, Callable[[str], list[Key]]] = {
    "sarif": sarif_keys,
    "junit": junit_keys,
    "github": github_keys,
    "csv": csv_keys,
    "json": json_keys,
}


# --------------------------------------------------------------------------- registry


def test_new_formats_are_registered() -> None:
    assert {name: FORMATS[name] for name in NEW_FORMATS} == {
        "sarif": sarif.render,
        "junit": junit.render,
        "github": github.render,
        "csv": csv_format.render,
    }


@pytest.mark.parametrize("name", NEW_FORMATS)
def test_empty_report_renders(name: str) -> None:
    text = FORMATS[name](make_report())
    assert text.endswith("\n")
    if name == "sarif":
        assert_valid_sarif(json.loads(text))
    if name == "junit":
        assert_valid_junit(text)


# --------------------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_run() -> dict[str, Any]:
    log = json.loads(sarif.render(REPORT))
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    return log["runs"][0]


def test_sarif_validates_against_the_schema() -> None:
    assert_valid_sarif(json.loads(sarif.render(REPORT)))


def test_sarif_driver_has_one_rule_per_rule_id(sarif_run: dict[str, Any]) -> None:
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "provenance" and driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert len(rules) == len(driver["rules"])
    assert set(rules) == {f.rule for r in REPORT.results for f in r.findings}
    assert rules["AP-CREDIT"]["defaultConfiguration"]["level"] == "error"
    assert rules["AP-NOTICE-FORM"]["defaultConfiguration"]["level"] == "warning"
    assert rules["AP-REWRITE"]["defaultConfiguration"]["level"] == "note"
    assert all(r["shortDescription"]["text"] for r in driver["rules"])
    for result in sarif_run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_results_locate_findings_and_the_story(sarif_run: dict[str, Any]) -> None:
    results = sarif_run["results"]
    assert len(results) == sum(len(r.findings) for r in REPORT.results)  # suppressed ones included
    copy = [
        r
        for r in results
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "site/news/port-strike.html"
    ]
    assert [(r["ruleId"], r["level"]) for r in copy] == [
        (f.rule, {"error": "error", "warning": "warning", "info": "note"}[f.severity]) for f in COPY_FINDINGS
    ]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in copy]
    assert lines == [f.line or 1 for f in COPY_FINDINGS]
    assert copy[1]["message"]["text"] == COPY_FINDINGS[1].message
    (related,) = copy[0]["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == STORY.url
    assert related["message"]["text"] == "derived from AP story ap-2024-0613-ports (edited, coverage 83%)"


def test_sarif_locates_urls_jsonl_records_and_stories_without_url(sarif_run: dict[str, Any]) -> None:
    by_rule = {r["ruleId"]: r for r in sarif_run["results"]}
    fetched = by_rule["REUTERS-CREDIT"]
    assert fetched["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == FETCHED.source
    story = fetched["relatedLocations"][0]
    assert story["physicalLocation"]["artifactLocation"]["uri"] == "provenance:story/reuters-77"
    assert story["message"]["text"] == "derived from Reuters story reuters-77 (verbatim, coverage 97%)"
    record = by_rule["AP-NOTICE-MISSING"]["locations"][0]["physicalLocation"]
    assert record == {"artifactLocation": {"uri": "feeds/pages.jsonl"}, "region": {"startLine": 3}}
    assert "relatedLocations" not in by_rule["AP-NOTICE-MISSING"]


def test_sarif_path_uris() -> None:
    def uri(source: str) -> str:
        page = PageResult(source, source, None, "ok", findings=[Finding("AP-LINK", "warning", "m")])
        log = sarif.sarif_log(make_report(page))
        return log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]

    assert uri("pages/a b#1.html") == "pages/a%20b%231.html"
    assert uri("notes:draft.txt") == "notes%3Adraft.txt"  # not a scheme
    assert uri("/srv/site/a b.html") == "file:///srv/site/a%20b.html"
    assert uri("C:\\site\\a.html") == "file:///C:/site/a.html"


def test_sarif_suppressions(sarif_run: dict[str, Any]) -> None:
    by_line = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r
        for r in sarif_run["results"]
        if r["ruleId"] in ("AP-BYLINE", "AP-LINK")
    }
    assert "suppressions" not in by_line[4]
    assert by_line[9]["suppressions"] == [
        {"kind": "inSource", "justification": "staff rewrite, see contract 12"}
    ]
    assert by_line[60]["suppressions"] == [{"kind": "external"}]


def test_sarif_input_errors_are_execution_notifications(sarif_run: dict[str, Any]) -> None:
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert "site/news/broken.html" in notification["message"]["text"]
    assert "permission denied" in notification["message"]["text"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == BROKEN.source
    clean = json.loads(sarif.render(make_report(COPY, CLEAN)))["runs"][0]["invocations"][0]
    assert clean["executionSuccessful"] is True and "toolExecutionNotifications" not in clean


def test_sarif_fingerprints_are_stable_and_distinct(sarif_run: dict[str, Any]) -> None:
    prints = [r["partialFingerprints"]["provenanceFinding/v1"] for r in sarif_run["results"]]
    assert len(set(prints)) == len(prints)
    again = json.loads(sarif.render(make_report(RECORD, COPY)))["runs"][0]["results"]
    assert {r["partialFingerprints"]["provenanceFinding/v1"] for r in again} <= set(prints)
    moved = PageResult(
        COPY.page_id,
        COPY.source,
        COPY.url,
        "ok",
        findings=[Finding("AP-NOTICE-FORM", "warning", "reworded message", "(c) AP 2024", line=99)],
    )
    (result,) = json.loads(sarif.render(make_report(moved)))["runs"][0]["results"]
    assert result["partialFingerprints"]["provenanceFinding/v1"] == prints[1]  # same page, rule, evidence


# --------------------------------------------------------------------------- JUnit


@pytest.fixture(scope="module")
def junit_root() -> etree._Element:
    return etree.fromstring(junit.render(REPORT).encode("utf-8"))


def test_junit_validates_against_the_schema() -> None:
    assert_valid_junit(junit.render(REPORT))


def test_junit_one_testcase_per_page_and_rule(junit_root: etree._Element) -> None:
    cases = [(c.get("classname"), c.get("name")) for c in junit_root.iter("testcase")]
    assert cases == [
        ("site/news/port-strike.html", "AP-CREDIT"),
        ("site/news/port-strike.html", "AP-NOTICE-FORM"),
        ("site/news/port-strike.html", "AP-BYLINE"),
        ("site/news/port-strike.html", "AP-LINK"),
        ("site/news/port-strike.html", "AP-REWRITE"),
        ("site/news/council.html", "provenance"),
        ("site/news/broken.html", "provenance"),
        ("https://example-news.com/wire/42", "REUTERS-CREDIT"),
        ("feeds/pages.jsonl:3", "AP-NOTICE-MISSING"),
    ]


def _case(root: etree._Element, classname: str, name: str) -> etree._Element:
    (case,) = [c for c in root.iter("testcase") if (c.get("classname"), c.get("name")) == (classname, name)]
    return case


def test_junit_failures_skips_and_errors(junit_root: etree._Element) -> None:
    page = "site/news/port-strike.html"
    notice = _case(junit_root, page, "AP-NOTICE-FORM")
    failures = notice.findall("failure")
    assert [f.get("type") for f in failures] == ["warning", "warning"]
    assert failures[0].get("message") == COPY_FINDINGS[1].message
    assert "at line 41" in (failures[0].text or "") and "(c) AP 2024" in (failures[0].text or "")

    byline = _case(junit_root, page, "AP-BYLINE")  # one active, one suppressed: a failure, not a skip
    assert len(byline.findall("failure")) == 1 and byline.find("skipped") is None
    assert "Ann Lee" in (byline.findtext("system-out") or "")

    link = _case(junit_root, page, "AP-LINK")  # only suppressed findings: skipped
    (skipped,) = link.findall("skipped")
    assert "baseline" in (skipped.get("message") or "") and link.find("failure") is None

    clean = _case(junit_root, "site/news/council.html", "provenance")
    assert len(clean) == 0  # passing: no children

    (error,) = _case(junit_root, "site/news/broken.html", "provenance").findall("error")
    assert error.get("message") == "unreadable: permission denied"


def test_junit_counts(junit_root: etree._Element) -> None:
    suites = {s.get("name"): s for s in junit_root.iter("testsuite")}
    counts = {
        name: tuple(int(s.get(k) or 0) for k in ("tests", "failures", "errors", "skipped"))
        for name, s in suites.items()
    }
    assert counts == {
        "site/news/port-strike.html": (5, 4, 0, 1),
        "site/news/council.html": (1, 0, 0, 0),
        "site/news/broken.html": (1, 0, 1, 0),
        "https://example-news.com/wire/42": (1, 1, 0, 0),
        "feeds/pages.jsonl:3": (1, 1, 0, 0),
    }
    for suite in suites.values():  # attributes agree with the testcases they count
        cases = suite.findall("testcase")
        assert int(suite.get("tests") or 0) == len(cases)
        assert int(suite.get("errors") or 0) == sum(1 for c in cases if c.find("error") is not None)
    assert (junit_root.get("tests"), junit_root.get("failures"), junit_root.get("errors")) == ("9", "6", "1")
    assert junit_root.get("time") == "2.500"


def test_junit_survives_characters_xml_cannot_carry() -> None:
    page = PageResult(
        "p",
        "p\x0b.html",
        None,
        "ok",
        findings=[Finding("AP-LINK", "warning", "bad \x00 byte", "form\x0cfeed", line=2)],
    )
    text = junit.render(make_report(page))
    failure = etree.fromstring(text.encode("utf-8")).find(".//failure")
    assert failure is not None and failure.get("message") == "bad \ufffd byte"
    assert_valid_junit(text)


# --------------------------------------------------------------------------- GitHub


def test_github_one_command_per_unsuppressed_finding() -> None:
    text = github.render(REPORT)
    commands = parse_commands(text)
    assert [(name, props) for name, props, _ in commands] == [
        ("error", {"file": "site/news/port-strike.html", "title": "AP-CREDIT"}),
        ("warning", {"file": "site/news/port-strike.html", "line": "41", "title": "AP-NOTICE-FORM"}),
        ("warning", {"file": "site/news/port-strike.html", "line": "57", "title": "AP-NOTICE-FORM"}),
        ("error", {"file": "site/news/port-strike.html", "line": "4", "title": "AP-BYLINE"}),
        ("notice", {"file": "site/news/port-strike.html", "title": "AP-REWRITE"}),
        ("error", {"file": "site/news/broken.html", "title": "provenance"}),
        ("error", {"line": "3", "title": "REUTERS-CREDIT"}),  # a URL is no file in the repository
        ("warning", {"file": "feeds/pages.jsonl", "line": "3", "title": "AP-NOTICE-MISSING"}),
    ]
    assert commands[1][2] == COPY_FINDINGS[1].message
    assert commands[5][2] == "site/news/broken.html: unreadable: permission denied"
    assert commands[6][2] == "https://example-news.com/wire/42: No Reuters credit."
    assert "Ann Lee" not in text and "AP-LINK" not in text  # suppressed
    last = text.splitlines()[-1]
    assert not last.startswith("::")
    assert last == (
        "provenance: 5 pages, 2 matched, 7 findings (3 error, 3 warning, 1 info), 2 suppressed, "
        "1 unreadable inputs; 1 unreadable inputs: failing (exit 2)"
    )


def test_github_escaping_is_the_toolkits() -> None:
    assert github.escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"
    assert github.escape_property("100% a\r\nb: c, d") == "100%25 a%0D%0Ab%3A c%2C d"
    page = PageResult(
        "x",
        "pages/50%, off: sale.html",
        None,
        "ok",
        findings=[
            Finding("AP-CREDIT", "error", "Costs 50%: see\nline two\r\n::add-mask::x", line=7),
        ],
    )
    (line, summary) = github.render(make_report(page)).splitlines()
    assert line == (
        "::error file=pages/50%25%2C off%3A sale.html,line=7,title=AP-CREDIT"
        "::Costs 50%25: see%0Aline two%0D%0A::add-mask::x"
    )
    (parsed,) = parse_commands(line)
    assert parsed == (
        "error",
        {"file": "pages/50%, off: sale.html", "line": "7", "title": "AP-CREDIT"},
        "Costs 50%: see\nline two\r\n::add-mask::x",
    )
    assert summary.startswith("provenance: 1 pages")


# --------------------------------------------------------------------------- CSV


def test_csv_round_trips_through_dictreader() -> None:
    rows = csv_rows(csv_format.render(REPORT))
    assert list(rows[0]) == list(csv_format.COLUMNS)
    assert ",".join(csv_format.COLUMNS) == (
        "source,id,url,status,error,story_id,agency,derivation,coverage,rule,severity,line,message,"
        "evidence,suppressed"
    )
    assert len(rows) == len(COPY_FINDINGS) + 1 + 1 + 1 + 1
    copy = [r for r in rows if r["source"] == COPY.source]
    assert [
        (r["rule"], r["severity"], r["line"], r["message"], r["evidence"], r["suppressed"]) for r in copy
    ] == [
        (f.rule, f.severity, str(f.line or ""), f.message, f.evidence, "true" if f.suppressed else "false")
        for f in COPY_FINDINGS
    ]
    assert {(r["story_id"], r["agency"], r["derivation"], float(r["coverage"])) for r in copy} == {
        ("ap-2024-0613-ports", "AP", "edited", 0.834)
    }
    (clean,) = [r for r in rows if r["source"] == CLEAN.source]
    assert clean["status"] == "ok" and clean["url"] == CLEAN.url
    assert all(clean[k] == "" for k in ("story_id", "rule", "severity", "line", "message", "suppressed"))
    (broken,) = [r for r in rows if r["source"] == BROKEN.source]
    assert (broken["status"], broken["error"], broken["rule"]) == (
        "error",
        "unreadable: permission denied",
        "",
    )
    (record,) = [r for r in rows if r["source"] == RECORD.source]
    assert (record["id"], record["line"]) == ("rec-7", "12")


def test_csv_quotes_awkward_values() -> None:
    evidence = 'He said, "no"\nsecond line; =SUM(A1)'
    page = PageResult("p", "a,b.html", None, "ok", findings=[Finding("AP-LINK", "warning", "m", evidence, 1)])
    (row,) = csv_rows(csv_format.render(make_report(page)))
    assert (row["source"], row["evidence"]) == ("a,b.html", evidence)


# --------------------------------------------------------------------------- end to end


def audit(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, *sources: str) -> tuple[int, str]:
    db = f"sqlite:///{tmp_path / 't.db'}"
    if not (tmp_path / "t.db").exists():  # an audit needs a corpus: the demo's
        assert main(["corpus", "add", str(SEED_PAGE.parent.parent / "wire"), "--db", db, "-q"]) == 0
    code = main(["audit", *sources, "--format", name, "--db", db])
    out, _ = capsys.readouterr()
    return code, out


@pytest.fixture
def seed_findings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Counter[Key]:
    code, out = audit(capsys, tmp_path, "json", str(SEED_PAGE))
    assert code == 0
    keys = Counter(json_keys(out))
    assert keys, "the seed page is expected to have findings"
    return keys


@pytest.mark.parametrize("name", [*NEW_FORMATS, "json"])
def test_seed_page_same_findings_through_every_format(
    name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, seed_findings: Counter[Key]
) -> None:
    code, out = audit(capsys, tmp_path, name, str(SEED_PAGE))
    assert code == 0
    assert Counter(PARSERS[name](out)) == seed_findings


def test_seed_page_sarif_validates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out = audit(capsys, tmp_path, "sarif", str(SEED_PAGE))
    log = json.loads(out)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True
    assert_valid_sarif(log)


def test_seed_page_junit_validates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out = audit(capsys, tmp_path, "junit", str(SEED_PAGE))
    assert_valid_junit(out)


def test_unreadable_input_end_to_end(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.html")
    outputs = {}
    for name in NEW_FORMATS:
        code, outputs[name] = audit(capsys, tmp_path, name, str(SEED_PAGE), missing)
        assert code == 2
    log = json.loads(outputs["sarif"])
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert missing in invocation["toolExecutionNotifications"][0]["message"]["text"]
    assert etree.fromstring(outputs["junit"].encode("utf-8")).get("errors") == "1"
    assert ("error", {"file": missing, "title": "provenance"}) in [
        (n, p) for n, p, _ in parse_commands(outputs["github"])
    ]
    assert [r["status"] for r in csv_rows(outputs["csv"]) if r["source"] == missing] == ["error"]
    assert_valid_sarif(log)  # last: skips when the schemas are absent
    assert_valid_junit(outputs["junit"])
