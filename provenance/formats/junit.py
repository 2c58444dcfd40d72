"""JUnit XML: for CI systems that show test reports but not code-scanning alerts.

Jenkins, GitLab, Azure Pipelines and CircleCI all render JUnit, so the audit shows up as a
test report: one ``<testsuite>`` per page, one ``<testcase>`` per page and rule (classname the
page's source, name the rule id), and a single passing testcase named ``provenance`` for a
page with no findings, so a clean page is visibly a pass rather than absent.

Counts are per testcase, as JUnit consumers expect (``failures`` never exceeds ``tests``):
a testcase is an error (unreadable input), else a failure (any unsuppressed finding), else
skipped (every finding of the rule suppressed), else a pass. A testcase that fails carries
no ``<skipped>`` element even if some of its findings are suppressed — consumers such as
Jenkins report a testcase with any ``<skipped>`` as skipped, which would hide the failure — so
those findings are listed in its ``<system-out>`` instead.

Page text can hold characters XML 1.0 cannot carry at all (control characters); they are
replaced by U+FFFD so that one odd page never makes the whole report unparseable.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator

from lxml import etree

from provenance.model import Finding, PageResult
from provenance.report import AuditReport

PASSING_NAME = "provenance"  # the testcase of a clean page, and of an unreadable one

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(report: AuditReport) -> str:
    return "".join(chunks(report))


def chunks(report: AuditReport) -> Iterator[str]:
    """The XML a suite at a time: the totals on the root are counted in a first walk."""
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for page in report.results:
        _, counts = _suite(page, report)
        for key in totals:
            totals[key] += counts[key]
    attributes = {"name": "provenance", **{key: str(value) for key, value in totals.items()}}
    if report.started is not None and report.finished is not None:
        attributes["time"] = _seconds((report.finished - report.started).total_seconds())
    sink = io.BytesIO()
    decode = codecs.getincrementaldecoder("utf-8")().decode  # lxml may flush mid-character
    with etree.xmlfile(sink, encoding="UTF-8") as xml:
        xml.write_declaration()
        with xml.element("testsuites", attributes):
            xml.write("\n")
            for page in report.results:
                xml.write(_suite(page, report)[0], pretty_print=True)
                yield decode(_drain(sink))
    yield decode(_drain(sink), final=True) + "\n"


def _drain(sink: io.BytesIO) -> bytes:
    data = sink.getvalue()
    sink.seek(0)
    sink.truncate()
    return data


def _suite(page: PageResult, report: AuditReport) -> tuple[etree._Element, dict[str, int]]:
    suite = etree.Element("testsuite", name=_text(page.source))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if report.started is not None:
        suite.set("timestamp", report.started.isoformat(timespec="seconds"))  # the JUnit XSD: no offset
    properties = _properties(page)
    if properties is not None:
        suite.append(properties)
    for case, outcome in _cases(page):
        suite.append(case)
        counts["tests"] += 1
        if outcome != "passed":
            counts[outcome] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite, counts


def _properties(page: PageResult) -> etree._Element | None:
    """The page's URL and the story it derives from, as suite properties."""
    values: list[tuple[str, str]] = []
    if page.url:
        values.append(("url", page.url))
    if page.match is not None:
        m = page.match
        values += [
            ("story_id", m.story.id),
            ("agency", m.story.agency),
            ("derivation", m.derivation),
            ("coverage", f"{m.coverage:.0%}"),
        ]
        if m.story.url:
            values.append(("story_url", m.story.url))
    if not values:
        return None
    element = etree.Element("properties")
    for name, value in values:
        etree.SubElement(element, "property", name=name, value=_text(value))
    return element


def _cases(page: PageResult) -> Iterable[tuple[etree._Element, str]]:
    """Each testcase of a page with its outcome: passed, failures, errors or skipped."""
    classname = _text(page.source)
    if page.status == "error":
        case = etree.Element("testcase", name=PASSING_NAME, classname=classname)
        error = etree.SubElement(case, "error", message=_text(page.error or "error"), type="InputError")
        error.text = _text(f"{page.source}: {page.error}")
        yield case, "errors"
        return
    if not page.findings:
        yield etree.Element("testcase", name=PASSING_NAME, classname=classname), "passed"
        return
    by_rule: dict[str, list[Finding]] = {}
    for finding in page.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    for rule, findings in by_rule.items():
        case = etree.Element("testcase", name=_text(rule), classname=classname)
        active = [f for f in findings if not f.suppressed]
        suppressed = [f for f in findings if f.suppressed]
        for f in active:
            failure = etree.SubElement(case, "failure", message=_text(f.message), type=f.severity)
            failure.text = _text(_details(f))
        if active:
            if suppressed:
                out = etree.SubElement(case, "system-out")
                out.text = _text("\n\n".join(f"suppressed: {_details(f)}" for f in suppressed))
            yield case, "failures"
            continue
        for f in suppressed:
            etree.SubElement(case, "skipped", message=_text(f"suppressed by {_why(f)}: {f.message}"))
        yield case, "skipped"


def _details(finding: Finding) -> str:
    lines = [f"{finding.severity} {finding.rule}" + (f" at line {finding.line}" if finding.line else "")]
    lines.append(finding.message)
    if finding.evidence:
        lines.append(f"evidence: {finding.evidence}")
    if finding.suppressed:
        lines.append(f"suppressed by: {_why(finding)}")
    return "\n".join(lines)


def _why(finding: Finding) -> str:
    """``baseline`` or ``inline: <reason>`` (see :mod:`provenance.suppress`)."""
    return getattr(finding, "suppressed_by", "") or "unknown"


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _seconds(seconds: float) -> str:
    """A duration in the form the schema's SUREFIRE_TIME allows (no exponent, no sign)."""
    return f"{max(seconds, 0.0):.3f}"
