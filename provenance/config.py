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
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from provenance.model import SEVERITY_RANK, Finding, Match

CONFIG_FILE = "provenance.toml"
PYPROJECT = "pyproject.toml"
OFF = "off"
_KEYS = frozenset({"licensed", "fail-on", "rules", "ignore", "baseline", "severity", "thresholds"})
_THRESHOLDS = frozenset({"min-coverage"})


class ConfigError(Exception):
    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
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
        if level not in (*SEVERITY_RANK, OFF):
            raise ConfigError(path, f"severity of {rule}: {level!r} is not error, warning, info or off")
    thresholds = _table(path, table, "thresholds")
    for key in set(thresholds) - _THRESHOLDS:
        raise ConfigError(path, f"unknown threshold {key!r} (known: {', '.join(sorted(_THRESHOLDS))})")
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
