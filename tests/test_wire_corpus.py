"""Issue 14: wire archives (ninjs, NewsML-G2) loaded with their rights, and the rules that use them:
KILLED for a copy of a story whose latest version is canceled, EMBARGO for a copy published
before the embargo lifted, neither for a copy of a usable story."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS, run_cli

from provenance import store
from provenance.model import Page
from provenance.release import before_embargo, page_time

WIRE = SEEDS / "wire"
PAGES = SEEDS / "pages"


def _documents(out: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {Path(d["source"]).name: d for d in json.loads(out)["documents"]}


@pytest.fixture
def wire_db(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, err = run_cli(capsys, "corpus", "add", str(WIRE), "--db", db_url, "--jobs", "1", "-q")
    assert code == 0, err
    return db_url


def test_wire_items_are_stored_with_their_rights_and_versions(wire_db: str) -> None:
    factory = store.open_database(wire_db)
    with factory() as session:
        rows = {r.external_id: r for r in session.scalars(store.select(store.StoryRow))}
        ids = [r.id for r in rows.values()]
        stories = {s.id: s for s in store.load_stories(session, ids)}
    kill = "urn:newsml:apnews.com:20240516:hartwell-derailment"
    assert {f"{kill}#v1", f"{kill}#v2"} <= rows.keys()
    first = stories[f"{kill}#v1"]
    assert (first.agency, first.guid, first.version) == ("AP", kill, 1)
    assert first.pub_status == "canceled"  # the latest version's status applies to the first
    assert rows[f"{kill}#v1"].pub_status == "usable"  # as delivered
    assert first.copyright_notice == "Copyright 2024 The Associated Press. All rights reserved."
    assert "JOANNA PRUETT" in " ".join(first.contributors).upper()
    afp = next(s for s in stories.values() if s.agency == "AFP")
    assert afp.embargoed == "2024-06-06T12:00:00Z" and afp.copyright_holder == "AFP"
    reuters = next(s for s in stories.values() if s.agency == "Reuters")
    assert reuters.pub_status == "usable" and reuters.embargoed is None


def test_the_demo_shows_a_kill_and_an_embargo_and_nothing_on_a_usable_copy(
    wire_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = [
        str(PAGES / n) for n in ("ap-killed-copy.html", "afp-embargo-copy.html", "reuters-wire-copy.html")
    ]
    _, out, _ = run_cli(capsys, "audit", *pages, "--db", wire_db, "--format", "json")
    docs = _documents(out)
    rules = {name: sorted(f["rule"] for f in d["findings"]) for name, d in docs.items()}
    assert rules["ap-killed-copy.html"] == ["AP-KILLED"]
    assert rules["afp-embargo-copy.html"] == ["AFP-EMBARGO"]
    assert rules["reuters-wire-copy.html"] == []
    (embargo,) = docs["afp-embargo-copy.html"]["findings"]
    assert "2024-06-06T08:30:00Z" in embargo["message"] and "2024-06-06T12:00:00Z" in embargo["message"]


def test_a_wire_file_is_read_by_content_whatever_its_name(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(WIRE / "afp" / "who-antibiotics-embargoed.xml", tmp_path / "item.dat.json")
    code, _, err = run_cli(capsys, "corpus", "add", str(tmp_path / "item.dat.json"), "--db", db_url, "-q")
    assert code == 0, err
    (tmp_path / "notes.json").write_text('{"hello": "world"}')
    code, _, err = run_cli(capsys, "corpus", "add", str(tmp_path / "notes.json"), "--db", db_url, "-q")
    assert code == 2 and "notes.json: not a wire item" in err


def test_embargo_times_compare_as_instants_and_a_bare_day_only_when_the_whole_day_is_before() -> None:
    def page(published: str) -> Page:
        return Page(id="p", source="p", text="x", meta={"published": published})

    embargo = "2024-06-06T12:00:00Z"
    assert before_embargo(page_time(page("2024-06-06T13:59:00+02:00")), embargo)  # 11:59 UTC
    assert not before_embargo(page_time(page("2024-06-06T14:00:00+02:00")), embargo)
    assert not before_embargo(page_time(page("2024-06-06")), embargo)  # that day: maybe after noon
    assert before_embargo(page_time(page("2024-06-05")), embargo)
    fetched = Page(id="p", source="p", text="x", meta={"fetched_at": "2024-06-06T11:00:00+00:00"})
    assert page_time(fetched).source == "fetched_at" and before_embargo(page_time(fetched), embargo)
    assert page_time(Page(id="p", source="p", text="x", meta={"published": "last Tuesday"})) is None


def test_a_notice_is_checked_against_the_story_own_notice_too() -> None:
    from provenance.notices import notice_difference
    from provenance.packs import load_packs, pack_for

    reuters = pack_for(load_packs(), "Reuters")
    assert reuters is not None
    own = "© 2024 Thomson Reuters Foundation. Distributed under licence."
    assert (
        notice_difference("© 2024 Thomson Reuters Foundation. Distributed under licence.", reuters)
        is not None
    )
    assert (
        notice_difference("© 2024 Thomson Reuters Foundation. Distributed under licence.", reuters, own)
        is None
    )


def test_a_story_carried_from_another_agency_owes_that_agency_its_credit(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    item = json.loads((WIRE / "reuters" / "lisbon-port-electrification.json").read_text())
    item |= {"uri": "urn:example:afp:carried-ap", "copyrightHolder": "AFP", "infoSources": [{"name": "AP"}]}
    (tmp_path / "carried.json").write_text(json.dumps(item))
    code, _, err = run_cli(capsys, "corpus", "add", str(tmp_path / "carried.json"), "--db", db_url, "-q")
    assert code == 0, err
    page = (PAGES / "reuters-wire-copy.html").read_text().replace("Reuters", "AFP")
    (tmp_path / "copy.html").write_text(page)
    _, out, _ = run_cli(capsys, "audit", str(tmp_path / "copy.html"), "--db", db_url, "--format", "json")
    (doc,) = json.loads(out)["documents"]
    assert doc["match"]["story_id"] == "urn:example:afp:carried-ap#v1"
    rules = [f["rule"] for f in doc["findings"]]
    assert "AP-CREDIT" in rules and not any(r.startswith("AFP-CREDIT") for r in rules)


def test_a_lone_surrogate_in_a_ninjs_line_is_replaced_and_the_batch_loads(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``"\\ud800"`` escape is valid JSON but not valid Unicode (no database stores it): the
    wire reader replaces it with U+FFFD, so the line loads and so do its neighbours."""
    item = json.loads((WIRE / "reuters" / "lisbon-port-electrification.json").read_text())
    bad = item | {"uri": "urn:example:bad", "headlines": [{"role": "main", "value": "broken \ud800 title"}]}
    lines = [json.dumps(item), json.dumps(bad), json.dumps(item | {"uri": "urn:example:good"})]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(capsys, "corpus", "add", str(tmp_path / "feed.jsonl"), "--db", db_url, "-q")
    assert code == 0, err
    factory = store.open_database(db_url)
    with factory() as session:
        rows = {r.external_id: r for r in session.scalars(store.select(store.StoryRow))}
    assert len(rows) == 3 and rows["urn:example:bad#v1"].title == "broken \ufffd title"


