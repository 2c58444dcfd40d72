"""Alembic migrations: they build exactly the models' schema, adopt pre-migration databases, and the CLI.

On SQLite and PostgreSQL (``db_url``): Alembic's autogenerate comparison between the
migrated database and the models must find nothing, so a model change without a migration
fails here.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, func, insert, inspect, select, text

import provenance.fetch_cache  # noqa: F401  (its table belongs to the schema)
from provenance import corpus_store, history, inventory, lookup, store
from provenance.cli import main
from provenance.fingerprint import (
    SCHEME_BY_KEY,
    SCHEMES,
    Fingerprint,
    fingerprint_text,
    to_signed,
    to_unsigned,
)
from provenance.index import BlockPlan, block_keys
from provenance.model import Match, PageResult, Story

TABLES = {
    "stories",
    "fingerprints",
    "fingerprint_keys",
    "runs",
    "pages",
    "matches",
    "findings",
    "fetch_cache",
}


def differences(url: str) -> list[object]:
    with store.new_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, store.Base.metadata))


def test_models_cover_the_migrated_tables() -> None:
    assert set(store.Base.metadata.tables) == TABLES  # a new model needs a migration (and this list)


def test_migrations_build_exactly_the_models_schema(db_url: str) -> None:
    store.open_database(db_url)
    assert differences(db_url) == []
    with store.new_engine(db_url).connect() as connection:
        schema = inspect(connection)
        assert set(schema.get_table_names()) == TABLES | {"alembic_version"}
        assert schema.get_indexes("fingerprint_keys") == []  # nor a foreign key: see 0008
        assert schema.get_foreign_keys("fingerprint_keys") == []
        pk = schema.get_pk_constraint("fingerprint_keys")  # clustered / covering: see 0003
        assert pk["name"] == "fingerprint_keys_pkey"
        assert pk["constrained_columns"] == ["scheme", "scheme_version", "table_no", "key", "fingerprint_id"]
        if connection.dialect.name == "postgresql":
            assert pk["dialect_options"] == {"postgresql_include": ["value", "story_id"]}
        else:
            ddl = connection.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'fingerprint_keys'"))
            assert ddl.rstrip().endswith("WITHOUT ROWID")
        assert schema.get_unique_constraints("stories")[0]["column_names"] == ["external_id"]
        fks = {fk["name"]: fk for fk in schema.get_foreign_keys("matches")}
        assert fks["matches_story_id_fkey"]["options"].get("ondelete") == "SET NULL"
        rank = {c["name"]: c for c in schema.get_columns("matches")}["rank"]  # see 0004
        assert rank["nullable"] is False and "0" in str(rank["default"])


def test_fresh_database_is_at_head_and_the_cli_says_so(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if db_url.startswith("sqlite"):  # reading a missing file is an error, and creates nothing
        assert main(["db", "current", "--db", db_url]) == 2
        assert "no database at" in capsys.readouterr().err
        assert not store.database_exists(db_url)
    else:  # a new server database exists, empty
        assert main(["db", "current", "--db", db_url]) == 0
        assert capsys.readouterr().out.startswith("none")
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert f"-> {store.head_revision()} (head)" in capsys.readouterr().err
    assert store.current_revision(db_url) == store.head_revision() == "0009"
    assert main(["db", "current", "--db", db_url]) == 0
    assert capsys.readouterr().out.strip() == f"{store.head_revision()} (head)"
    assert main(["db", "upgrade", "--db", db_url]) == 0  # again: nothing to do


def test_open_database_upgrades_without_being_asked(db_url: str) -> None:
    assert store.current_revision(db_url) is None
    store.open_database(db_url)
    assert store.current_revision(db_url) == store.head_revision()


def test_a_database_made_before_migrations_is_adopted(db_url: str) -> None:
    """``create_all`` made the tables (all but fetch_cache, as before it existed) and no version."""
    engine = store.new_engine(db_url)
    legacy = [t for name, t in store.Base.metadata.tables.items() if name != "fetch_cache"]
    store.Base.metadata.create_all(engine, tables=legacy)
    with engine.begin() as connection:
        connection.execute(
            insert(store.StoryRow.__table__).values(
                external_id="old-1",
                agency="AP",
                contributors=[],
                text="Kept.",
                content_hash="x",
                added=store.now(),
                updated=store.now(),
            )
        )
    engine.dispose()
    assert store.current_revision(db_url) is None
    factory = store.open_database(db_url)
    assert store.current_revision(db_url) == store.head_revision()
    with factory() as session:
        assert session.scalars(select(store.StoryRow.external_id)).all() == ["old-1"]
    assert differences(db_url) == []  # fetch_cache added, nothing else touched


def test_downgrade_to_nothing_and_up_again(db_url: str) -> None:
    engine = store.engine_for(db_url)
    with engine.begin() as connection:
        command.downgrade(store.alembic_config(connection), "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    store.close_databases()
    store.open_database(db_url)
    assert differences(db_url) == []


def test_a_database_from_a_newer_provenance_is_refused(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store.open_database(db_url)
    store.close_databases()
    with store.new_engine(db_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(store.SchemaError, match="9999"):
        store.open_database(db_url)
    assert main(["db", "upgrade", "--db", db_url]) == 2
    assert "newer provenance" in capsys.readouterr().err
    assert main(["db", "current", "--db", db_url]) == 0
    assert capsys.readouterr().out.strip() == "9999"


def test_offline_sql_script_creates_every_table(capsys: pytest.CaptureFixture[str]) -> None:
    """``--sql`` mode (for a DBA who applies DDL by hand) works without a database."""
    config = store.alembic_config(url="postgresql+psycopg://nobody@localhost/none")
    command.upgrade(config, "head", sql=True)
    script = capsys.readouterr().out
    for table in TABLES:
        assert f"CREATE TABLE {table} (" in script
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in script
    assert "ALTER TABLE pages ADD COLUMN meta" in script
    assert "UPDATE alembic_version SET version_num='0002'" in script
    assert "CREATE TABLE fingerprint_keys_new (" in script and "INCLUDE (value, story_id)" in script
    assert "ALTER TABLE fingerprint_keys_new RENAME TO fingerprint_keys" in script
    assert "UPDATE alembic_version SET version_num='0003'" in script
    assert "ALTER TABLE matches ADD COLUMN rank INTEGER DEFAULT 0 NOT NULL" in script
    assert "UPDATE alembic_version SET version_num='0004'" in script


def test_migrations_ship_inside_the_package() -> None:
    assert Path(store.__file__).resolve().parent / "migrations" == store.MIGRATIONS
    versions = (
        "0001_initial",
        "0002_page_meta",
        "0003_clustered_block_keys",
        "0004_match_rank",
        "0005_story_rights",
    )
    for name in ("env.py", "script.py.mako", *(f"versions/{v}.py" for v in versions)):
        assert (store.MIGRATIONS / name).is_file(), name


def test_db_revision_writes_the_next_numbered_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(store.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(store, "MIGRATIONS", copy)
    assert main(["db", "revision", "-m", "Nothing changed!", "--autogenerate"]) == 0
    path = Path(capsys.readouterr().out.splitlines()[-1])  # after Alembic's "Generating …"
    assert path == copy / "versions" / "0010_nothing_changed.py"
    source = path.read_text()
    assert (
        'revision: str = "0010"' in source and 'down_revision: str | Sequence[str] | None = "0009"' in source
    )
    assert "op." not in source.split("def upgrade")[1]  # the models equal the migrations: empty
    assert store.head_revision() == "0010"


def test_counting_rows_after_migration_works_on_an_empty_database(db_url: str) -> None:
    factory = store.open_database(db_url)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(store.PageRow)) == 0


# --- 0003: block keys clustered by the lookup key ------------------------------------------


def _fill_at_0002(url: str) -> tuple[list[Fingerprint], list[tuple[int, int, str, int, int]]]:
    """A 0002 database with stories, fingerprints and block keys as 0002's writer stored them.

    Returns query fingerprints around the stored ones (near and far, both schemes, values
    above 2**63) and the key rows written.
    """
    rng = random.Random(20261127)
    queries = [
        Fingerprint(s.name, s.version, "paragraph", i, 0, 1, rng.getrandbits(64))
        for s in SCHEMES[:2]
        for i in range(15)
    ] + [Fingerprint(SCHEMES[0].name, SCHEMES[0].version, "paragraph", 99, 0, 1, (1 << 64) - 1)]
    engine = store.new_engine(url)
    keys: list[tuple[int, int, str, int, int]] = []
    with engine.begin() as connection:
        command.upgrade(store.alembic_config(connection), "0002")
        fp_id = 0
        for story_id in range(1, 31):
            connection.execute(
                text(
                    "INSERT INTO stories (id, external_id, agency, contributors, text, content_hash, added, updated) "
                    "VALUES (:id, :ext, 'AP', '[]', 'text', 'x', :now, :now)"
                ),
                {"id": story_id, "ext": f"s{story_id}", "now": store.now()},
            )
            for position in range(5):
                base = rng.choice(queries)
                value = base.value
                for bit in rng.sample(range(64), rng.choice([0, 1, 2, 3, 3, 4, 6, 20])):
                    value ^= 1 << bit
                fp_id += 1
                connection.execute(
                    text(
                        'INSERT INTO fingerprints (id, story_id, level, position, start, "end", scheme, '
                        "scheme_version, value) VALUES (:id, :story, 'paragraph', :pos, 0, 1, :scheme, "
                        ":version, :value)"
                    ),
                    {
                        "id": fp_id,
                        "story": story_id,
                        "pos": position,
                        "scheme": base.scheme,
                        "version": base.version,
                        "value": to_signed(value),
                    },
                )
                plan = BlockPlan.for_k(SCHEME_BY_KEY[base.scheme_key].k)
                keys += [
                    (fp_id, t, base.scheme, base.version, to_signed(key))
                    for t, key in enumerate(block_keys(value, plan))
                ]
        connection.execute(
            text(
                'INSERT INTO fingerprint_keys (fingerprint_id, table_no, scheme, scheme_version, "key") '
                "VALUES (:f, :t, :s, :v, :k)"
            ),
            [dict(zip("ftsvk", row, strict=True)) for row in keys],
        )
        if connection.dialect.name == "postgresql":  # ids given explicitly: move the sequences past them
            for table in ("stories", "fingerprints"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1000)"))
    engine.dispose()
    return queries, keys


def _lookup_0002(url: str, queries: list[Fingerprint]) -> dict[int, dict[str, int]]:
    """The lookup as 0002's layout answered it: probe the key index, join fingerprints, check."""
    hits: dict[int, dict[str, int]] = {}
    engine = store.new_engine(url)
    with engine.connect() as connection:
        matched: dict[tuple[str, int], set[tuple[int, int]]] = {}
        for q in queries:
            scheme = SCHEME_BY_KEY[q.scheme_key]
            for t, key in enumerate(block_keys(q.value, BlockPlan.for_k(scheme.k))):
                rows = connection.execute(
                    text(
                        "SELECT f.id, f.story_id, f.value FROM fingerprint_keys k JOIN fingerprints f "
                        "ON f.id = k.fingerprint_id WHERE k.scheme = :s AND k.scheme_version = :v "
                        'AND k.table_no = :t AND k."key" = :k'
                    ),
                    {"s": scheme.name, "v": scheme.version, "t": t, "k": to_signed(key)},
                )
                for fp_id, story_id, value in rows:
                    if (to_unsigned(value) ^ q.value).bit_count() <= scheme.k:
                        matched.setdefault((scheme.name, scheme.version), set()).add((fp_id, story_id))
    engine.dispose()
    for (name, version), found in matched.items():
        for _, story_id in found:
            counts = hits.setdefault(story_id, {})
            counts[f"{name}/{version}"] = counts.get(f"{name}/{version}", 0) + 1
    return hits


