"""Caches across pages for pure functions of short texts (issue 15: per-core speed).

A site repeats its class names, style rules and links on every page, and the same text
functions (a class attribute's landmark, a selector's parse, a URL's host) ran again for
each. :func:`short_text_cache` keeps their results for the life of the process, like
``functools.lru_cache``, with one more bound: calls whose arguments are longer than
``max_chars`` in all are computed and not kept, so that pages written to fill memory (a
class attribute or a link a megabyte long, on page after page) cost what they cost before
and never grow the cache past ``maxsize * max_chars`` characters of keys.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

_T = TypeVar("_T")


def short_text_cache(maxsize: int, max_chars: int) -> Callable[[Callable[..., _T]], Callable[..., _T]]:
    """An LRU cache of ``maxsize`` entries for calls whose string arguments total at most ``max_chars``."""

    def wrap(function: Callable[..., _T]) -> Callable[..., _T]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(*args: str) -> _T:
            if sum(map(len, args)) > max_chars:
                return function(*args)
            return cached(*args)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return call

    return wrap
