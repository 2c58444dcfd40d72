"""Shared fixtures: a fresh SQLite database per test, and paths to the demo seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_PAGE = SEEDS / "pages" / "000_03d3abf5e2ddca13.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never let a test touch ./provenance.db or a database named by the environment."""
    monkeypatch.delenv("PROVENANCE_DB", raising=False)
    monkeypatch.chdir(tmp_path)
