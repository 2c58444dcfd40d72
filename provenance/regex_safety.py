"""Rule-pack patterns that backtrack without end, found before they are used.

Python's ``re`` has no timeout, and a search cannot be interrupted: a pattern such as
``(a+)+$`` takes minutes on a 35-character line that it fails to match, and every line of
every page of an audit is searched with it. A pack is a file anyone can edit, so rather than
hang an audit, such a pattern is refused when the pack is loaded (and by ``rules check``),
with the line to fix.

What is refused is a repetition that can read one text in more than one way: ``(a+)+`` reads
"aa" as one iteration or two, ``(a|aa)+`` as "a", "a" or as "aa", ``(\\w+\\s?)*`` splits a word
anywhere. On a line that fails to match, a backtracking matcher tries every one of these
readings, and there are exponentially many. A quantified group holding a quantifier is not
refused for that alone: ``(?:\\s+[A-Z]\\w*){0,3}`` reads any text in one way only, because each
iteration starts with a space that the previous one cannot end with.

The check builds a position automaton (Glushkov's construction) from the parse tree of
CPython's own regex parser, with counted edges, and looks for a state with two different
paths back to itself that read the same characters (an exponentially ambiguous automaton,
as in Weideman et al., "Analyzing matching time behavior of backtracking regular expression
matchers by using ambiguity of NFA", 2016). A bounded repetition ({0,4}) is refused only when
it can cut a run of text into iterations in more than one way and a loop inside lets that run
be as long as the line (``(\\w+\\s?){1,9}``): that takes time growing as a high power of the
line's length. Characters are sampled (Latin, Greek, Cyrillic, punctuation, and those the
pattern names); word boundaries (\b, \\B), anchors and possessive quantifiers are taken into
account; lookarounds are read as matching anything, and their own patterns are checked apart.
Where it is unsure, the check refuses. A refused pattern can always be written another way:
make each iteration start with a character the previous one cannot end with, or make the
inner quantifier possessive (``a++``, ``\\w*+``).

Patterns that are merely slow (an unanchored search rescanning the rest of the line from each
position, quadratic in its length) are not caught here: the built-in packs bound such scans
themselves (see ``_NAME_WORD`` and the contributor patterns).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

try:  # CPython's regex parser (re._parser since 3.11)
    from re import _constants as _sre
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - another implementation: no check
    _sre_parser = None  # type: ignore[assignment]

_NEVER = "never"  # two zero-width conditions that cannot both hold (\b\B, a "^" after a character)
Condition = str | None  # None (no condition), "b" (\b) or "B" (\B) between two characters
# A position, the condition on the boundary before it (in a ``first`` table) or after it (in
# ``last``), and the characters the position after the boundary may not read (what a
# possessive quantifier would have taken).
_Key = tuple[int, Condition, int]
_Empty = tuple[Condition, int]  # one way to match the empty string: condition, banned characters


@dataclass(slots=True)
class _Fragment:
    """What the automaton of one part of a pattern starts and ends with.

    ``first``: positions the part can start with; ``last``: positions it can end with;
    ``empty``: the ways it matches the empty string. Values count the ways (2 stands for
    "two or more"): two ways to read the same text are what makes a repetition explode.
    """

    first: dict[_Key, int]
    last: dict[_Key, int]
    empty: dict[_Empty, int]


def _both(a: Condition, b: Condition) -> Condition:
    if a is None or a == b:
        return b
    if b is None:
        return a
    return _NEVER


def _add(table: dict[Any, int], key: Any, count: int) -> None:
    table[key] = min(2, table.get(key, 0) + count)


def _joined(table: dict[Any, int], ways: Mapping[Any, int], empty: Mapping[_Empty, int]) -> None:
    """Add to ``table`` each of ``ways`` (positions, or empty matches) joined with each empty
    match in ``empty``: both conditions hold, neither's banned characters may follow."""
    for key, k1 in ways.items():
        for (c2, ban2), k2 in empty.items():
            c = _both(key[-2], c2)
            if c != _NEVER:
                _add(table, (*key[:-2], c, key[-1] | ban2), k1 * k2)


# Sample characters: Latin, Greek, Cyrillic, general punctuation and a few others. The
# characters a pattern names (literals, the ends of its ranges) are added to them.
_SAMPLE: tuple[int, ...] = (
    *range(0x0530),
    *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070),
    *(0x20AC, 0x2122, 0x3000, 0x3001, 0x4E00, 0xFEFF, 0xFF01, 0xFF10, 0xFF21, 0xFF41, 0x1F600),
)


