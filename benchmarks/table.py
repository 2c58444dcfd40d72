"""The one table format every benchmark script prints: ``(name, value, note)`` rows, aligned."""

from __future__ import annotations

Row = tuple[str, str, str]


def print_table(rows: list[Row]) -> None:
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value}{'   ' + note if note else ''}", flush=True)
