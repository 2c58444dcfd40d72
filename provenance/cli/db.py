"""``provenance db``: the database schema — apply migrations, report the revision, write a new one.

``open_database`` upgrades on its own, so ``db upgrade`` is for the times that should not
wait for the first audit: a deploy step against a shared PostgreSQL, or a check in CI that a
database can be migrated. ``db current`` changes nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from provenance import store
from provenance.cli import common


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="database schema: upgrade, current revision")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply every pending migration (to the newest schema)")
    _db_option(upgrade)
    upgrade.set_defaults(handler=run_upgrade)
    current = actions.add_parser("current", help="print the database's schema revision")
    _db_option(current)
    current.set_defaults(handler=run_current)
    revision = actions.add_parser(
        "revision", help="write a new migration into the package (developers; from a checkout)"
    )
    revision.add_argument("-m", "--message", required=True, help="what the migration changes")
    revision.add_argument(
        "--autogenerate",
        action="store_true",
        help="fill it from the difference between the models and a scratch database at head",
    )
    revision.set_defaults(handler=run_revision)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=common.database_option,
        help="database URL (default: $PROVENANCE_DB or sqlite:///provenance.db)",
    )


def _describe(revision: str | None, head: str) -> str:
    if revision is None:
        return "none (empty database)"
    return f"{revision} (head)" if revision == head else revision


def run_upgrade(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    before = _current(args.db) if store.database_exists(args.db) else None
    common.database(args, create=True)  # creates and migrates; a failure is one line, exit 2
    head = store.head_revision()
    print(f"database: {_describe(before, head)} -> {_describe(_current(args.db), head)}", file=sys.stderr)
    return common.EXIT_CLEAN


def run_current(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not store.database_exists(args.db):  # reading it would create an empty file
        raise common.Failure(f"no database at {store.database_url(args.db)}")
    print(_describe(_current(args.db), store.head_revision()))
    return common.EXIT_CLEAN


def _current(url: str | None) -> str | None:
    try:
        return store.current_revision(url)
    except Exception as exc:
        raise common.Failure(f"cannot open database {store.database_url(url)}: {exc}") from None


def run_revision(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Number the migration after the newest one (``0002_…``), so the files sort in order."""
    from alembic import command

    head = store.head_revision()
    rev_id = f"{int(head) + 1:04d}" if head.isdigit() else None
    slug = re.sub(r"[^a-z0-9]+", "_", args.message.lower()).strip("_")[:40]
    engine = store.engine_for("sqlite://")  # a scratch database at head: the base of the diff
    try:
        with engine.begin() as connection:
            config = store.alembic_config(connection)
            config.set_main_option("file_template", f"%%(rev)s_{slug}")  # %% : configparser
            script = command.revision(
                config, message=args.message, autogenerate=args.autogenerate, rev_id=rev_id
            )
    finally:
        engine.dispose()
    scripts = script if isinstance(script, list) else [script]
    for s in scripts:
        if s is not None:
            print(s.path)
    return common.EXIT_CLEAN
