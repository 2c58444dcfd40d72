"""Tests for provenance.sources: files, directories, JSONL, stdin, and bad inputs."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest

from provenance import sources
from provenance.model import InputError, Page
from provenance.sources import StoryInput, read_pages, read_stories

INPUTS = Path(__file__).resolve().parent / "fixtures" / "inputs"
HTML = Path(__file__).resolve().parent / "fixtures" / "html"


@pytest.fixture
def inputs(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the inputs fixture folder, so paths are given as a user would type them."""
    monkeypatch.chdir(INPUTS)
    return INPUTS


def summary(items: list[Page | InputError]) -> list[tuple[str, str, str]]:
    return [
        (type(item).__name__, item.id, item.error if isinstance(item, InputError) else item.source)
        for item in items
    ]


# --------------------------------------------------------------------------- files and directories


def test_directory_is_walked_recursively_sorted_with_known_suffixes(inputs: Path) -> None:
    items = list(read_pages(["pages"]))
    assert summary(items) == [
        ("Page", "pages/a.html", "pages/a.html"),
        ("Page", "pages/b.txt", "pages/b.txt"),
        ("Page", "pages/sub/c.htm", "pages/sub/c.htm"),
    ]  # notes.rst (unknown suffix) and the hidden .draft.html are skipped
    html, text, _ = items
    assert isinstance(html, Page) and isinstance(text, Page)
    assert html.title == "Bridge reopens after repairs"
    assert any(ln.where == "footer" and "© 2024 Reuters" in ln.text for ln in html.lines)
    assert text.title == "Markets slip as oil rises"
    assert text.text.startswith("Markets slip as oil rises\n\nNEW YORK (AP) - Stocks")


def test_directory_path_with_trailing_slash(inputs: Path) -> None:
    assert [item.id for item in read_pages(["pages/sub/"])] == ["pages/sub/c.htm"]


def test_content_hash_is_of_the_file_bytes(inputs: Path) -> None:
    (page,) = read_pages(["pages/b.txt"])
    assert isinstance(page, Page)
    assert page.content_hash == hashlib.sha256((inputs / "pages" / "b.txt").read_bytes()).hexdigest()


def test_named_file_with_another_suffix_is_sniffed(inputs: Path) -> None:
    html, text = read_pages(["page.dat", "plain.dat"])
    assert isinstance(html, Page) and isinstance(text, Page)
    assert html.text.startswith("A page saved with an odd suffix")
    assert html.lines[0].line == 3  # parsed as HTML: the <p> is on line 3
    assert text.text == "Just some plain text\nwith two lines."
    assert [ln.line for ln in text.lines] == [1, 2]


def test_stdin_is_sniffed_and_named_dash() -> None:
    (html,) = read_pages(["-"], stdin=io.BytesIO(b"<!doctype html><p>From a pipe, as HTML.</p>"))
    (text,) = read_pages(["-"], stdin=io.BytesIO(b"From a pipe, as text.\n"))
    assert isinstance(html, Page) and isinstance(text, Page)
    assert (html.id, html.source, html.text) == ("-", "-", "From a pipe, as HTML.")
    assert (text.id, text.source, text.text) == ("-", "-", "From a pipe, as text.")
    (empty,) = read_pages(["-"], stdin=io.BytesIO(b""))
    assert empty == InputError("-", "-", "empty file")


# --------------------------------------------------------------------------- JSONL


