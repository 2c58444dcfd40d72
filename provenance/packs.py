"""Rule packs: everything provenance knows about one news agency, loaded from ``rules/*.toml``.

Agency conventions (dateline shapes, byline forms, the exact copyright notice a licence asks
for) change more often than the code that applies them, and users must be able to add an
agency or fix a pattern without a release. So all agency-specific knowledge lives in TOML
packs; this module only reads, validates and compiles them. The schema is documented in
``rules/README.md``. Validation also refuses what would only fail during an audit: patterns
that can backtrack without end (see :func:`backtracking_hazard`; Python's ``re`` has no
timeout) and message templates other than plain ``{field}`` placeholders.

Patterns may use macros written ``{NAME}`` (upper-case identifiers only, so regex quantifiers
such as ``{2,4}`` are untouched). Built-in macros are generic, not agency knowledge:
``{ALIAS}`` (the pack's aliases), ``{NAME}`` (one person name), ``{NAMES}`` (a list of them).
A pack may define more in its ``[macros]`` table.
"""

from __future__ import annotations

import difflib
import importlib.resources
import re
import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from provenance.model import Severity
from provenance.regex_safety import backtracking_hazard

SEVERITIES: frozenset[str] = frozenset({"error", "warning", "info"})
DERIVATIONS: frozenset[str] = frozenset({"verbatim", "edited", "spun", "partial"})
# Requirement key -> derivations it applies to when a pack does not say ("derivations" key).
DEFAULT_DERIVATIONS: dict[str, tuple[str, ...]] = {
    "rewrite": ("spun", "edited"),  # derivations that count as rewriting
    "byline": ("verbatim", "edited", "spun"),  # a partial copy's byline is the page's own article
}

# Requirement key -> template fields its message may use.
_BASE_FIELDS = frozenset({"agency", "agency_name"})
REQUIREMENT_FIELDS: dict[str, frozenset[str]] = {
    "credit": _BASE_FIELDS | {"copied"},
    "miscredit": _BASE_FIELDS | {"credited", "copied"},
    "notice": _BASE_FIELDS | {"copied"},
    "notice_form": _BASE_FIELDS | {"difference", "notice"},
    "byline": _BASE_FIELDS | {"person"},
    "rewrite": _BASE_FIELDS | {"derivation", "rewritten", "swaps"},
    "link": _BASE_FIELDS,
    "license": _BASE_FIELDS | {"derivation"},
    "killed": _BASE_FIELDS | {"story", "status", "copied"},
    "embargo": _BASE_FIELDS | {"story", "embargoed", "published", "published_from", "copied"},
}

# A name word: a capital, then letters, apostrophes and hyphens ("O'Neill", "Chavez-Dreyfuss"),
# 40 characters at most. The bound is checked once, by a possessive lookahead, and the word gives
# characters back only at a hyphen ("Jill Colvin-Associated Press"): an unanchored search
# otherwise rescans a long run of letters ("AAAA...") from each of its positions, backtracking
# through every length, and takes quadratic time.
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ](?=[\w'\-]{0,39}+(?![\w'\-]))[\w']*+(?:-[\w']*+)*\.?"
_PARTICLE = r"(?:de|da|del|della|der|den|van|von|di|du|la|le|bin|ibn|al|el|dos|das)"
_NAME = rf"(?:{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,3}})"
# At most eight names: no byline lists more, and the bound keeps unanchored searches linear.
_NAMES = rf"(?:{_NAME}(?:\s*(?:,|&|\band\b)\s*{_NAME}){{0,7}})"
BUILTIN_MACROS: dict[str, str] = {"NAME": _NAME, "NAMES": _NAMES}

_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
_REWRITE_HINT = (
    "rewrite it so that it reads any text in one way only (a possessive quantifier such as a++,"
    " or iterations that each start with a character the previous one cannot end with)"
)
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
_TOML_LINE = re.compile(r"line (\d+)")

