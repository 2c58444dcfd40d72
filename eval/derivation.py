"""Derived or not, and which class: provenance against a plain simhash baseline, per data set.

For every data set the same texts go through both systems in the same run:

* **provenance**: the texts that may be copied from are indexed under every fingerprint
  scheme (word shingles, paragraphs, sentence skeletons); each suspicious text is looked up,
  the nominated candidates are verified by alignment, and the pair counts as derived when
  the text is matched to its source. The class (verbatim / edited / spun / partial) is kept.
* **baseline**: plain simhash, 64 bits, word 3-shingles, derived when the two documents'
  fingerprints are within Hamming distance 3 (the web-crawl setting of Manku et al.).

Data sets (../shared/data, read in place):

* ``clough-stevenson``: 95 answers; cut / light / heavy are derived, non is not.
* ``webis-cpc-11``: 1,000 crowd paraphrases, all derived: how many are found.
* ``syndication-2018``: hand-labelled same-event pairs (eval/labels/syndication_pairs.tsv):
  derived or partial copies of one wire story vs independent reports; pairs where one side
  has no article body are left out.
* ``reuters21578``: copies of real Reuters stories made by :mod:`provenance.spinner`
  (20–60 % of content words substituted, 10 % of sentences dropped, paragraphs reordered, an
  intro added), looked up in a corpus of Reuters stories; held-out stories not in the
  corpus are the negatives (those that re-file a corpus story, a near-duplicate the exact-
  text de-duplication kept, are counted apart as well).

Usage: python eval/derivation.py [--quick] [--corpus N] [--spun N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from provenance import retrieval  # noqa: E402
from provenance.fingerprint import fingerprint_text, hamming, hash_strings, simhash  # noqa: E402
from provenance.match import best_match  # noqa: E402
from provenance.model import Match, Story  # noqa: E402
from provenance.spinner import random_intro, spin  # noqa: E402
from provenance.text import normalize, shingles, tokens  # noqa: E402

import datasets  # noqa: E402
from scoring import BinaryScore  # noqa: E402

BASELINE_K = 3
CLASSES = ("verbatim", "edited", "spun", "partial", "none")


def baseline_fingerprint(text: str) -> int:
    """Plain simhash: 64 bits over word 3-shingles (bit-identical to ``simhash.Simhash``)."""
    return simhash(hash_strings(shingles(tokens(text), 3)))


class Provenance:
    """The system under test: an in-memory corpus, retrieval, then verification."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.keys = list(sources)
        self.stories = [Story(id=key, agency="X", text=normalize(text)) for key, text in sources.items()]
        self.index = retrieval.CorpusIndex(
            (i, fingerprint_text(story.text)) for i, story in enumerate(self.stories)
        )

    def match(self, text: str) -> Match | None:
        text = normalize(text)
        fingerprints = fingerprint_text(text)
        chosen = retrieval.select(self.index.near(fingerprints), fingerprints)
        return best_match(text, [self.stories[i] for i in chosen])


@dataclass
class Score(BinaryScore):
    """Derived-vs-not counts and the class confusion (gold label -> predicted class)."""

    confusion: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(
        self, gold_derived: bool, predicted: bool, gold_label: str = "", predicted_class: str = ""
    ) -> None:
        self.count(gold_derived, predicted)
        if gold_label:
            self.confusion[gold_label][predicted_class or "none"] += 1


def _row(name: str, system: str, score: Score, note: str = "") -> str:
    return (
        f"  {name:<26} {system:<11} {score.precision:>6.3f} {score.recall:>6.3f} {score.f1:>6.3f}"
        f" {score.tp:>5} {score.fp:>4} {score.fn:>5} {score.tn:>5}  {note}"
    )


def _confusion(title: str, score: Score, labels: Sequence[str]) -> list[str]:
    out = [
        f"  {title}: gold label -> provenance class",
        f"    {'':<12}" + "".join(f"{c:>10}" for c in CLASSES),
    ]
    for label in labels:
        counts = score.confusion.get(label, Counter())
        out.append(f"    {label:<12}" + "".join(f"{counts.get(c, 0):>10}" for c in CLASSES))
    return out


def _class(match: Match | None, source: str) -> str:
    return match.derivation if match is not None and match.story.id == source else "none"


# --------------------------------------------------------------------------- data sets