def test_jsonl_lines_are_pages_and_bad_lines_are_errors(inputs: Path) -> None:
    items = list(read_pages(["pages.jsonl"]))
    assert summary(items) == [
        ("Page", "p1", "pages.jsonl:1"),
        (
            "InputError",
            "pages.jsonl:2",
            "line 2: malformed JSON: Expecting property name enclosed in double quotes (column 44)",
        ),
        ("Page", "p3", "pages.jsonl:3"),
        ("InputError", "pages.jsonl:5", "line 5: missing 'id'"),
        ("InputError", "p5", "line 6: missing 'text' or 'html'"),
        ("InputError", "pages.jsonl:7", "line 7: expected a JSON object, got list"),
        ("Page", "6", "pages.jsonl:8"),
    ]
    first, third = items[0], items[2]
    assert isinstance(first, Page) and isinstance(third, Page)
    assert (first.url, first.title) == ("https://news.example/p1", "First page")
    assert third.text.startswith("PARIS (AP) - The museum reopened")  # an "html" record
    assert items[4].url == "https://news.example/p5"
    assert all(item.source.startswith("pages.jsonl:") for item in items)


def test_jsonl_invalid_utf8_line_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = b'{"id": "a", "text": "fine"}\n'
    data = good + b'{"id": "b", "text": "caf\xe9"}\n' + b'{"id": "c", "text": "also fine"}\n'
    path.write_bytes(data)
    items = list(read_pages([str(path)]))
    assert [type(i).__name__ for i in items] == ["Page", "InputError", "Page"]
    bad_byte = data.index(b"\xe9")
    assert items[1].error == f"line 2: invalid UTF-8 at byte {bad_byte}"
    assert items[1].source == f"{path}:2"


# --------------------------------------------------------------------------- bad inputs


def test_each_bad_input_is_one_error_and_good_inputs_still_come_through(inputs: Path, tmp_path: Path) -> None:
    binary = tmp_path / "photo.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    invalid = tmp_path / "latin1.txt"
    invalid.write_bytes("caf\u00e9 au lait".encode("latin-1"))
    scripts = str(HTML / "scripts_only.html")
    items = list(
        read_pages(
            [
                "pages/a.html",
                str(binary),
                "empty.txt",
                str(invalid),
                "pages.jsonl",
                "missing/nowhere.html",
                scripts,
                "pages/b.txt",
            ]
        )
    )
    errors = [(item.id, item.error) for item in items if isinstance(item, InputError)]
    assert errors == [
        (str(binary), "binary file"),
        ("empty.txt", "empty file"),
        (str(invalid), "invalid UTF-8 at byte 3"),
        (
            "pages.jsonl:2",
            "line 2: malformed JSON: Expecting property name enclosed in double quotes (column 44)",
        ),
        ("pages.jsonl:5", "line 5: missing 'id'"),
        ("p5", "line 6: missing 'text' or 'html'"),
        ("pages.jsonl:7", "line 7: expected a JSON object, got list"),
        ("missing/nowhere.html", "unreadable: no such file or directory"),
        (scripts, "no text: page has no visible text"),
    ]
    pages = [item.id for item in items if isinstance(item, Page)]
    assert pages == ["pages/a.html", "p1", "p3", "6", "pages/b.txt"]
    assert all("\n" not in error for _, error in errors)


def test_binary_and_empty_jsonl(tmp_path: Path) -> None:
    (tmp_path / "bin.jsonl").write_bytes(b'{"id": "x"}\x00\x01\x02')
    (tmp_path / "blank.jsonl").write_bytes(b"\n  \n")
    items = list(read_pages([str(tmp_path / "bin.jsonl"), str(tmp_path / "blank.jsonl")]))
    assert [item.error for item in items] == ["binary file", "empty file"]