_TOP_KEYS = frozenset(
    {
        "id",
        "name",
        "aliases",
        "macros",
        "ignore",
        "dateline",
        "byline",
        "credit",
        "contributor",
        "notice",
        "link",
        "requirements",
    }
)
_SECTION_KEYS: dict[str, frozenset[str]] = {
    "dateline": frozenset({"patterns"}),
    "byline": frozenset({"patterns"}),
    "credit": frozenset({"patterns", "prose", "mentions", "signoffs"}),
    "contributor": frozenset({"patterns", "companions"}),
    "notice": frozenset({"marker", "canonical", "accepted", "boilerplate"}),
    "link": frozenset({"domains", "claims"}),
}
_OPTIONAL_SECTIONS = frozenset({"link"})
WHEN_CLAIMED = "when-claimed"  # link requirement: only when the page claims to link its source
_REQUIREMENT_KEYS = frozenset(
    {"id", "severity", "message", "message_unmatched", "required", "derivations", "metadata", "unmatched"}
)
_UNMATCHED_KEYS = frozenset({"credit", "notice", "byline"})  # requirements that can run without a match


class PackError(Exception):
    """A rule pack that cannot be used, with the place to fix it (line is 1-based, or None)."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One check a pack asks for: a stable rule id, how bad a breach is and what to say."""

    key: str  # credit | notice | notice_form | byline | rewrite | link
    rule: str  # stable rule id, e.g. "AP-CREDIT"
    severity: Severity
    message: str  # template of plain {field}s (checked at loading); fields listed in REQUIREMENT_FIELDS
    required: bool | str = True  # link: True, False or "when-claimed"
    derivations: tuple[str, ...] = ()  # rewrite: what counts as rewriting; byline: where it applies
    metadata: bool = False  # credit: a credit only in the page's metadata (meta, JSON-LD) satisfies it
    message_unmatched: str = ""  # credit, notice, byline: the message when no story is matched (signals only)
    unmatched: bool = False  # byline: checked even when no story is matched (against the page's own names)

    def render(self, matched: bool = True, **fields: str) -> str:
        """The message with its fields filled (fields were checked when the pack was loaded).

        ``matched``: whether a story of the corpus is matched; when none is, the page is only
        known to carry the agency's signals, and ``message_unmatched`` (if any) says so.
        """
        template = self.message if matched or not self.message_unmatched else self.message_unmatched
        return template.format(**fields)


@dataclass(frozen=True, slots=True)
class NoticeRules:
    """How to find the agency's copyright notice and which wordings are accepted."""

    marker: re.Pattern[str]  # where a notice starts (©, (c), "Copyright 2024"...)
    canonical: str  # the form to quote; "{year}" stands for any four-digit year
    accepted: tuple[str, ...]  # other accepted forms, same placeholder
    boilerplate: frozenset[str]  # lower-case words that continue a notice (rights, reserved...)

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.canonical, *self.accepted)


