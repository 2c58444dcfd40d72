"""The wire-format readers (provenance.wire): ninjs 1.x/2.x/3.x, NewsML-G2, NITF and NewsML 1.x.

Three parts: our own small fixtures in ``tests/fixtures/wire`` read field by field; the IPTC
examples and agency samples in ``shared/data/wire-formats`` (skipped when that folder is
absent); and the IPTC ninjs schema test suite, whose ``should_fail`` documents must each end in
a WireFormatError or in the lenient reading that ``provenance/wire/ninjs.py`` documents.
"""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from provenance.wire import WireFormatError, WireItem, parse, parse_each, sniff
from provenance.wire.sniff import MAX_DECOMPRESSED

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wire"
WIRE_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "wire-formats"
SUITE = WIRE_DATA / "ninjs" / "test_suite"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def results(data: bytes, source: str = "test") -> list[WireItem | WireFormatError]:
    """Everything parse_each yields; anything but an item or a WireFormatError fails the test."""
    out = list(parse_each(data, source))
    assert all(isinstance(r, WireItem | WireFormatError) for r in out)
    return out


# --- our own fixtures: every field ------------------------------------------------------------

EXPECTED_FIXTURES: dict[str, list[WireItem]] = {
    "ninjs1_text.json": [
        WireItem(
            id="urn:example:wire:ninjs1:0001",
            version=3,
            text="LISBON (EWA) — Dock workers returned to work on Friday.\n\nThe deal raises pay by six per cent.",
            format="ninjs 1.x",
            headline="Harbour strike ends after nine days",
            bylines=["By Ana Lima and Bo Chen"],
            located="Lisbon, Portugal",
            published="2024-03-01T10:15:00Z",
            embargoed="2024-03-02T00:01:00Z",
            pub_status="withheld",
            copyright_holder="Example Wire Agency",
            copyright_notice="Copyright 2024 Example Wire Agency. All rights reserved.",
            usage_terms="Not for online use before the embargo lifts.",
            info_sources=["Example Partner Agency"],
            url="https://wire.example.com/stories/0001",
        )
    ],
    "ninjs2_text.json": [
        WireItem(
            id="urn:example:wire:ninjs2:0002",
            version=7,
            text="OSLO (EWA) — Ferry fares will rise by 4 per cent.\n\nThe operator blamed fuel prices. It said so on Tuesday.",
            format="ninjs 2.x",
            headline="Ferry fares to rise in April",
            bylines=["Carl Berg"],
            located="Oslo",
            published="2024-03-05T18:40:00+01:00",
            embargoed="2024-03-06T06:00:00+01:00",
            pub_status="canceled",
            copyright_holder="Example Wire Agency",
            copyright_notice="© 2024 Example Wire Agency",
            usage_terms="Editorial use only.",
            info_sources=["NTB", "http://partner.example.org/"],
            url="https://wire.example.com/stories/0002",
        )
    ],
    "ninjs3_text.json": [
        WireItem(
            id="urn:example:wire:ninjs3:0003",
            version=12,
            text="Berlin's mayor opened the new line on Monday.\n\nYears late\n\n"
            "The line is four years late & over budget; café owners cheered.",
            format="ninjs 3.x",
            headline="Berlin opens delayed tram line",
            bylines=["Dana Roth"],
            dateline="BERLIN (EWA) —",
            located="Berlin",
            published="2024-03-08T07:30:00Z",
            embargoed="2024-03-08T12:00:00Z",
            pub_status="usable",
            copyright_holder="Example Wire Agency",
            copyright_notice="Copyright 2024 Example Wire Agency",
            usage_terms="Subscribers only.",
            info_sources=["Example Partner Agency", "dpa"],
        )
    ],
    "ninjs_two.jsonl": [
        WireItem(
            id="urn:example:wire:feed:1",
            version=1,
            text="First story, first paragraph.\n\nFirst story, second paragraph.",
            format="ninjs 1.x",
            headline="First feed story",
            published="2024-04-01T08:00:00Z",
            copyright_holder="Example Wire Agency",
        ),
        WireItem(
            id="urn:example:wire:feed:2",
            version=2,
            text="Second story.",
            format="ninjs 3.x",
            headline="Second feed story",
            published="2024-04-01T09:00:00Z",
            pub_status="withheld",
            copyright_holder="Example Wire Agency",
        ),
    ],
    "newsml_g2_item.xml": [
        WireItem(
            id="urn:newsml:wire.example.com:20240310:EWA-G2-0001",
            version=4,
            text="The Bank of England held rates on Thursday.\n\nIt said a cut could come later this year.",
            format="NewsML-G2",
            headline="Bank holds rates, signals cut",
            bylines=["Eve Walker"],
            contributors=["Frank Ode"],
            dateline="LONDON (EWA) —",
            located="London",
            published="2024-03-10T14:05:00Z",
            embargoed="2024-03-11T05:00:00Z",
            pub_status="usable",
            provider="Example Wire Agency",
            copyright_holder="Example Wire Agency",
            copyright_notice="Copyright 2024 Example Wire Agency. All rights reserved.",
            usage_terms="No archiving. Not for use in Portugal.",
            info_sources=["Reuters", "http://partner.example.org/"],
            url="https://wire.example.com/stories/g2-0001",
        )
    ],
    "newsml_g2_message.xml": [
        WireItem(
            id="urn:newsml:wire.example.com:msg:1",
            version=2,
            text="Storm closes schools\n\nSchools shut across the north.\n\nRoads closed\n\nTrains cut",
            format="NewsML-G2",
            headline="Storm closes schools",
            bylines=["Gus Hale"],
            published="2024-03-12T08:30:00Z",
            provider="EWA",
            copyright_holder="EWA",
            copyright_notice="(c) EWA 2024",
        ),
        WireItem(
            id="urn:newsml:wire.example.com:msg:2",
            version=3,
            text="The story on the storm is withdrawn.\n\nDo not use it.",
            format="NewsML-G2",
            headline="KILL: Storm story withdrawn",
            published="2024-03-12T08:45:00Z",
            pub_status="canceled",
            provider="EWA",
            copyright_holder="Example Wire Agency",
        ),
    ],
    "nitf.xml": [
        WireItem(
            id="EWA-NITF-2024-0042",
            version=None,
            text="The Christmas market will return this year, the city said (« la ville »).\n\n- Stalls -\n\n"
            "About 300 stalls are planned, cafés included.\n\nA quoted block.\n\n"
            "Copyright note below. Copyright 2024 Example Wire Agency",
            format="NITF",
            headline="Marché de Noël returns",
            bylines=["By Hugo Martin"],
            dateline="STRASBOURG, March 14 (EWA) -",
            located="STRASBOURG",
            published="20240314T101500+0100",
            embargoed="20240315T000100+0100",
            provider="Example Wire Agency",
            copyright_holder="Example Wire Agency",
            copyright_notice="Copyright 2024 Example Wire Agency",
            usage_terms="Print only; no web use.",
            url="https://wire.example.com/stories/nitf-0042",
        )
    ],
    "newsml1.xml": [
        WireItem(
            id="urn:newsml:wire.example.com:20240316:EWA-N1-77:2",
            version=2,
            text="A rover found ice near a crater.\n\n- Water -\n\nScientists were surprised.",
            format="NewsML 1.x",
            headline="Rover finds ice near crater",
            bylines=["Ivy Kato"],
            contributors=["Jon Pell"],
            dateline="PASADENA, March 16 (EWA) -",
            located="Pasadena",
            published="20240316T075500+0000",
            embargoed="20240317T000000+0000",
            pub_status="usable",  # "Embargoed" with its lift time: usable after it
            provider="EWA",
            copyright_holder="Example Wire Agency",
            copyright_notice="Copyright 2024 Example Wire Agency",
            usage_terms="Not for broadcast.",
            info_sources=["NASA"],
            url="https://wire.example.com/stories/n1-77",
        )
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FIXTURES))
def test_fixture_fields(name: str) -> None:
    assert parse(fixture(name), name) == EXPECTED_FIXTURES[name]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ninjs1_text.json", "ninjs"),
        ("ninjs2_text.json", "ninjs"),
        ("ninjs3_text.json", "ninjs"),
        ("ninjs_two.jsonl", "ninjs"),
        ("ninjs_array.json", "ninjs"),
        ("ninjs_named.xml", "ninjs"),  # JSON in a file named .xml: the content decides
        ("newsml_g2_item.xml", "newsml-g2"),
        ("newsml_g2_item.xml.gz", "newsml-g2"),
        ("newsml_g2_message.xml", "newsml-g2"),
        ("nitf.xml", "nitf"),
        ("newsml1.xml", "newsml-1"),
        ("billion_laughs.xml", "nitf"),  # told by its root; refused when parsed
        ("malformed.xml", "newsml-g2"),  # the root comes before the error
    ],
)
def test_sniff_by_content(name: str, kind: str) -> None:
    assert sniff(fixture(name)) == kind


