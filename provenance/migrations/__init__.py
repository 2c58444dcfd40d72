"""Alembic migrations of the provenance database, shipped inside the package.

No ``alembic.ini``: :func:`provenance.store.alembic_config` builds the configuration in
code with ``script_location`` pointing here, so an installed wheel migrates its databases
without a checkout. ``provenance db upgrade`` / ``provenance db current`` run and report
them; :func:`provenance.store.open_database` upgrades every database it opens.

A new migration: change the models, then ``provenance db revision -m "what changed"
--autogenerate`` writes ``versions/NNNN_what_changed.py`` from the difference between the
models and a scratch database at the current head; review it (autogenerate misses renames
and data moves) and add a test to ``tests/test_migrations.py``.
"""