@dataclass(frozen=True, slots=True)
class RulePack:
    """An agency's compiled rules (see rules/README.md for what each field means)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    alias: re.Pattern[str]  # any alias, as a whole word
    ignore: tuple[re.Pattern[str], ...]  # spans that look like credits but are not (photo credits)
    datelines: tuple[re.Pattern[str], ...]
    bylines: tuple[re.Pattern[str], ...]
    credits: tuple[re.Pattern[str], ...]  # credit lines
    prose_credits: tuple[re.Pattern[str], ...]  # credits inside body sentences
    contributors: tuple[re.Pattern[str], ...]
    companions: tuple[re.Pattern[str], ...]  # extra contributor names, only on contributor lines
    notice: NoticeRules
    requirements: tuple[Requirement, ...]
    link_domains: tuple[str, ...] = ()  # the agency's web domains: a link there cites the agency
    mentions: tuple[re.Pattern[str], ...] = ()  # the agency cited for one fact ("according to Reuters")
    signoffs: tuple[re.Pattern[str], ...] = ()  # credit lines only after the story's last paragraph
    link_claims: tuple[re.Pattern[str], ...] = ()  # lines claiming a link to the source is given
    path: Path | None = None

    def requirement(self, key: str) -> Requirement | None:
        """The requirement ``key`` when the pack declares it and marks it required."""
        for req in self.requirements:
            if req.key == key and req.required:
                return req
        return None


def alias_pattern(aliases: Iterable[str]) -> str:
    """Regex source matching any alias as a whole word.

    Short all-capital aliases ("AP") are matched case-sensitively, so the word "ap" in other
    text is not taken for the agency; longer aliases ignore case. A following slash or hyphen
    ends the match ("AP-NORC", "REUTERS/Jane Doe" are other things). Longest first, then in
    alphabetical order: the same source in every process (a set's order is not), which the
    corpus's source signature hashes.
    """
    parts = []
    for alias in sorted(set(aliases), key=lambda a: (-len(a), a)):
        body = r"\s+".join(re.escape(w) for w in alias.split())
        short = alias.isupper() and len(alias) <= 3
        parts.append(body if short else f"(?i:{body})")
    return rf"(?<![\w/-])(?:{'|'.join(parts)})(?![\w/-])"


def builtin_rules_dir() -> Path:
    """Where the built-in packs are: inside the installed wheel, else the checkout's rules/."""
    try:
        shipped = importlib.resources.files("provenance") / "_rules"
        if isinstance(shipped, Path) and shipped.is_dir():
            return shipped
    except (ModuleNotFoundError, NotADirectoryError):  # pragma: no cover - odd installs
        pass
    import provenance

    return Path(provenance.__file__).resolve().parent.parent / "rules"


def load_packs(extra_dirs: Sequence[Path] = ()) -> list[RulePack]:
    """Built-in packs, then user packs; a user pack with the same agency id replaces the built-in.

    User packs' patterns are checked for exponential backtracking (:func:`backtracking_hazard`);
    the built-in packs' are checked by the test suite instead, which saves a fraction of a
    second on every run.
    """
    packs: dict[str, RulePack] = {}
    for pack in _packs_in(builtin_rules_dir(), check_backtracking=False):
        packs[pack.id.casefold()] = pack
    for extra in extra_dirs:
        for pack in _packs_in(Path(extra)):
            packs[pack.id.casefold()] = pack
    return list(packs.values())


def pack_for(packs: Iterable[RulePack], agency_id: str) -> RulePack | None:
    """The pack for an agency id (or one of its aliases), ignoring case."""
    wanted = agency_id.casefold().strip()
    for pack in packs:
        if pack.id.casefold() == wanted or wanted in (a.casefold() for a in pack.aliases):
            return pack
    return None


class UnknownName(ValueError):
    """A name the user typed (an agency, a rule id) that no loaded pack knows.

    A typo must not switch a check off silently (stories stored under an agency no pack
    knows are matched but no rule applies; a severity override of a misspelt rule changes
    nothing), so callers turn this into an error. The one-line message lists the valid names
    and the closest one: "unknown agency 'Reutres' (did you mean Reuters? known: AFP, AP, PA,
    Reuters)". ``where`` (an option or config key) prefixes it when given.
    """

    def __init__(
        self, kind: str, name: str, known: Sequence[str], suggestion: str | None = None, where: str = ""
    ) -> None:
        self.kind = kind
        self.name = name
        self.known = tuple(known)
        self.suggestion = suggestion
        self.where = where
        hint = f"did you mean {suggestion}? " if suggestion else ""
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}unknown {kind} {name!r} ({hint}known: {', '.join(self.known)})")

    def at(self, where: str) -> UnknownName:
        """The same error, said of ``where`` (the option or key the name was given in)."""
        return UnknownName(self.kind, self.name, self.known, self.suggestion, where)


def agency_ids(packs: Iterable[RulePack]) -> list[str]:
    """The agency ids of the packs, sorted ignoring case (the valid values of an agency name)."""
    return sorted({pack.id for pack in packs}, key=str.casefold)