def test_upgrading_a_0002_database_keeps_every_lookup_answer(db_url: str) -> None:
    """0003 rebuilds the key table from 0002's rows: the same keys, the same answers, writes go on."""
    queries, keys = _fill_at_0002(db_url)
    before = _lookup_0002(db_url, queries)
    per_query = {q: _lookup_0002(db_url, [q]) for q in queries}
    assert sum(sum(c.values()) for c in before.values()) > 30  # the test has teeth
    assert store.current_revision(db_url) == "0002"

    factory = store.open_database(db_url)  # upgrades on open
    assert store.current_revision(db_url) == store.head_revision()
    assert differences(db_url) == []
    with factory() as session:
        assert lookup.near_fingerprints(session, queries) == before
        for q in queries:  # and page by page (one fingerprint each), too
            assert lookup.near_fingerprints(session, [q]) == per_query[q]
        rows = session.execute(
            select(
                store.BlockKeyRow.fingerprint_id,
                store.BlockKeyRow.table_no,
                store.BlockKeyRow.scheme,
                store.BlockKeyRow.scheme_version,
                store.BlockKeyRow.key,
                store.BlockKeyRow.story_id,
                store.BlockKeyRow.value,
                store.FingerprintRow.story_id,
                store.FingerprintRow.value,
            ).join(store.FingerprintRow, store.FingerprintRow.id == store.BlockKeyRow.fingerprint_id)
        ).all()
    assert sorted(r[:5] for r in rows) == sorted(keys)  # every key row, nothing more
    assert all(r[5] == r[7] and r[6] == r[8] for r in rows)  # each carries its fingerprint's story and value

    with store.transaction(factory) as session:  # the converted table takes writes and deletes
        s1 = session.scalar(select(store.StoryRow.id).where(store.StoryRow.external_id == "s1"))
        corpus_store.delete_fingerprints(session, [s1])  # the one way keys go (no cascade: see 0008)
        session.execute(delete(store.StoryRow).where(store.StoryRow.id == s1))
        corpus_store.upsert_story(session, Story(id="new", agency="AP", text="t"), [queries[0]])
    with factory() as session:
        got = lookup.near_fingerprints(session, [queries[0]])
        new = session.scalar(select(store.StoryRow.id).where(store.StoryRow.external_id == "new"))
        assert session.scalar(select(func.count()).select_from(store.BlockKeyRow)) == len(keys) - 5 * 4 + 4
    assert got[new] == {SCHEMES[0].key: 1}  # the new story, found by its own fingerprint
    assert 1 not in got  # s1 (row id 1) went with its keys


