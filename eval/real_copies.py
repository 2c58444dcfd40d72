"""Real copies of real wire stories: does the audit find them, and only them?

For every set under ``../shared/data/wire-copies/*/`` (read in place, never copied): the
references (one page carrying each wire story) go into a fresh SQLite corpus with
``corpus add``'s code path, and the queries (real web pages: verbatim, edited, partial and
spun copies, and independent reports of the same events) are audited with ``audit``'s code
path; ``unsure`` rows are dropped. Printed per set and overall:

* derived vs not: precision, recall, F1 (a page is "found" when the audit matches it to any
  story; an independent report matched to anything is a false positive);
* recall per class (verbatim, edited, partial, spun);
* right story: of the derived pages found, the share whose best match (``match``) is the
  story they were labelled with;
* independent reports matched;
* the credit verdict (``agency_credited`` against the label ``credit_in_text``) on the
  derived pages;

and the same derived-vs-not figures, in the same run, for two baselines:

* ``simhash``: plain simhash, 64 bits, word 3-shingles of the whole text, derived when
  within Hamming distance 3 of a reference (the web-crawl setting of Manku et al.);
* ``containment``: the share of the story's word 5-shingles found on the page, derived at
  ≥ 0.05 (best story wins).

``--calibrate`` prints instead what the proof thresholds of :mod:`provenance.evidence` were
chosen from: the evidence (heaviest ordered chain of shared wording) of every query against
every reference of its set, for the derived pages, the independent reports of the same event
and the pages about other events, and how many of each a threshold would match.

Usage: python eval/real_copies.py [--set NAME] [--misses] [--calibrate]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from provenance import evidence, store  # noqa: E402
from provenance.audit import run_audit  # noqa: E402
from provenance.corpus import add_stories  # noqa: E402
from provenance.fingerprint import hamming, hash_strings, simhash  # noqa: E402
from provenance.match import align, prepare  # noqa: E402
from provenance.model import PageResult  # noqa: E402
from provenance.packs import load_packs  # noqa: E402
from provenance.report import attribution_dict  # noqa: E402
from provenance.text import normalize, shingles, tokens  # noqa: E402

import datasets  # noqa: E402
from scoring import BinaryScore  # noqa: E402

WIRE_COPIES = datasets.DATA / "wire-copies"
CLASSES = ("verbatim", "edited", "partial", "spun")
SIMHASH_K = 3
CONTAINMENT = 0.05


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    text: str
    url: str | None
    derived_from: str | None
    derivation: str
    credit: bool
    notes: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one system said of one query: the story it matched (None: not derived) and how."""

    story: str | None
    stories: tuple[str, ...] = ()  # every story matched (the audit's ``matches``), best first
    derivation: str | None = None
    credited: bool | None = None