def eval_clough() -> tuple[list[str], list[str]]:
    sources = datasets.clough_sources()
    system = Provenance({f"task-{t}": text for t, text in sources.items()})
    base = {t: baseline_fingerprint(text) for t, text in sources.items()}
    ours, theirs = Score(), Score()
    for _, task, label, text in datasets.clough():
        derived = label != "non"
        predicted = _class(system.match(text), f"task-{task}")
        ours.add(derived, predicted != "none", label, predicted)
        theirs.add(derived, hamming(baseline_fingerprint(text), base[task]) <= BASELINE_K)
    rows = [_row("clough-stevenson (95)", "provenance", ours), _row("", "baseline", theirs)]
    return rows, _confusion("clough-stevenson", ours, ("cut", "light", "heavy", "non"))


def eval_webis() -> tuple[list[str], list[str]]:
    pairs = datasets.webis()
    system = Provenance({pid: original for pid, _, original, _ in pairs})
    ours, theirs = Score(), Score()
    for pid, paraphrased, original, paraphrase in pairs:
        predicted = _class(system.match(paraphrase), pid)
        label = "paraphrase" if paraphrased == "Yes" else "rejected"
        ours.add(True, predicted != "none", label, predicted)
        theirs.add(
            True, hamming(baseline_fingerprint(paraphrase), baseline_fingerprint(original)) <= BASELINE_K
        )
    rows = [_row("webis-cpc-11 (1000)", "provenance", ours, "all derived"), _row("", "baseline", theirs)]
    return rows, _confusion("webis-cpc-11", ours, ("paraphrase", "rejected"))


def eval_syndication() -> tuple[list[str], list[str]]:
    articles = datasets.syndication_articles()
    pairs = [p for p in datasets.syndication_pairs() if not p["notes"].startswith("NOBODY")]
    keys = sorted({(p["file"], p[side]) for p in pairs for side in ("id_a", "id_b")})
    system = Provenance({f"{f}:{i}": articles[(f, i)] for f, i in keys})
    base = {f"{f}:{i}": baseline_fingerprint(articles[(f, i)]) for f, i in keys}
    matches = {key: system.match(articles[tuple(key.split(":", 1))]) for key in base}  # type: ignore[arg-type]
    ours, theirs = Score(), Score()
    independent_matched = 0
    for p in pairs:
        a, b = f"{p['file']}:{p['id_a']}", f"{p['file']}:{p['id_b']}"
        derived = p["label"] in ("derived", "partial")
        predicted = _pair_class(system, articles, a, b, matches)
        ours.add(derived, predicted != "none", p["label"], predicted)
        theirs.add(derived, hamming(base[a], base[b]) <= BASELINE_K)
        independent_matched += p["label"] == "independent" and predicted != "none"
    note = f"independent pairs matched: {independent_matched}"
    rows = [_row(f"syndication-2018 ({len(pairs)})", "provenance", ours, note), _row("", "baseline", theirs)]
    return rows, _confusion("syndication-2018", ours, ("derived", "partial", "independent"))


def _pair_class(system: Provenance, articles: dict, a: str, b: str, matches: dict[str, Match | None]) -> str:
    """Either side shown to derive from the other (its best match, or a direct verification)."""
    for page, story in ((a, b), (b, a)):
        match = matches[page]
        if match is not None and match.story.id == story:
            return match.derivation
    for page, story in ((a, b), (b, a)):
        text = normalize(articles[tuple(page.split(":", 1))])
        target = system.stories[system.keys.index(story)]
        fingerprints = fingerprint_text(text)
        chosen = retrieval.select(system.index.near(fingerprints), fingerprints, limit=10**6)
        if system.keys.index(story) in chosen:
            match = best_match(text, [target])
            if match is not None:
                return match.derivation
    return "none"