def test_downgrading_0003_restores_0002s_key_rows(db_url: str) -> None:
    queries, keys = _fill_at_0002(db_url)
    before = _lookup_0002(db_url, queries)
    engine = store.engine_for(db_url)
    with engine.begin() as connection:
        command.downgrade(store.alembic_config(connection), "0002")
    store.close_databases()
    with store.new_engine(db_url).connect() as connection:
        schema = inspect(connection)
        assert {i["name"] for i in schema.get_indexes("fingerprint_keys")} == {"ix_fingerprint_keys_lookup"}
        assert schema.get_pk_constraint("fingerprint_keys")["constrained_columns"] == [
            "fingerprint_id",
            "table_no",
        ]
        restored = connection.execute(
            text('SELECT fingerprint_id, table_no, scheme, scheme_version, "key" FROM fingerprint_keys')
        ).all()
    assert sorted(tuple(r) for r in restored) == sorted(keys)
    assert _lookup_0002(db_url, queries) == before
    factory = store.open_database(db_url)  # and up again
    with factory() as session:
        assert lookup.near_fingerprints(session, queries) == before


# --- 0004: a page's matches ranked --------------------------------------------------------


def _fill_at_0003(url: str) -> None:
    """A 0003 database with a saved run: a matched page (its one match row), an unmatched page."""
    engine = store.new_engine(url)
    now = store.now()
    with engine.begin() as connection:
        command.upgrade(store.alembic_config(connection), "0003")
        connection.execute(
            text(
                "INSERT INTO stories (id, external_id, agency, title, contributors, text, content_hash, added, "
                "updated) VALUES (1, 'ap-1', 'AP', 'Bridge closed', '[]', :text, 'x', :now, :now)"
            ),
            {"text": "The bridge closed on Monday after engineers found cracks.", "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO runs (id, command, started, finished, arguments, tool_version, pages, errors, "
                "matches, findings) VALUES (1, 'audit', :now, :now, '[]', '0.1.0', 2, 0, 1, 1)"
            ),
            {"now": now},
        )
        for page_id, name in ((1, "copy.txt"), (2, "clean.txt")):
            connection.execute(
                text(
                    "INSERT INTO pages (id, run_id, page_id, source, status, content_hash, text, attribution, "
                    "audited) VALUES (:id, 1, :name, :name, 'ok', 'h', 'The bridge closed.', '{}', :now)"
                ),
                {"id": page_id, "name": name, "now": now},
            )
        evidence = [
            {
                "kind": "verbatim",
                "similarity": 1.0,
                "page": {"start": 0, "end": 18, "text": "The bridge closed."},
                "story": {"start": 0, "end": 18, "text": "The bridge closed."},
            }
        ]
        connection.execute(
            text(
                "INSERT INTO matches (id, page_id, story_id, story_external_id, agency, derivation, similarity, "
                "coverage, verbatim_share, rewritten_share, order_kept, evidence) VALUES (1, 1, 1, 'ap-1', "
                "'AP', 'partial', 0.9, 0.4, 0.4, 0.0, :kept, :evidence)"
            ),
            {"kept": True, "evidence": json.dumps(evidence)},
        )
        connection.execute(
            text(
                "INSERT INTO findings (page_id, rule, severity, message, evidence, line, suppressed, "
                "suppressed_by) VALUES (1, 'AP-CREDIT', 'error', 'No AP credit.', '', NULL, :no, '')"
            ),
            {"no": False},
        )
        if connection.dialect.name == "postgresql":  # ids given explicitly: move the sequences past them
            for table in ("stories", "runs", "pages", "matches"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1000)"))
    engine.dispose()


