"""The committed example reports in reports/ are what reports/generate.py makes from seeds/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "reports"))

import generate  # noqa: E402

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def comparable(text: str) -> str:
    """The report without its timestamps (run ids are stable: a fresh database's run is 1)."""
    return _TIME.sub("<time>", text)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {p.name: p for p in generate.generate(tmp_path_factory.mktemp("reports"))}


@pytest.mark.parametrize("filename", sorted(generate.FORMATS.values()))
def test_committed_reports_are_up_to_date(fresh: dict[str, Path], filename: str) -> None:
    committed = ROOT / "reports" / filename
    assert committed.exists(), f"{committed} is missing: run python reports/generate.py"
    assert comparable(committed.read_text(encoding="utf-8")) == comparable(
        fresh[filename].read_text(encoding="utf-8")
    ), f"{committed} is stale: run python reports/generate.py"
