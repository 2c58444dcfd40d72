"""Findings on real pages: how many each rule raises, and how many of them are right.

The references of every set under ``../shared/data/wire-copies/*/`` (read in place, never
copied) go into one fresh SQLite corpus with ``corpus add``'s code path; three sets of real
pages are audited against it with ``audit``'s code path:

* ``article-extraction``: the 131 news pages of ``article-extraction/html/`` (HTML);
* ``syndication-2018``: every article of the three ``syndication-2018`` CSVs (their text);
* ``wire-copies``: the queries of both wire-copies sets (the excerpts), ``unsure`` rows dropped.

A finding (suppressed ones left out) is keyed by (set, page, rule, evidence), the evidence
on one line, whitespace collapsed, cut to 100 characters (findings sharing a key, one a
person of a two-name byline say, share its label). Each is looked up in the hand labels of
``eval/labels/findings.tsv`` (``right`` or ``wrong``; see the comment at its top).
Printed: per rule, the findings raised, labelled, right and wrong, and the precision on the
labelled ones; the findings no label covers; the labels no finding matches any more (stale);
the person names read in byline signals, and how many name the page's title or its site
(what a byline never is); and the credit verdict (``agency_credited`` against the label ``credit_in_text``) on the
wire-copies pages derived from a story.

``--unlabelled FILE`` writes the unlabelled findings as rows of the labels file (one a key),
``label`` left empty, with the finding's message and the page text around it in two more
columns. ``--verbose`` lists the findings labelled wrong, the stale labels and the credit
verdicts that disagree with the label.

Usage: python eval/findings.py [--set NAME] [--verbose] [--unlabelled FILE]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from provenance import store  # noqa: E402
from provenance.audit import run_audit  # noqa: E402
from provenance.corpus import add_stories  # noqa: E402
from provenance.manipulation import HIDDEN_SHARE, MIN_HIDDEN_WORDS  # noqa: E402
from provenance.model import Page, PageResult  # noqa: E402
from provenance.packs import RulePack, load_packs  # noqa: E402
from provenance.report import attribution_dict  # noqa: E402
from provenance.text import tokens  # noqa: E402

import datasets  # noqa: E402

DATA = datasets.DATA
WIRE_COPIES = DATA / "wire-copies"
ARTICLES = DATA / "article-extraction" / "html"
SYNDICATION = DATA / "syndication-2018" / "data"
LABELS = datasets.LABELS / "findings.tsv"
SETS = ("article-extraction", "syndication-2018", "wire-copies")
FOLDERS = {"article-extraction": ARTICLES, "syndication-2018": SYNDICATION, "wire-copies": WIRE_COPIES}
COLUMNS = ("set", "page", "rule", "evidence", "label", "note")
EVIDENCE_CHARS = 100
CONTEXT_LINES = 2
CONTEXT_CHARS = 400
UNLABELLED_HINT = "python eval/findings.py --unlabelled FILE writes them out for labelling"

Key = tuple[str, str, str, str]  # (set, page, rule, evidence)


@dataclass(frozen=True, slots=True)
class Raised:
    """One finding the audit raised on one page of one set."""

    set: str
    page: str
    rule: str
    evidence: str  # normalised: one line, whitespace collapsed, at most EVIDENCE_CHARS
    message: str
    line: int | None

    @property
    def key(self) -> Key:
        return (self.set, self.page, self.rule, self.evidence)


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    url: str | None
    text: str
    derived_from: str | None
    credit: bool
    notes: str


@dataclass
class Audited:
    """What the audit of one set gave: the results by page id, and each page as read."""

    results: dict[str, PageResult]
    pages: dict[str, Page]


# --------------------------------------------------------------------------- data


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def wire_folders() -> list[Path]:
    return sorted(p for p in WIRE_COPIES.iterdir() if (p / "references.jsonl").is_file())


def wire_queries(folders: Sequence[Path]) -> list[Query]:
    return [
        Query(
            row["id"],
            row.get("url"),
            row["text"],
            row.get("derived_from"),
            bool(row.get("credit_in_text")),
            row.get("notes", ""),
        )
        for folder in folders
        for row in read_jsonl(folder / "queries.jsonl")
        if row["derivation"] != "unsure"
    ]


def one_line(text: str) -> str:
    return " ".join(text.split())


def normal_evidence(text: str) -> str:
    return one_line(text)[:EVIDENCE_CHARS]


def read_labels(path: Path) -> dict[Key, str]:
    """{(set, page, rule, evidence): "right" | "wrong"}; a bad label stops the run."""
    if not path.is_file():
        raise SystemExit(f"no labels at {path}")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    labels: dict[Key, str] = {}
    for number, row in enumerate(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
        if not row.get("label"):
            print(f"{path.name}: row {number} has no label; skipped", file=sys.stderr)
            continue
        if row["label"] not in ("right", "wrong"):
            raise SystemExit(f"{path}: row {number}: label must be right or wrong, not {row['label']!r}")
        key = (row["set"], row["page"], row["rule"], normal_evidence(row["evidence"] or ""))
        if labels.get(key, row["label"]) != row["label"]:
            raise SystemExit(f"{path}: row {number}: labelled both right and wrong: {key}")
        labels[key] = row["label"]
    return labels


# --------------------------------------------------------------------------- audit


def build_corpus(workdir: Path, packs: Sequence[RulePack]) -> sessionmaker[Session]:
    """``corpus add`` of the references of every wire-copies set into one fresh SQLite corpus."""
    factory = store.open_database(f"sqlite:///{workdir / 'corpus.db'}")
    references = [str(folder / "references.jsonl") for folder in wire_folders()]
    loaded = add_stories(factory, references, packs)
    if loaded.errors:
        raise SystemExit(f"references not loaded: {[e.error for e in loaded.errors]}")
    return factory


def article_pages(workdir: Path) -> list[str]:
    """Each page decompressed as ``<first 16 hex chars>.html``: the page id is that stem."""
    folder = workdir / "article-extraction"
    folder.mkdir()
    paths = []
    for path in sorted(ARTICLES.glob("*.html.gz")):
        target = folder / f"{path.name[:16]}.html"
        target.write_bytes(gzip.decompress(path.read_bytes()))
        paths.append(str(target))
    return paths


def write_jsonl(path: Path, rows: Iterable[dict]) -> list[str]:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
    return [str(path)]


def syndication_pages(workdir: Path) -> list[str]:
    articles = datasets.syndication_articles(SYNDICATION)
    rows = ({"id": f"{file}-{id_}", "text": text} for (file, id_), text in sorted(articles.items()))
    return write_jsonl(workdir / "syndication-2018.jsonl", rows)


def wire_pages(workdir: Path, kept: Sequence[Query]) -> list[str]:
    rows = ({"id": q.id, "url": q.url, "text": q.text} for q in kept)
    return write_jsonl(workdir / "wire-copies.jsonl", rows)


def page_id(name: str, result: PageResult) -> str:
    """The page as labelled: the file's stem for HTML files (run_audit names them by path)."""
    return Path(result.page_id).stem if name == "article-extraction" else result.page_id


