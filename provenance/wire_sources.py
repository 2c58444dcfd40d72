"""Wire archives as corpus stories: ninjs, NewsML-G2, NITF and NewsML 1 files, found by content.

``corpus add`` reads what agencies deliver (:mod:`provenance.wire` parses it) beside its own
JSONL, HTML, text and Markdown. A file is a wire file when its bytes say so (a ninjs object,
a NewsML-G2 ``newsItem``, an ``nitf`` or ``NewsML`` root), whatever its name: ``.json``,
``.xml``, ``.gz`` or none. A JSONL file is ninjs when its first record is.

Each item becomes one story. Its id is the item's guid, with ``#v<version>`` when the item has
a version: the versions of a story (write-thrus, corrections, a kill) are rows of their own,
grouped by guid, so a copy of any version is matched and the latest version's status (a kill,
``canceled``; a hold, ``withheld``) applies to all of them. An item that only changes a
story's status (a kill with no text) is stored without text: it is never matched, but it
carries the status. An item that cannot be read is one error naming the file and the field;
the other items of the file are still read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from provenance.extract import ExtractionError, page_from_text
from provenance.model import InputError, Page
from provenance.wire import WireFormatError, WireItem, parse_each, sniff

# Suffixes that may hold wire items, looked at (by content) in directories given to corpus add.
WIRE_SUFFIXES = (".json", ".ninjs", ".xml", ".nitf", ".newsml", ".gz")


@dataclass(frozen=True)
class WireStory:
    """One wire item read from a file: the page of its text, and what the item says of itself."""

    page: Page
    item: WireItem


def is_wire(data: bytes) -> bool:
    """Whether a file's bytes are a wire format (see the module docstring). A document that
    cannot even be sniffed (a gzip bomb) counts as one: reading it says what is wrong."""
    try:
        return sniff(data) is not None
    except WireFormatError:
        return True


def story_id(item: WireItem) -> str:
    """The story's id: the item's guid, and its version when it has one."""
    return item.id if item.version is None else f"{item.id}#v{item.version}"


def wire_stories(data: bytes, source: str) -> Iterator[WireStory | InputError]:
    """Every item of one wire file (a document, or JSONL of ninjs), each a story or an error."""
    try:
        for number, parsed in enumerate(parse_each(data, source), start=1):
            if isinstance(parsed, WireFormatError):
                yield InputError(f"{source}#{number}", source, _without(source, str(parsed)))
                continue
            yield _story(parsed, source)
    except WireFormatError as exc:  # the document as a whole (gzip, encoding) cannot be read
        yield InputError(source, source, _without(source, str(exc)))


def _without(source: str, message: str) -> str:
    """The message without the source in front (the error line names it already)."""
    return message.removeprefix(f"{source}: ")


def wire_jsonl_head(first_line: bytes) -> bool:
    """Whether a JSONL file whose first non-blank line is ``first_line`` holds ninjs items: a
    ninjs object with its identifier (``uri``, or ``guid`` in ninjs 1), which the corpus's own
    JSONL records (``id``, ``text``, ``byline``…) never have."""
    if sniff(first_line) != "ninjs":
        return False
    try:
        record = json.loads(first_line)
    except ValueError:
        return False
    return isinstance(record, dict) and ("uri" in record or "guid" in record)


def _story(item: WireItem, source: str) -> WireStory | InputError:
    sid = story_id(item)
    if item.text.strip():
        try:
            page = page_from_text(item.text, id=sid, source=source, url=item.url)
        except ExtractionError as exc:
            return InputError(sid, source, str(exc), item.url)
    elif item.pub_status != "usable":
        page = Page(id=sid, source=source, text="", url=item.url)  # a status only: never matched
    else:
        return InputError(sid, source, "no text: the item has no body", item.url)
    page.title = item.headline or page.title
    whole = json.dumps(vars(item), sort_keys=True, ensure_ascii=False)  # every field, not the text only
    page.content_hash = hashlib.sha256(whole.encode("utf-8", "surrogatepass")).hexdigest()
    return WireStory(page, item)
