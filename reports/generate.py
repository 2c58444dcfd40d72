"""Regenerate the example reports in reports/ from the demo in seeds/ (run from the project root).

    python reports/generate.py

A fresh SQLite database in a temporary folder gets the demo corpus (seeds/wire) and one
audit of the demo pages (seeds/pages); the saved run is then rendered with
``provenance report`` in each format below. tests/test_reports.py regenerates them and
fails when the committed files are stale (timestamps aside).
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = {"html": "demo.html", "markdown": "demo.md", "sarif": "demo.sarif", "json": "demo.json"}


def generate(out_dir: Path) -> list[Path]:
    """Write every example report into ``out_dir``; paths in them are relative to the project root."""
    from provenance.cli import main

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(ROOT):
        db = f"sqlite:///{Path(tmp) / 'demo.db'}"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            if main(["corpus", "add", "seeds/wire", "--db", db, "-q"]) != 0:
                raise SystemExit("corpus add failed")
            main(["audit", "seeds/pages", "--db", db, "-q"])
        for name, filename in FORMATS.items():
            path = out_dir / filename
            if main(["report", "latest", "--format", name, "--output", str(path), "--db", db]) != 0:
                raise SystemExit(f"report --format {name} failed")
            written.append(path)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for path in generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "reports"):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