def test_misnamed_ninjs_is_read() -> None:
    [item] = parse(fixture("ninjs_named.xml"), "ninjs_named.xml")
    assert (item.id, item.text, item.format) == (
        "urn:example:wire:misnamed",
        "JSON in a file named .xml.",
        "ninjs 1.x",
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"plain text, no markup",
        b"<!DOCTYPE html><html><body><p>a web page</p></body></html>",
        b'<newsItem xmlns="http://example.com/other/" guid="x"/>',  # right name, wrong namespace
        b"{}",
        b'{"title": "JSON, but no ninjs property"}',
        b'{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}',
        b"[1, 2, 3]",
        b"\x00\x01\x02binary",
    ],
)
def test_sniff_none_and_parse_refuses(data: bytes) -> None:
    assert sniff(data) is None
    with pytest.raises(WireFormatError, match="not a wire format"):
        parse(data, "x.bin")


def test_sniff_newsml_g2_without_namespace() -> None:
    data = b'<newsMessage><itemSet><newsItem guid="g" version="1"/></itemSet></newsMessage>'
    assert sniff(data) == "newsml-g2"
    assert parse(data, "tt.xml") == []  # no content: no text item


def test_sniff_looks_only_at_the_head_of_xml() -> None:
    data = b'<?xml version="1.0"?>\n' + b"<!-- padding -->\n" * 2000 + b"<nitf/>"
    assert len(data) > 16 * 1024
    assert sniff(data) is None


def test_gzip_reads_as_the_plain_document() -> None:
    plain = fixture("newsml_g2_item.xml")
    zipped = fixture("newsml_g2_item.xml.gz")
    assert gzip.decompress(zipped) == plain
    assert parse(zipped, "item.xml.gz") == parse(plain, "item.xml")
    two_members = gzip.compress(b"[" + fixture("ninjs1_text.json") + b",") + gzip.compress(
        fixture("ninjs2_text.json") + b"]"
    )
    assert [i.id for i in parse(two_members, "feed.json.gz")] == [
        "urn:example:wire:ninjs1:0001",
        "urn:example:wire:ninjs2:0002",
    ]


