"""The bulk write paths store exactly what row-by-row inserts store, and fail whole.

:mod:`provenance.corpus_store` sends a batch's rows by COPY on PostgreSQL and by the driver's
``executemany`` elsewhere, with ids assigned up front and block keys computed in Python. These
tests write the same stories three ways — one ORM row at a time (the reference: the keys from
:func:`provenance.index.block_keys`), by COPY and by ``executemany`` — and compare every
column of every row, including texts that COPY must escape (tabs, newlines, carriage
returns, backslashes, a literal ``\\N``), non-ASCII text and NULL fields. A batch whose
rows fail half way leaves nothing of itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from provenance import corpus, corpus_store, store
from provenance.fingerprint import SCHEME_BY_KEY, Fingerprint, fingerprint_text, to_signed
from provenance.index import BlockPlan, block_keys
from provenance.model import Story

Dump = dict[str, list[tuple[Any, ...]]]


def _stories() -> list[Story]:
    rng = random.Random(3)
    words = ["río", "Zürich", "naïve", "東京", "emoji🙂", "tab\there", "back\\slash", "quote'\"", *"abcdefgh"]

    def body() -> str:
        return "\n\n".join(" ".join(rng.choice(words) for _ in range(40)) + "." for _ in range(3))

    return [
        Story(id="plain", agency="AP", text=body()),  # every optional field NULL
        Story(
            id="escapes\tin id",
            agency="AP",
            text="Line one\twith a tab.\nLine two\\with a backslash \\N and \\t.\r\nÜber 東京 🙂.\n\n"
            + body(),
            url="https://example.com/a\\b?c=d\te",
            title="A title\nwith a newline, \\N",
            byline="By Ana \\ María",
            dateline="SÃO PAULO (AP) —",
            published="2024-05-06T10:00:00",
            contributors=("Ana María", "O'Brien\t\\N", "東京"),
            guid="urn:x\\y",
            version=2,
            pub_status="withheld",
            embargoed="2024-05-07T00:00:00",
            copyright_holder="The Associated Press",
            copyright_notice='© 2024 "AP"\nAll rights reserved.',
            usage_terms="\\N",
            info_sources=("dpa", "AP\tx"),
            source_hash="0" * 64,
        ),
        Story(id="reuters-1", agency="Reuters", text=body(), title="", contributors=()),
        Story(id="reuters-2", agency="Reuters", text=body(), byline="", info_sources=("Reuters",)),
    ]


def _prepared() -> list[tuple[Story, list[Fingerprint]]]:
    return [(story, fingerprint_text(story.text)) for story in _stories()]


def _row_by_row(session: Session, items: Sequence[tuple[Story, Sequence[Fingerprint]]]) -> None:
    """The reference: one ORM row at a time, each fingerprint's keys from ``block_keys``."""
    for story, fps in items:
        values = corpus_store._story_values(story, corpus_store._content_hash(story.text))
        row = store.StoryRow(external_id=story.id, **values)
        session.add(row)
        session.flush()
        for fp in fps:
            fingerprint = store.FingerprintRow(
                story_id=row.id,
                level=fp.level,
                position=fp.position,
                start=fp.start,
                end=fp.end,
                scheme=fp.scheme,
                scheme_version=fp.version,
                value=to_signed(fp.value),
            )
            session.add(fingerprint)
            session.flush()
            plan = BlockPlan.for_k(SCHEME_BY_KEY[fp.scheme_key].k)
            for table_no, key in enumerate(block_keys(fp.value, plan)):
                session.add(
                    store.BlockKeyRow(
                        scheme=fp.scheme,
                        scheme_version=fp.version,
                        table_no=table_no,
                        key=to_signed(key),
                        fingerprint_id=fingerprint.id,
                        story_id=row.id,
                        value=to_signed(fp.value),
                    )
                )
    session.flush()