def audit(
    factory: sessionmaker[Session], name: str, sources: Sequence[str], packs: Sequence[RulePack]
) -> Audited:
    report = run_audit(factory, list(sources), packs, ["eval/findings.py", name])
    results = {page_id(name, r): r for r in report.results}
    pages = {pid: r.page for pid, r in results.items() if r.page is not None}
    return Audited(results, pages)


def raised(name: str, audited: Audited) -> list[Raised]:
    return [
        Raised(name, pid, f.rule, normal_evidence(f.evidence), one_line(f.message), f.line)
        for pid, result in audited.results.items()
        for f in result.findings
        if not f.suppressed
    ]


# --------------------------------------------------------------------------- scoring


@dataclass
class RuleCount:
    raised: int = 0
    right: int = 0
    wrong: int = 0

    @property
    def labelled(self) -> int:
        return self.right + self.wrong

    @property
    def precision(self) -> str:
        return f"{self.right / self.labelled:.3f}" if self.labelled else "-"

    def add(self, label: str | None) -> None:
        self.raised += 1
        self.right += label == "right"
        self.wrong += label == "wrong"

    def merge(self, other: RuleCount) -> None:
        self.raised += other.raised
        self.right += other.right
        self.wrong += other.wrong


def rule_counts(findings: Sequence[Raised], labels: dict[Key, str]) -> dict[str, RuleCount]:
    counts: dict[str, RuleCount] = {}
    for f in findings:
        counts.setdefault(f.rule, RuleCount()).add(labels.get(f.key))
    return dict(sorted(counts.items()))


@dataclass(frozen=True, slots=True)
class CreditCheck:
    """``agency_credited`` against ``credit_in_text`` on one derived wire-copies query."""

    query: Query
    ours: bool | None  # None: the page could not be audited
    error: str | None = None

    @property
    def right(self) -> bool:
        return self.ours is not None and self.ours == self.query.credit


def credit_checks(kept: Sequence[Query], results: dict[str, PageResult]) -> list[CreditCheck]:
    out = []
    for q in kept:
        if q.derived_from is None:
            continue
        result = results.get(q.id)
        if result is None:
            out.append(CreditCheck(q, None, "not in the audit's results"))
        elif result.status != "ok":
            out.append(CreditCheck(q, None, result.error))
        else:
            out.append(CreditCheck(q, bool(attribution_dict(result)["agency_credited"])))
    return out


# --------------------------------------------------------------------------- output


