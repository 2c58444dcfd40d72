"""A run's page results kept on disk, not in memory: what makes an audit's memory flat.

An audit of a crawl has millions of pages; a report needs every one of them, but only after
the last is judged (the summary leads the JSON, SARIF lists the rules before the results),
and some formats read them twice. So each result is pickled to a temporary file as it is
saved and reported, and read back one at a time whenever a format walks the run: memory
holds one page at a time plus one file offset per page (8 bytes), never the pages.

:class:`Tally` keeps the counts every format's summary needs, updated as results arrive,
so a summary never walks the file. The standard library's ``pickle`` and ``tempfile`` do
the work; nothing here is a format of its own (the file dies with the run).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, overload

from provenance.model import SEVERITY_RANK, PageResult

_SPILL_AFTER = 1 << 20  # bytes of pickles held in memory before the spool moves to a file


@dataclass(slots=True)
class Tally:
    """Counts over a run's results: pages, unreadable ones, matched ones, findings."""

    pages: int = 0
    errors: int = 0
    matched: int = 0
    suppressed: int = 0
    live_by_severity: dict[str, int] = field(default_factory=dict)  # findings not suppressed
    rule_severity: dict[str, str] = field(default_factory=dict)  # every rule reported: its highest

    def add(self, result: PageResult) -> None:
        self.pages += 1
        self.errors += result.status == "error"
        self.matched += result.match is not None
        for f in result.findings:
            known = self.rule_severity.get(f.rule)
            if known is None or SEVERITY_RANK[f.severity] > SEVERITY_RANK[known]:
                self.rule_severity[f.rule] = f.severity
            if f.suppressed:
                self.suppressed += 1
            else:
                self.live_by_severity[f.severity] = self.live_by_severity.get(f.severity, 0) + 1

    @property
    def findings(self) -> int:
        return sum(self.live_by_severity.values())

    def at_or_above(self, severity: str) -> int:
        floor = SEVERITY_RANK[severity]
        return sum(n for sev, n in self.live_by_severity.items() if SEVERITY_RANK[sev] >= floor)

    @classmethod
    def of(cls, results: Sequence[PageResult]) -> Tally:
        tally = cls()
        for result in results:
            tally.add(result)
        return tally


class ResultSpool(Sequence[PageResult]):
    """Page results in arrival order, pickled to a temporary file (a read-only sequence).

    Small runs stay in memory: the file is made once the pickles pass 1 MB. ``close``
    (or the end of a ``with``) deletes it.
    """

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by close()
            max_size=_SPILL_AFTER, prefix="provenance-run-"
        )
        self._offsets: list[int] = []
        self._end = 0
        self.tally = Tally()

    def append(self, result: PageResult) -> None:
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(self._end)
        self._file.write(data)
        self._offsets.append(self._end)
        self._end += len(data)
        self.tally.add(result)

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> PageResult: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[PageResult]: ...
    def __getitem__(self, index: int | slice) -> PageResult | Sequence[PageResult]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        self._file.seek(self._offsets[index])
        result: PageResult = pickle.load(self._file)
        return result

    def __iter__(self) -> Iterator[PageResult]:
        for i in range(len(self._offsets)):
            yield self[i]

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ResultSpool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def tally_of(results: Sequence[PageResult]) -> Tally:
    """The spool's running tally, or one counted now for a plain list."""
    return results.tally if isinstance(results, ResultSpool) else Tally.of(results)