class _Alphabet:
    """Sample characters as the bits of an int, and the character classes of ``re`` as masks."""

    def __init__(self, extra: Iterable[int]) -> None:
        sample = set(_SAMPLE)
        self.points = [*_SAMPLE, *sorted({p for p in extra if 0 <= p <= 0x10FFFF} - sample)]
        self.chars = [chr(p) for p in self.points]
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.all = (1 << len(self.chars)) - 1
        base, more = _sample_classes(), self.chars[len(_SAMPLE) :]
        classes = {
            name: mask | sum(1 << (len(_SAMPLE) + i) for i, c in enumerate(more) if test(c))
            for name, (mask, test) in base.items()
        }
        self.word = classes["WORD"]
        self.categories: dict[str, int] = {}
        for name, mask in classes.items():
            self.categories[f"CATEGORY_{name}"] = mask
            self.categories[f"CATEGORY_NOT_{name}"] = self.all & ~mask
        # Case pairs with an added character (the sample's own pairs are in _sample_folded).
        self.cases: dict[int, int] = {}
        for i, c in enumerate(more, start=len(_SAMPLE)):
            for variant in (c.lower(), c.upper(), c.casefold()):
                if variant in self.index and variant != c:
                    j = self.index[variant]
                    self.cases[i] = self.cases.get(i, 0) | 1 << j
                    self.cases[j] = self.cases.get(j, 0) | 1 << i

    def bit(self, char: str) -> int:
        """The bit of one character (0 for a string such as the upper case of "ß")."""
        i = self.index.get(char) if len(char) == 1 else None
        return 0 if i is None else 1 << i

    def span(self, low: int, high: int) -> int:
        # The sample is sorted: its part of the range is one run of bits.
        start, end = bisect.bisect_left(_SAMPLE, low), bisect.bisect_right(_SAMPLE, high)
        mask = ((1 << end) - 1) ^ ((1 << start) - 1)
        for i, p in enumerate(self.points[len(_SAMPLE) :], start=len(_SAMPLE)):
            if low <= p <= high:
                mask |= 1 << i
        return mask

    def folded(self, mask: int) -> int:
        """``mask`` with the other cases of each of its characters (IGNORECASE)."""
        out = mask | _sample_folded(mask & _SAMPLE_BITS)
        for i, other in self.cases.items():
            if mask >> i & 1:
                out |= other
        return out