def resolve_agency(name: str, packs: Sequence[RulePack]) -> str:
    """The pack id of an agency a user typed: an id or alias, any case ("associated press" -> "AP").

    Raises :class:`UnknownName` (a ``ValueError``) naming the known agencies and the closest
    match when no pack knows ``name``: an agency without a pack would switch every rule off.
    """
    pack = pack_for(packs, name)
    if pack is not None:
        return pack.id
    spellings = {pack.id.casefold(): pack.id for pack in packs}
    for pack in packs:
        spellings.update((alias.casefold(), pack.id) for alias in pack.aliases)
    return _unknown("agency", name, agency_ids(packs), spellings)


# Rule ids the tool raises itself, whatever the packs (suppressions that suppress nothing, or
# name a rule no pack has): a severity override may name them too.
UNUSED_SUPPRESSION = "PROVENANCE-UNUSED-SUPPRESSION"
UNKNOWN_RULE = "PROVENANCE-UNKNOWN-RULE"
MANIPULATION = "MANIPULATION"  # a copy dressed to hide from matching (provenance.manipulation)
IGNORED_MARKER = "PROVENANCE-IGNORED-MARKER"  # an inline marker in a page that is not the publisher's
TOOL_RULES = frozenset({UNUSED_SUPPRESSION, UNKNOWN_RULE, MANIPULATION, IGNORED_MARKER})


def rule_ids(packs: Iterable[RulePack]) -> list[str]:
    """Every rule id the packs declare, sorted (what an inline marker may name)."""
    return sorted({req.rule for pack in packs for req in pack.requirements})


def resolve_rule(name: str, packs: Sequence[RulePack]) -> str:
    """The rule id ``name`` stands for, ignoring case ("ap-link" -> "AP-LINK").

    Rule ids are upper case by the pack schema, so case cannot tell two apart (inline
    suppression markers ignore it too). Raises :class:`UnknownName` with the known ids and
    the closest one when no pack declares the rule: an override of it would do nothing.
    """
    known = sorted({*rule_ids(packs), *TOOL_RULES})
    spellings = {rule.casefold(): rule for rule in known}
    found = spellings.get(name.strip().casefold())
    if found is not None:
        return found
    return _unknown("rule", name, known, spellings)


def _unknown(kind: str, name: str, known: Sequence[str], spellings: Mapping[str, str]) -> NoReturn:
    """Raise UnknownName, with the canonical name of the closest spelling (if any is close)."""
    close = difflib.get_close_matches(name.strip().casefold(), list(spellings), n=1, cutoff=0.6)
    raise UnknownName(kind, name, known, spellings[close[0]] if close else None)


def _packs_in(path: Path, check_backtracking: bool = True) -> list[RulePack]:
    """Packs of one directory (or one file); two packs for one agency in a directory is an error."""
    if path.is_file():
        return [load_pack(path, check_backtracking=check_backtracking)]
    if not path.is_dir():
        raise PackError(path, None, "rules directory not found")
    seen: dict[str, Path] = {}
    out: list[RulePack] = []
    for file in sorted(path.glob("*.toml")):
        pack = load_pack(file, check_backtracking=check_backtracking)
        key = pack.id.casefold()
        if key in seen:
            raise PackError(file, None, f"agency id {pack.id!r} is already defined in {seen[key]}")
        seen[key] = file
        out.append(pack)
    return out