def context(page: Page | None, line: int | None) -> str:
    """The page's lines within ±CONTEXT_LINES of ``line``, else the start of its text."""
    if page is None:
        return ""
    near = []
    if line is not None:
        near = [t.text for t in page.lines if t.line is not None and abs(t.line - line) <= CONTEXT_LINES]
    text = "\n".join(near) if near else page.text[:CONTEXT_CHARS]
    lines = (one_line(part) for part in text.splitlines())
    return " ⏎ ".join(part for part in lines if part)


def write_unlabelled(path: Path, findings: Sequence[Raised], pages: dict[tuple[str, str], Page]) -> int:
    """One row a key (findings sharing a key share its label: their messages are joined); rows written."""
    by_key: dict[Key, list[Raised]] = {}
    for f in findings:
        by_key.setdefault(f.key, []).append(f)
    with path.open("w", encoding="utf-8") as out:
        out.write("\t".join((*COLUMNS, "message", "context")) + "\n")
        for key, group in by_key.items():
            messages = " | ".join(dict.fromkeys(f.message for f in group))
            text = context(pages.get((key[0], key[1])), group[0].line)
            cells = (*key, "", "", messages, text)
            out.write("\t".join(c.replace("\t", " ") for c in cells) + "\n")
    return len(by_key)


def rule_table(counts: dict[str, RuleCount]) -> list[str]:
    head = f"  {'rule':<20} {'raised':>6}  {'labelled':>8} {'right':>6} {'wrong':>6}  {'precision':>9}"
    total = RuleCount()
    rows = [head]
    for rule, c in counts.items():
        rows.append(_rule_row(rule, c))
        total.merge(c)
    rows.append(_rule_row("all", total))
    return rows


def _rule_row(rule: str, c: RuleCount) -> str:
    return f"  {rule:<20} {c.raised:>6}  {c.labelled:>8} {c.right:>6} {c.wrong:>6}  {c.precision:>9}"


def per_set_table(findings: Sequence[Raised], names: Sequence[str]) -> list[str]:
    """Raised findings per rule and set."""
    by = Counter((f.rule, f.set) for f in findings)
    rules = sorted({f.rule for f in findings})
    rows = ["  " + f"{'raised per set':<20}" + "".join(f" {n:>19}" for n in names)]
    for rule in rules:
        rows.append(f"  {rule:<20}" + "".join(f" {by[(rule, n)]:>19}" for n in names))
    totals = Counter(f.set for f in findings)
    rows.append(f"  {'all':<20}" + "".join(f" {totals[n]:>19}" for n in names))
    return rows


def credit_lines(checks: Sequence[CreditCheck], verbose: bool) -> list[str]:
    right = sum(c.right for c in checks)
    share = f"{right / len(checks):.3f}" if checks else "-"
    out = [f"  agency_credited right on wire-copies derived pages: {right}/{len(checks)} ({share})"]
    for c in checks:
        if c.error is not None:
            out.append(f"    error  {c.query.id}: {c.error}")
        elif verbose and not c.right:
            out.append(
                f"    {c.query.id:<12} gold credit_in_text {c.query.credit!s:<5}  ours {c.ours!s:<5}  "
                f"{one_line(c.query.notes)[:120]}"
            )
    return out


def byline_lines(audited: dict[str, Audited], verbose: bool) -> list[str]:
    """Every person named by a byline signal, checked against what a byline must never be:
    the page's title, or its site's or publisher's name. (Headings are not checked: author
    boxes put the writer's name in one.)"""
    named = suspect = 0
    listed: list[str] = []
    for name, a in audited.items():
        for pid, result in a.results.items():
            page = result.page
            if page is None:
                continue
            title = _squeezed(page.title or "")
            sites = [_squeezed(page.meta[k]) for k in ("site_name", "jsonld:publisher") if page.meta.get(k)]
            for signal in result.attribution.of_kind("byline"):
                for person in signal.names:
                    named += 1
                    key = _squeezed(person)
                    if key == title or any(key and key in site for site in sites):
                        suspect += 1
                        listed.append(f"    {name} {pid}: {person!r} ({signal.where}, line {signal.line})")
    out = [f"  person names read in bylines: {named}; naming the page's title or its site: {suspect}"]
    return out + (listed if verbose else [])