def test_upgrading_a_0003_database_ranks_its_matches_0_and_keeps_every_report(db_url: str) -> None:
    """0004 adds ``matches.rank``: a saved match becomes its page's best (rank 0), reports unchanged."""
    _fill_at_0003(db_url)
    assert store.current_revision(db_url) == "0003"
    factory = store.open_database(db_url)  # upgrades on open
    assert store.current_revision(db_url) == store.head_revision()
    assert differences(db_url) == []
    with factory() as session:
        assert session.execute(select(store.MatchRow.page_id, store.MatchRow.rank)).all() == [(1, 0)]
        report = history.load_report(session, 1)
    copy, clean = report.results
    assert copy.match is not None and copy.matches == [copy.match]
    assert (copy.match.story.id, copy.match.story.title, copy.match.coverage) == (
        "ap-1",
        "Bridge closed",
        0.4,
    )
    assert [p.page_text for p in copy.match.evidence] == ["The bridge closed."]
    assert [f.rule for f in copy.findings] == ["AP-CREDIT"]
    assert clean.match is None and clean.matches == []

    second = Match(Story("ap-2", "AP", "t"), "partial", 0.8, 0.3, 0.3, 0.0, True)
    with store.transaction(factory) as session:  # the upgraded table takes ranked rows
        store.save_result(
            session, 1, PageResult("new.txt", "new.txt", None, "ok", matches=[copy.match, second])
        )
    with factory() as session:
        reloaded = history.load_report(session, 1)
    assert [m.story.id for m in reloaded.results[-1].matches] == ["ap-1", "ap-2"]


