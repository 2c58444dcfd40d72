"""Choose each fingerprint scheme's Hamming threshold k from data; prints the evidence.

On real Reuters stories: copies made with :mod:`provenance.spinner` (light edits, spun at
40 %, and partial copies: three paragraphs pasted into another story) are the positives;
the other stories of the corpus are the negatives. For each scheme and each k the script
prints

* recall: the share of copies whose source has enough near fingerprints (the scheme's
  ``min_hits``) to be nominated for verification;
* false candidates: how many *other* stories per copy are nominated, in a corpus of N.

Each scheme is judged on the copies it is for (word shingles: edited and partial copies;
sentence skeletons: spun and edited copies). The chosen k is the widest tolerance that (a)
stays on the recall plateau (within 1 point of the best recall over k = 0..10, with at most
one false candidate per copy) and (b) keeps the block index cheap: with k + 1 tables the
keys are 64 / (k + 1) bits, and k <= 3 keeps them at 16 bits or more, so a lookup in a
million fingerprints reads a few dozen rows instead of thousands. The values in
``provenance.fingerprint.SCHEMES`` are the ones this script chose.

Usage: python eval/thresholds.py [--corpus N] [--copies N]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from provenance.fingerprint import SCHEMES, Scheme, fingerprint_text  # noqa: E402
from provenance.spinner import random_intro, spin  # noqa: E402
from provenance.text import normalize, paragraphs  # noqa: E402

import datasets  # noqa: E402

KS = range(0, 11)
K_INDEX = 3  # widest k whose block keys stay >= 16 bits with k + 1 tables
JUDGED_ON = {"shingle3": ("edited", "partial"), "skeleton3": ("spun 40%", "edited")}


def _copies(sources: list[str], others: list[str], rng: random.Random) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {"edited": [], "spun 40%": [], "partial": []}
    for i, text in enumerate(sources):
        out["edited"].append((i, spin(text, rate=0.05, drop=0.1, seed=i).text))
        out["spun 40%"].append(
            (i, spin(text, rate=0.4, drop=0.1, reorder=0.1, intro=random_intro(i), seed=i).text)
        )
        paras = [p.text for p in paragraphs(text)]
        if len(paras) >= 4:
            start = rng.randrange(len(paras) - 2)
            host = [p.text for p in paragraphs(rng.choice(others))]
            out["partial"].append((i, "\n\n".join(host[:2] + paras[start : start + 3] + host[2:])))
    return out


def _values(fps: list, scheme: Scheme) -> np.ndarray:
    return np.array([fp.value for fp in fps if fp.scheme_key == scheme.key], dtype=np.uint64)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=int, default=2000)
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args(argv)
    if not datasets.DATA.exists():
        print(f"no data at {datasets.DATA}", file=sys.stderr)
        return 2
    rng = random.Random(11)
    stories = [s.text for s in datasets.reuters() if len(s.text.split()) >= 120]
    stories = list(dict.fromkeys(normalize(s) for s in stories))
    rng.shuffle(stories)
    corpus = stories[: args.corpus]
    copies = _copies(corpus[: args.copies], stories[args.corpus : args.corpus + 500], rng)
    corpus_fps = [fingerprint_text(t) for t in corpus]
    print(f"Hamming thresholds from data: {len(corpus)} Reuters stories, {args.copies} sources copied")
    chosen: dict[str, int] = {}
    for scheme in SCHEMES:
        values = [_values(fps, scheme) for fps in corpus_fps]
        owner = np.concatenate([np.full(v.size, i) for i, v in enumerate(values)])
        stored = np.concatenate(values)
        print(f"\n  scheme {scheme.key} (levels {', '.join(scheme.levels)}; min_hits {scheme.min_hits})")
        print(
            f"    {'k':>3} "
            + "".join(f"{kind + ' recall':>18}{'false/copy':>11}" for kind in copies)
            + f"{'key bits':>10}{'rows/probe @1M':>16}"
        )
        recall_at: dict[int, float] = {}
        false_at: dict[int, float] = {}
        for k in KS:
            cells = []
            recalls, falses = [], []
            for kind, items in copies.items():
                found = false = 0
                for source, text in items:
                    q = _values(fingerprint_text(normalize(text)), scheme)
                    if q.size == 0 or stored.size == 0:
                        continue
                    near = np.bitwise_count(q[:, None] ^ stored[None, :]) <= k
                    hits = np.bincount(owner[near.any(axis=0)], minlength=len(corpus))
                    need = max(1, min(scheme.min_hits, q.size))
                    nominated = hits >= need
                    found += bool(nominated[source])
                    false += int(nominated.sum()) - bool(nominated[source])
                n = max(1, len(items))
                if kind in JUDGED_ON[scheme.name]:
                    recalls.append(found / n)
                    falses.append(false / n)
                cells.append(f"{found / n:>18.3f}{false / n:>11.2f}")
            recall_at[k], false_at[k] = float(np.mean(recalls)), float(np.mean(falses))
            bits = 64 / (k + 1)
            rows = 1e6 * (k + 1) / 2**bits
            print(f"    {k:>3} " + "".join(cells) + f"{bits:>10.1f}{rows:>16,.0f}")
        best = max(recall_at.values())
        plateau = [k for k in KS if recall_at[k] >= best - 0.01 and false_at[k] <= 1.0]
        cheap = [k for k in plateau if k <= K_INDEX]
        chosen[scheme.key] = max(cheap) if cheap else min(plateau, default=K_INDEX)
        judged = " and ".join(JUDGED_ON[scheme.name])
        print(
            f"    judged on {judged}: best recall {best:.3f}; plateau k = {plateau[0] if plateau else '-'}"
            f"..{plateau[-1] if plateau else '-'}; chosen k = {chosen[scheme.key]} (in use: {scheme.k})"
        )
    agree = all(chosen[s.key] == s.k for s in SCHEMES)
    print(
        f"\n  thresholds in provenance.fingerprint.SCHEMES {'match' if agree else 'DIFFER FROM'} the choice"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
