"""Project configuration: ``provenance.toml``, or ``[tool.provenance]`` in ``pyproject.toml``.

A newsroom states once what its licences are and how strict its gate is, and every run (a
developer's, CI's) uses the same settings; command-line flags override the file. The file
is found by walking up from the working directory (``provenance.toml`` wins over
``pyproject.toml`` in the same directory), or named with ``--config``. Paths in it are
relative to the file.

::

    [tool.provenance]                 # in provenance.toml: the same keys at top level
    licensed = ["AP"]                 # agencies the publisher is licensed for
    fail-on = "error"                 # default --fail-on for `audit` and `check`
    rules = ["rules-local"]           # extra rule-pack directories
    ignore = ["drafts/**", "*.tmp.html"]
    baseline = ".provenance-baseline.json"

    [tool.provenance.severity]        # per-rule severity: error, warning, info or off
    "AP-REWRITE" = "error"
    "AP-LINK" = "off"

    [tool.provenance.thresholds]
    min-coverage = 0.2                # ignore matches reproducing less of the story

Every name in it is checked, so that a typo is an error rather than a check silently
switched off: unknown keys and thresholds, and out-of-range values, when the file is loaded;
rule ids (``severity``) and agencies (``licensed``, or ``--licensed``), which only the rule
packs know and the packs may come from the file's own ``rules``, by :func:`validate` once the
packs are loaded. Severity keys are rule ids in any case; agencies are ids or aliases in any
case; both are stored in their packs' spelling.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from provenance.model import SEVERITY_RANK, Finding, Match
from provenance.packs import RulePack, UnknownName, resolve_agency, resolve_rule

CONFIG_FILE = "provenance.toml"
PYPROJECT = "pyproject.toml"
OFF = "off"
_KEYS = frozenset({"licensed", "fail-on", "rules", "ignore", "baseline", "severity", "thresholds"})
# Threshold -> (lowest, highest, what it is): a value outside the range would not tune a check
# but disable it (min-coverage = 2 ignores every match).
_THRESHOLDS: dict[str, tuple[float, float, str]] = {
    "min-coverage": (0.0, 1.0, "the share of a story a match must reproduce"),
}
LICENSED_OPTION = "--licensed"


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file (if any) and the key."""

    def __init__(self, path: Path | None, message: str) -> None:
        super().__init__(f"{path}: {message}" if path is not None else message)
        self.path = path


@dataclass(frozen=True)
class Config:
    """What the configuration says; every field has a do-nothing default."""

    licensed: tuple[str, ...] | None = None  # None: licences not configured, not checked
    fail_on: str | None = None
    rules: tuple[Path, ...] = ()
    ignore: tuple[str, ...] = ()
    baseline: Path | None = None
    severity: dict[str, str] = field(default_factory=dict)
    min_coverage: float = 0.0
    path: Path | None = None

    def ignores(self, source: str) -> bool:
        """True when a page's source matches one of the ``ignore`` patterns."""
        name = source.replace("\\", "/")
        return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(Path(name).name, p) for p in self.ignore)

    def keep_match(self, match: Match | None) -> Match | None:
        """The match, unless it reproduces less of the story than ``min-coverage``."""
        if match is not None and match.coverage < self.min_coverage:
            return None
        return match

    def adjust(self, findings: Sequence[Finding]) -> list[Finding]:
        """Apply severity overrides; rules set to ``off`` are dropped."""
        out = []
        for f in findings:
            level = self.severity.get(f.rule)
            if level == OFF:
                continue
            out.append(replace(f, severity=level) if level else f)  # type: ignore[arg-type]
        return out


def find_config(start: Path) -> Path | None:
    """The nearest ``provenance.toml``, or ``pyproject.toml`` with a ``[tool.provenance]`` table."""
    for directory in [start.resolve(), *start.resolve().parents]:
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and "provenance" in _read(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config(explicit: Path | None = None, start: Path | None = None) -> Config:
    path = explicit or find_config(start or Path.cwd())
    if path is None:
        return Config()
    data = _read(path)
    table = data.get("tool", {}).get("provenance", {}) if path.name == PYPROJECT else data
    return _parse(path, table)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"bad TOML: {exc}") from None


