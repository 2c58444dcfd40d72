"""Names a user types are checked (issue 12, item 4): a typo is an error, never a check switched off.

Agencies (``corpus add --agency``, a story's ``agency``, ``licensed``, ``--licensed``), rule
ids (``[severity]``) and thresholds: an unknown or out-of-range one is an error that lists the
valid names and the closest one. Before this, ``--agency Reutres`` stored stories no rule
applies to, ``"REUTERS-CREDT" = "off"`` did nothing and ``min-coverage = 2`` ignored every
match, each with exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED_PAGE
from conftest import run_cli as run
from sqlalchemy import select

from provenance import store
from provenance.config import Config, ConfigError, load_config, validate
from provenance.corpus import check_agency_option, to_story
from provenance.model import InputError, Story
from provenance.packs import RulePack, UnknownName, agency_ids, resolve_agency, resolve_rule, rule_ids
from provenance.sources import read_stories

KNOWN_AGENCIES = "known: AFP, AP, PA, Reuters"
STORY_TEXT = (
    "WASHINGTON (AP) — The city council voted on Tuesday to expand the harbour and to hire "
    "two hundred more dock workers before the end of the year, officials said.\n\n"
    "The plan, opposed by two members, will cost about forty million dollars over five years."
)

# --- agencies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "agency"),
    [
        ("reuters", "Reuters"),
        ("Associated Press", "AP"),
        ("associated press", "AP"),
        ("AP", "AP"),
        ("ap", "AP"),
        ("Press Association", "PA"),
        (" AFP ", "AFP"),
    ],
)
def test_resolve_agency_takes_ids_and_aliases_in_any_case(
    packs: list[RulePack], typed: str, agency: str
) -> None:
    assert resolve_agency(typed, packs) == agency


def test_unknown_agency_lists_the_known_ones_and_the_closest(packs: list[RulePack]) -> None:
    with pytest.raises(UnknownName) as caught:
        resolve_agency("Reutres", packs)
    assert str(caught.value) == f"unknown agency 'Reutres' (did you mean Reuters? {KNOWN_AGENCIES})"
    assert isinstance(caught.value, ValueError) and caught.value.suggestion == "Reuters"
    assert agency_ids(packs) == ["AFP", "AP", "PA", "Reuters"]


def test_unknown_agency_hint_comes_from_aliases_and_is_left_out_when_nothing_is_close(
    packs: list[RulePack],
) -> None:
    with pytest.raises(UnknownName, match=r"did you mean AP\?"):
        resolve_agency("Asociated Press", packs)
    with pytest.raises(UnknownName) as caught:
        resolve_agency("Xinhua", packs)
    assert str(caught.value) == f"unknown agency 'Xinhua' ({KNOWN_AGENCIES})"


# --- rule ids -----------------------------------------------------------------------------


def test_rule_ids_are_every_requirement_of_every_pack(packs: list[RulePack]) -> None:
    ids = rule_ids(packs)
    assert ids == sorted(ids) and len(ids) == sum(len(p.requirements) for p in packs)
    assert {"AP-LINK", "REUTERS-CREDIT", "AFP-LICENSE", "PA-NOTICE-FORM"} <= set(ids)
    assert resolve_rule("ap-link", packs) == "AP-LINK"  # case never tells two rules apart


def test_unknown_rule_lists_the_known_ones_and_the_closest(packs: list[RulePack]) -> None:
    with pytest.raises(UnknownName) as caught:
        resolve_rule("REUTERS-CREDT", packs)
    message = str(caught.value)
    assert message.startswith(
        "unknown rule 'REUTERS-CREDT' (did you mean REUTERS-CREDIT? known: AFP-BYLINE, "
    )
    assert all(rule in message for rule in rule_ids(packs)) and "\n" not in message


# --- configuration: thresholds at load time -----------------------------------------------


@pytest.mark.parametrize("value", ["2", "-0.1", '"0.2"', "true", "nan", '"high"'])
def test_threshold_must_be_a_number_in_range(tmp_path: Path, value: str) -> None:
    path = tmp_path / "provenance.toml"
    path.write_text(f"[thresholds]\nmin-coverage = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert (
        message.startswith(f"{path}: thresholds.min-coverage: ") and "is not a number from 0 to 1" in message
    )


@pytest.mark.parametrize("value", ["0", "1", "0.2"])
def test_threshold_bounds_are_inclusive(packs: list[RulePack], tmp_path: Path, value: str) -> None:
    path = tmp_path / "provenance.toml"
    path.write_text(f"[thresholds]\nmin-coverage = {value}\n")
    assert validate(load_config(path), packs).min_coverage == float(value)


# --- configuration: names checked against the packs ---------------------------------------


def _config(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "provenance.toml"
    path.write_text(text)
    return load_config(path)


def test_severity_of_an_unknown_rule_names_the_file_key_and_closest(
    packs: list[RulePack], tmp_path: Path
) -> None:
    config = _config(tmp_path, '[severity]\n"REUTERS-CREDT" = "off"\n')
    with pytest.raises(ConfigError) as caught:
        validate(config, packs)
    message = str(caught.value)
    assert message.startswith(
        f"{tmp_path / 'provenance.toml'}: severity: unknown rule 'REUTERS-CREDT' "
        "(did you mean REUTERS-CREDIT? known: "
    )


def test_severity_keys_are_stored_as_rule_ids_and_a_rule_given_twice_is_an_error(
    packs: list[RulePack], tmp_path: Path
) -> None:
    config = validate(_config(tmp_path, '[severity]\n"ap-link" = "off"\n"AP-CREDIT" = "warning"\n'), packs)
    assert config.severity == {"AP-LINK": "off", "AP-CREDIT": "warning"}
    twice = _config(tmp_path, '[severity]\n"AP-LINK" = "off"\n"ap-link" = "error"\n')
    with pytest.raises(ConfigError, match=r"severity: AP-LINK is given twice \('AP-LINK' and 'ap-link'\)"):
        validate(twice, packs)


def test_licensed_agencies_must_be_known_and_are_stored_as_pack_ids(
    packs: list[RulePack], tmp_path: Path
) -> None:
    config = validate(_config(tmp_path, 'licensed = ["associated press", "AP", "reuters"]\n'), packs)
    assert config.licensed == ("AP", "Reuters")
    assert validate(_config(tmp_path, "licensed = []\n"), packs).licensed == ()  # licensed for none
    assert validate(_config(tmp_path, ""), packs).licensed is None  # not configured
    bad = _config(tmp_path, 'licensed = ["AP", "Reutres"]\n')
    with pytest.raises(ConfigError) as caught:
        validate(bad, packs)
    assert str(caught.value) == (
        f"{tmp_path / 'provenance.toml'}: licensed: unknown agency 'Reutres' "
        f"(did you mean Reuters? {KNOWN_AGENCIES})"
    )


def test_licensed_option_replaces_the_file_and_its_errors_name_the_option(
    packs: list[RulePack], tmp_path: Path
) -> None:
    config = _config(tmp_path, 'licensed = ["AP"]\n')
    assert validate(config, packs, ["reuters"]).licensed == ("Reuters",)
    for settings in (config, Config()):  # with a file or none
        with pytest.raises(ConfigError) as caught:
            validate(settings, packs, ["Reutres"])
        assert (
            str(caught.value)
            == f"--licensed: unknown agency 'Reutres' (did you mean Reuters? {KNOWN_AGENCIES})"
        )


# --- corpus add ----------------------------------------------------------------------------


def test_agency_option_is_checked_before_anything_is_read(packs: list[RulePack]) -> None:
    assert check_agency_option(None, packs) is None
    assert check_agency_option("associated press", packs) == "AP"
    with pytest.raises(UnknownName) as caught:
        check_agency_option("Reutres", packs)
    assert str(caught.value) == f"--agency: unknown agency 'Reutres' (did you mean Reuters? {KNOWN_AGENCIES})"


def test_a_story_naming_an_unknown_agency_is_an_input_error(packs: list[RulePack], tmp_path: Path) -> None:
    path = tmp_path / "stories.jsonl"
    rows = [{"id": "a", "agency": "associated press", "text": STORY_TEXT}, {"id": "b", "agency": "Reutres"}]
    rows[1]["text"] = STORY_TEXT
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    good, bad = (to_story(item, packs) for item in read_stories([str(path)]))  # type: ignore[arg-type]
    assert isinstance(good, Story) and good.agency == "AP"
    assert isinstance(bad, InputError) and bad.source == f"{path}:2"
    assert bad.error == f"unknown agency 'Reutres' (did you mean Reuters? {KNOWN_AGENCIES})"


def _database(db_url: str) -> str:
    """An existing, empty database: the check must fail on the name, not on a missing corpus file."""
    store.open_database(db_url)
    return db_url


def _stored_agencies(db_url: str) -> dict[str, str]:
    factory = store.open_database(db_url)
    with factory() as session:
        rows = session.execute(select(store.StoryRow.external_id, store.StoryRow.agency)).all()
    return dict(rows)  # type: ignore[arg-type]


def test_cli_corpus_add_rejects_a_row_with_an_unknown_agency_and_adds_the_rest(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "stories.jsonl"
    rows = [
        {"id": "one", "agency": "associated press", "text": STORY_TEXT},
        {"id": "two", "agency": "Reutres", "text": STORY_TEXT.replace("council", "board")},
        {"id": "three", "agency": "AP", "text": STORY_TEXT.replace("harbour", "airport")},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, _, err = run(capsys, "corpus", "add", str(path), "--jobs", "1", "--db", db_url)
    assert code == 2
    assert f"{path}:2: unknown agency 'Reutres' (did you mean Reuters? {KNOWN_AGENCIES})" in err
    assert "2 added" in err and "1 errors" in err
    assert _stored_agencies(db_url) == {"one": "AP", "three": "AP"}


def test_cli_corpus_add_with_an_unknown_agency_option_stores_nothing(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    page = tmp_path / "story.txt"
    page.write_text(STORY_TEXT.replace("(AP) ", ""))  # names no agency: --agency would be used
    code, _, err = run(capsys, "corpus", "add", str(page), "--agency", "Reutres", "--db", db_url)
    assert code == 2 and "unknown agency 'Reutres' (did you mean Reuters?" in err
    assert _stored_agencies(db_url) == {}


def test_cli_agency_option_is_a_usage_error_before_reading(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.jsonl"  # never read: the option is checked first
    code, _, err = run(capsys, "corpus", "add", str(missing), "--agency", "Reutres", "--db", db_url)
    assert code == 2
    assert err == (
        f"provenance: error: --agency: unknown agency 'Reutres' (did you mean Reuters? {KNOWN_AGENCIES})\n"
    )


# --- the CI gate ---------------------------------------------------------------------------


def test_cli_out_of_range_threshold_exits_2(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "provenance.toml"
    config.write_text("[thresholds]\nmin-coverage = 2\n")
    code, _, err = run(capsys, "check", str(SEED_PAGE), "--config", str(config), "--db", _database(db_url))
    assert code == 2 and err.count("\n") == 1
    assert f"{config}: thresholds.min-coverage: 2 is not a number from 0 to 1" in err


def test_cli_severity_of_an_unknown_rule_exits_2(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "provenance.toml"
    config.write_text('[severity]\n"REUTERS-CREDT" = "off"\n')
    code, _, err = run(capsys, "check", str(SEED_PAGE), "--config", str(config), "--db", _database(db_url))
    assert code == 2 and err.count("\n") == 1
    assert f"{config}: severity: unknown rule 'REUTERS-CREDT' (did you mean REUTERS-CREDIT?" in err


def test_cli_unknown_licensed_agency_exits_2(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "provenance.toml"
    config.write_text('licensed = ["Reutres"]\n')
    code, _, err = run(capsys, "check", str(SEED_PAGE), "--config", str(config), "--db", _database(db_url))
    assert code == 2 and f"{config}: licensed: unknown agency 'Reutres' (did you mean Reuters?" in err
    code, _, err = run(capsys, "check", str(SEED_PAGE), "--licensed", "Reutres", "--db", _database(db_url))
    assert code == 2
    assert err == (
        f"provenance: error: --licensed: unknown agency 'Reutres' (did you mean Reuters? {KNOWN_AGENCIES})\n"
    )
