"""JSON written piece by piece: a report's long lists are streamed, never built whole.

``json.dumps`` needs the whole document in memory; a crawl's report has a million pages.
:func:`json_chunks` dumps the document with a placeholder where each long list goes, then
writes that list's items one at a time at the indentation ``json.dumps(indent=2)`` would give
them, so the text is byte for byte what dumping the whole document would have written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

_MARK = "\x00provenance-stream:{}\x00"


def placeholder(name: str) -> str:
    """The value to put where the list ``name`` of :func:`json_chunks`'s ``lists`` goes."""
    return _MARK.format(name)


def json_chunks(data: Any, lists: Mapping[str, Iterable[Any]]) -> Iterator[str]:
    """``json.dumps(data, indent=2, ensure_ascii=False) + "\\n"`` with each ``placeholder(name)``
    replaced by the list ``lists[name]``, written an item at a time."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    for name, items in lists.items():
        token = json.dumps(placeholder(name), ensure_ascii=False)
        before, _, text = text.partition(token)
        yield before
        line = before.rsplit("\n", 1)[-1]  # '    "documents": ' — the list sits at its indent
        outer = " " * (len(line) - len(line.lstrip(" ")))
        yield from _list(items, outer)
    yield text + "\n"


def _list(items: Iterable[Any], outer: str) -> Iterator[str]:
    inner = outer + "  "
    first = True
    for item in items:
        dumped = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n" + inner)
        yield ("[\n" if first else ",\n") + inner + dumped
        first = False
    yield "[]" if first else "\n" + outer + "]"