def test_gzip_past_50_mb_is_refused() -> None:
    bomb = gzip.compress(b" " * (MAX_DECOMPRESSED + 1), compresslevel=1)
    assert len(bomb) < MAX_DECOMPRESSED // 100
    with pytest.raises(WireFormatError, match="50 MB"):
        sniff(bomb)
    with pytest.raises(WireFormatError, match="50 MB"):
        parse(bomb, "bomb.gz")


@pytest.mark.parametrize("data", [gzip.compress(b'{"uri": "x"}')[:-12], b"\x1f\x8b\x08garbage"])
def test_corrupt_gzip_is_refused(data: bytes) -> None:
    with pytest.raises(WireFormatError, match="gzip"):
        parse(data, "bad.gz")


def test_jsonl_bad_line_loses_only_itself() -> None:
    good = fixture("ninjs_two.jsonl").decode().splitlines()
    data = "\n".join([good[0], '{"uri": "urn:broken", "headline": ', "", good[1]]).encode()
    out = results(data, "feed.jsonl")
    assert [type(r) for r in out] == [WireItem, WireFormatError, WireItem]
    assert str(out[1]).startswith("feed.jsonl: ninjs line 2: malformed JSON")
    assert [r.id for r in out if isinstance(r, WireItem)] == [
        "urn:example:wire:feed:1",
        "urn:example:wire:feed:2",
    ]
    with pytest.raises(WireFormatError, match="ninjs line 2"):
        parse(data, "feed.jsonl")


def test_jsonl_item_without_uri_is_an_error_of_its_own() -> None:
    good = fixture("ninjs_two.jsonl").decode().splitlines()
    data = "\n".join([good[0], '{"headline": "x", "body_text": "y"}', good[1]]).encode()
    out = results(data, "feed.jsonl")
    assert [str(r) for r in out if isinstance(r, WireFormatError)] == [
        "feed.jsonl: ninjs line 2: no 'uri' or 'guid'"
    ]
    assert len([r for r in out if isinstance(r, WireItem)]) == 2


def test_json_array_bad_item_and_photo() -> None:
    out = results(fixture("ninjs_array.json"), "array.json")
    assert [r.id if isinstance(r, WireItem) else str(r) for r in out] == [
        "urn:example:wire:array:1",
        "array.json: ninjs item 3: no 'uri' or 'guid'",  # item 2, a picture, is skipped
        "urn:example:wire:array:3",
    ]
    with pytest.raises(WireFormatError, match=r"ninjs item 3: no 'uri' or 'guid'"):
        parse(fixture("ninjs_array.json"), "array.json")


def test_billion_laughs_refused() -> None:
    with pytest.raises(WireFormatError, match="XML entity declarations are refused"):
        parse(fixture("billion_laughs.xml"), "lol.xml")


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<nitf><head><docdata><doc-id id-string="x"/></docdata></head>'
        b"<body><body.content><p>&xxe;</p></body.content></body></nitf>",
        b'<!DOCTYPE newsItem [<!ELEMENT newsItem ANY>]><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g"/>',
        # in UTF-16 the byte scan misses the declaration: the parsed DTD is checked too
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE nitf [<!ENTITY e "x">]><nitf/>'.encode("utf-16"),
    ],
)
def test_entity_and_element_declarations_refused(data: bytes) -> None:
    from provenance.wire.xml import parse_xml

    with pytest.raises(WireFormatError, match="XML entity declarations are refused"):
        parse_xml(data)


def test_malformed_xml_refused() -> None:
    with pytest.raises(WireFormatError, match=r"^malformed\.xml: NewsML-G2: malformed XML: "):
        parse(fixture("malformed.xml"), "malformed.xml")


def test_non_text_items_are_skipped() -> None:
    ids = [i.id for i in parse(fixture("newsml_g2_message.xml"), "message.xml")]
    assert "urn:newsml:wire.example.com:photo:1" not in ids  # a picture
    assert "urn:newsml:wire.example.com:pkg:1" not in ids  # a package
    package = b'<packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="p" version="1"/>'
    assert parse(package, "package.xml") == []
    concept = b'<conceptItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="c" version="1"/>'
    assert parse(concept, "concept.xml") == []
    photo = {"uri": "urn:photo", "type": "picture", "bodies": [{"value": "A caption."}]}
    assert parse(json.dumps(photo).encode(), "photo.json") == []
    no_body = {"uri": "urn:teaser", "type": "text", "descriptions": [{"value": "A teaser only."}]}
    assert parse(json.dumps(no_body).encode(), "teaser.json") == []


def test_unknown_content_vocabulary_is_no_text() -> None:
    data = (
        b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="s" version="1"><itemMeta>'
        b'<itemClass qcode="ninat:text"/></itemMeta><contentSet><inlineXML contenttype="application/sportsml+xml">'
        b"<sports-content><stat>12</stat></sports-content></inlineXML></contentSet></newsItem>"
    )
    assert parse(data, "stats.xml") == []


# --- rights and status details ----------------------------------------------------------------