@dataclass
class Score(BinaryScore):
    right_story: int = 0
    by_class: dict[str, Counter[str]] = field(default_factory=dict)  # gold class -> found / all
    credit_right: int = 0
    credit_all: int = 0

    def add(self, query: Query, verdict: Verdict) -> None:
        derived, found = query.derived_from is not None, verdict.story is not None
        self.count(derived, found)
        counts = self.by_class.setdefault(query.derivation, Counter())
        counts["all"] += 1
        counts["found"] += found
        if derived and found:
            self.right_story += verdict.story == query.derived_from
        if derived and verdict.credited is not None:
            self.credit_all += 1
            self.credit_right += verdict.credited == query.credit

    def merge(self, other: Score) -> None:
        for name in ("tp", "fp", "fn", "tn", "right_story", "credit_right", "credit_all"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for label, counts in other.by_class.items():
            self.by_class.setdefault(label, Counter()).update(counts)

    def class_recall(self, label: str) -> str:
        counts = self.by_class.get(label, Counter())
        if not counts["all"]:
            return "-"
        return f"{counts['found'] / counts['all']:.2f} ({counts['found']}/{counts['all']})"

    @property
    def independent(self) -> str:
        counts = self.by_class.get("independent", Counter())
        share = counts["found"] / counts["all"] if counts["all"] else 0.0
        return f"{counts['found']}/{counts['all']} ({share:.1%})"


# --------------------------------------------------------------------------- data


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def queries(folder: Path) -> list[Query]:
    return [
        Query(
            row["id"],
            row["text"],
            row.get("url"),
            row.get("derived_from"),
            row["derivation"],
            bool(row.get("credit_in_text")),
            row.get("notes", ""),
        )
        for row in read_jsonl(folder / "queries.jsonl")
        if row["derivation"] != "unsure"
    ]


# --------------------------------------------------------------------------- systems


def audit_set(folder: Path, kept: Sequence[Query], workdir: Path) -> dict[str, Verdict]:
    """``corpus add`` of the references into a fresh SQLite corpus, ``audit`` of the queries."""
    factory = store.open_database(f"sqlite:///{workdir / (folder.name + '.db')}")
    packs = load_packs()
    loaded = add_stories(factory, [str(folder / "references.jsonl")], packs)
    if loaded.errors:
        raise SystemExit(f"{folder}: references not loaded: {[e.error for e in loaded.errors]}")
    pages = workdir / f"{folder.name}-queries.jsonl"
    with pages.open("w", encoding="utf-8") as out:
        for q in kept:
            out.write(json.dumps({"id": q.id, "url": q.url, "text": q.text}) + "\n")
    report = run_audit(factory, [str(pages)], packs, ["eval/real_copies.py", folder.name])
    return {r.page_id: _verdict(r) for r in report.results}


def _verdict(result: PageResult) -> Verdict:
    if result.status != "ok":
        print(f"  {result.page_id}: {result.error}", file=sys.stderr)
        return Verdict(None)
    credited = attribution_dict(result)["agency_credited"]  # as the JSON report says it
    matches = result.matches
    best = result.match
    return Verdict(
        best.story.id if best else None,
        tuple(m.story.id for m in matches),
        best.derivation if best else None,
        credited,
    )


def simhash_fingerprint(text: str) -> int:
    return simhash(hash_strings(shingles(tokens(normalize(text)), 3)))


def simhash_baseline(references: dict[str, str], kept: Sequence[Query]) -> dict[str, Verdict]:
    refs = {rid: simhash_fingerprint(text) for rid, text in references.items()}
    out = {}
    for q in kept:
        value = simhash_fingerprint(q.text)
        distance, rid = min((hamming(value, v), rid) for rid, v in refs.items())
        out[q.id] = Verdict(rid if distance <= SIMHASH_K else None)
    return out


def containment_baseline(references: dict[str, str], kept: Sequence[Query]) -> dict[str, Verdict]:
    refs = {rid: set(shingles(tokens(normalize(text)), 5)) for rid, text in references.items()}
    out = {}
    for q in kept:
        page = set(shingles(tokens(normalize(q.text)), 5))
        share, rid = max((len(s & page) / len(s) if s else 0.0, rid) for rid, s in refs.items())
        out[q.id] = Verdict(rid if share >= CONTAINMENT else None)
    return out


# --------------------------------------------------------------------------- calibration


@dataclass(frozen=True, slots=True)
class Pair:
    """One query against one reference of its set, with the evidence between them."""

    label: str  # the query's class when it derives from this reference; "independent"; "other event"
    query: str
    reference: str
    copied: int
    story_share: float
    by_sentences: bool  # proven by the sentence path alone (ordered sentences, rewritten ones)


def calibration_pairs(folder: Path) -> list[Pair]:
    references = {r["id"]: normalize(r["text"]) for r in read_jsonl(folder / "references.jsonl")}
    prepared = {rid: prepare(text) for rid, text in references.items()}
    out = []
    for q in queries(folder):
        page = normalize(q.text)
        page_prep = prepare(page)
        for rid, text in references.items():
            if q.derived_from == rid:
                label = q.derivation
            elif q.id.split("-")[0] == rid:  # collected for this story, not derived from it
                label = "independent"
            else:
                label = "other event"
            alignment = align(page, text, page_prep, prepared[rid])
            found = alignment.evidence
            by_sentences = alignment.proven_by_sentences()
            out.append(Pair(label, q.id, rid, found.copied, found.story_share, by_sentences))
    return out


def calibrate(folders: Sequence[Path]) -> None:
    pairs = [p for folder in folders for p in calibration_pairs(folder)]
    groups = {
        label: [p for p in pairs if p.label == label] for label in (*CLASSES, "independent", "other event")
    }
    print("Evidence (heaviest ordered chain of shared wording) of every query against every reference")
    print(f"  {'pairs':<14} {'n':>5}  {'quantiles 0 / 25 / 50 / 75 / 90 / 100 %':<40}")
    for label, group in groups.items():
        values = sorted(p.copied for p in group)
        if values:
            qs = [values[round(f * (len(values) - 1))] for f in (0, 0.25, 0.5, 0.75, 0.9, 1)]
            print(f"  {label:<14} {len(values):>5}  {' / '.join(str(v) for v in qs)}")
    print("\n  highest evidence of a page not derived from the reference (independent or other event):")
    negatives = sorted(
        (p for p in pairs if p.label in ("independent", "other event")), key=lambda p: -p.copied
    )
    for p in negatives[:6]:
        print(f"    {p.copied:>3}  share {p.story_share:.2f}  {p.query} vs {p.reference} ({p.label})")
    derived = [p for p in pairs if p.label in CLASSES]
    print(
        f"\n  proof: evidence >= PROOF, or >= SHORT_PROOF ({evidence.SHORT_PROOF}) covering >= "
        f"{evidence.SHORT_SHARE:.0%} of the story (in use: PROOF = {evidence.PROOF}); the sentence path adds"
    )
    print(f"  {'PROOF':>7} {'derived found':>14} {'independent':>12} {'other event':>12}")
    for proof in range(8, 21):

        def proven(p: Pair, proof: int = proof) -> bool:
            short = p.copied >= evidence.SHORT_PROOF and p.story_share >= evidence.SHORT_SHARE
            return p.copied >= proof or short or p.by_sentences

        found = sum(proven(p) for p in derived)
        indep = sum(proven(p) for p in groups["independent"])
        other = sum(proven(p) for p in groups["other event"])
        mark = "  <- in use" if proof == evidence.PROOF else ""
        print(
            f"  {proof:>7} {found:>7}/{len(derived):<6} {indep:>5}/{len(groups['independent']):<6} {other:>5}/{len(groups['other event']):<6}{mark}"
        )


# --------------------------------------------------------------------------- report


def _line(name: str, system: str, s: Score, with_story: bool = True) -> str:
    story = f"{s.right_story / s.tp:.3f}" if s.tp and with_story else "-"
    classes = " ".join(f"{s.class_recall(c):>14}" for c in CLASSES)
    return (
        f"  {name:<14} {system:<12} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}  {classes}"
        f"  {story:>6} {s.independent:>13}"
    )


HEADER = (
    f"  {'set':<14} {'system':<12} {'prec':>6} {'recall':>6} {'F1':>6}  "
    + " ".join(f"{c:>14}" for c in CLASSES)
    + f"  {'story':>6} {'indep. found':>13}"
)


def _misses(kept: Sequence[Query], verdicts: dict[str, Verdict]) -> list[str]:
    out = []
    for q in kept:
        v = verdicts[q.id]
        derived, found = q.derived_from is not None, v.story is not None
        if derived and not found:
            out.append(f"    miss   {q.id:<12} {q.derivation:<8} {q.notes[:100]}")
        elif found and not derived:
            out.append(f"    false  {q.id:<12} -> {v.story} ({v.derivation}) {q.notes[:90]}")
        elif derived and v.story != q.derived_from:
            out.append(f"    wrong  {q.id:<12} -> {v.story} not {q.derived_from}")
    return out


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", help="only this set (a folder name; repeatable)")
    parser.add_argument("--misses", action="store_true", help="list missed, false and wrong-story pages")
    parser.add_argument(
        "--calibrate", action="store_true", help="print the evidence the proof thresholds were chosen from"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not WIRE_COPIES.is_dir():
        print(f"no data at {WIRE_COPIES}", file=sys.stderr)
        return 2
    folders = sorted(p for p in WIRE_COPIES.iterdir() if (p / "references.jsonl").is_file())
    if args.set:
        unknown = set(args.set) - {f.name for f in folders}
        if unknown:
            print(f"unknown set(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        folders = [f for f in folders if f.name in args.set]
    if args.calibrate:
        calibrate(folders)
        return 0
    totals = {name: Score() for name in ("provenance", "simhash", "containment")}
    rows: list[str] = []
    misses: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="provenance-real-copies-") as tmp:
        for folder in folders:
            kept = queries(folder)
            references = {r["id"]: r["text"] for r in read_jsonl(folder / "references.jsonl")}
            systems = {
                "provenance": audit_set(folder, kept, Path(tmp)),
                "simhash": simhash_baseline(references, kept),
                "containment": containment_baseline(references, kept),
            }
            for name, verdicts in systems.items():
                score = Score()
                for q in kept:
                    score.add(q, verdicts[q.id])
                totals[name].merge(score)
                rows.append(_line(f"{folder.name} ({len(kept)})", name, score))
            if args.misses:
                misses.append(f"  {folder.name}:")
                misses.extend(_misses(kept, systems["provenance"]))
        store.close_databases()
    print("Real copies of wire stories (wire-copies): derived vs not, recall per class, right story")
    print(HEADER)
    print("\n".join(rows))
    for name, score in totals.items():
        print(_line("overall", name, score))
    ours = totals["provenance"]
    if ours.credit_all:
        print(
            f"\n  credit verdict (agency_credited vs credit_in_text) right on derived pages: "
            f"{ours.credit_right}/{ours.credit_all}"
        )
    if misses:
        print("\n".join(["", *misses]))
    print(f"\n  time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