def test_downgrading_0004_keeps_each_pages_best_match(db_url: str) -> None:
    factory = store.open_database(db_url)
    first = Match(Story("ap-1", "AP", "t"), "partial", 0.9, 0.4, 0.4, 0.0, True)
    second = Match(Story("ap-2", "AP", "t"), "partial", 0.8, 0.3, 0.3, 0.0, True)
    run = store.start_run(factory, "audit", [], "0.1.0")
    with store.transaction(factory) as session:
        store.save_result(session, run.id, PageResult("p", "p", None, "ok", matches=[first, second]))
    engine = store.engine_for(db_url)
    with engine.begin() as connection:
        command.downgrade(store.alembic_config(connection), "0003")
    store.close_databases()
    with store.new_engine(db_url).connect() as connection:
        assert "rank" not in {c["name"] for c in inspect(connection).get_columns("matches")}
        assert connection.execute(text("SELECT story_external_id FROM matches")).scalars().all() == ["ap-1"]
    factory = store.open_database(db_url)  # and up again
    with factory() as session:
        assert [m.story.id for m in history.load_report(session, run.id).results[0].matches] == ["ap-1"]


def _key_table(db_url: str) -> tuple[list[tuple[object, ...]], set[str], list[str]]:
    """The key rows (sorted), the key table's index names and its foreign keys' targets."""
    with store.new_engine(db_url).connect() as connection:
        rows = connection.execute(text("SELECT * FROM fingerprint_keys")).all()
        schema = inspect(connection)
        indexes = {i["name"] for i in schema.get_indexes("fingerprint_keys")}
        targets = [fk["referred_table"] for fk in schema.get_foreign_keys("fingerprint_keys")]
    return sorted(tuple(r) for r in rows), indexes, targets


def test_0008_drops_the_key_tables_fingerprint_index_and_keeps_every_key_row(db_url: str) -> None:
    """Down to 0007 the foreign key and its index come back; up again they go; the rows stay."""
    factory = store.open_database(db_url)
    for n in range(3):
        text_ = f"Story {n} about the bridge that closed on Monday after the storm. It reopens in May."
        with store.transaction(factory) as session:
            corpus_store.upsert_story(
                session, Story(id=f"s{n}", agency="AP", text=text_), fingerprint_text(text_)
            )
    rows, indexes, targets = _key_table(db_url)
    assert len(rows) > 30 and indexes == set() and targets == []
    engine = store.engine_for(db_url)
    with engine.begin() as connection:
        command.downgrade(store.alembic_config(connection), "0007")
    store.close_databases()
    assert _key_table(db_url) == (rows, {"ix_fingerprint_keys_fingerprint_id"}, ["fingerprints"])
    factory = store.open_database(db_url)  # upgrades on open
    assert differences(db_url) == []
    assert _key_table(db_url) == (rows, set(), [])
    with factory() as session:
        s1 = session.scalar(select(store.StoryRow.id).where(store.StoryRow.external_id == "s1"))
    assert inventory.remove_stories(factory, ["s1"]) == []  # the converted table takes deletes
    left, _, _ = _key_table(db_url)
    assert left == [r for r in rows if r[5] != s1] and len(left) < len(rows)  # s1's keys, no other