def g2_item(
    *, guid: str = "urn:g", version: str = "1", status: str = "stat:usable", extra: str = ""
) -> bytes:
    return (
        f'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="{guid}" version="{version}">'
        f'<itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="{status}"/></itemMeta>{extra}'
        f'<contentSet><inlineData contenttype="text/plain">Body.</inlineData></contentSet></newsItem>'
    ).encode()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("stat:usable", "usable"),
        ("stat:withheld", "withheld"),
        ("stat:canceled", "canceled"),
        ("STAT:Canceled", "canceled"),
    ],
)
def test_g2_pub_status(status: str, expected: str) -> None:
    [item] = parse(g2_item(status=status), "g2.xml")
    assert item.pub_status == expected


def test_g2_bad_status_version_and_guid_are_errors_of_the_item() -> None:
    with pytest.raises(WireFormatError, match="publishing status 'stat:replaced'"):
        parse(g2_item(status="stat:replaced"), "g2.xml")
    with pytest.raises(WireFormatError, match="version 'v2' is not a whole number"):
        parse(g2_item(version="v2"), "g2.xml")
    message = (
        b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>'
        + g2_item(guid="")
        + g2_item(guid="urn:ok")
        + b"</itemSet></newsMessage>"
    )
    out = results(message, "msg.xml")
    assert [r.id if isinstance(r, WireItem) else str(r) for r in out] == [
        "msg.xml: NewsML-G2 newsItem 1: no 'guid'",
        "urn:ok",
    ]


def test_g2_inline_data_base64_and_nitf() -> None:
    import base64

    encoded = base64.b64encode("Première ligne.\n\nSeconde.".encode()).decode()
    data = (
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="b" version="1"><contentSet>'
        f'<inlineData contenttype="text/plain" encoding="enc:base64">{encoded}</inlineData>'
        "</contentSet></newsItem>"
    ).encode()
    assert parse(data, "b64.xml")[0].text == "Première ligne.\n\nSeconde."
    nitf_text = "&lt;nitf&gt;&lt;body&gt;&lt;body.content&gt;&lt;p&gt;Caf&amp;eacute;.&lt;/p&gt;&lt;/body.content&gt;&lt;/body&gt;&lt;/nitf&gt;"
    data = (
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="n" version="1"><contentSet>'
        f'<inlineData contenttype="application/nitf+xml">{nitf_text}</inlineData></contentSet></newsItem>'
    ).encode()
    assert parse(data, "nitf-in-data.xml")[0].text == "Café."


def test_newsml1_statuses() -> None:
    base = fixture("newsml1.xml").decode()
    canceled = base.replace('<Status FormalName="Embargoed"/>', '<Status FormalName="Canceled"/>')
    [item] = parse(canceled.encode(), "n1.xml")
    assert (item.pub_status, item.embargoed) == ("canceled", None)
    usable = base.replace('<Status FormalName="Embargoed"/>', '<Status FormalName="Usable"/>')
    assert parse(usable.encode(), "n1.xml")[0].pub_status == "usable"
    killed = base.replace('<Status FormalName="Embargoed"/>', '<Status FormalName="Killed"/>')
    with pytest.raises(WireFormatError, match=r"NewsML 1\.x NewsItem .*publishing status 'Killed'"):
        parse(killed.encode(), "n1.xml")


def test_nitf_statuses_and_missing_id() -> None:
    base = fixture("nitf.xml").decode("latin-1")
    canceled = base.replace('management-status="usable"', 'management-status="canceled"')
    assert parse(canceled.encode("latin-1"), "n.xml")[0].pub_status == "canceled"
    embargoed = base.replace('management-status="usable"', 'management-status="embargoed"')
    item = parse(embargoed.encode("latin-1"), "n.xml")[0]
    assert item.pub_status == ("usable" if item.embargoed else "withheld")  # usable after date.release
    no_id = base.replace('id-string="EWA-NITF-2024-0042"', "")
    with pytest.raises(WireFormatError, match=r"^n\.xml: NITF: no head/docdata/doc-id/@id-string$"):
        parse(no_id.encode("latin-1"), "n.xml")


@pytest.mark.parametrize(("status", "expected"), [("cancelled", "canceled"), ("Withheld", "withheld")])
def test_ninjs_status_spellings(status: str, expected: str) -> None:
    item = {"uri": "urn:s", "pubstatus": status, "body_text": "Text."}
    assert parse(json.dumps(item).encode(), "s.json")[0].pub_status == expected


@pytest.mark.parametrize(
    ("version", "expected"), [("12", 12), (" 3 ", 3), (4, 4), ("1.2", None), ("draft", None), (None, None)]
)
def test_ninjs_version(version: object, expected: int | None) -> None:
    item = {"uri": "urn:v", "version": version, "body_text": "Text."}
    assert parse(json.dumps(item).encode(), "v.json")[0].version == expected


# --- hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"headline": 5}, "headline"),
        ({"bodies": "x"}, "bodies"),
        ({"bodies": ["x"]}, "bodies"),
        ({"bodies": [{"value": 5}]}, "bodies"),
        ({"body_text": ["a", "b"]}, "body_text"),
        ({"usageterms": {"start": "2019"}}, "usageterms"),
        ({"copyrightHolder": ["AP"]}, "copyrightHolder"),
        ({"version": 1.5}, "version"),
        ({"version": True}, "version"),
        ({"pubstatus": "replaced"}, "publishing status"),
        ({"uri": 5}, "uri"),
        ({"headlines": [{"role": "main"}]}, "headlines"),
        ({"infosources": "AP"}, "infosources"),
        ({"infosources": [5]}, "infosources"),
    ],
)
def test_ninjs_wrong_types_name_the_field(change: dict[str, Any], field: str) -> None:
    item = {"uri": "urn:t", "body_text": "Text.", **change}
    with pytest.raises(WireFormatError) as raised:
        parse(json.dumps(item).encode(), "t.json")
    assert field in str(raised.value)
    assert "\n" not in str(raised.value)


