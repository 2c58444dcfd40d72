"""Which agency does an article credit in its own text? Against hand labels, printed.

Labels: eval/labels/syndication_credits.tsv (articles of ../shared/data/syndication-2018,
labelled by reading them; see eval/labels/README.md). An article *credits* an agency when
its own text names the agency as the source of the text: a dateline, a byline, a credit
line, a contributor line, or the agency's copyright notice. Photo credits do not count, and
an in-prose citation ("..., Reuters reported") is a *citation*, scored separately.

provenance's answer: the agencies with a dateline, byline, credit-line, contributor or
visible notice signal on the page (``provenance extract`` shows the same signals).

Usage: python eval/attribution.py [--data DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from provenance.attribution import detect  # noqa: E402
from provenance.extract import page_from_text  # noqa: E402
from provenance.model import Attribution  # noqa: E402
from provenance.packs import load_packs  # noqa: E402

import datasets  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "syndication-2018" / "data"
AGENCIES = ("AP", "Reuters", "AFP")
CREDIT_KINDS = frozenset({"dateline", "byline", "credit", "contributor", "notice"})


def credited(attribution: Attribution) -> set[str]:
    return {
        s.agency
        for s in attribution.signals
        if s.agency and s.kind in CREDIT_KINDS and not s.prose and s.where != "jsonld"
    }


def cited(attribution: Attribution) -> set[str]:
    return {s.agency for s in attribution.signals if s.agency and s.prose}


def _set(value: str) -> set[str]:
    return set() if value.strip() == "none" else {v.strip() for v in value.split(",") if v.strip()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    packs = load_packs()
    packed = {p.id for p in packs}
    articles = datasets.syndication_articles(args.data)
    labels = datasets.syndication_credits()
    counts = {a: {"tp": 0, "fp": 0, "fn": 0} for a in AGENCIES}
    disagreements: list[str] = []
    for row in labels:
        text = articles[(row["file"], row["id"])]
        page = page_from_text(text, id=row["id"], source=row["file"])
        attribution = detect(page.lines, page.meta, packs)
        got, want = credited(attribution), _set(row["credits"])
        for agency in AGENCIES:
            if agency in got and agency in want:
                counts[agency]["tp"] += 1
            elif agency in got:
                counts[agency]["fp"] += 1
            elif agency in want:
                counts[agency]["fn"] += 1
        if got != want:
            disagreements.append(
                f"  {row['file']}:{row['id']} {row['publisher']}: labelled {sorted(want) or 'none'}, "
                f"found {sorted(got) or 'none'} (cited {sorted(cited(attribution)) or 'none'})"
            )
    print(
        f"Agency credited in the article's own text: {len(labels)} hand-labelled articles (syndication-2018)"
    )
    print(f"  {'agency':<8} {'labelled':>8} {'precision':>9} {'recall':>7} {'F1':>6}  pack")
    total = {"tp": 0, "fp": 0, "fn": 0}
    for agency in AGENCIES:
        c = counts[agency]
        for k in total:
            total[k] += c[k]
        print(_row(agency, c, "yes" if agency in packed else "none yet"))
    print(_row("all", total, ""))
    covered = {k: sum(counts[a][k] for a in AGENCIES if a in packed) for k in total}
    print(_row("packed", covered, "agencies with a rule pack"))
    exact = len(labels) - len(disagreements)
    print(f"  articles whose set of credited agencies is exactly right: {exact}/{len(labels)}")
    if args.verbose:
        print("\n".join(disagreements))
    return 0


def _row(name: str, c: dict[str, int], note: str) -> str:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"  {name:<8} {c['tp'] + c['fn']:>8} {p:>9.3f} {r:>7.3f} {f:>6.3f}  {note}"


if __name__ == "__main__":
    raise SystemExit(main())
