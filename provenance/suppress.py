"""Suppressing findings: inline markers in a page, and a baseline file of known findings.

Both let a team adopt the gate on an existing site: an editor marks a page that is fine
(``<!-- provenance: ignore AP-REWRITE licensed rewrite, see contract 12 -->``), and a baseline
records every finding of today so that CI fails only on new ones. Suppressed findings are
still reported and saved, marked with why they were suppressed.

A suppression that no longer suppresses anything is reported too (like ruff's RUF100), or
it stays in the page for ever and hides the next real finding of that rule without anyone
having looked at it: ``PROVENANCE-UNUSED-SUPPRESSION`` (info) for an inline marker or a
baseline entry that matches no current finding, ``PROVENANCE-UNKNOWN-RULE`` (error) for a
marker naming a rule id no loaded pack defines. These findings are about the suppressions
themselves, so they are never suppressed (inline or by the baseline) and never written to a
baseline: the fix is to edit the marker or re-run ``--update-baseline``.

The baseline identifies a finding by its page, its rule and its evidence — not by line
numbers or message wording, which move when a page is edited. The page is keyed so that
every spelling of one file gives one key (see :func:`page_key`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from provenance.model import Finding, PageResult, Suppression
from provenance.packs import TOOL_RULES, UNKNOWN_RULE, UNUSED_SUPPRESSION, RulePack, rule_ids

# The start of an inline marker, up to its first rule id; the end is the first "-->" after it
# (see find_markers: a regex that also matched the end would rescan to the end of the page
# for every marker left open, quadratic time on a page of unterminated openings).
MARKER = re.compile(r"<!--\s*provenance:\s*ignore\s+(?=[A-Za-z0-9*])")
_MARKER_RULES = re.compile(r"[\w*,-]*")
_MARKER_END = "-->"
# Version 2: pages keyed relative to the configuration's root (see page_key); each entry says
# whether its page is a file. Version 1 (pages as given on the command line) is still read.
BASELINE_VERSION = 2
_READABLE_VERSIONS = (1, BASELINE_VERSION)
WILDCARDS = frozenset({"*", "ALL"})
META_RULES = TOOL_RULES
_URL = re.compile(r"^https?://", re.IGNORECASE)
_STDIN = "-"


# --------------------------------------------------------------------------- inline markers


def find_markers(source: str) -> list[Suppression]:
    """Inline markers in HTML or Markdown source, with the line each stands on.

    Linear in the size of the page, whatever it holds: each marker's end is looked for once
    (``str.find``) and the next marker after that end, so the page is read about twice, not
    once per marker. When a marker has no end, no later one can have one either and the
    search stops: a page of 30,000 unterminated openings costs one scan, not 30,000. Lines
    are counted from the previous marker on, not from the top of the page each time.
    """
    out: list[Suppression] = []
    pos = counted = 0
    line = 1
    while m := MARKER.search(source, pos):
        end = source.find(_MARKER_END, m.end())
        if end < 0:
            break
        body = source[m.end() : end]
        spec = _MARKER_RULES.match(body)
        named = spec.group() if spec else ""
        rules = tuple(r.strip().upper() for r in named.split(",") if r.strip())
        line += source.count("\n", counted, m.start())
        counted = m.start()
        out.append(Suppression(rules, " ".join(body[len(named) :].split()), line))
        pos = end + len(_MARKER_END)
    return out


def known_rules(packs: Iterable[RulePack]) -> frozenset[str]:
    """Every rule id the loaded packs define: what an inline marker may name (besides ``*``/``ALL``)."""
    return frozenset(rule.upper() for rule in rule_ids(packs))


def _covering_token(suppression: Suppression, rule: str) -> str | None:
    """The marker's id that covers ``rule`` (its own id before a wildcard), or None."""
    wanted = rule.upper()
    if wanted in suppression.rules:
        return wanted
    return next((r for r in suppression.rules if r in WILDCARDS), None)