WRONG_VALUES: list[Any] = json.loads(
    '[5, -1, 1.5, true, null, "", "x", [], [1], ["x"], [{}], [{"value": 5}], {}, {"a": 1}, [[[]]]]'
)


@pytest.mark.parametrize("name", ["ninjs1_text.json", "ninjs2_text.json", "ninjs3_text.json"])
def test_ninjs_any_wrong_type_is_read_or_refused(name: str) -> None:
    original = json.loads(fixture(name))
    for key in [*original, "bodies", "headlines", "renditions", "infoSources", "standard"]:
        for value in WRONG_VALUES:
            item = copy.deepcopy(original)
            item[key] = copy.deepcopy(value)
            results(json.dumps(item).encode(), name)  # an item or a WireFormatError, nothing else
            for entry in ("bodies", "headlines", "infosources", "infoSources", "renditions"):
                if isinstance(item.get(entry), list) and item[entry]:
                    item[entry][0] = copy.deepcopy(value)
                    results(json.dumps(item).encode(), name)


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"uri": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"uri": "x", "body_html": "' + b"<div>" * 50_000 + b'deep"}',
        b"<nitf>" + b"<p>" * 10_000 + b"</p>" * 10_000 + b"</nitf>",
        b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="d"><contentSet><inlineXML>'
        + b"<div>" * 300
        + b"x"
        + b"</div>" * 300
        + b"</inlineXML></contentSet></newsItem>",
        b'{"uri": "x", "body_text": "\\ud800 lone surrogate"}',
        b"\xef\xbb\xbf" + b'{"uri": "bom", "body_text": "A BOM first."}',
        b'{"uri": "x", "body_text": "\xff\xfe not utf-8"}',
        b'{"uri": "x", "version": 1' + b"0" * 5000 + b', "body_text": "t"}',
        b'{"uri": "x", "bodies": [{"contentType": "text/vnd.IPTC.NITF", "value": "<nitf><body>"}]}',
        b'[{"uri": "a", "body_text": "A."}, 5, "x", null, []]',
    ],
)
def test_hostile_documents_never_crash(data: bytes) -> None:
    results(data)


def test_lone_surrogates_become_replacement_characters() -> None:
    for body in (
        '"body_text": "a \\ud800 b"',
        '"body_html": "<p>a \\ud800 b</p>"',
        '"bodies": [{"contentType": "text/vnd.IPTC.NITF", "value": "<nitf><body><body.content><p>a \\ud800 b'
        '</p></body.content></body></nitf>"}]',
    ):
        [item] = parse(('{"uri": "urn:s\\udfff", ' + body + "}").encode(), "s.json")
        assert (item.id, item.text) == ("urn:s\ufffd", "a \ufffd b")


def test_headline_of_wrong_type_is_refused_even_beside_headlines() -> None:
    item = {"uri": "urn:h", "headlines": [{"value": "Fine"}], "headline": 5, "body_text": "T."}
    with pytest.raises(WireFormatError, match="'headline' is int, not text"):
        parse(json.dumps(item).encode(), "h.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('<inlineData encoding="enc:uuencode">x</inlineData>', "inlineData: inlineData encoding 'uuencode'"),
        ('<inlineData encoding="enc:base64">%%%</inlineData>', "not valid base64"),
        (
            '<inlineData contenttype="application/nitf+xml">&lt;nitf&gt;</inlineData>',
            "inlineData: malformed XML",
        ),
        ('<inlineData contenttype="text/html">' + "&lt;div&gt;" * 300 + "x</inlineData>", "Excessive depth"),
    ],
)
def test_g2_content_errors_name_the_item(content: str, message: str) -> None:
    data = (
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:c" version="1">'
        f"<contentSet>{content}</contentSet></newsItem>"
    ).encode()
    with pytest.raises(WireFormatError, match=r"^c\.xml: NewsML-G2 newsItem \(urn:c\): ") as raised:
        parse(data, "c.xml")
    assert message in str(raised.value)


def test_deep_html_body() -> None:
    shallow = b'{"uri": "x", "body_html": "' + b"<div>" * 200 + b'deep"}'
    assert parse(shallow, "deep.json")[0].text == "deep"
    deep = b'{"uri": "x", "body_html": "' + b"<div>" * 50_000 + b'deep"}'  # libxml2 would drop "deep"
    with pytest.raises(WireFormatError, match="HTML body: Excessive depth"):
        parse(deep, "deep.json")


def test_nitf_body_with_bad_markup_falls_back_to_another_body() -> None:
    item = {
        "uri": "urn:f",
        "bodies": [
            {"contentType": "text/vnd.IPTC.NITF", "value": "<nitf><body><p>unclosed</body></nitf>"},
            {"contentType": "text/plain", "value": "The plain body."},
        ],
    }
    assert parse(json.dumps(item).encode(), "f.json")[0].text == "The plain body."
    item["bodies"] = item["bodies"][:1]
    with pytest.raises(WireFormatError, match="NITF body: malformed XML"):
        parse(json.dumps(item).encode(), "f.json")


# --- the IPTC examples and agency samples in shared/data/wire-formats --------------------------