def hidden_lines(audited: dict[str, Audited]) -> list[str]:
    """How near real pages come to ``MANIPULATION``'s hidden-junk test (at least
    ``MIN_HIDDEN_WORDS`` hidden words woven between visible ones, and ``HIDDEN_SHARE`` of the
    visible words): its margin, for all hidden text and for the woven part."""
    rows: list[tuple[float, float, int, str]] = []
    for name, a in audited.items():
        for pid, result in a.results.items():
            page = result.page
            if page is not None and page.hidden_text:
                visible = max(1, len(tokens(page.text)))
                hidden = len(tokens(page.hidden_text))
                rows.append(
                    (hidden / visible, page.hidden_woven / visible, page.hidden_woven, f"{name} {pid}")
                )
    if not rows:
        return ["  pages with hidden text: 0"]
    hidden_share = max(r[0] for r in rows)
    any_over = sum(1 for r in rows if r[0] >= HIDDEN_SHARE)
    _, woven_share, woven, where = max(rows, key=lambda r: (r[1], r[2]))
    over = sum(1 for r in rows if r[1] >= HIDDEN_SHARE and r[2] >= MIN_HIDDEN_WORDS)
    return [
        f"  pages with hidden text: {len(rows)}, {any_over} of them hiding {HIDDEN_SHARE:.0%}+ of their "
        f"visible words (largest share {hidden_share:.2f}); woven between visible words: "
        f"{over} over MANIPULATION's test ({MIN_HIDDEN_WORDS}+ words, {HIDDEN_SHARE:.0%}+), "
        f"largest {woven} words, share {woven_share:.2f} ({where})"
    ]


def _squeezed(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def error_lines(audited: dict[str, Audited]) -> list[str]:
    return [
        f"    {name} {pid}: {result.error}"
        for name, a in audited.items()
        for pid, result in a.results.items()
        if result.status != "ok"
    ]


# --------------------------------------------------------------------------- main


def parse(argv: Iterable[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", action="append", help=f"only this set (one of {', '.join(SETS)}; repeatable)"
    )
    parser.add_argument("--verbose", action="store_true", help="list wrong findings and credit disagreements")
    parser.add_argument("--unlabelled", type=Path, metavar="FILE", help="write the unlabelled findings here")
    return parser.parse_args(list(argv) if argv is not None else None)


def run(names: Sequence[str], workdir: Path) -> tuple[dict[str, Audited], list[Query]]:
    packs = load_packs()
    factory = build_corpus(workdir, packs)
    kept = wire_queries(wire_folders())
    sources = {
        "article-extraction": lambda: article_pages(workdir),
        "syndication-2018": lambda: syndication_pages(workdir),
        "wire-copies": lambda: wire_pages(workdir, kept),
    }
    audited = {name: audit(factory, name, sources[name](), packs) for name in names}
    store.close_databases()
    return audited, kept


def main(argv: Iterable[str] | None = None) -> int:
    args = parse(argv)
    names = [n for n in SETS if n in set(args.set)] if args.set else list(SETS)
    unknown = set(args.set or ()) - set(SETS)
    if unknown:
        print(f"unknown set(s): {', '.join(sorted(unknown))} (known: {', '.join(SETS)})", file=sys.stderr)
        return 2
    for folder in {WIRE_COPIES, *(FOLDERS[n] for n in names)}:
        if not folder.is_dir():
            print(f"no data at {folder}", file=sys.stderr)
            return 2
    labels = read_labels(LABELS)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="provenance-findings-") as tmp:
        audited, kept = run(names, Path(tmp))
    findings = [f for name, a in audited.items() for f in raised(name, a)]
    keys = {f.key for f in findings}
    unlabelled = [f for f in findings if f.key not in labels]
    stale = [k for k in labels if k[0] in names and k not in keys]
    sizes = ", ".join(f"{name} {len(a.results)}" for name, a in audited.items())
    print(f"Findings on real pages ({sizes}), against {LABELS.relative_to(ROOT)}")
    print("\n".join(rule_table(rule_counts(findings, labels))))
    print(f"  unlabelled findings: {len(unlabelled)} ({UNLABELLED_HINT})")
    print(f"  stale labels (label rows matching no finding): {len(stale)}")
    print("\n" + "\n".join(per_set_table(findings, names)))
    if errors := error_lines(audited):
        print(f"\n  pages the audit could not read: {len(errors)}")
        print("\n".join(errors))
    if args.verbose:
        wrong = [f for f in findings if labels.get(f.key) == "wrong"]
        print(f"\n  wrong findings: {len(wrong)}")
        for f in wrong:
            print(f"    {f.set} {f.page} {f.rule}: {f.message}")
        for key in stale:
            print(f"    stale label: {' | '.join(key)}")
    print("\n" + "\n".join(byline_lines(audited, args.verbose)))
    print("\n".join(hidden_lines(audited)))
    if "wire-copies" in audited:
        checks = credit_checks(kept, audited["wire-copies"].results)
        print("\n" + "\n".join(credit_lines(checks, args.verbose)))
    if args.unlabelled:
        pages = {(name, pid): page for name, a in audited.items() for pid, page in a.pages.items()}
        rows = write_unlabelled(args.unlabelled, unlabelled, pages)
        print(f"\n  {len(unlabelled)} unlabelled findings ({rows} keys) written to {args.unlabelled}")
    print(f"\n  time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