def test_permission_denied_is_an_error(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = builtins.open

    def guarded(file: object, *args: object, **kwargs: object) -> object:
        if str(file).endswith("a.html"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", guarded)
    items = list(read_pages(["pages"]))
    assert summary(items)[0] == ("InputError", "pages/a.html", "unreadable: permission denied")
    assert [item.id for item in items[1:]] == ["pages/b.txt", "pages/sub/c.htm"]


def test_directory_that_cannot_be_listed_is_an_error(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_scandir = os.scandir

    def guarded(path: str) -> object:
        if str(path).rstrip("/").endswith("sub"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(sources.os, "scandir", guarded)
    items = list(read_pages(["pages"]))
    assert summary(items) == [
        ("Page", "pages/a.html", "pages/a.html"),
        ("Page", "pages/b.txt", "pages/b.txt"),
        ("InputError", "pages/sub", "cannot list directory: permission denied"),
    ]


def test_unexpected_extraction_failure_is_an_error(inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> Page:
        raise RuntimeError("boom")

    monkeypatch.setattr(sources, "page_from_html", explode)
    items = list(read_pages(["pages/a.html", "pages/b.txt"]))
    assert summary(items) == [
        ("InputError", "pages/a.html", "extraction failed: RuntimeError: boom"),
        ("Page", "pages/b.txt", "pages/b.txt"),
    ]


# --------------------------------------------------------------------------- stories


def test_read_stories_from_jsonl_and_files(inputs: Path, tmp_path: Path) -> None:
    items = list(read_stories(["stories.jsonl", "stories"], agency="AP"))
    assert [type(item).__name__ for item in items] == [
        "StoryInput",
        "StoryInput",
        "InputError",
        "StoryInput",
        "StoryInput",
    ]
    full, bare, bad, html, text = items
    assert isinstance(full, StoryInput) and isinstance(bare, StoryInput)
    assert (full.page.id, full.page.url, full.page.title) == (
        "ap-001",
        "https://apnews.example/1",
        "Storm closes ports",
    )
    assert (full.agency, full.byline, full.published, full.dateline) == (
        "AP",
        "By JANE DOE",
        "2024-10-02",
        "HOUSTON",
    )
    assert full.page.text.startswith("HOUSTON (AP) - A late-season storm")
    assert (bare.page.id, bare.agency, bare.byline) == ("rt-002", "AP", None)  # the default agency
    assert bad == InputError("bad", "stories.jsonl:3", "line 3: missing 'text' or 'html'")
    assert isinstance(html, StoryInput) and isinstance(text, StoryInput)
    assert (html.page.id, html.page.source) == ("stories/bridge", "stories/bridge.html")
    assert html.byline == "By Lee Kim, Reuters"  # from the page's byline markup
    assert (text.page.id, text.page.title, text.byline) == (
        "stories/markets",
        "Markets slip as oil rises",
        None,
    )


def test_read_stories_without_default_agency(inputs: Path, tmp_path: Path) -> None:
    shutil.copy(HTML / "wire_story.html", tmp_path / "storm.html")
    (story,) = read_stories([str(tmp_path / "storm.html")])
    assert isinstance(story, StoryInput)
    assert story.agency is None
    assert story.page.id == str(tmp_path / "storm")
    assert story.published == "2024-10-02T14:05:00Z"
    assert story.dateline == "HOUSTON"  # JSON-LD dateline
    ids = [item.page.id for item in read_stories(["stories.jsonl"]) if isinstance(item, StoryInput)]
    assert ids == ["ap-001", "rt-002"]
    assert [s.agency for s in read_stories(["stories.jsonl"]) if isinstance(s, StoryInput)] == ["AP", None]


# --------------------------------------------------------------------------- edge cases


def test_jsonl_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "windows.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "w1", "text": "one"}\r\n{"id": "w2", "text": "two"}\r\n')
    assert [(p.id, p.text) for p in read_pages([str(path)]) if isinstance(p, Page)] == [
        ("w1", "one"),
        ("w2", "two"),
    ]


def test_symlink_loop_ends(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A page.\n", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [item.id for item in read_pages([str(tmp_path)])] == [str(tmp_path / "a.txt")]


def test_no_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources.sys, "stdin", None)
    assert list(read_pages(["-"])) == [InputError("-", "-", "unreadable: no standard input")]


def test_a_directory_named_like_a_jsonl_file_is_walked(tmp_path: Path) -> None:
    folder = tmp_path / "odd.jsonl"
    folder.mkdir()
    (folder / "inner.txt").write_text("Inside.\n", encoding="utf-8")
    assert [item.id for item in read_pages([str(folder)])] == [str(folder / "inner.txt")]