# file -> the fields its one text item must have (read by hand from the file)
EXPECTED_EXAMPLES: dict[str, dict[str, Any]] = {
    "ninjs/examples/1.4/businesswire-newsml-20130515006361.json": {
        "id": "http://www.businesswire.com/news/home/20130515006361/en",
        "version": 1,
        "format": "ninjs 1.x",
    },
    "ninjs/examples/1.4/businesswire-newsml-20130605006126.json": {
        "id": "http://www.businesswire.com/news/home/20130605006126/zh",
        "version": 1,
        "format": "ninjs 1.x",
    },
    "ninjs/examples/1.4/businesswire-newsml-20130612006110.json": {
        "id": "http://www.businesswire.com/news/home/20130612006110/zh",
        "version": 1,
        "format": "ninjs 1.x",
    },
    "ninjs/examples/1.4/businesswire-newsml-20130731006140.json": {
        "id": "http://www.businesswire.com/news/home/20130731006140/en",
        "version": 1,
        "format": "ninjs 1.x",
    },
    "ninjs/examples/1.4/ninjsExComplex1.json": {
        "id": "http://ninjs.example.com/newsitems/20130709cplx123",
        "format": "ninjs 1.x",
        "copyright_notice": "Copyright 2013 The News Agency, www.tna.org - all rights reserved.",
        "bylines": ["Paulo Santalucia and Frances d'Emilio"],
        "located": "Grossetto, Italy",
    },
    "ninjs/examples/1.4/ninjsExComplex2.json": {
        "id": "http://ninjs.example.com/newsitems/20130709cplx456",
        "copyright_notice": "Copyright 2013 The News Agency, www.tna.org - all rights reserved.",
    },
    "ninjs/examples/1.4/ninjsExMediumText1.json": {
        "id": "http://ninjs.example.com/newsitems/20130709med123",
        "copyright_notice": "Copyright 2013 The News Agency, www.tna.org - all rights reserved.",
    },
    "ninjs/examples/1.4/ninjsExSimpleText1.json": {
        "id": "http://ninjs.example.com/newsitems/20130709simp123",
        "headline": "Captain of wrecked cruise ship on trial in Italy",
    },
    "ninjs/examples/2.1/businesswire-newsml-20130605006126.json": {
        "id": "http://www.businesswire.com/news/home/20130605006126/zh",
        "version": 1,
        "format": "ninjs 2.x",
    },
    "ninjs/examples/2.1/businesswire-newsml-20130731006140.json": {
        "id": "http://www.businesswire.com/news/home/20130731006140/en",
        "version": 1,
        "format": "ninjs 2.x",
    },
    "ninjs/examples/2.1/dpa_text.json": {
        "id": "urn:newsml:dpa.com:20090101:190510-99-167362",
        "version": 2,
        "format": "ninjs 2.x",
        "copyright_holder": "dpa",
        "copyright_notice": "Copyright 2019, dpa (www.dpa.de). Alle Rechte vorbehalten",
        "bylines": ["Von Christian Hollmann, dpa"],
        "pub_status": "usable",
    },
    "ninjs/examples/2.1/ninjsExSimpleText_2.json": {
        "id": "http://ninjs.example.com/newsitems/20130709simp123",
        "format": "ninjs 2.x",
    },
    "ninjs/examples/2.1/schema-extension/extension-example.json": {
        "id": "http://tt.se/media/text/210526-militarovning-a0f2d045",
        "version": 1,
        "copyright_holder": "TT",
    },
    "ninjs/examples/2.1/tt_text_image_2.json": {
        "id": "http://tt.se/media/text/210526-militarovning-a0f2d045",
        "version": 1,
        "format": "ninjs 2.x",
        "copyright_holder": "TT",
    },
    "ninjs/examples/3.0/20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever-addb-ninjs-nitf.json": {
        "id": "https://antidopingdatabase.com/news/anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever",
        "version": 2,
        "format": "ninjs 3.x",
        "located": "Oslo, Norway",
    },
    "ninjs/examples/3.0/20231016-addb-example-press-conference.json": {
        "id": "http://addb.no/worldanti",
        "format": "ninjs 3.x",
    },
    "ninjs/examples/3.0/businesswire-newsml-20130605006126.json": {
        "id": "http://www.businesswire.com/news/home/20130605006126/zh",
        "version": 1,
        "format": "ninjs 3.x",
    },
    "ninjs/examples/3.0/businesswire-newsml-20130731006140.json": {
        "id": "http://www.businesswire.com/news/home/20130731006140/en",
        "version": 1,
        "format": "ninjs 3.x",
    },
    "ninjs/examples/3.0/dpa_text.json": {
        "id": "urn:newsml:dpa.com:20090101:190510-99-167362",
        "version": 2,
        "format": "ninjs 3.x",
        "copyright_holder": "dpa",
        "copyright_notice": "Copyright 2019, dpa (www.dpa.de). Alle Rechte vorbehalten",
        "published": "2019-05-10T16:02:28+02:00",
    },
    "ninjs/examples/3.0/ninjsExSimpleText_3.json": {
        "id": "http://ninjs.example.com/newsitems/20130709simp123",
        "format": "ninjs 3.x",
    },
    "ninjs/examples/3.0/tt_text_image_3.json": {
        "id": "http://tt.se/media/text/210526-militarovning-a0f2d045",
        "version": 1,
        "format": "ninjs 3.x",
        "copyright_holder": "TT",
        "headline": "Militärövning i jätteformat hålls 2023",
    },
    "ninjs/examples/NTB_nitf_sample.xml": {
        "id": "NTB5df9281a-a270-4dc5-a618-869bbc3bbca7_00",
        "format": "NITF",
        "provider": "NTB",
        "bylines": ["NTB-AFP-DPA"],
        "dateline": "Unnao",
        "published": "2021-05-16T09:00:04",
        "headline": "Pandemien herjer på den legeløse indiske landsbygda",
    },
    "ninjs/examples/TT_newsmlg2_sample.xml": {
        "id": "http://tt.se/media/text/210919-janguillou-879f202b",
        "version": 1,
        "format": "NewsML-G2",
        "provider": "TT",
        "copyright_holder": "TT",
        "pub_status": "usable",
        "headline": 'Jan Guillou skriver på ny "Hamilton"-bok',
    },
    "ninjs/examples/afp.com_newsml1.2_sample.xml": {
        "id": "urn:newsml:afp.com:20210516T080625Z:TX-PAR-WGF71:1",
        "version": 1,
        "format": "NewsML 1.x",
        "provider": "AFP",
        "bylines": ["Adel Zaanoun with Guillaume Lavallee in Jerusalem"],
        "dateline": "Gaza City, Palestinian Territories, May 16, 2021 (AFP) -",
        "located": "Gaza City",
        "pub_status": "usable",
    },
    "ninjs/examples/NewsML/businesswire-newsml-20130515006361.xml": {
        "id": "urn:newsml:businesswire.com:20010714:20130515006361:1",
        "version": 1,
        "provider": "businesswire.com",
        "copyright_notice": "Copyright Business Wire 2013",
        "info_sources": ["Dell Inc."],
    },
    "ninjs/examples/NewsML/businesswire-newsml-20130605006126.xml": {
        "id": "urn:newsml:businesswire.com:20010714:20130605006126:1",
        "version": 1,
        "provider": "businesswire.com",
        "copyright_notice": "Copyright Business Wire 2013",
        "info_sources": ["Cambrios Technologies"],
    },
    "ninjs/examples/NewsML/businesswire-newsml-20130612006110.xml": {
        "id": "urn:newsml:businesswire.com:20010714:20130612006110:1",
        "version": 1,
        "provider": "businesswire.com",
        "copyright_notice": "Copyright Business Wire 2013",
    },
    "ninjs/examples/NewsML/businesswire-newsml-20130731006140.xml": {
        "id": "urn:newsml:businesswire.com:20010714:20130731006140:1",
        "version": 1,
        "provider": "businesswire.com",
        "copyright_notice": "Copyright Business Wire 2013",
        "info_sources": ["Applebee’s"],
    },
    "newsml-g2/examples/LISTING_2_NewsML-G2_Text_Document.xml": {
        "id": "urn:newsml:acmenews.com:20161121:US-FINANCE-FED",
        "version": 11,
        "format": "NewsML-G2",
        "provider": "http://www.acmenews.com/about/",
        "copyright_holder": "Acme News and Media LLC",
        "copyright_notice": "Copyright 2017-18 Acme News and Media LLC",
        "info_sources": ["Associated Press"],
        "bylines": ["Meredith Jameson"],
        "located": "New York, NY",
    },
    "newsml-g2/examples/LISTING_22_Sports_story_in_NewsML-G2NITF.xml": {
        "id": "tag:xmlteam.com,2016:xt.5932656-preview",
        "version": 11,
        "provider": "www.xmlteam.com",
        "bylines": ["The Sports Network"],
    },
    "newsml-g2/examples/Receiver View.xml": {
        "id": "urn:newsml:NAG.com:20161121:US-FINANCE-FED",
        "version": 11,
        "copyright_holder": "NAG",
        "copyright_notice": "Copyright 2017-18 NAG",
        "usage_terms": "NAG Example: Contact your local office for all commercial or promotional uses. Full "
        "editorial rights UK, US, Ireland, Canada (not Quebec). Restricted editorial rights for daily "
        "newspapers elsewhere, please call.",
        "info_sources": ["Associated Press"],
    },
    "newsml-g2/examples/facet-example-3.xml": {
        "id": "tag:example.com,2008:407624",
        "version": 11,
        "provider": "AcmeNews",
    },
}