def test_corpus_list_shows_each_story_status(wire_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "corpus", "list", "--format", "json", "--db", wire_db)
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["urn:newsml:apnews.com:20240516:hartwell-derailment#v2"]["pub_status"] == "canceled"
    afp = rows["urn:newsml:afp.com:20240606:who-antibiotics#v1"]
    assert (afp["pub_status"], afp["embargoed"]) == ("usable", "2024-06-06T12:00:00Z")
    _, out, _ = run_cli(capsys, "corpus", "list", "--db", wire_db)
    assert "\tembargoed until 2024-06-06T12:00:00Z\t" in out


def test_the_versions_of_a_guid_are_one_story_whatever_their_text(wire_db: str) -> None:
    factory = store.open_database(wire_db)
    kill = "urn:newsml:apnews.com:20240516:hartwell-derailment"
    with factory() as session:
        rows = list(session.scalars(store.select(store.StoryRow).where(store.StoryRow.guid == kill)))
        (first,) = [s for s in store.load_stories(session, [r.id for r in rows]) if s.version == 1]
    assert len({r.version_group for r in rows}) == 1 and rows[0].version_group is not None
    assert first.versions == (f"{kill}#v2",)


def test_a_gzip_bomb_is_one_error_and_the_rest_loads(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import gzip

    (tmp_path / "bomb.gz").write_bytes(gzip.compress(b" " * (60 * 1024 * 1024)))  # 60 KB → 60 MB
    shutil.copy(WIRE / "reuters" / "lisbon-port-electrification.json", tmp_path / "good.json")
    code, _, err = run_cli(capsys, "corpus", "add", str(tmp_path), "--db", db_url, "-q")
    assert code == 2
    assert err.count("provenance: error") == 1 and "bomb.gz: gzip: more than 50 MB decompressed" in err
    assert "tag:reuters.com,2024:newsml_L8N3RQ0PX#v1" in {s.id for s in _stories(db_url)}


def _stories(db_url: str) -> list:  # type: ignore[type-arg]
    factory = store.open_database(db_url)
    with factory() as session:
        return store.load_stories(session, list(session.scalars(store.select(store.StoryRow.id))))