def load_pack(path: Path, *, check_backtracking: bool = True) -> RulePack:
    """Read, validate and compile one pack; any problem raises PackError with a line number.

    ``check_backtracking``: refuse patterns that can take exponential time on a line
    (:func:`backtracking_hazard`); only packs known to pass (the built-in ones) skip it.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(path, None, f"cannot read pack: {exc}") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        raise PackError(path, int(found.group(1)) if found else None, f"invalid TOML: {exc}") from exc
    return _Builder(path, raw, data, check_backtracking).build()


class _Builder:
    """Turns parsed TOML into a RulePack, pointing errors at the offending line."""

    def __init__(self, path: Path, raw: str, data: dict[str, Any], check_backtracking: bool = True) -> None:
        self.path = path
        self.check_backtracking = check_backtracking
        self.lines = raw.splitlines()
        self.data = data
        self.macros: dict[str, str] = {}
        self.user_macros: dict[str, str] = {}

    def build(self) -> RulePack:
        self._check_keys(self.data, _TOP_KEYS, "")
        agency_id = self._string(self.data, "id", "")
        aliases = self._strings(self.data, "aliases", "", required=True)
        if not aliases:
            self.fail("aliases", "", "'aliases' must list at least one name")
        self.user_macros = self._user_macros()
        self.macros = {**BUILTIN_MACROS, "ALIAS": alias_pattern(aliases), **self.user_macros}
        sections = {key: self._section(key) for key in _SECTION_KEYS}
        return RulePack(
            id=agency_id,
            name=self._string(self.data, "name", ""),
            aliases=tuple(aliases),
            alias=re.compile(self.macros["ALIAS"]),
            ignore=self._patterns(self.data, "ignore", ""),
            datelines=self._patterns(sections["dateline"], "patterns", "dateline", required=True),
            bylines=self._patterns(sections["byline"], "patterns", "byline", required=True),
            credits=self._patterns(sections["credit"], "patterns", "credit", required=True),
            prose_credits=self._patterns(sections["credit"], "prose", "credit"),
            contributors=self._patterns(sections["contributor"], "patterns", "contributor", required=True),
            companions=self._patterns(sections["contributor"], "companions", "contributor"),
            notice=self._notice(sections["notice"]),
            requirements=self._requirements(),
            link_domains=tuple(
                d.lower().removeprefix("www.") for d in self._strings(sections["link"], "domains", "link")
            ),
            link_claims=self._patterns(sections["link"], "claims", "link"),
            mentions=self._patterns(sections["credit"], "mentions", "credit"),
            signoffs=self._patterns(sections["credit"], "signoffs", "credit"),
            path=self.path,
        )

    # -- errors and lookups --------------------------------------------------------------

    def fail(self, needle: str, table: str, message: str) -> NoReturn:
        raise PackError(self.path, self._line_of(needle, table), message)

    def _line_of(self, needle: str, table: str) -> int | None:
        """Best-effort source line: the needle inside its table, else the table header."""
        header = self._table_line(table)
        if not needle:
            return header
        start, end = 0, len(self.lines)
        if header:
            start = header - 1
            later = (i for i in range(header, len(self.lines)) if self.lines[i].lstrip().startswith("["))
            end = next(later, len(self.lines))
        key = re.compile(rf"^\s*[\"']?{re.escape(needle)}[\"']?\s*=")
        escaped = needle.replace("\\", "\\\\")
        tests = (key.match, lambda line: needle in line or escaped in line)
        for test in tests:
            for i in range(start, end):
                if test(self.lines[i]):
                    return i + 1
        return header

    def _table_line(self, table: str) -> int | None:
        if not table:
            return None
        header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
        for i, line in enumerate(self.lines):
            if header.match(line):
                return i + 1
        return None

    def _check_keys(self, table: Mapping[str, Any], allowed: frozenset[str], name: str) -> None:
        for key in table:
            if key not in allowed:
                where = f"[{name}]" if name else "the top level"
                self.fail(key, name, f"unknown key {key!r} in {where}")

    def _section(self, key: str) -> dict[str, Any]:
        section = self.data.get(key, {} if key in _OPTIONAL_SECTIONS else None)
        if not isinstance(section, dict):
            self.fail("", "", f"missing table [{key}]")
        self._check_keys(section, _SECTION_KEYS[key], key)
        return section

    def _string(self, table: Mapping[str, Any], key: str, name: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key if key in table else "", name, f"{_label(name, key)} must be a non-empty string")
        return value

    def _strings(self, table: Mapping[str, Any], key: str, name: str, required: bool = False) -> list[str]:
        if key not in table:
            if required:
                self.fail("", name, f"missing key {_label(name, key)}")
            return []
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(key, name, f"{_label(name, key)} must be a list of non-empty strings")
        return value

    # -- patterns ------------------------------------------------------------------------

    def _user_macros(self) -> dict[str, str]:
        table = self.data.get("macros", {})
        if not isinstance(table, dict):
            self.fail("macros", "", "[macros] must be a table")
        out: dict[str, str] = {}
        for key, value in table.items():
            if not _MACRO.fullmatch("{" + key + "}") or not isinstance(value, str):
                self.fail(key, "macros", f"macro {key!r} must be an UPPER_CASE name with a string value")
            out[key] = value
        return out

    def _expand(self, source: str, table: str, depth: int = 0) -> str:
        def replace(m: re.Match[str]) -> str:
            if m.group(1) not in self.macros:
                self.fail(source, table, f"unknown macro {{{m.group(1)}}} in pattern {source!r}")
            return f"(?:{self.macros[m.group(1)]})"

        expanded = _MACRO.sub(replace, source)
        if _MACRO.search(expanded) and depth < 5:
            return self._expand(expanded, table, depth + 1)
        return expanded

    def _compile(self, source: str, table: str) -> re.Pattern[str]:
        expanded = self._expand(source, table)
        try:
            compiled = re.compile(expanded)
        except re.error as exc:
            self.fail(source, table, f"bad regex {source!r}: {exc}")
        if self.check_backtracking:
            self._check_backtracking(source, expanded, table)
        return compiled

    def _check_backtracking(self, source: str, expanded: str, table: str) -> None:
        """Refuse a pattern that can take exponential time (see :func:`backtracking_hazard`),
        pointing at the user macro that causes it when one does by itself."""
        reason = backtracking_hazard(expanded)
        if reason is None:
            return
        for name in dict.fromkeys(_MACRO.findall(source)):
            body = self.user_macros.get(name)
            own = backtracking_hazard(self._expand(body, "macros")) if body is not None else None
            if own:
                self.fail(name, "macros", f"macro {{{name}}} {body!r}: {own}; {_REWRITE_HINT}")
        self.fail(source, table, f"pattern {source!r}: {reason}; {_REWRITE_HINT}")

    def _patterns(
        self, table: Mapping[str, Any], key: str, name: str, required: bool = False
    ) -> tuple[re.Pattern[str], ...]:
        return tuple(self._compile(s, name) for s in self._strings(table, key, name, required))

    # -- notice and requirements ---------------------------------------------------------

    def _notice(self, table: Mapping[str, Any]) -> NoticeRules:
        canonical = self._string(table, "canonical", "notice")
        accepted = self._strings(table, "accepted", "notice")
        return NoticeRules(
            marker=self._compile(self._string(table, "marker", "notice"), "notice"),
            canonical=canonical,
            accepted=tuple(accepted),
            boilerplate=frozenset(w.casefold() for w in self._strings(table, "boilerplate", "notice")),
        )

    def _requirements(self) -> tuple[Requirement, ...]:
        table = self.data.get("requirements", {})
        if not isinstance(table, dict):
            self.fail("requirements", "", "[requirements] must be a table of tables")
        return tuple(self._requirement(key, value) for key, value in table.items())

    def _requirement(self, key: str, table: Any) -> Requirement:
        name = f"requirements.{key}"
        if key not in REQUIREMENT_FIELDS:
            known = ", ".join(REQUIREMENT_FIELDS)
            self.fail(key, "requirements", f"unknown requirement {key!r} (known: {known})")
        if not isinstance(table, dict):
            self.fail(key, "requirements", f"[{name}] must be a table")
        self._check_keys(table, _REQUIREMENT_KEYS, name)
        rule = self._string(table, "id", name)
        if not _RULE_ID.match(rule):
            self.fail(rule, name, f"rule id {rule!r} must look like AGENCY-RULE (upper case, hyphens)")
        severity = self._string(table, "severity", name)
        if severity not in SEVERITIES:
            self.fail(severity, name, f"severity {severity!r} must be one of {sorted(SEVERITIES)}")
        required = table.get("required", True)
        if not (isinstance(required, bool) or (key == "link" and required == WHEN_CLAIMED)):
            allowed = f"true, false or {WHEN_CLAIMED!r}" if key == "link" else "true or false"
            self.fail("required", name, f"'required' must be {allowed}")
        message = self._string(table, "message", name)
        self._check_template(message, REQUIREMENT_FIELDS[key], name, "message")
        unmatched = ""
        if "message_unmatched" in table:
            if key not in _UNMATCHED_KEYS:
                keys = " and ".join(sorted(_UNMATCHED_KEYS))
                self.fail(
                    "message_unmatched", name, f"'message_unmatched' is for the {keys} requirements only"
                )
            unmatched = self._string(table, "message_unmatched", name)
            self._check_template(unmatched, REQUIREMENT_FIELDS[key], name, "message_unmatched")
        metadata = table.get("metadata", False)
        if not isinstance(metadata, bool) or (metadata and key != "credit"):
            self.fail(
                "metadata", name, "'metadata' must be true or false, and only [requirements.credit] takes it"
            )
        without_match = table.get("unmatched", False)
        if not isinstance(without_match, bool) or (without_match and key != "byline"):
            self.fail(
                "unmatched",
                name,
                "'unmatched' must be true or false, and only [requirements.byline] takes it",
            )
        return Requirement(
            key=key,
            rule=rule,
            severity=severity,  # type: ignore[arg-type]  # checked against SEVERITIES above
            message=message,
            required=required,
            derivations=self._derivations(key, table, name),
            metadata=metadata,
            message_unmatched=unmatched,
            unmatched=without_match,
        )

    def _derivations(self, key: str, table: Mapping[str, Any], name: str) -> tuple[str, ...]:
        if "derivations" not in table:
            return DEFAULT_DERIVATIONS.get(key, ())
        values = self._strings(table, "derivations", name)
        for value in values:
            if value not in DERIVATIONS:
                self.fail(value, name, f"unknown derivation {value!r} (known: {sorted(DERIVATIONS)})")
        return tuple(values)

    def _check_template(self, message: str, allowed: frozenset[str], name: str, key: str) -> None:
        """A message may only use plain ``{field}`` placeholders (``{{`` and ``}}`` for braces).

        A conversion (``{agency_name!r}``), a format spec (``{agency_name:d}``,
        ``{agency_name:>300000000}``) or an attribute or index (``{agency_name.upper}``,
        ``{agency_name[0]}``) would only fail, or explode, when a finding is rendered during
        an audit; ``rules check`` must catch them, so they are refused here.
        """
        try:
            parts = [
                (f, spec, conv) for _, f, spec, conv in string.Formatter().parse(message) if f is not None
            ]
        except ValueError as exc:
            self.fail(key, name, f"bad {key} template: {exc}")
        known = sorted(allowed)
        for field_name, spec, conversion in parts:
            written = f"{{{field_name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
            if not field_name.isidentifier():
                self.fail(
                    key,
                    name,
                    f"{key} field {written} must be a plain {{name}}: positional fields, attributes"
                    f" and indexes are not allowed (one of {known})",
                )
            if field_name not in allowed:
                self.fail(key, name, f"{key} field {written} is not one of {known}")
            if conversion or spec:
                self.fail(
                    key,
                    name,
                    f"{key} field {written} must be written {{{field_name}}}: conversions (!r)"
                    " and format specs (:>10) are not allowed",
                )


def _label(table: str, key: str) -> str:
    return f"'{table}.{key}'" if table else f"'{key}'"