def _suppressor(finding: Finding, markers: Sequence[Suppression]) -> tuple[int, str] | None:
    """(index, id) of the first marker that suppresses ``finding``; meta findings are never suppressed."""
    if finding.suppressed or finding.rule in META_RULES:
        return None
    for index, marker in enumerate(markers):
        token = _covering_token(marker, finding.rule)
        if token is not None:
            return index, token
    return None


def apply_markers(findings: Sequence[Finding], markers: Sequence[Suppression]) -> list[Finding]:
    """The findings, those a marker of the page covers marked suppressed (the first marker's reason)."""
    out = []
    for f in findings:
        by = _suppressor(f, markers)
        if by is not None:
            reason = markers[by[0]].reason
            f = replace(f, suppressed=True, suppressed_by=f"inline: {reason}".rstrip(": "))
        out.append(f)
    return out


def marker_findings(
    findings: Sequence[Finding], markers: Sequence[Suppression], known: Collection[str]
) -> list[Finding]:
    """Findings about the page's markers themselves: ids naming no rule, ids suppressing nothing.

    ``findings`` are the page's findings before the markers apply. An id is used when its
    marker is the one that suppresses a finding (the first marker covering it): a second
    marker for the same rule changes nothing, so it is reported as removable too.

    An unknown id is an ``error``, not a warning. A marker is a deliberate statement that
    a check does not apply to this page; when its id names nothing (a typo such as
    ``REUTER-CREDIT``, or a rule of a pack this run did not load) the statement is broken,
    the intended check is not suppressed and the marker lies to the next reader. As a
    warning it would pass the default gate (``--fail-on error``) quietly whenever the
    intended rule finds nothing today (and a marker for a rule of a pack that CI forgot to
    load would pass while that pack's checks are off); as an error the gate stops on it and
    the message names the closest ids, so the fix is one edit.
    """
    used: set[tuple[int, str]] = set()
    for f in findings:
        by = _suppressor(f, markers)
        if by is not None:
            used.add(by)
    known_upper = {k.upper() for k in known}
    candidates = sorted(known_upper)
    out: list[Finding] = []
    for index, marker in enumerate(markers):
        where = f"line {marker.line}" if marker.line is not None else "this page"
        evidence = f"provenance: ignore {','.join(marker.rules)} {marker.reason}".strip()
        unknown = [r for r in marker.rules if r not in WILDCARDS and r not in known_upper]
        for rule in unknown:
            close = difflib.get_close_matches(rule, candidates, n=3)
            hint = f"did you mean {' or '.join(close)}?" if close else "see `provenance rules list`"
            out.append(
                Finding(
                    UNKNOWN_RULE,
                    "error",
                    f"The inline marker on {where} names {rule}, which no loaded rule pack defines "
                    f"({hint}): it suppresses nothing.",
                    evidence,
                    marker.line,
                )
            )
        valid = [r for r in marker.rules if r not in unknown]
        unused = [r for r in valid if (index, r) not in used]
        if not unused:
            continue
        if len(unused) == len(valid) and not unknown:
            message = f"The inline marker on {where} ({', '.join(unused)}) suppresses no finding: it can be removed."
        else:
            message = (
                f"{', '.join(unused)} in the inline marker on {where} suppresses no finding: "
                "it can be removed from the marker."
            )
        out.append(Finding(UNUSED_SUPPRESSION, "info", message, evidence, marker.line))
    return out


# --------------------------------------------------------------------------- baseline


def fingerprint(page: str, finding: Finding) -> str:
    normalized = " ".join(finding.evidence.split()).lower()
    return hashlib.sha256(f"{page}\x00{finding.rule}\x00{normalized}".encode()).hexdigest()[:32]


def is_file_page(page_id: str, source: str) -> bool:
    """True for a page read from a file named on the command line or found in a directory.

    URLs, standard input and JSONL records (whose id is their own, not their file's path)
    are not: their id is already the same however the run was invoked.
    """
    return page_id == source and source != _STDIN and not _URL.match(source)


