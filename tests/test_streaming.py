"""A run's results on disk and reports written piece by piece: the same text as whole, any size.

provenance.spool keeps an audit's memory flat in its number of pages; these check that the
spool gives back exactly what was put in (and its tally the counts a list gives), that
streamed JSON is byte for byte ``json.dumps``, and that every format renders a spooled report
exactly as the same report held in a list.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from test_formats import BROKEN, CLEAN, COPY, FETCHED, RECORD, make_report

from provenance.formats import FORMATS, STREAMED, chunks
from provenance.formats.streaming import json_chunks, placeholder
from provenance.model import Finding, PageResult
from provenance.report import AuditReport
from provenance.spool import ResultSpool, Tally

RESULTS = [COPY, CLEAN, BROKEN, FETCHED, RECORD]


def _spooled(results: list[PageResult]) -> AuditReport:
    report = make_report()
    spool = ResultSpool()
    for result in results:
        spool.append(result)
    report.results = spool
    return report


def test_the_spool_gives_back_what_was_put_in_in_order_and_again() -> None:
    with ResultSpool() as spool:
        for result in RESULTS:
            spool.append(result)
        assert len(spool) == 5
        assert list(spool) == RESULTS
        assert list(spool) == RESULTS  # a second walk reads the file again
        assert spool[3] == FETCHED and spool[-1] == RECORD
        assert list(spool[1:3]) == [CLEAN, BROKEN]


def test_a_large_run_moves_to_a_file_and_still_reads_back() -> None:
    big = replace(CLEAN, page_id="big", source="big")
    with ResultSpool() as spool:
        for i in range(300):  # ~ 1 MB of pickles and more
            spool.append(replace(big, page_id=f"p{i}", error="x" * 5000))
        assert spool._file._rolled  # type: ignore[attr-defined]  # on disk now
        assert [r.page_id for r in spool] == [f"p{i}" for i in range(300)]


def test_the_tally_counts_what_a_list_counts() -> None:
    suppressed = Finding("AP-CREDIT", "warning", "m", "e", suppressed=True, suppressed_by="baseline")
    extra = replace(CLEAN, page_id="x", findings=[suppressed])
    results = [*RESULTS, extra]
    spool = ResultSpool()
    for result in results:
        spool.append(result)
    counted = Tally.of(results)
    assert spool.tally == counted
    listed, spooled = make_report(*results), _spooled(results)
    assert (spooled.errors, spooled.findings, spooled.suppressed) == (
        listed.errors,
        listed.findings,
        listed.suppressed,
    )
    assert counted.rule_severity["AP-CREDIT"] == "error"  # the highest it was reported with
    assert spooled.findings_at_or_above("warning") == listed.findings_at_or_above("warning")


@pytest.mark.parametrize(
    "document",
    [
        {"a": 1, "items": None, "z": [1, {"b": "c"}]},
        {"runs": [{"results": None, "properties": {"k": "ü\n\"'"}}]},
        {"items": None},
    ],
)
@pytest.mark.parametrize("items", [[], [{"x": [1, 2], "y": "a\nb", "ü": None}], [1, "two", [3], {}]])
def test_streamed_json_is_what_json_dumps_writes(document: dict[str, Any], items: list[Any]) -> None:
    def filled(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (items if v is None else filled(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [filled(v) for v in value]
        return value

    def marked(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (placeholder("items") if v is None else marked(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [marked(v) for v in value]
        return value

    expected = json.dumps(filled(document), indent=2, ensure_ascii=False) + "\n"
    assert "".join(json_chunks(marked(document), {"items": iter(items)})) == expected


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("results", [RESULTS, [CLEAN], []], ids=["mixed", "clean", "empty"])
def test_every_format_renders_a_spooled_report_as_a_listed_one(name: str, results: list[PageResult]) -> None:
    listed, spooled = make_report(*results), _spooled(results)
    assert "".join(chunks(spooled, name)) == FORMATS[name](listed)


def test_streamed_formats_write_a_piece_per_page() -> None:
    many = [replace(COPY, page_id=f"p{i}", source=f"site/p{i}.html") for i in range(20)]
    for name in STREAMED:
        assert len(list(chunks(_spooled(many), name))) >= 20, name