def _test(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda c: compiled.match(c) is not None


@cache
def _sample_classes() -> dict[str, tuple[int, Callable[[str], bool]]]:
    """\\w, \\s, \\d and line breaks on the sample: (mask, test for other characters)."""
    tests = {"WORD": _test(r"\w"), "SPACE": _test(r"\s"), "DIGIT": _test(r"\d"), "LINEBREAK": _test("\n")}
    return {
        name: (sum(1 << i for i, p in enumerate(_SAMPLE) if test(chr(p))), test)
        for name, test in tests.items()
    }


_SAMPLE_BITS = (1 << len(_SAMPLE)) - 1


@lru_cache(maxsize=4096)
def _sample_folded(mask: int) -> int:
    """The other cases of the sampled characters in ``mask``."""
    out = 0
    for i, other in _sample_cases().items():
        if mask >> i & 1:
            out |= other
    return out


@cache
def _sample_cases() -> dict[int, int]:
    index = {p: i for i, p in enumerate(_SAMPLE)}
    out: dict[int, int] = {}
    for i, p in enumerate(_SAMPLE):
        c = chr(p)
        for variant in (c.lower(), c.upper(), c.casefold()):
            if len(variant) == 1 and ord(variant) in index and variant != c:
                out[i] = out.get(i, 0) | 1 << index[ord(variant)]
    return out


def _named_points(items: Iterable[tuple[Any, Any]]) -> set[int]:
    """The code points a parsed pattern names: literals, and each range's ends and neighbours."""
    found: set[int] = set()
    for op, arg in items:
        if op in (_sre.LITERAL, _sre.NOT_LITERAL):
            found.add(arg)
        elif op is _sre.RANGE:
            low, high = arg
            found.update((low - 1, low, low + 1, high - 1, high, high + 1))
        for body in _bodies(op, arg):
            found |= _named_points(body)
    return found


def _bodies(op: Any, arg: Any) -> list[Iterable[tuple[Any, Any]]]:
    """The parts of the parse tree nested in one item."""
    if op is _sre.IN or op is _sre.ATOMIC_GROUP:
        return [arg]
    if op is _sre.SUBPATTERN:
        return [arg[3]]
    if op is _sre.BRANCH:
        return list(arg[1])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        return [arg[2]]
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return [arg[1]]
    if op is _sre.GROUPREF_EXISTS:
        return [arg[1], arg[2] or []]
    return []


class _Automaton:
    """The position automaton of a pattern, with counted edges (see the comment above)."""

    def __init__(self, alphabet: _Alphabet) -> None:
        self.abc = alphabet
        self.masks: list[int] = []  # position -> the characters it reads
        # (from, to, condition on the boundary between, characters forbidden at "to", the
        # bounded repetition whose loop the edge closes, if any) -> ways
        self.edges: dict[tuple[int, int, Condition, int, int | None], int] = {}
        self.bounded = 0  # bounded repetitions seen: each gets a number
        self.empty_loop = False  # an unbounded repetition of something that can match nothing
        self.inner: list[list[Any]] = []  # lookaround bodies, checked as patterns of their own

    # -- building ------------------------------------------------------------------------

    def sequence(self, items: Iterable[tuple[Any, Any]], flags: int) -> _Fragment:
        out = _Fragment({}, {}, {(None, 0): 1})
        for op, arg in items:
            part = self.item(op, arg, flags)
            self.link(out.last, part.first)
            _joined(out.first, part.first, out.empty)
            last: dict[_Key, int] = dict(part.last)
            _joined(last, out.last, part.empty)
            empty: dict[_Empty, int] = {}
            _joined(empty, out.empty, part.empty)
            out.last, out.empty = last, empty
        return out

    def link(self, last: Mapping[_Key, int], first: Mapping[_Key, int], loop: int | None = None) -> None:
        """Edges from each position that can end one part to each that can start the next
        (``loop``: the bounded repetition whose next iteration they start)."""
        for (p, c1, ban1), k1 in last.items():
            for (q, c2, ban2), k2 in first.items():
                if (c := _both(c1, c2)) != _NEVER:
                    _add(self.edges, (p, q, c, ban1 | ban2, loop), k1 * k2)

    def position(self, mask: int) -> _Fragment:
        self.masks.append(mask)
        p = len(self.masks) - 1
        return _Fragment({(p, None, 0): 1}, {(p, None, 0): 1}, {})

    def item(self, op: Any, arg: Any, flags: int) -> _Fragment:
        if op in (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN):
            return self.position(self.chars(op, arg, flags))
        if op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, body = arg
            return self.sequence(body, (flags | add_flags) & ~del_flags)
        if op is _sre.ATOMIC_GROUP:
            return self.sequence(arg, flags)
        if op is _sre.BRANCH:
            return self.branch([self.sequence(alt, flags) for alt in arg[1]])
        if op is _sre.GROUPREF_EXISTS:
            _group, yes, no = arg
            return self.branch([self.sequence(yes, flags), self.sequence(no or [], flags)])
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            return self.repeat(op, arg, flags)
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            self.inner.append(list(arg[1]))
            return _Fragment({}, {}, {(None, 0): 1})
        if op is _sre.AT:
            return _Fragment({}, {}, {(c, 0): 1 for c in self.anchor(str(arg), flags)})
        return _Fragment({}, {}, {(None, 0): 1})  # a back reference: read as matching nothing

    def anchor(self, code: str, flags: int) -> list[Condition]:
        """The conditions under which an anchor holds between two characters (none: never)."""
        if code in ("AT_BOUNDARY", "AT_UNI_BOUNDARY", "AT_LOC_BOUNDARY"):
            return ["b"]
        if code in ("AT_NON_BOUNDARY", "AT_UNI_NON_BOUNDARY", "AT_LOC_NON_BOUNDARY"):
            return ["B"]
        if code in ("AT_BEGINNING", "AT_END") and flags & re.MULTILINE:
            return [None]
        return []  # the start or end of the string is never between two characters

    def chars(self, op: Any, arg: Any, flags: int) -> int:
        """The characters one position reads, as a mask of the sample."""
        abc = self.abc
        if op is _sre.ANY:
            return abc.all if flags & re.DOTALL else abc.all & ~abc.bit("\n")
        if op is _sre.LITERAL:
            items = [(op, arg)]
        elif op is _sre.NOT_LITERAL:
            items = [(_sre.NEGATE, None), (_sre.LITERAL, arg)]
        else:
            items = arg
        mask, negate = 0, False
        for sub, value in items:
            if sub is _sre.NEGATE:
                negate = True
            elif sub is _sre.LITERAL:
                mask |= abc.bit(chr(value))
            elif sub is _sre.RANGE:
                mask |= abc.span(*value)
            else:  # a category (\w, \s, \d and their negations), or anything unforeseen
                mask |= abc.categories.get(str(value).replace("_UNI", "").replace("_LOC", ""), abc.all)
        if flags & re.IGNORECASE:
            mask = abc.folded(mask)
        return abc.all & ~mask if negate else mask

    def branch(self, parts: Sequence[_Fragment]) -> _Fragment:
        out = _Fragment({}, {}, {})
        for part in parts:
            for table, more in ((out.first, part.first), (out.last, part.last), (out.empty, part.empty)):
                for key, k in more.items():
                    _add(table, key, k)
        return out

    def repeat(self, op: Any, arg: Any, flags: int) -> _Fragment:
        low, high, body = arg
        part = self.sequence(body, flags)
        if high == 0:
            return _Fragment({}, {}, {(None, 0): 1})
        out = _Fragment(dict(part.first), dict(part.last), dict(part.empty))
        if high == _sre.MAXREPEAT:
            self.empty_loop = self.empty_loop or bool(part.empty)
            self.link(part.last, part.first)
        elif high > 1:  # its loop, marked: see ambiguity()
            self.bounded += 1
            self.link(part.last, part.first, self.bounded)
        if low == 0:
            _add(out.empty, (None, 0), 1)
        if op is _sre.POSSESSIVE_REPEAT:
            # It gives nothing back: unless it stopped at its maximum, what follows cannot
            # start with what it could still have read.
            ban = 0
            for q, _c, _ban in part.first:
                ban |= self.masks[q]
            if high == _sre.MAXREPEAT:
                out.last = {(p, c, b | ban): k for (p, c, b), k in out.last.items()}
            out.empty = {(c, b | ban): k for (c, b), k in out.empty.items()}
        return out

    # -- the check -----------------------------------------------------------------------

    def ambiguity(self) -> str | None:
        """How the automaton can read one text in many ways, if it can: "exponential" when
        a state has two different paths back to itself reading the same text; "polynomial"
        when a bounded repetition ({1,5}) can cut a run of text into iterations in more than
        one way, and some loop inside lets that run be as long as the line.

        "Cut in more than one way": one path starts the repetition's next iteration where the
        other goes on inside the current one. A bounded repetition whose iterations are read in
        two ways but always start at the same place ("/File" as a name or as the word "file"
        in ``(?:/(?:NAME|file)){0,4}``) multiplies the work by a constant: that is allowed.
        """
        graph = self._product()
        unbounded = {n: [e for e in edges if e[2] is None and e[3] is None] for n, edges in graph.items()}
        looping: set[Any] = set()  # nodes on a cycle of unbounded edges
        for component in _components(unbounded):
            if _ambiguous(component, unbounded, lambda e: e[1]):
                return "exponential"
            if len(component) > 1 or any(e[0] in component for n in component for e in unbounded[n]):
                looping |= component
        for component in _components(graph):
            if component & looping and _ambiguous(
                component, graph, lambda e: e[1] and (e[2] is None) != (e[3] is None)
            ):
                return "polynomial"
        return None

    def _product(self) -> dict[Any, list[tuple[Any, bool, int | None, int | None]]]:
        """The automaton paired with itself, from each state paired with itself: a node is
        two states after reading one text; an edge says whether its two steps differ, and
        the bounded repetitions whose loops they close."""
        word = self.abc.word
        states: dict[int, list[tuple[int, int]]] = {}  # position -> (kind, mask): word or not
        for p, mask in enumerate(self.masks):
            states[p] = [(kind, m) for kind, m in ((1, mask & word), (0, mask & ~word)) if m]
        out: dict[int, list[tuple[int, int, Condition, int, int | None, int]]] = {}
        for (p, q, c, banned, loop), k in self.edges.items():
            out.setdefault(p, []).append((q, len(out.get(p, ())), c, banned, loop, k))

        def steps(node: tuple[int, int, int, int]) -> Iterable[tuple[Any, bool, int | None, int | None]]:
            p1, k1, p2, k2 = node
            for q1, id1, c1, ban1, loop1, n1 in out.get(p1, ()):
                for q2, id2, c2, ban2, loop2, _n2 in out.get(p2, ()):
                    for kq1, m1 in states[q1]:
                        if (c1 == "b" and kq1 == k1) or (c1 == "B" and kq1 != k1):
                            continue
                        for kq2, m2 in states[q2]:
                            if (c2 == "b" and kq2 == k2) or (c2 == "B" and kq2 != k2):
                                continue
                            if m1 & m2 & ~ban1 & ~ban2:
                                distinct = p1 != p2 or k1 != k2 or q1 != q2 or id1 != id2 or n1 > 1
                                yield (q1, kq1, q2, kq2), distinct, loop1, loop2

        graph: dict[Any, list[tuple[Any, bool, int | None, int | None]]] = {}
        todo = [(p, kind, p, kind) for p in states for kind, _m in states[p]]
        while todo:
            node = todo.pop()
            if node not in graph:
                graph[node] = list(steps(node))
                todo.extend(e[0] for e in graph[node] if e[0] not in graph)
        return graph


def _ambiguous(
    component: set[Any], graph: Mapping[Any, Sequence[Any]], differ: Callable[[Any], bool]
) -> bool:
    """Whether a strongly connected part of the product holds a state paired with itself and
    an edge (inside it) whose two steps ``differ``: two paths from that state back to itself."""
    if not any(n[0] == n[2] and n[1] == n[3] for n in component):
        return False
    return any(differ(e) and e[0] in component for n in component for e in graph[n])


def _components(graph: Mapping[Any, Sequence[tuple[Any, ...]]]) -> list[set[Any]]:
    """Strongly connected components (Tarjan's algorithm, iterative)."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    stack: list[Any] = []
    on_stack: set[Any] = set()
    found: list[set[Any]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            edges = graph[node]
            while i < len(edges):
                nxt = edges[i][0]
                i += 1
                if nxt not in index:
                    work.append((node, i))
                    work.append((nxt, 0))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return found


def backtracking_hazard(pattern: str, flags: int = 0) -> str | None:
    """Why searching with ``pattern`` can take exponential time on a line, or None.

    ``pattern`` is a compiled-ready regex source (macros expanded). See the comment above for
    what is refused and why: Python's ``re`` has no timeout, so a pack's patterns are checked
    before any line is searched with them.
    """
    return _hazard(pattern, flags)


_HAZARDS: dict[tuple[str, int], str | None] = {}


def _hazard(pattern: str, flags: int) -> str | None:
    key = (pattern, flags)
    if key in _HAZARDS:
        return _HAZARDS[key]
    found = None
    if _sre_parser is not None:
        try:
            tree = list(_sre_parser.parse(pattern, flags))
        except re.error:
            tree = None
        if tree is not None:
            found = _tree_hazard(tree, flags)
    _HAZARDS[key] = found
    return found


def _tree_hazard(tree: list[Any], flags: int, alphabet: _Alphabet | None = None) -> str | None:
    automaton = _Automaton(alphabet or _Alphabet(_named_points(tree)))
    automaton.sequence(tree, flags)
    if automaton.empty_loop:
        return "it repeats a group that can match the empty string, as in (a*)* or (a?)+"
    found = automaton.ambiguity()
    if found == "exponential":
        return (
            "a repetition in it can match the same text in more than one way (nested quantifiers,"
            " as in (a+)+, (a|aa)+ or (\\w+\\s?)*): that takes exponential time on a line it"
            " fails to match"
        )
    if found == "polynomial":
        return (
            "a bounded repetition in it can cut a long run of text into iterations in more than"
            " one way, as in (\\w+\\s?){1,9}: that takes time growing as a high power of the"
            " line's length on a line it fails to match"
        )
    for body in automaton.inner:
        if _repeats(body):
            found = _tree_hazard(body, flags, automaton.abc)
            if found:
                return found
    return None


def _repeats(items: Iterable[tuple[Any, Any]]) -> bool:
    """Whether a parsed pattern repeats anything more than once."""
    for op, arg in items:
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and arg[1] > 1:
            return True
        if any(_repeats(body) for body in _bodies(op, arg) if op is not _sre.IN):
            return True
    return False
