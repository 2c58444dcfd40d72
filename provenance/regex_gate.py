"""Cheap necessary conditions for regular expressions: skip a search that cannot match.

Attribution scans every visible line of a page with every pattern of every rule pack: a few
dozen searches per line, most of them failing after trying each position of the line. Most
patterns need some literal words ("contributed", "(AP)", "Reuters"), and ``word in line`` is
far cheaper than a failing search. :func:`gate` reads a compiled pattern's parse tree once
and derives the literals any match must contain; :meth:`Gate.allows` is False only when the
pattern cannot match the text anywhere, so skipping it never changes a result.

Why hand-written: Python's ``re`` has no such prefilter (it only speeds up patterns that
start with a literal), and no library derives one from ``re`` syntax. The parse tree comes
from ``re._parser``, CPython's own parser; should it ever change shape, :func:`gate`
answers "always allowed" rather than guess.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

try:  # CPython's regex parser (re._parser since 3.11)
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - another implementation: no gates
    _parser = None

_MIN_LITERAL = 2  # shorter literals rule out too little to pay for the check

# A requirement is a list of clauses, all of which must hold; a clause holds when any one of
# its literals occurs in the text. A literal is (text, ignore_case).
Literal = tuple[str, bool]
Clause = frozenset[Literal]


class Gate:
    """Clauses that must all hold for a match; each holds when one of its literals occurs."""

    __slots__ = ("_exact", "_folded", "literal_clauses")

    def __init__(self, clauses: tuple[Clause, ...]) -> None:
        self.literal_clauses = clauses
        # Plain tuples and for-loops: this runs tens of times per line and must cost less
        # than the searches it saves.
        exact, folded = [], []
        for clause in clauses:
            sensitive = tuple(lit for lit, icase in clause if not icase)
            blind = tuple(lit for lit, icase in clause if icase)
            (folded if blind else exact).append((sensitive, blind))
        self._exact = tuple(sensitive for sensitive, _ in exact)
        self._folded = tuple(folded)

    def allows(self, text: str) -> bool:
        """False only when the pattern cannot match anywhere in ``text``.

        Case-blind literals are checked only on ASCII text, where lower-casing is exactly how
        ``re`` folds case; on other text those clauses are taken to hold.
        """
        for literals in self._exact:
            for literal in literals:
                if literal in text:
                    break
            else:
                return False
        if not self._folded or not text.isascii():
            return True
        lowered = _lowered(text)
        for sensitive, blind in self._folded:
            for literal in sensitive:
                if literal in text:
                    break
            else:
                for literal in blind:
                    if literal in lowered:
                        break
                else:
                    return False
        return True


ALWAYS = Gate(())

# The last text lower-cased: a line meets a few dozen gates in a row. One tuple, swapped
# whole, so threads sharing it can only miss, never read another text's lower case.
_last: tuple[str, str] = ("", "")


def _lowered(text: str) -> str:
    global _last
    seen, lowered = _last
    if seen is not text:
        lowered = text.lower()
        _last = (text, lowered)
    return lowered


@cache
def gate(pattern: re.Pattern[str]) -> Gate:
    """The literals every match of ``pattern`` contains (see :class:`Gate`)."""
    if _parser is None or pattern.flags & (re.VERBOSE | re.LOCALE):
        return ALWAYS
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
        clauses = _sequence(list(tree), bool(pattern.flags & re.IGNORECASE))
    except Exception:
        return ALWAYS
    return Gate(tuple(dict.fromkeys(c for c in clauses if c)))


def any_of(patterns: list[re.Pattern[str]]) -> Gate:
    """A gate that holds when any of ``patterns`` could match: one literal from each of them."""
    chosen: set[Literal] = set()
    for pattern in patterns:
        clauses = gate(pattern).literal_clauses
        if not clauses:
            return ALWAYS
        chosen |= max(clauses, key=_selectivity)
    return Gate((frozenset(chosen),)) if chosen else ALWAYS


def _selectivity(clause: Clause) -> tuple[int, int]:
    """Rarer first: a clause is as weak as its weakest literal, and weaker the more it has.

    A case-sensitive literal counts double: "AP" or "Reuters" in capitals is rarer in prose
    than "from" in any case.
    """
    return (min(len(lit) * (1 if icase else 2) for lit, icase in clause), -len(clause))


def _sequence(items: list[tuple[Any, Any]], icase: bool) -> list[Clause]:
    """Clauses of a sequence: its runs of literal characters, and what its parts require."""
    clauses: list[Clause] = []
    run: list[str] = []
    run_icase = icase

    def close_run() -> None:
        nonlocal run_icase
        text = "".join(run)
        if len(text) >= _MIN_LITERAL or (text and not text.isascii()):  # "©" alone is rare enough
            clauses.append(frozenset({(text.lower(), True) if run_icase else (text, False)}))
        run.clear()
        run_icase = icase

    for op, arg in items:
        if op is _c.BRANCH and run and (icase or not run_icase):
            # The parser factors a common prefix out of alternatives ("Associated|AP" becomes
            # "A" then "ssociated|P"): give it back to each of them.
            prefix = [(_c.LITERAL, ord(ch)) for ch in run]
            run.clear()
            clauses.extend(_branch([prefix + list(alt) for alt in arg[1]], icase))
            continue
        char = _literal_char(op, arg)
        if char is None or char.isspace() or ((icase or char.islower()) and not char.isascii()):
            # Literals never span whitespace: then cutting a span out of a line (and
            # collapsing spaces) cannot create one, so a gate also holds for the cut line.
            close_run()
            if char is None:
                clauses.extend(_item(op, arg, icase))
            continue
        run.append(char)
        if op is _c.IN:  # [cC]: either case of one letter
            run_icase = True
    close_run()
    return clauses


def _literal_char(op: Any, arg: Any) -> str | None:
    """The character a LITERAL matches, or the lower case of a ``[xX]`` class; else None."""
    if op is _c.LITERAL:
        return chr(arg)
    if op is _c.IN and len(arg) == 2 and all(o is _c.LITERAL for o, _ in arg):
        a, b = chr(arg[0][1]), chr(arg[1][1])
        if a != b and a.lower() == b.lower() and a.isascii():
            return a.lower()
    return None


def _item(op: Any, arg: Any, icase: bool) -> list[Clause]:
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, body = arg
        inner = (icase or bool(add_flags & re.IGNORECASE)) and not (del_flags & re.IGNORECASE)
        return _sequence(list(body), inner)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, body = arg
        return _sequence(list(body), icase) if low >= 1 else []
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(arg), icase)
    if op is _c.ASSERT:  # (?=...) and (?<=...) read text that is in the string too
        _direction, body = arg
        return _sequence(list(body), icase)
    if op is _c.BRANCH:
        return _branch(arg[1], icase)
    return []  # classes, anchors, negative assertions, backreferences: no literal required


def _branch(alternatives: list[Any], icase: bool) -> list[Clause]:
    """One clause: one literal from each alternative (whichever matches brings its own)."""
    chosen: set[Literal] = set()
    for alternative in alternatives:
        clauses = _sequence(list(alternative), icase)
        if not clauses:
            return []  # an alternative that needs no literal: the branch needs none
        chosen |= max(clauses, key=_selectivity)
    return [frozenset(chosen)]
