"""A deterministic article spinner: makes "spun" copies of a story for tests and evaluation.

Why: content farms republish wire stories through article-spinning software, which swaps
content words for synonyms, drops sentences, reorders paragraphs and adds an opener of its
own. To measure how well provenance finds such copies, the evaluation scripts spin real
Reuters stories and the unit tests spin small fixtures, and both need the same copy for the
same seed, with an honest count of what was changed.

How: the text is normalised and cut into paragraphs of sentences (:mod:`provenance.text`).
Then, each step with its own seeded random stream, so changing one knob leaves the others'
choices alone:

1. ``drop``: delete that share of the sentences (never all of them);
2. ``rate``: substitute that share of the *eligible* words, the content words a spinner
   would touch: not function words, figures, number words, units (pct, dlrs, mln, yen,
   acres ...) or names (a capital inside a sentence; at a sentence start, a word also
   capitalised inside a sentence of the text, a month, or the first word of a capitalised
   run such as "Wall Street"). Only words with an entry in the synonym table can change:
   when fewer have one than the rate asks for, all of them change and the achieved rate
   says so. A replacement keeps the word's case and the text around it; after "a"/"an" it
   takes the same article, and after a determiner it does not bring one of its own;
3. ``reorder``: swap that share of adjacent paragraph pairs (sentence pairs when the text
   is one paragraph), the swapped pairs never overlapping;
4. ``intro``: prepend an opener as a new first paragraph (:func:`random_intro` picks one).

The synonym table, ``synonyms.txt`` beside this module, is loaded once, lazily. Its heads
include inflected forms ("rose: climbed") and phrases of a content word and the function
words after it ("plans to: intends to"), tried first, so a verb and a noun spelled alike
get a fitting synonym.

Why hand-written: no spinner library on PyPI is deterministic and works offline, and NLTK's
WordNet would need a data download, which this project cannot do at run time. A table of
news and business vocabulary, written for this project, also spins like the real tools do:
clumsily, often with several words for one ("police" -> "law enforcement").
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import TypeVar

from provenance.text import FUNCTION_WORDS, in_skeleton, normalize, paragraphs, sentences, token_spans

TABLE_FILE = "synonyms.txt"
T = TypeVar("T")

# Closed-class words that text.FUNCTION_WORDS leaves out (contractions are found by rule).
_CLOSED = frozenset(
    """
    cannot per via upon versus amid onto along behind beside must shall whose either neither
    us yet every nothing anything something everything none
    """.split()  # noqa: SIM905 - a word list reads best as text
)
# Figures spelled out (a hyphenated token with one of them, "three-month", is a figure too).
# "first" and "second" are not here: they double as "initial" and "next".
NUMBER_WORDS = frozenset(
    """
    zero nil one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred hundreds thousand thousands million millions billion billions trillion
    dozen half halves twice third thirds fourth fifth sixth seventh eighth ninth
    tenth
    """.split()  # noqa: SIM905
)
# Units that travel with figures: the wire's abbreviations, currencies and measures.
UNIT_WORDS = frozenset(
    """
    pct dlrs dlr mln bln cts ct stg vs shr shrs qtr avg revs oper mths yr yrs bpd lbs lb kg km
    mt unch cent cents yen franc francs mark marks guilder guilders crown crowns peso pesos lira
    lire rand ringgit rupee rupees yuan pounds barrel barrels acre acres hectare hectares mile
    miles foot feet ounce ounces bushel bushels kilo kilos bag bags bale bales gallon gallons
    cubic
    """.split()  # noqa: SIM905
)
_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()  # noqa: SIM905
)
_NAME_LINKS = frozenset({"of", "for", "and", "de"})
_MAX_PHRASE = 3
_DETERMINERS = frozenset("a an the this that these those its their his her our my your".split())  # noqa: SIM905
_AN_PREFIXES = ("hour", "honest", "honour", "honor", "heir")
_A_PREFIXES = ("uni", "use", "usu", "uti", "eu", "one", "once", "ura")

DEFAULT_INTROS: tuple[str, ...] = (
    "Here is what we know so far about the latest developments.",
    "In case you missed it, this is one of the stories everyone is talking about today.",
    "The following report has been making the rounds, and we have the details.",
    "Our news desk has been following this story closely.",
    "Catch up on the day's business news with this quick read.",
    "This just in: a story that matters for markets and your money.",
    "Below is a roundup of the key facts you need to know.",
    "Stay informed: here is the full story behind today's headlines.",
)


@dataclass(frozen=True, slots=True)
class Spun:
    """A spun copy and what the spinner did to make it.

    ``rate`` is the achieved share, ``substituted / eligible`` (0.0 when nothing was
    eligible); ``eligible`` counts the words of the sentences that were kept.
    """

    text: str
    substituted: int
    eligible: int
    rate: float
    dropped: int
    reordered: int


@dataclass(frozen=True, slots=True)
class _Slot:
    """A place in a sentence that can take a synonym: ``sentence[start:end]`` is replaced."""

    sentence: int
    start: int
    end: int
    options: tuple[str, ...]


def spin(
    text: str,
    *,
    rate: float = 0.4,
    drop: float = 0.0,
    reorder: float = 0.0,
    intro: str | None = None,
    seed: int = 0,
) -> Spun:
    """Spin ``text``: the same arguments always give the same copy.

    The result is normalised text with one blank line between paragraphs; with ``rate=0``
    and nothing else asked it is ``normalize(text)`` (single line breaks become blank lines).
    """
    for name, share in (("rate", rate), ("drop", drop), ("reorder", reorder)):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {share}")
    blocks = _blocks(normalize(text))
    names = _names(blocks)
    blocks, dropped = _drop(blocks, drop, random.Random(f"{seed}:drop"))
    blocks, substituted, eligible = _substitute(blocks, rate, names, random.Random(f"{seed}:words"))
    blocks, reordered = _reorder(blocks, reorder, random.Random(f"{seed}:reorder"))
    opener = " ".join(normalize(intro or "").split())
    if opener:
        blocks.insert(0, [opener])
    out = "\n\n".join(" ".join(block) for block in blocks)
    achieved = substituted / eligible if eligible else 0.0
    return Spun(out, substituted, eligible, achieved, dropped, reordered)


def random_intro(seed: int = 0) -> str:
    """One of :data:`DEFAULT_INTROS`, chosen by ``seed``: ``spin(text, intro=random_intro(s))``."""
    return random.Random(f"intro:{seed}").choice(DEFAULT_INTROS)


# --- the synonym table ----------------------------------------------------------------------


def kept_word(word: str) -> bool:
    """Whether a lower-case word is one a spinner never replaces, whatever its case."""
    if word in FUNCTION_WORDS or word in _CLOSED or word in UNIT_WORDS or any(c.isdigit() for c in word):
        return True
    if any(part in NUMBER_WORDS for part in word.split("-")):
        return True
    head, apostrophe, _ = word.partition("'")
    return bool(apostrophe) and (word.endswith("n't") or head in FUNCTION_WORDS or head in _CLOSED)


def parse_table(source: str) -> dict[str, tuple[str, ...]]:
    """Parse ``head: synonym, synonym`` lines; a head is a word, or a word and function words."""
    table: dict[str, tuple[str, ...]] = {}
    for number, raw in enumerate(source.splitlines(), 1):
        line = raw.split("#", 1)[0].strip().lower()
        if not line:
            continue
        head, colon, rest = line.partition(":")
        words = head.split()
        head = " ".join(words)
        options = tuple(dict.fromkeys(" ".join(o.split()) for o in rest.split(",") if o.strip()))
        options = tuple(o for o in options if o != head)
        if not colon or not words or not options:
            raise ValueError(f"synonym table line {number}: expected 'word: synonym, synonym'")
        if kept_word(words[0]) or not all(w in FUNCTION_WORDS for w in words[1:]):
            raise ValueError(
                f"synonym table line {number}: {head!r} is not a content word (+ function words)"
            )
        if head in table:
            raise ValueError(f"synonym table line {number}: {head!r} appears twice")
        table[head] = options
    return table


@cache
def synonym_table() -> Mapping[str, tuple[str, ...]]:
    """The shipped table, read once: head (word or phrase) to its synonyms."""
    source = resources.files("provenance").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return MappingProxyType(parse_table(source))


# --- structure: paragraphs of sentences -------------------------------------------------------


def _blocks(text: str) -> list[list[str]]:
    """Paragraphs as lists of sentence strings."""
    out = [[s.text for s in sentences(p.text)] for p in paragraphs(text)]
    return [block for block in out if block]


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _drop(blocks: list[list[str]], share: float, rng: random.Random) -> tuple[list[list[str]], int]:
    total = sum(len(b) for b in blocks)
    count = min(_half_up(share * total), max(total - 1, 0))
    if count == 0:
        return blocks, 0
    gone = set(rng.sample(range(total), count))
    out: list[list[str]] = []
    index = 0
    for block in blocks:
        kept = [s for i, s in enumerate(block, index) if i not in gone]
        index += len(block)
        if kept:
            out.append(kept)
    return out, count


def _reorder(blocks: list[list[str]], share: float, rng: random.Random) -> tuple[list[list[str]], int]:
    """Swap paragraphs, or the sentences of a text that is one paragraph."""
    if len(blocks) == 1:
        swapped, count = _swap_pairs(blocks[0], share, rng)
        return [swapped], count
    return _swap_pairs(blocks, share, rng)


def _swap_pairs(units: list[T], share: float, rng: random.Random) -> tuple[list[T], int]:
    """Swap ``share`` of the adjacent pairs, no two swaps sharing a unit (so at most n // 2)."""
    out = list(units)
    n = len(out)
    count = min(_half_up(share * max(n - 1, 0)), n // 2)
    # k disjoint pairs among n units, uniformly: k positions among n - k, then spread them.
    for j, position in enumerate(sorted(rng.sample(range(n - count), count))):
        first = position + j
        out[first], out[first + 1] = out[first + 1], out[first]
    return out, count


# --- substitution -----------------------------------------------------------------------------


def _names(blocks: list[list[str]]) -> frozenset[str]:
    """Words capitalised inside a sentence somewhere in the text: names wherever they stand."""
    out: set[str] = set()
    for sentence in (s for block in blocks for s in block):
        for word, start, _ in token_spans(sentence):
            if sentence[start].isupper() and in_skeleton(sentence, word, start):
                out.add(_base(word))
    return frozenset(out)


def _base(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


def _eligible(sentence: str, spans: list[tuple[str, int, int]], i: int, names: frozenset[str]) -> bool:
    word, start, _ = spans[i]
    if kept_word(word) or kept_word(_base(word)) or in_skeleton(sentence, word, start):
        return False
    if not sentence[start].isupper():
        return True
    return not _starts_name(sentence, spans, i, names)


def _starts_name(sentence: str, spans: list[tuple[str, int, int]], i: int, names: frozenset[str]) -> bool:
    """A capitalised word at a sentence start: is it a name rather than a common word?"""
    if _base(spans[i][0]) in names or spans[i][0] in _MONTHS:
        return True
    following = spans[i + 1 : i + 3]
    if following and sentence[following[0][1]].isupper():
        return True
    return len(following) == 2 and following[0][0] in _NAME_LINKS and sentence[following[1][1]].isupper()


def _lookup(
    sentence: str, spans: list[tuple[str, int, int]], i: int, table: Mapping[str, tuple[str, ...]]
) -> tuple[int, tuple[str, ...]]:
    """End offset and synonyms of the longest head starting at token ``i`` (no synonyms: ``()``)."""
    for size in range(_MAX_PHRASE, 1, -1):
        run = spans[i : i + size]
        if len(run) == size and all(sentence[a[2] : b[1]] == " " for a, b in pairwise(run)):
            options = table.get(" ".join(w for w, _, _ in run))
            if options:
                return run[-1][2], options
    word, _, end = spans[i]
    if word in table:
        return end, table[word]
    if word.endswith("'s") and word[:-2] in table:
        return end, tuple(o + "'s" for o in table[word[:-2]])
    return end, ()


def _article(word: str) -> str:
    w = word.lower()
    if w.startswith(_AN_PREFIXES):
        return "an"
    if w.startswith(_A_PREFIXES):
        return "a"
    return "an" if w[:1] in "aeiou" else "a"


def _agree(
    sentence: str, spans: list[tuple[str, int, int]], i: int, options: tuple[str, ...]
) -> tuple[str, ...]:
    """Drop the synonyms that clash with the word before: "the the press", "an rise"."""
    if i == 0 or sentence[spans[i - 1][2] : spans[i][1]] != " ":
        return options
    before = spans[i - 1][0]
    if before in _DETERMINERS:
        options = tuple(o for o in options if o.split()[0] not in _DETERMINERS)
    if before in ("a", "an"):
        options = tuple(o for o in options if _article(o) == before)
    return options


def _slots(
    index: int, sentence: str, names: frozenset[str], table: Mapping[str, tuple[str, ...]]
) -> tuple[int, list[_Slot]]:
    """How many words of a sentence are eligible, and the places that have a synonym."""
    spans = token_spans(sentence)
    eligible = 0
    slots: list[_Slot] = []
    for i, (_, start, _) in enumerate(spans):
        if not _eligible(sentence, spans, i, names):
            continue
        eligible += 1
        end, options = _lookup(sentence, spans, i, table)
        options = _agree(sentence, spans, i, options)
        if options:
            slots.append(_Slot(index, start, end, options))
    return eligible, slots


def _match_case(original: str, replacement: str) -> str:
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _substitute(
    blocks: list[list[str]], share: float, names: frozenset[str], rng: random.Random
) -> tuple[list[list[str]], int, int]:
    table = synonym_table()
    flat = [s for block in blocks for s in block]
    eligible = 0
    slots: list[_Slot] = []
    for index, sentence in enumerate(flat):
        count, found = _slots(index, sentence, names, table)
        eligible += count
        slots += found
    wanted = min(_half_up(share * eligible), len(slots))
    chosen = sorted(rng.sample(range(len(slots)), wanted))
    picks = {i: rng.choice(slots[i].options) for i in chosen}
    for i in reversed(chosen):  # right to left, so earlier offsets stay valid
        slot, sentence = slots[i], flat[slots[i].sentence]
        new = _match_case(sentence[slot.start : slot.end], picks[i])
        flat[slot.sentence] = sentence[: slot.start] + new + sentence[slot.end :]
    out: list[list[str]] = []
    for block in blocks:
        out.append(flat[: len(block)])
        flat = flat[len(block) :]
    return out, wanted, eligible
