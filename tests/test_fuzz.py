"""Issue 13, item 8: hostile inputs of every class never make the command line crash or hang.

Property-style, on the generators of eval/hostile.py at their small sizes and with fixed
seeds (no new dependency): for each input class, 50 inputs are written to files and go
through ``provenance.cli.main`` in-process, under every command the class is run with in the
harness (``extract``; ``audit`` too for the disguised, buried and baited copies of wire
stories and for the file formats, against a SQLite corpus of seeds/wire built once). The
properties: no exception escapes (``PROVENANCE_DEBUG=1`` makes the CLI re-raise what it
would print as an internal error), the exit code is 0, 1 or 2, and the 50 together finish
within a few seconds, so each one does.

One CLI call per class and command keeps the suite fast (the fixed cost of a call, the
parser and the rule packs, is paid once, not 50 times); when a property fails, each input is
run alone to name the seeds at fault. The real pages of ../shared are mutated only by
eval/robustness.py (the full harness, 10,000+ inputs at full size); here the page classes
mutate the repository's own seed and fixture pages, so the test runs anywhere.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEEDS

from provenance import store
from provenance.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
import hostile  # eval/ is not a package: found through the path above

PER_CLASS = 50
AUDITED = 10  # inputs per class through audit: it matches, judges and saves each page
BATCH_SECONDS = (
    120.0  # a hang, not a speed bound: speed is measured by eval/robustness.py, never asserted here
)


@pytest.fixture(scope="module")
def corpus() -> hostile.Corpus:
    return hostile.repo_corpus()


@pytest.fixture(scope="module")
def wire_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLite corpus of seeds/wire, built once for the module's audits."""
    from provenance.corpus import add_stories
    from provenance.packs import load_packs

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz-db') / 'wire.db'}"
    loaded = add_stories(store.open_database(url), [str(SEEDS / "wire")], load_packs(), jobs=1)
    assert not loaded.errors, loaded.errors
    yield url
    store.close_databases()


def _write(cls: hostile.InputClass, corpus: hostile.Corpus, folder: Path, seeds: range) -> dict[str, int]:
    """Each seed's input as a file in ``folder``: path → seed."""
    paths = {}
    for seed in seeds:
        item = hostile.generate(cls, seed, corpus, small=True)
        path = folder / f"{cls.name}-{seed:03d}{item.suffix}"
        path.write_bytes(item.data)
        paths[str(path)] = seed
    return paths


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | None, str, float]:
    """Exit code (None when an exception escaped), what went wrong, and the seconds taken."""
    start = time.perf_counter()
    try:
        code: int | None = main(argv)
        problem = "" if code in (0, 1, 2) else f"exit code {code}"
    except SystemExit as exc:  # argparse's usage error is exit 2 by contract
        code, problem = (2, "") if exc.code == 2 else (None, f"SystemExit({exc.code!r})")
    except Exception as exc:
        code, problem = None, f"{type(exc).__name__}: {exc}"[:300]
    capsys.readouterr()
    return code, problem, time.perf_counter() - start


def _culprits(
    paths: dict[str, int], options: list[str], command: str, capsys: pytest.CaptureFixture[str]
) -> str:
    """Each input alone: the seeds whose run fails or is slow (for the assertion message)."""
    found = []
    for path, seed in paths.items():
        _, problem, seconds = _run([*command.split(), path, *options], capsys)
        if problem or seconds > BATCH_SECONDS / 4:
            found.append(f"seed {seed}: {problem or f'{seconds:.1f} s'}")
    return "; ".join(found) or "none alone (only together)"


@pytest.mark.parametrize(
    ("name", "command"),
    [(cls.name, command) for cls in hostile.CLASSES for command in cls.commands],
)
def test_hostile_inputs_neither_crash_nor_hang(
    name: str,
    command: str,
    corpus: hostile.Corpus,
    wire_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROVENANCE_DEBUG", "1")  # an "internal error" escapes instead of exit 2
    cls = hostile.BY_NAME[name]
    paths = _write(cls, corpus, tmp_path, range(AUDITED if command == "audit" else PER_CLASS))
    if command == "corpus":  # wire files (issue 14) into an empty corpus of their own
        command, options = "corpus add", ["--db", f"sqlite:///{tmp_path / 'wire.db'}", "--jobs", "1", "-q"]
    else:
        options = ["--format", "json"] + (["--db", wire_db] if command == "audit" else [])
    code, problem, seconds = _run([*command.split(), *paths, *options], capsys)
    if problem or seconds > BATCH_SECONDS:
        culprits = _culprits(paths, options, command, capsys)
        pytest.fail(f"{name} ({command}, {len(paths)} inputs, {seconds:.1f} s): {problem}; {culprits}")
    assert code in (0, 1, 2)
