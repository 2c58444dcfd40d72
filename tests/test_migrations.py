"""Alembic migrations: they build exactly the models' schema, adopt pre-migration databases, and the CLI.

On SQLite and PostgreSQL (``db_url``): Alembic's autogenerate comparison between the
migrated database and the models must find nothing, so a model change without a migration
fails here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select, text

import provenance.fetch_cache  # noqa: F401  (its table belongs to the schema)
from provenance import store
from provenance.cli import main

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
        assert {i["name"] for i in schema.get_indexes("fingerprint_keys")} == {"ix_fingerprint_keys_lookup"}
        assert schema.get_unique_constraints("stories")[0]["column_names"] == ["external_id"]
        fks = {fk["name"]: fk for fk in schema.get_foreign_keys("matches")}
        assert fks["matches_story_id_fkey"]["options"].get("ondelete") == "SET NULL"


def test_fresh_database_is_at_head_and_the_cli_says_so(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "current", "--db", db_url]) == 0
    assert capsys.readouterr().out.startswith("none")
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert f"-> {store.head_revision()} (head)" in capsys.readouterr().err
    assert store.current_revision(db_url) == store.head_revision() == "0002"
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


def test_migrations_ship_inside_the_package() -> None:
    assert Path(store.__file__).resolve().parent / "migrations" == store.MIGRATIONS
    for name in ("env.py", "script.py.mako", "versions/0001_initial.py", "versions/0002_page_meta.py"):
        assert (store.MIGRATIONS / name).is_file(), name


def test_db_revision_writes_the_next_numbered_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(store.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(store, "MIGRATIONS", copy)
    assert main(["db", "revision", "-m", "Nothing changed!", "--autogenerate"]) == 0
    path = Path(capsys.readouterr().out.splitlines()[-1])  # after Alembic's "Generating …"
    assert path == copy / "versions" / "0003_nothing_changed.py"
    source = path.read_text()
    assert (
        'revision: str = "0003"' in source and 'down_revision: str | Sequence[str] | None = "0002"' in source
    )
    assert "op." not in source.split("def upgrade")[1]  # the models equal the migrations: empty
    assert store.head_revision() == "0003"


def test_counting_rows_after_migration_works_on_an_empty_database(db_url: str) -> None:
    factory = store.open_database(db_url)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(store.PageRow)) == 0
