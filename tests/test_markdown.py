"""Markdown pages with YAML or TOML front matter."""

from __future__ import annotations

import pytest

from provenance.extract import ExtractionError
from provenance.markdown import page_from_markdown

YAML_PAGE = """---
title: "Port strike halts shipping"
author: Kevin Marsh
date: 2024-05-06
source: Associated Press
canonical: https://apnews.com/article/port-strike-1234
---
# Port strike halts shipping

HARBORVILLE (AP) — Dock workers **walked off** the job on Monday after [talks](https://example.com/talks)
collapsed late Sunday night.

> "We have bargained in good faith," the union said.

![crane](crane.jpg)
See the [original story][ap].

[ap]: https://apnews.com/article/port-strike-1234
"""

TOML_PAGE = """+++
title = "Rate cut"
authors = ["Jane Roe", "Sam Poe"]
+++
The central bank cut rates on *Tuesday*.
"""


def test_yaml_front_matter_becomes_metadata_and_lines_keep_file_numbers() -> None:
    page = page_from_markdown(YAML_PAGE, id="p", source="p.md")
    assert page.title == "Port strike halts shipping"
    assert page.meta["author"] == "Kevin Marsh"
    assert page.meta["published"] == "2024-05-06"
    assert page.meta["source"] == "Associated Press"
    dateline = next(ln for ln in page.lines if ln.text.startswith("HARBORVILLE"))
    assert dateline.line == 10  # the line in the file, front matter included
    assert "**" not in page.text and "walked off" in page.text
    assert "(https://" not in page.text and "crane" not in page.text
    assert any(ln.where == "meta" and ln.text == "Source: Associated Press" for ln in page.lines)


def test_links_from_markdown_syntax_references_and_canonical() -> None:
    page = page_from_markdown(YAML_PAGE, id="p", source="p.md")
    hrefs = [link.href for link in page.links]
    assert hrefs[0] == "https://apnews.com/article/port-strike-1234"  # canonical, where="meta"
    assert "https://example.com/talks" in hrefs
    assert hrefs.count("https://apnews.com/article/port-strike-1234") == 2  # and the reference link


def test_toml_front_matter_and_author_lists() -> None:
    page = page_from_markdown(TOML_PAGE, id="p", source="p.md")
    assert page.title == "Rate cut"
    assert page.meta["author"] == "Jane Roe; Sam Poe"
    assert page.text == "The central bank cut rates on Tuesday."


def test_no_front_matter_is_plain_markdown() -> None:
    page = page_from_markdown("Just *text*.\n", id="p", source="p.md")
    assert page.text == "Just text." and page.meta == {}


@pytest.mark.parametrize(
    "bad",
    [
        "---\ntitle: [unclosed\n---\nBody.\n",
        "+++\ntitle = \n+++\nBody.\n",
        "---\n- a list\n---\nBody.\n",
        "---\ntitle: x\n---\n",
    ],
)
def test_bad_front_matter_or_empty_body_is_an_extraction_error(bad: str) -> None:
    with pytest.raises(ExtractionError):
        page_from_markdown(bad, id="p", source="p.md")


def test_front_matter_dates_are_kept_as_written_whatever_the_year() -> None:
    for written in ("0000-01-01", "2024-03-01T09:00:00Z", "10000-01-01"):
        page = page_from_markdown(f"---\ndate: {written}\n---\n\nThe story.\n", id="p", source="p.md")
        assert page.meta["published"] == written