# not wire documents: schemas, fragments of a listing, group sets, licences
NOT_WIRE = {
    "newsml-g2/examples/LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml",
    "newsml-g2/examples/LISTING_28_Illustrating_Located_Subject_and_Dateline.xml",
    "newsml-g2/examples/LISTING_7_Group_Set_example_showing_Hierarchical_Package_Structure.xml",
    "newsml-g2/examples/LISTING_8_Group_Set_example_showing_an_ALT_Package_Mode.xml",
    "newsml-g2/examples/LISTING_9_Group_Set_example_showing_a_SEQ_Package_Mode.xml",
    "ninjs/examples/2.1/schema-extension/extension-schema.json",
}

EXAMPLE_FILES = (
    sorted(
        str(p.relative_to(WIRE_DATA))
        for folder in ("ninjs/examples", "newsml-g2/examples")
        for p in (WIRE_DATA / folder).rglob("*")
        if p.is_file() and p.suffix in (".json", ".xml")
    )
    if WIRE_DATA.is_dir()
    else ["(wire-formats data absent)"]
)


@pytest.mark.parametrize("rel", EXAMPLE_FILES)
def test_shared_example(rel: str) -> None:
    if not WIRE_DATA.is_dir():
        pytest.skip(f"{WIRE_DATA} is absent")
    data = (WIRE_DATA / rel).read_bytes()
    if rel in NOT_WIRE or rel.endswith(".xsd") or not data:
        assert sniff(data) is None
        return
    assert sniff(data) is not None, rel
    items = parse(data, rel)
    if rel not in EXPECTED_EXAMPLES:
        assert items == [], f"{rel}: a text item that no expectation covers"
        return
    [item] = items
    assert item.text and "\n\n\n" not in item.text and item.text == item.text.strip()
    assert item.copyright_holder or item.provider or item.copyright_notice or item.format.startswith("ninjs")
    for field, value in EXPECTED_EXAMPLES[rel].items():
        assert getattr(item, field) == value, (rel, field)