def _dump(session: Session) -> Dump:
    """Every row of the corpus tables, ids made relative to the first of each table (the
    sequences of PostgreSQL do not go back after a rollback), timestamps left out; the JSON
    columns as the text the database holds."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    as_text = "::text" if postgresql else ""
    columns = [c for c in corpus_store._STORY_COLUMNS if c not in ("added", "updated")]
    listed = ", ".join(f'"{c}"{as_text}' if c in corpus_store._LIST_FIELDS else f'"{c}"' for c in columns)
    stories = session.execute(text(f"SELECT {listed}, version_group FROM stories ORDER BY id")).all()
    fps = session.execute(text("SELECT * FROM fingerprints ORDER BY id")).all()
    keys = session.execute(
        text(
            "SELECT scheme, scheme_version, table_no, key, fingerprint_id, story_id, value FROM fingerprint_keys"
        )
    ).all()
    first_story = stories[0][0] if stories else 0
    first_fp = min((row[0] for row in fps), default=0)
    fp_columns = session.execute(text("SELECT * FROM fingerprints LIMIT 0")).keys()
    at = {name: i for i, name in enumerate(fp_columns)}

    def fp_row(row: Any) -> tuple[Any, ...]:
        return (
            row[at["id"]] - first_fp,
            row[at["story_id"]] - first_story,
            *(row[at[c]] for c in ("level", "position", "start", "end", "scheme", "scheme_version", "value")),
        )

    return {
        "stories": [(row[0] - first_story, *row[1:]) for row in stories],
        "fingerprints": [fp_row(row) for row in fps],
        "keys": sorted((*row[:4], row[4] - first_fp, row[5] - first_story, row[6]) for row in keys),
    }


def _written(factory: sessionmaker[Session], write: Callable[[Session], object]) -> Dump:
    """The rows ``write`` stores in an empty corpus, rolled back after (the next way starts empty)."""
    with store.transaction(factory) as session:
        write(session)
        session.flush()
        dump = _dump(session)
        session.rollback()
    return dump


def _assert_the_same(got: Dump, expected: Dump) -> None:
    assert len(expected["stories"]) == 4 and len(expected["keys"]) > len(expected["fingerprints"]) > 100
    for table in expected:
        assert got[table] == expected[table], table


def test_sqlite_bulk_rows_equal_row_by_row_rows(tmp_path: Any) -> None:
    factory = store.open_database(f"sqlite:///{tmp_path / 'c.db'}")
    items = _prepared()
    expected = _written(factory, lambda s: _row_by_row(s, items))
    _assert_the_same(_written(factory, lambda s: corpus_store.upsert_stories(s, items)), expected)
    fields = [(story, corpus_store.fingerprint_fields(fps)) for story, fps in items]  # as workers send them
    _assert_the_same(_written(factory, lambda s: corpus_store.upsert_stories(s, fields)), expected)


@pytest.mark.postgresql
def test_postgresql_copy_rows_equal_row_by_row_and_executemany_rows(pg_url: str, tmp_path: Any) -> None:
    factory = store.open_database(pg_url)
    items = _prepared()
    expected = _written(factory, lambda s: _row_by_row(s, items))
    copied = _written(factory, lambda s: corpus_store.upsert_stories(s, items, copy=True))
    _assert_the_same(copied, expected)
    _assert_the_same(_written(factory, lambda s: corpus_store.upsert_stories(s, items, copy=False)), expected)
    # And the same rows as SQLite stores (JSON lists as the same text, texts byte for byte).
    lite = store.open_database(f"sqlite:///{tmp_path / 'c.db'}")
    _assert_the_same(_written(lite, lambda s: corpus_store.upsert_stories(s, items)), copied)


def test_copied_texts_read_back_as_written(db_url: str) -> None:
    """What a reader gets back: every field of the story with escapes and NULLs, unchanged."""
    factory = store.open_database(db_url)
    items = _prepared()
    with store.transaction(factory) as session:
        corpus_store.upsert_stories(session, items)
    with factory() as session:
        ids = [row_id for (row_id,) in session.execute(text("SELECT id FROM stories ORDER BY id"))]
        loaded = store.load_stories(session, ids)
    assert [s.id for s in loaded] == [s.id for s, _ in items]
    for got, (story, _) in zip(loaded, items, strict=True):
        assert got.text == story.text and got.title == story.title and got.url == story.url
        assert (got.contributors, got.info_sources, got.usage_terms) == (
            story.contributors,
            story.info_sources,
            story.usage_terms,
        )
        assert (got.byline, got.dateline, got.embargoed) == (story.byline, story.dateline, story.embargoed)


def test_a_batch_failing_half_way_leaves_nothing_of_itself(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its block keys fail (a duplicate primary key) after its stories and fingerprints went in:
    the whole batch is rolled back, the batches before it stay whole."""
    factory = store.open_database(db_url)
    items = [(story, corpus_store.fingerprint_fields(fps)) for story, fps in _prepared()]
    assert corpus.write_batch(factory, items[:2]) == ["added", "added"]
    with factory() as session:
        before = _dump(session)
    real_key_rows = corpus_store.key_rows

    def broken(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        made = real_key_rows(rows)
        return [*made, made[len(made) // 2]]  # one key row twice

    monkeypatch.setattr(corpus_store, "key_rows", broken)
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        corpus.write_batch(factory, items[2:])
    with factory() as session:
        assert _dump(session) == before
    monkeypatch.setattr(corpus_store, "key_rows", real_key_rows)
    assert corpus.write_batch(factory, items[2:]) == ["added", "added"]  # and the next try goes in


@pytest.mark.postgresql
def test_binary_copy_is_typed_by_the_tables_own_columns(pg_url: str) -> None:
    """Fingerprints and keys go by binary COPY in their columns' exact types; a table with
    other types (the stories: JSON, timestamps) is not sent in binary."""
    factory = store.open_database(pg_url)
    with factory() as session:
        cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        keys = corpus_store._binary_types(cursor, "fingerprint_keys", corpus_store._KEY_COLUMNS)
        assert keys is not None and len(keys) == len(corpus_store._KEY_COLUMNS)
        assert corpus_store._binary_types(cursor, "stories", corpus_store._STORY_COLUMNS) is None
        assert corpus_store._binary_types(cursor, "no_such_table", ("id",)) is None
