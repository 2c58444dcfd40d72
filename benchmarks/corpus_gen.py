"""A wire corpus of any size for the end-to-end benchmark: Reuters-21578 plus generated variants.

    python benchmarks/corpus_gen.py 1000000 corpus.jsonl
    python -m provenance corpus add corpus.jsonl --db sqlite:///big.db --quiet

One JSON object a line (``id``, ``agency`` "Reuters", ``text``, ``title``): every story of
Reuters-21578 (read in place from ../shared/data), then variants until there are N.

Why variants and not copies: a corpus of a million stories must look like a million
*different* stories to the lookup, or one page would match thousands of them and the
benchmark would measure alignment of duplicates. A variant takes the paragraph layout of one
story and fills it with sentences drawn from other stories, and perturbs what the spin-robust
skeleton keys on (names and figures; a sentence with neither gets an attributed speaker),
so its word shingles and its sentence skeletons are its own: variants are not near each
other nor near the originals. Text is written as it is made (flat memory at any N); only the
Reuters sentences are held. Without ../shared/data the base stories are generated text.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from provenance.text import paragraphs, sentences  # noqa: E402

VERSION = 1  # bump when the output for a given N and seed changes (cached corpora are keyed on it)

_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")  # a capitalised run inside a sentence
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Base:
    """What variants are made of: stories' paragraph layouts, their sentences, names seen."""

    stories: list[tuple[str, str, str]]  # (id, title, text) of the originals
    layouts: list[list[int]]  # sentences per paragraph, one list per story
    sentences: list[str]
    names: list[str]


def load_base(seed: int = 0, limit: int | None = None) -> Base:
    """Reuters-21578 stories (the first ``limit``), or generated ones when ../shared/data is absent."""
    stories: list[tuple[str, str, str]] = []
    try:
        import datasets

        stories = [(s.id, s.title, s.text) for s in islice(datasets.reuters(), limit)]
    except FileNotFoundError:
        pass
    if not stories:
        stories = list(_generated_stories(min(2_000, limit or 2_000), seed))
    layouts: list[list[int]] = []
    pool: list[str] = []
    names: set[str] = set()
    for _, _, body in stories:
        layout = []
        for para in paragraphs(body):
            found = [s.text for s in sentences(para.text) if len(s.text.split()) >= 5]
            pool.extend(found)
            if found:
                layout.append(len(found))
        if layout:
            layouts.append(layout)
        names.update(m.group() for m in _NAME.finditer(body))
    return Base(stories, layouts, pool, sorted(names))


def _generated_stories(count: int, seed: int) -> Iterator[tuple[str, str, str]]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(8_000)] + ["the", "of", "and", "to", "in", "a", "said", "for", "on"]
    people = [f"Name{i}" for i in range(3_000)]

    def sentence() -> str:
        words = [rng.choice(vocab) for _ in range(rng.randint(8, 25))]
        words.insert(rng.randrange(1, len(words)), rng.choice(people))
        words.insert(rng.randrange(1, len(words)), str(rng.randint(1, 9_999)))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    for i in range(count):
        paras = ["  ".join(sentence() for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(2, 7))]
        yield f"generated-{i}", " ".join(paras[0].split()[:6]).upper(), "\n\n".join(paras)


def _perturb(sentence: str, names: list[str], rng: random.Random) -> str:
    """New names and figures (what a sentence skeleton keys on), or a new speaker if it has none."""
    changed = [False]

    def name(_: re.Match[str]) -> str:
        changed[0] = True
        return rng.choice(names)

    def number(m: re.Match[str]) -> str:
        changed[0] = True
        digits = len(m.group().replace(".", "").replace(",", ""))
        return str(rng.randrange(10 ** (digits - 1) if digits > 1 else 0, 10**digits))

    out = _NUMBER.sub(number, _NAME.sub(name, sentence))
    if not changed[0]:
        out = f"{out.rstrip('.')}, {rng.choice(names)} said {rng.randint(2, 99)} times."
    return out


def variant(base: Base, rng: random.Random) -> str:
    """One generated story: a layout from one story, sentences from others, perturbed."""
    layout = rng.choice(base.layouts)
    return "\n\n".join(
        " ".join(_perturb(rng.choice(base.sentences), base.names, rng) for _ in range(count))
        for count in layout
    )


def generate(count: int, out: TextIO, seed: int = 0, base: Base | None = None) -> int:
    """Write ``count`` stories as JSON lines (the originals first); returns how many were written."""
    base = base or load_base(seed, limit=count)  # Reuters has ~19k: more than enough for small N
    rng = random.Random(seed)
    written = 0
    for story_id, title, body in base.stories[:count]:
        out.write(json.dumps({"id": story_id, "agency": "Reuters", "title": title, "text": body}) + "\n")
        written += 1
    for i in range(count - written):
        body = variant(base, rng)
        title = " ".join(body.split()[:8]).upper()
        out.write(
            json.dumps({"id": f"variant-{i:07d}", "agency": "Reuters", "title": title, "text": body}) + "\n"
        )
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("count", type=int, help="stories to write")
    parser.add_argument("output", type=Path, help="the JSONL file to write ('-': standard output)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if str(args.output) == "-":
        generate(args.count, sys.stdout, args.seed)
    else:
        with args.output.open("w", encoding="utf-8") as f:
            written = generate(args.count, f, args.seed)
        print(f"{written:,} stories written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
