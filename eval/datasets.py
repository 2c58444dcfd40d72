"""Loaders for the research corpora in ../shared/data (read in place, never copied).

Shared by the evaluation and benchmark scripts. Each loader returns plain tuples or dicts
and raises FileNotFoundError when its folder is absent.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
LABELS = ROOT / "eval" / "labels"

_REUTERS = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_DATE = re.compile(r"<DATE>(.*?)</DATE>", re.S)
_SIGNOFF = re.compile(r"\s*(?:Reuter|REUTER)\s*(?:&#3;|\x03)?\s*$")


@dataclass(frozen=True, slots=True)
class WireStory:
    id: str
    title: str
    text: str
    date: str


def reuters(folder: Path = DATA / "reuters21578", keep_signoff: bool = False) -> Iterator[WireStory]:
    """Reuters-21578 stories with a body, in NEWID order; the "Reuter" sign-off cut unless asked."""
    for path in sorted(folder.glob("reut2-*.sgm")):
        raw = path.read_text(encoding="latin-1")
        for m in _REUTERS.finditer(raw):
            body = _BODY.search(m.group(2))
            if not body:
                continue
            text = body.group(1).replace("&#3;", "").strip()
            if not keep_signoff:
                text = _SIGNOFF.sub("", text)
            title = _TITLE.search(m.group(2))
            date = _DATE.search(m.group(2))
            yield WireStory(
                id=f"reuters-{m.group(1)}",
                title=html.unescape(title.group(1)).strip() if title else "",
                text=_paragraphs(html.unescape(text)),
                date=date.group(1).strip() if date else "",
            )


def _paragraphs(text: str) -> str:
    """Reuters bodies wrap lines at 70 columns and indent paragraphs: rebuild the paragraphs."""
    paras = re.split(r"\n\s{2,}|\n\s*\n|\n?&\\t", text)  # the copy marks paragraphs with a literal "&\\t"
    return "\n\n".join(" ".join(p.split()) for p in paras if p.strip())


def clough(folder: Path = DATA / "clough-stevenson" / "data") -> list[tuple[str, str, str, str]]:
    """(answer file, task, label, answer text) for the 95 answers, and sources via :func:`clough_sources`."""
    rows = list(csv.DictReader((folder / "file_information.csv").open(encoding="utf-8")))
    out = []
    for row in rows:
        if row["Category"] == "orig":
            continue
        text = (folder / row["File"]).read_text(encoding="utf-8", errors="replace")
        out.append((row["File"], row["Task"], row["Category"], text))
    return out


def clough_sources(folder: Path = DATA / "clough-stevenson" / "data") -> dict[str, str]:
    return {
        task: (folder / f"orig_task{task}.txt").read_text(encoding="utf-8", errors="replace")
        for task in "abcde"
    }


def webis(
    path: Path = DATA / "webis-cpc-11" / "Webis-CPC-11_1000_sample.json",
) -> list[tuple[str, str, str, str]]:
    """(pair id, is_paraphrased, original, paraphrase) for the 1,000 pairs."""
    out = []
    for i, item in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        original = " ".join(s["text"] for s in item["original"])
        paraphrase = " ".join(s["text"] for s in item["paraphrase"])
        out.append((f"webis-{i}", item["is_paraphrased"], original, paraphrase))
    return out


def syndication_articles(folder: Path = DATA / "syndication-2018" / "data") -> dict[tuple[str, str], str]:
    """{(file, id): text} with paragraphs restored from the `` ### `` separators."""
    csv.field_size_limit(10**8)
    out = {}
    for name in ("helsinki", "census", "spotify"):
        with (folder / f"{name}_articles.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out[(name, row["id"])] = row["text"].replace(" ### ", "\n\n")
    return out


def _labels(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def syndication_pairs(path: Path = LABELS / "syndication_pairs.tsv") -> list[dict[str, str]]:
    """Hand-labelled pairs (derived / partial / independent); see eval/labels/README.md."""
    return _labels(path)


def syndication_credits(path: Path = LABELS / "syndication_credits.tsv") -> list[dict[str, str]]:
    """Hand-labelled articles: which agencies each credits or cites; see eval/labels/README.md."""
    return _labels(path)
