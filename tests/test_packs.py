"""Rule packs: the built-in packs' content, loading, overriding and error reporting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from provenance.packs import PackError, RulePack, builtin_rules_dir, load_pack, load_packs, pack_for

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture(scope="module")
def ap(packs: list[RulePack]) -> RulePack:
    pack = pack_for(packs, "AP")
    assert pack is not None
    return pack


@pytest.fixture(scope="module")
def reuters(packs: list[RulePack]) -> RulePack:
    pack = pack_for(packs, "Reuters")
    assert pack is not None
    return pack


def _rule_ids(pack: RulePack) -> dict[str, str]:
    return {r.key: r.rule for r in pack.requirements}


def _matches(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any(p.match(text) for p in patterns)


def _searches(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """\
id = "XNA"
name = "Example News Agency"
aliases = ["Example News Agency", "XNA"]

[dateline]
patterns = ['^\\(XNA\\)']

[byline]
patterns = ['^(?i:by)\\s+{ALIAS}']

[credit]
patterns = ['^Source:\\s*{ALIAS}']

[contributor]
patterns = ['{ALIAS}\\s+reporters\\s+(?P<names>.+?)\\s+contributed']

[notice]
marker = '©'
canonical = "© {year} Example News Agency."

[requirements.credit]
id = "XNA-CREDIT"
severity = "error"
message = "Not credited: {agency_name}."
"""


# -- built-in packs ----------------------------------------------------------------------------


def test_builtin_dir_holds_the_repo_packs() -> None:
    directory = builtin_rules_dir()
    assert (directory / "ap.toml").is_file()
    assert (directory / "reuters.toml").is_file()


def test_builtin_packs_load_in_order(packs: list[RulePack]) -> None:
    assert [p.id for p in packs] == ["AFP", "AP", "PA", "Reuters"]


def test_aliases(ap: RulePack, reuters: RulePack) -> None:
    assert set(ap.aliases) == {"Associated Press", "The Associated Press", "AP"}
    assert set(reuters.aliases) == {"Reuters", "Thomson Reuters", "Thomson/Reuters"}


def test_ap_rule_ids_and_requirements(ap: RulePack) -> None:
    assert _rule_ids(ap) == {
        "credit": "AP-CREDIT",
        "notice": "AP-NOTICE-MISSING",
        "miscredit": "AP-MISCREDIT",
        "notice_form": "AP-NOTICE-FORM",
        "byline": "AP-BYLINE",
        "rewrite": "AP-REWRITE",
        "link": "AP-LINK",
        "license": "AP-LICENSE",
        "killed": "AP-KILLED",
        "embargo": "AP-EMBARGO",
    }
    for key in ("credit", "notice", "notice_form", "byline", "rewrite"):
        assert ap.requirement(key) is not None, key
    link = ap.requirement("link")
    assert link is not None and link.required == "when-claimed"
    assert "apnews.com" in ap.link_domains and ap.link_claims


def test_reuters_rule_ids_and_requirements(reuters: RulePack) -> None:
    ids = _rule_ids(reuters)
    assert ids["credit"] == "REUTERS-CREDIT"
    assert ids["byline"] == "REUTERS-BYLINE"
    assert ids["rewrite"] == "REUTERS-REWRITE"
    for key in ("notice", "notice_form"):
        assert reuters.requirement(key) is None, key  # not required in this version
    link = reuters.requirement("link")
    assert link is not None and link.required == "when-claimed"


@pytest.mark.parametrize("agency", ["AP", "Reuters"])
def test_rewrite_derivations_and_severities(packs: list[RulePack], agency: str) -> None:
    pack = pack_for(packs, agency)
    assert pack is not None
    rewrite = pack.requirement("rewrite")
    assert rewrite is not None and set(rewrite.derivations) == {"spun", "edited"}
    assert {r.severity for r in pack.requirements} <= {"error", "warning", "info"}


def test_ap_canonical_notice(ap: RulePack) -> None:
    assert ap.notice.canonical == "Copyright {year} The Associated Press. All rights reserved."
    assert any("rewritten or redistributed" in form for form in ap.notice.accepted)
    assert any(form.startswith("©") for form in ap.notice.accepted)
    assert {"rights", "reserved", "registered"} <= ap.notice.boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "MOSCOW (AP) - Russia said",
        "KYIV, Ukraine (AP) - The",
        "(AP) - A",
        "ST. LOUIS (AP) - x",
        "NEW YORK (AP) x",
    ],
)
def test_ap_dateline_positive(ap: RulePack, line: str) -> None:
    assert _matches(ap.datelines, line)


@pytest.mark.parametrize(
    "line",
    [
        "Officials in Moscow (AP) said",
        "The news agency (AP) reported",
        "By JANE DOE, Associated Press MOSCOW (AP)",
    ],
)
def test_ap_dateline_negative(ap: RulePack, line: str) -> None:
    assert not _matches(ap.datelines, line)


@pytest.mark.parametrize(
    "line",
    ["WASHINGTON, May 8 (Reuters) - The", "LONDON (Reuters) - x", "NEW YORK/LONDON, Jan 3 (Reuters) - x"],
)
def test_reuters_dateline_positive(reuters: RulePack, line: str) -> None:
    assert _matches(reuters.datelines, line)


def test_reuters_dateline_negative(reuters: RulePack) -> None:
    assert not _matches(reuters.datelines, "Shares fell, a source told Reuters (Reuters) -")


@pytest.mark.parametrize(
    "line",
    [
        "By JANE DOE, Associated Press",
        "By Jane Doe - The Associated Press",
        "By JANE DOE and JOHN ROE, Associated Press",
        "JANE DOE, AP Sports Writer",
        "AP Business Writer",
        "By The Associated Press",
    ],
)
def test_ap_byline_positive(ap: RulePack, line: str) -> None:
    assert _matches(ap.bylines, line)


@pytest.mark.parametrize(
    "line",
    [
        "By Kevin Marsh, Staff Writer",
        "Associated Press writer Paul Brenner in Vellmont contributed to this report.",
        "By the time the Associated Press arrived",
    ],
)
def test_ap_byline_negative(ap: RulePack, line: str) -> None:
    assert not _matches(ap.bylines, line)


@pytest.mark.parametrize("line", ["By Jane Doe | Reuters", "Reuters staff", "By Reuters"])
def test_reuters_byline_positive(reuters: RulePack, line: str) -> None:
    assert _matches(reuters.bylines, line)


@pytest.mark.parametrize(
    "line", ["Source: Associated Press", "- The Associated Press", "The Associated Press"]
)
def test_ap_credit_positive(ap: RulePack, line: str) -> None:
    assert _searches(ap.credits, line)


@pytest.mark.parametrize("line", ["Source: Reuters", "Reuters", "- Reuters"])
def test_reuters_credit_positive(reuters: RulePack, line: str) -> None:
    assert _searches(reuters.credits, line)


@pytest.mark.parametrize("span", ["(AP Photo/Jane Doe)", "(AP Photo/Evan Vucci, File)", "Evan Vucci/AP"])
def test_ap_photo_credits_are_ignored(ap: RulePack, span: str) -> None:
    assert _searches(ap.ignore, span)


def test_reuters_photo_credit_is_ignored(reuters: RulePack) -> None:
    assert _searches(reuters.ignore, "REUTERS/Kevin Lamarque/File Photo")


def test_pack_for_accepts_ids_and_aliases_in_any_case(packs: list[RulePack]) -> None:
    assert pack_for(packs, "ap") is pack_for(packs, "AP")
    assert pack_for(packs, "Associated Press") is pack_for(packs, "AP")
    assert pack_for(packs, "REUTERS") is pack_for(packs, "Reuters")
    assert pack_for(packs, "agence france-presse") is pack_for(packs, "AFP")
    assert pack_for(packs, "DPA") is None


# -- user packs --------------------------------------------------------------------------------


def test_user_pack_with_same_id_replaces_builtin(tmp_path: Path) -> None:
    text = (RULES / "ap.toml").read_text(encoding="utf-8")
    _write(tmp_path / "mine", "my_ap.toml", text.replace('name = "The Associated Press"', 'name = "My AP"'))
    packs = load_packs([tmp_path / "mine"])
    assert [p.id for p in packs] == ["AFP", "AP", "PA", "Reuters"]
    ap = pack_for(packs, "AP")
    assert ap is not None and ap.name == "My AP"
    assert ap.path == tmp_path / "mine" / "my_ap.toml"


def test_user_pack_with_new_id_is_added(tmp_path: Path) -> None:
    _write(tmp_path, "xna.toml", MINIMAL)
    packs = load_packs([tmp_path])
    assert [p.id for p in packs] == ["AFP", "AP", "PA", "Reuters", "XNA"]


def test_minimal_pack_defaults(tmp_path: Path) -> None:
    pack = load_pack(_write(tmp_path, "xna.toml", MINIMAL))
    assert pack.requirement("notice") is None  # left out = not checked
    assert pack.notice.accepted == ()
    assert pack.prose_credits == () and pack.companions == () and pack.ignore == ()
    assert pack.alias.search("Source: XNA") and not pack.alias.search("xna")  # short alias: case-sensitive


def test_readme_example_is_a_valid_pack(tmp_path: Path) -> None:
    readme = (RULES / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.DOTALL)
    assert example is not None
    pack = load_pack(_write(tmp_path, "example.toml", example.group(1)))
    assert pack.id == "XNA"
    rewrite = pack.requirement("rewrite")
    assert rewrite is not None and rewrite.derivations == ("spun",)


# -- errors ------------------------------------------------------------------------------------


def _edit(old: str, new: str) -> str:
    """MINIMAL with one change (asserting the change applies, so no test passes vacuously)."""
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


def _error(tmp_path: Path, text: str) -> PackError:
    path = _write(tmp_path, "bad.toml", text)
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert info.value.path == path
    return info.value


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bad_toml_reports_its_line(tmp_path: Path) -> None:
    text = _edit('severity = "error"', "severity = error")
    err = _error(tmp_path, text)
    assert err.line == _line_of(text, "severity = error")
    assert "invalid TOML" in err.message
    assert str(err).startswith(f"{err.path}:{err.line}:")


def test_bad_regex_reports_its_line(tmp_path: Path) -> None:
    text = _edit("patterns = ['^Source:\\s*{ALIAS}']", "patterns = ['^Source:(\\s*{ALIAS}']")
    err = _error(tmp_path, text)
    assert err.line == _line_of(text, "^Source:(")
    assert "bad regex" in err.message


def test_unknown_macro_is_an_error(tmp_path: Path) -> None:
    text = _edit("^(?i:by)\\s+{ALIAS}", "^(?i:by)\\s+{AGENCY}")
    err = _error(tmp_path, text)
    assert "unknown macro {AGENCY}" in err.message
    assert err.line == _line_of(text, "{AGENCY}")


def test_missing_table_is_an_error(tmp_path: Path) -> None:
    err = _error(tmp_path, _edit("[byline]\npatterns = ['^(?i:by)\\s+{ALIAS}']\n", ""))
    assert "missing table [byline]" in err.message


def test_missing_key_points_at_its_table(tmp_path: Path) -> None:
    text = _edit('canonical = "© {year} Example News Agency."\n', "")
    err = _error(tmp_path, text)
    assert "notice.canonical" in err.message
    assert err.line == _line_of(text, "[notice]")


def test_missing_aliases_is_an_error(tmp_path: Path) -> None:
    err = _error(tmp_path, _edit('aliases = ["Example News Agency", "XNA"]\n', ""))
    assert "aliases" in err.message


def test_bad_severity_is_an_error(tmp_path: Path) -> None:
    text = _edit('severity = "error"', 'severity = "fatal"')
    err = _error(tmp_path, text)
    assert "severity" in err.message and err.line == _line_of(text, '"fatal"')


def test_unknown_message_field_is_an_error(tmp_path: Path) -> None:
    text = _edit("Not credited: {agency_name}.", "Not credited: {person}.")
    err = _error(tmp_path, text)
    assert "{person}" in err.message and err.line == _line_of(text, "Not credited")


def test_bad_rule_id_is_an_error(tmp_path: Path) -> None:
    err = _error(tmp_path, _edit('id = "XNA-CREDIT"', 'id = "credit"'))
    assert "rule id" in err.message


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    text = _edit("[credit]\n", "[credit]\npaterns = []\n")
    err = _error(tmp_path, text)
    assert "paterns" in err.message and err.line == _line_of(text, "paterns")


def test_unknown_requirement_is_an_error(tmp_path: Path) -> None:
    text = MINIMAL + '\n[requirements.speling]\nid = "XNA-X"\nseverity = "info"\nmessage = "x"\n'
    err = _error(tmp_path, text)
    assert "speling" in err.message and err.line == _line_of(text, "speling")


def test_unknown_derivation_is_an_error(tmp_path: Path) -> None:
    text = MINIMAL + '\n[requirements.rewrite]\nid = "XNA-REWRITE"\nseverity = "info"\nmessage = "x"\n'
    text += 'derivations = ["spinned"]\n'
    err = _error(tmp_path, text)
    assert "spinned" in err.message and err.line == _line_of(text, "spinned")


def test_two_packs_for_one_agency_in_a_directory(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", MINIMAL)
    _write(tmp_path, "b.toml", MINIMAL)
    with pytest.raises(PackError, match="already defined"):
        load_packs([tmp_path])


def test_missing_user_directory(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="not found"):
        load_packs([tmp_path / "nowhere"])


def test_link_requirement_accepts_when_claimed_only_for_links(tmp_path: Path) -> None:
    source = (builtin_rules_dir() / "ap.toml").read_text(encoding="utf-8")
    bad = source.replace(
        '[requirements.rewrite]\nid = "AP-REWRITE"',
        '[requirements.rewrite]\nrequired = "when-claimed"\nid = "AP-REWRITE"',
    )
    path = tmp_path / "ap.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(PackError, match="'required' must be true or false"):
        load_pack(path)