def eval_reuters(corpus_size: int, spun_count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    seen: set[str] = set()
    stories = []
    for story in datasets.reuters():
        key = " ".join(story.text.split()).lower()
        if len(story.text.split()) >= 80 and key not in seen:
            seen.add(key)
            stories.append(story)
    rng.shuffle(stories)
    corpus, held_out = stories[:corpus_size], stories[corpus_size : corpus_size + spun_count // 2]
    system = Provenance({s.id: s.text for s in corpus})
    base = {s.id: baseline_fingerprint(s.text) for s in corpus}
    sources = corpus[:spun_count]
    by_rate: dict[float, tuple[Score, Score]] = {}
    ours_all, theirs_all = Score(), Score()
    for i, source in enumerate(sources):
        rate = (0.2, 0.3, 0.4, 0.5, 0.6)[i % 5]
        copy = spin(
            source.text, rate=rate, drop=0.1, reorder=0.1, intro=random_intro(seed + i), seed=seed + i
        )
        predicted = _class(system.match(copy.text), source.id)
        found_base = hamming(baseline_fingerprint(copy.text), base[source.id]) <= BASELINE_K
        ours, theirs = by_rate.setdefault(rate, (Score(), Score()))
        ours.add(True, predicted != "none", f"{rate:.0%}", predicted)
        theirs.add(True, found_base)
        ours_all.add(True, predicted != "none", f"{rate:.0%}", predicted)
        theirs_all.add(True, found_base)
    near_dup = _near_duplicates(held_out, corpus)
    dup_matched = 0
    for story in held_out:  # not in the corpus: any match is a false positive
        matched = system.match(story.text) is not None
        ours_all.add(False, matched)
        dup_matched += matched and story.id in near_dup
        fp = any(hamming(baseline_fingerprint(story.text), b) <= BASELINE_K for b in base.values())
        theirs_all.add(False, fp)
    name = f"reuters spun ({len(sources)}+{len(held_out)})"
    rows = [_row(name, "provenance", ours_all, f"corpus {len(corpus)}"), _row("", "baseline", theirs_all)]
    rows.append(
        f"    held-out negatives matched: {ours_all.fp} of {ours_all.fp + ours_all.tn}; of them {dup_matched} "
        f"of the {len(near_dup)} that re-file a corpus story (5-shingle containment >= {NEAR_DUPLICATE})"
    )
    for rate, (ours, theirs) in sorted(by_rate.items()):
        rows.append(
            f"    substituted {rate:.0%}: recall provenance {ours.recall:.3f}, baseline {theirs.recall:.3f}"
        )
    high = [by_rate[r] for r in by_rate if r >= 0.4]
    rec = sum(o.tp for o, _ in high) / max(1, sum(o.tp + o.fn for o, _ in high))
    base_rec = sum(t.tp for _, t in high) / max(1, sum(t.tp + t.fn for _, t in high))
    rows.append(f"    substituted >= 40%: recall provenance {rec:.3f}, baseline {base_rec:.3f}")
    return rows, _confusion("reuters spun", ours_all, ("20%", "30%", "40%", "50%", "60%"))


NEAR_DUPLICATE = 0.2  # share of a held-out story's 5-shingles found in one corpus story


def _near_duplicates(
    held_out: Sequence[datasets.WireStory], corpus: Sequence[datasets.WireStory]
) -> set[str]:
    """Held-out stories that re-file a corpus story: Reuters-21578 holds the same report sent
    twice with edits (a speech, a company statement) and daily tables that differ only in
    their figures, which exact-text de-duplication keeps apart. They are "negatives" by
    construction only, so their matches are counted apart."""
    holders: dict[str, set[int]] = defaultdict(set)
    for n, story in enumerate(corpus):
        for gram in shingles(tokens(story.text), 5):
            holders[gram].add(n)
    found = set()
    for story in held_out:
        grams = set(shingles(tokens(story.text), 5))
        counts: Counter[int] = Counter(n for gram in grams for n in holders.get(gram, ()))
        if grams and counts and max(counts.values()) >= NEAR_DUPLICATE * len(grams):
            found.add(story.id)
    return found


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller Reuters corpus and fewer copies")
    parser.add_argument("--corpus", type=int, default=5000, help="Reuters stories in the corpus")
    parser.add_argument("--spun", type=int, default=500, help="spun copies (and half as many negatives)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not datasets.DATA.exists():
        print(f"no data at {datasets.DATA}", file=sys.stderr)
        return 2
    if args.quick:
        args.corpus, args.spun = 1000, 100
    header = f"  {'data set':<26} {'system':<11} {'prec':>6} {'recall':>6} {'F1':>6} {'TP':>5} {'FP':>4} {'FN':>5} {'TN':>5}"
    rows: list[str] = []
    confusions: list[str] = []
    timings = []
    for name, run in (
        ("clough", eval_clough),
        ("webis", eval_webis),
        ("syndication", eval_syndication),
        ("reuters", lambda: eval_reuters(args.corpus, args.spun)),
    ):
        start = time.perf_counter()
        r, c = run()
        timings.append(f"{name} {time.perf_counter() - start:.1f} s")
        rows += r
        confusions += c
    print("Derived vs not derived (baseline: plain simhash, 64 bits, word 3-shingles, k = 3)")
    print(header)
    print("\n".join(rows))
    print()
    print("\n".join(confusions))
    print(f"\n  time: {', '.join(timings)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