def _parse(path: Path, table: dict[str, Any]) -> Config:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(path, f"unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    base = path.parent
    licensed = table.get("licensed")
    severity = _table(path, table, "severity")
    for rule, level in severity.items():
        _check_level(path, rule, level)
    thresholds = _table(path, table, "thresholds")
    for key in set(thresholds) - _THRESHOLDS.keys():
        raise ConfigError(path, f"unknown threshold {key!r} (known: {', '.join(sorted(_THRESHOLDS))})")
    for key, value in thresholds.items():
        _check_threshold(path, key, value)
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITY_RANK:
        raise ConfigError(path, f"fail-on: {fail_on!r} is not error, warning or info")
    baseline = table.get("baseline")
    return Config(
        licensed=tuple(_strings(path, table, "licensed")) if licensed is not None else None,
        fail_on=fail_on,
        rules=tuple(base / p for p in _strings(path, table, "rules")),
        ignore=tuple(_strings(path, table, "ignore")),
        baseline=base / baseline if isinstance(baseline, str) else None,
        severity=dict(severity),
        min_coverage=float(thresholds.get("min-coverage", 0.0)),
        path=path,
    )


def validate(
    config: Config, packs: Sequence[RulePack], licensed_option: Sequence[str] | None = None
) -> Config:
    """The configuration checked against the loaded rule packs, its names in the packs' spelling.

    Rule ids and agencies are known only once the packs are loaded (the file's ``rules`` and
    ``--rules`` add packs), so :func:`load_config` cannot check them. A severity override of a
    rule no pack declares, or a licence for an agency no pack knows, would silently do
    nothing; each is a :class:`ConfigError` naming the file, the key, the valid names and the
    closest one. ``licensed_option``: the ``--licensed`` values, when given; they replace the
    file's ``licensed`` (as the command line does) and their errors name the option.
    """
    severity: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for key, level in config.severity.items():
        _check_level(config.path, key, level)
        try:
            rule = resolve_rule(key, packs)
        except UnknownName as exc:
            raise ConfigError(config.path, str(exc.at("severity"))) from None
        if rule in severity:
            raise ConfigError(config.path, f"severity: {rule} is given twice ({spelled[rule]!r} and {key!r})")
        severity[rule], spelled[rule] = level, key
    _check_threshold(config.path, "min-coverage", config.min_coverage)
    if licensed_option:
        licensed = _agencies(None, LICENSED_OPTION, licensed_option, packs)
    elif config.licensed is not None:
        licensed = _agencies(config.path, "licensed", config.licensed, packs)
    else:
        licensed = None
    return replace(config, severity=severity, licensed=licensed)


def _agencies(
    path: Path | None, where: str, names: Sequence[str], packs: Sequence[RulePack]
) -> tuple[str, ...]:
    """Agency names as pack ids, each once, in the order given; an unknown one is an error."""
    ids: list[str] = []
    for name in names:
        try:
            agency = resolve_agency(name, packs)
        except UnknownName as exc:
            raise ConfigError(path, str(exc.at(where))) from None
        if agency not in ids:
            ids.append(agency)
    return tuple(ids)


def _check_level(path: Path | None, rule: str, level: object) -> None:
    if level not in (*SEVERITY_RANK, OFF):
        raise ConfigError(path, f"severity of {rule}: {level!r} is not error, warning, info or off")


def _check_threshold(path: Path | None, key: str, value: object) -> None:
    """A threshold must be a number (not a string or boolean) within its range."""
    low, high, meaning = _THRESHOLDS[key]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not low <= value <= high:  # type: ignore[operator]  # a number here; NaN fails
        raise ConfigError(
            path, f"thresholds.{key}: {value!r} is not a number from {low:g} to {high:g} ({meaning})"
        )


def _strings(path: Path, table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, f"{key} must be a list of strings")
    return value


def _table(path: Path, table: dict[str, Any], key: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(path, f"[{key}] must be a table")
    return value