def test_shared_examples_all_present() -> None:
    if not WIRE_DATA.is_dir():
        pytest.skip(f"{WIRE_DATA} is absent")
    missing = [rel for rel in [*EXPECTED_EXAMPLES, *NOT_WIRE] if not (WIRE_DATA / rel).is_file()]
    assert missing == []


def test_shared_g2_listing_with_rights_but_no_text() -> None:
    """LISTING_1 carries rights, an embargo and a status, but its inlineXML holds only comments."""
    if not WIRE_DATA.is_dir():
        pytest.skip(f"{WIRE_DATA} is absent")
    data = (WIRE_DATA / "newsml-g2/examples/LISTING_1_A_NewsML-G2_News_Item.xml").read_bytes()
    assert parse(data, "LISTING_1") == []
    filled = data.replace(b"<!--  A VALID MIME TYPE      -->", b"<p>Filled in.</p>")
    [item] = parse(filled, "LISTING_1")
    assert (item.id, item.version, item.embargoed, item.provider) == (
        "urn:newsml:acmenews.com:20161018:US-FINANCE-FED",
        11,
        "2018-10-23T12:00:00Z",
        "REUTERS",
    )
    assert (item.copyright_holder, item.copyright_notice, item.usage_terms) == (
        "Example Enews LLP",
        "Copyright 2017-18 Example Enews LLP, all rights reserved",
        "Not for use outside the United States",
    )
    assert (item.info_sources, item.bylines, item.located) == (
        ["http://www.example.com"],
        ["Meredith Jameson"],
        "Berlin",
    )


# --- the IPTC ninjs test suite --------------------------------------------------------------------

# should_fail documents that end in a WireFormatError; every other one is read leniently, as the
# docstring of provenance/wire/ninjs.py lists
SHOULD_FAIL_ERRORS = {
    "1.0/001_no_uri_declared.json",
    "1.0/006_version_must_be_string.json",
    "1.0/008_usageterms_object.json",
    "1.0/009_body_text_with_cr.json",
    "1.0/010_body_must_be_string.json",
    "1.0/011_description_must_be_string.json",
    "1.0/012_location_not_object.json",
    "1.0/015_pubstatus_commissioned.json",
    "1.2/002_firstcreated_bad_type.json",
    "1.2/005_pubstatus_replaced.json",
    "1.2/006_pubstatus_commissioned.json",
    "1.3/006_bad_genre.json",
}
# lenient readings that give a text item (their body is "...")
SHOULD_FAIL_ITEMS = {
    "1.5/002_bad_association.json",
    "2.0/002_bad_association.json",
    "2.1/001_bad_association.json",
    "2.1/002_good_association_but_no_name.json",
    "2.1/003_good_association_but_no_uri.json",
    "3.0/002_bad_association.json",
}


def suite_files(kind: str) -> list[str]:
    if not SUITE.is_dir():
        return ["(ninjs test suite absent)"]
    return sorted(f"{p.parent.parent.name}/{p.name}" for p in SUITE.glob(f"*/{kind}/*.json"))


def suite_path(rel: str, kind: str) -> Path:
    if not SUITE.is_dir():
        pytest.skip(f"{SUITE} is absent")
    version, name = rel.split("/")
    return SUITE / version / kind / name


@pytest.mark.parametrize("rel", suite_files("should_fail"))
def test_ninjs_should_fail(rel: str) -> None:
    out = results(suite_path(rel, "should_fail").read_bytes(), rel)
    errors = [r for r in out if isinstance(r, WireFormatError)]
    items = [r for r in out if isinstance(r, WireItem)]
    if rel in SHOULD_FAIL_ERRORS:
        assert errors, f"{rel}: expected a WireFormatError"
        assert all("\n" not in str(e) for e in errors)
    else:
        assert errors == [], f"{rel}: read leniently, by the docstring of provenance/wire/ninjs.py"
        assert bool(items) == (rel in SHOULD_FAIL_ITEMS)


@pytest.mark.parametrize("rel", suite_files("should_pass"))
def test_ninjs_should_pass(rel: str) -> None:
    path = suite_path(rel, "should_pass")
    data = path.read_bytes()
    out = results(data, rel)
    assert [r for r in out if isinstance(r, WireFormatError)] == []
    document = json.loads(data)
    has_body = any(isinstance(k, str) and (k.startswith("body_") or k == "bodies") for k in document)
    assert bool(out) == has_body  # every document with a body gives its text item


def test_ninjs_should_fail_lists_cover_the_suite() -> None:
    if not SUITE.is_dir():
        pytest.skip(f"{SUITE} is absent")
    present = set(suite_files("should_fail"))
    assert SHOULD_FAIL_ERRORS - present == set()
    assert SHOULD_FAIL_ITEMS - present == set()
