"""Text from outside (file names, ids, pages, servers) made safe to print on one line.

Kept apart from the command line so report formats (the table) use the same escaping as
its error lines.
"""

from __future__ import annotations

# Characters that must not reach a terminal or a CI log raw: C0 controls (newline, carriage
# return, escape...), DEL, C1 controls, the Unicode line and paragraph separators, and the
# bidirectional controls (Bidi_Control: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).
_INVISIBLE = {
    code: repr(chr(code))[1:-1]  # as repr() writes it, quotes left out: \n, \x1b, \u202e
    for code in (
        *range(0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}


def visible(text: str) -> str:
    """``text`` with its control characters written as escapes, as ``repr()`` writes them.

    A newline becomes ``\\n``, an escape ``\\x1b``, a right-to-left override ``\\u202e``:
    text from pages, file names and ids printed with it stays on one line, cannot move the
    cursor, recolour or retitle a terminal, reorder what is shown, or start a line of its own
    (a GitHub Actions workflow command such as ``::error::`` is read from a line's start).
    Everything else is left as it is, backslashes included.
    """
    return text.translate(_INVISIBLE)