def page_key(page_id: str, source: str, root: Path, cwd: Path) -> str:
    """The page as a baseline knows it: a file's path relative to ``root``, POSIX-style.

    ``check a``, ``check ./a``, ``check a/``, ``check $PWD/a`` and a run from another
    directory with the same configuration all name the same files differently; relative to
    the configuration's root they are one key, and the key is the same on every machine
    that checks the repository out. The directory is resolved (a symlinked working
    directory such as macOS's ``/tmp`` is the same place), the file name is not (a symlinked
    page is its own page). URLs, ``-`` and JSONL record ids are kept as they are.
    """
    if not is_file_page(page_id, source):
        return page_id
    directory, name = os.path.split(os.path.normpath(os.path.join(cwd, source)))
    real = os.path.join(os.path.realpath(directory), name)
    try:
        relative = os.path.relpath(real, os.path.realpath(root))
    except ValueError:  # another drive (Windows): no relative path exists
        return PurePath(real).as_posix()
    return PurePath(relative).as_posix()


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One known finding: its page's key, rule and fingerprint (the message is for readers)."""

    page: str
    rule: str
    fingerprint: str
    message: str = ""
    file: bool = False  # the page is a file under the root: dropped on update once it is gone
    hashed: str = ""  # the page string the fingerprint was computed from, when not ``page`` (version 1)

    @property
    def hashed_page(self) -> str:
        return self.hashed or self.page

    def matches(self, finding: Finding) -> bool:
        return finding.rule == self.rule and fingerprint(self.hashed_page, finding) == self.fingerprint


@dataclass(slots=True)
class Baseline:
    """A baseline file's entries, with where page keys are relative to.

    ``root`` is the directory of the configuration file that was loaded, or the working
    directory when there is none; ``cwd`` is what relative sources are relative to.
    """

    root: Path
    cwd: Path
    entries: list[BaselineEntry] = field(default_factory=list)
    _by_page: dict[str, list[BaselineEntry]] | None = field(default=None, init=False, repr=False)

    def key(self, result: PageResult) -> str:
        return page_key(result.page_id, result.source, self.root, self.cwd)

    def of_page(self, key: str) -> list[BaselineEntry]:
        """The page's entries (indexed once: a site has thousands of pages and entries)."""
        if self._by_page is None:
            self._by_page = {}
            for entry in self.entries:
                self._by_page.setdefault(entry.page, []).append(entry)
        return self._by_page.get(key, [])

    def apply(self, result: PageResult) -> list[Finding]:
        """Mark the findings the baseline records as suppressed (in place); returns the stale entries' findings.

        A stale entry is one of this page that matches no finding it could suppress: the
        finding was fixed (or is now suppressed inline), so the entry can go. Only pages
        audited without error are judged; a page that could not be read says nothing.
        """
        if result.status != "ok":
            return []
        entries = self.of_page(self.key(result))
        if not entries:
            return []
        used: set[BaselineEntry] = set()
        findings = []
        for f in result.findings:
            if not f.suppressed and f.rule not in META_RULES:
                hits = [e for e in entries if e.matches(f)]
                if hits:
                    used.update(hits)
                    f = replace(f, suppressed=True, suppressed_by="baseline")
            findings.append(f)
        result.findings = findings
        return [_stale(e) for e in entries if e not in used]


def _stale(entry: BaselineEntry) -> Finding:
    what = f"{entry.rule} ({entry.message})" if entry.message else entry.rule
    return Finding(
        UNUSED_SUPPRESSION,
        "info",
        f"The baseline entry {what} matches no current finding of this page: it can be removed "
        "(--update-baseline).",
        f"baseline {entry.rule} {entry.fingerprint}",
    )


def load_baseline(path: Path | None, root: Path, cwd: Path | None = None) -> Baseline:
    """The entries of a baseline file (an absent file, or no file, is empty).

    Version-1 files (pages as given on the command line) are still read: each page is taken
    as relative to the working directory, as when the file was written by the same command
    from the same place, and keyed like a version-2 page when the file is there (its old
    fingerprint is kept with the string it was computed from). The next
    ``--update-baseline`` writes version 2.
    """
    here = cwd or Path.cwd()
    baseline = Baseline(root, here)
    if path is None or not path.exists():
        return baseline
    data = _baseline_json(path)
    if not isinstance(data, dict):
        raise ValueError(
            f"{path}: not a provenance baseline: a JSON object was expected, not {_json_type(data)}"
        )
    version = data.get("version")
    if version not in _READABLE_VERSIONS:
        raise ValueError(
            f"{path}: not a provenance baseline this version reads (version {version!r}; "
            f"known: {', '.join(map(str, _READABLE_VERSIONS))})"
        )
    findings = data.get("findings", [])
    if not isinstance(findings, list):
        raise ValueError(f"{path}: 'findings' must be a list, not {_json_type(findings)}")
    for number, raw in enumerate(findings, start=1):
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: finding {number} must be an object, not {_json_type(raw)}")
        try:
            page, rule, fp = str(raw["page"]), str(raw["rule"]), str(raw["fingerprint"])
        except KeyError:
            raise ValueError(f"{path}: finding {number} lacks page, rule or fingerprint") from None
        message = str(raw.get("message", ""))
        if version == 1:
            baseline.entries.append(_legacy_entry(page, rule, fp, message, root, here))
        else:
            hashed = str(raw.get("hashed_page", ""))
            baseline.entries.append(BaselineEntry(page, rule, fp, message, bool(raw.get("file")), hashed))
    return baseline


def _baseline_json(path: Path) -> object:
    """The parsed file; anything that is not JSON text is a one-line ``ValueError``.

    The command line reports a ``ValueError`` as "cannot read baseline: …", so every way the
    file can be wrong (bytes that are not UTF-8, broken or absurdly nested JSON) is one.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a provenance baseline: JSON nested too deep") from None


def _json_type(value: object) -> str:
    """How JSON names the type of a parsed value ("a list", "a string", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    names = {str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _legacy_entry(page: str, rule: str, fp: str, message: str, root: Path, cwd: Path) -> BaselineEntry:
    """A version-1 entry: a page that is a file here gets its version-2 key, anything else stays."""
    if is_file_page(page, page) and os.path.isfile(os.path.join(cwd, page)):
        key = page_key(page, page, root, cwd)
        return BaselineEntry(key, rule, fp, message, True, page if page != key else "")
    return BaselineEntry(page, rule, fp, message)


def write_baseline(path: Path, results: Sequence[PageResult], previous: Baseline) -> tuple[int, int]:
    """Record the current findings of the audited pages, keeping the other pages' entries.

    A pre-commit hook audits the few files of a commit: their entries are replaced by their
    findings of now (fixed ones go, new ones come), and every other page's entries stay.
    Entries of a page that could not be read stay too (the run learnt nothing about it); an
    entry of a file that no longer exists is dropped. Findings suppressed inline and the
    findings about suppressions are not recorded. Returns (entries written, of them kept).
    """
    audited = {previous.key(r) for r in results if r.status == "ok"}
    kept = [
        e
        for e in previous.entries
        if e.page not in audited and not (e.file and not (previous.root / e.page).exists())
    ]
    fresh = []
    for r in results:
        if r.status != "ok":
            continue
        key, file = previous.key(r), is_file_page(r.page_id, r.source)
        fresh += [
            BaselineEntry(key, f.rule, fingerprint(key, f), f.message, file)
            for f in r.findings
            if f.rule not in META_RULES and not f.suppressed_by.startswith("inline")
        ]
    unique = {(e.page, e.rule, e.fingerprint): e for e in [*kept, *fresh]}
    entries = sorted(unique.values(), key=lambda e: (e.page, e.rule, e.fingerprint))
    data = {"version": BASELINE_VERSION, "tool": "provenance", "findings": [_entry_dict(e) for e in entries]}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries), sum(1 for e in entries if e.page not in audited)


def _entry_dict(entry: BaselineEntry) -> dict[str, object]:
    out: dict[str, object] = {
        "page": entry.page,
        "rule": entry.rule,
        "fingerprint": entry.fingerprint,
        "message": entry.message,
        "file": entry.file,
    }
    if entry.hashed and entry.hashed != entry.page:
        out["hashed_page"] = entry.hashed
    return out
