"""Migrations: empty -> head -> base on this engine, and models == migrations."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    create_engine,
    func,
    insert,
    inspect,
    select,
    table,
)

from api.database import Base, make_engine
from api.migrate import MIGRATIONS_DIR, alembic_config, current_revisions, head_revisions


def test_upgrade_to_head_then_downgrade_to_base(scratch_url):
    config = alembic_config(scratch_url)
    engine = create_engine(scratch_url)
    command.upgrade(config, "head")
    assert current_revisions(engine) == head_revisions()
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")  # and up again: downgrades leave nothing behind
    assert current_revisions(engine) == head_revisions()
    engine.dispose()


def test_models_match_migrations(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_cli_upgrade_brings_empty_database_to_head(scratch_url):
    from api import create_app

    app = create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": scratch_url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(scratch_url)
    assert current_revisions(engine) == head_revisions()
    engine.dispose()


# Revision 0007 rebuilds every SQLite table with an integer id (AUTOINCREMENT). With foreign
# keys enforced, dropping a table during a rebuild deletes the rows that cascade from it.

BEFORE_IDS_NEVER_REUSED = "0006_foreign_key_indexes"
IDS_NEVER_REUSED = "0007_never_reuse_ids"


def _sample_value(column, now):
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    samples = [
        (Enum, lambda: kind.enums[0]),
        (Boolean, lambda: False),
        (Integer, lambda: 1),
        (Float, lambda: 1.0),
        (String, lambda: "x"),
        (DateTime, lambda: now),
        (Date, lambda: now.date()),
        (JSON, lambda: []),
    ]
    return next(sample() for sql_type, sample in samples if isinstance(kind, sql_type))


def _one_row_in_every_table(connection) -> dict[str, int]:
    """One row per table, children pointing at their parents; returns the generated ids."""
    metadata = MetaData()
    metadata.reflect(connection)
    now = dt.datetime.now(dt.UTC)
    ids: dict[str, int] = {}
    for reflected in metadata.sorted_tables:
        if reflected.name == "alembic_version":
            continue
        generated = [c for c in reflected.primary_key.columns if c.name == "id"]
        row = {}
        for column in reflected.columns:
            if column in generated:
                continue
            foreign = next(iter(column.foreign_keys), None)
            if foreign is not None:
                row[column.name] = ids[foreign.column.table.name]
            elif not column.nullable:
                row[column.name] = _sample_value(column, now)
        result = connection.execute(insert(reflected).values(**row))
        if generated:
            ids[reflected.name] = result.inserted_primary_key[0]
    return ids


def _counts(connection) -> dict[str, int]:
    names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
    count = select(func.count())
    return {n: connection.execute(count.select_from(table(n))).scalar() for n in names}


def _sqlite_indexes(connection) -> dict[str, str]:
    if connection.dialect.name != "sqlite":
        return {}
    rows = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
    return dict(rows.all())


def test_never_reuse_ids_keeps_every_row_and_child_row(scratch_url):
    config = alembic_config(scratch_url)
    command.upgrade(config, BEFORE_IDS_NEVER_REUSED)
    engine = make_engine(scratch_url)  # the app's engine: foreign keys enforced on SQLite
    with engine.begin() as connection:
        ids = _one_row_in_every_table(connection)
        before, indexes_before = _counts(connection), _sqlite_indexes(connection)
    assert set(before.values()) == {1}
    command.upgrade(config, IDS_NEVER_REUSED)
    with engine.begin() as connection:
        assert _counts(connection) == before
        assert _sqlite_indexes(connection) == indexes_before
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    command.upgrade(config, "head")
    with engine.begin() as connection:
        after = _counts(connection)
        assert {name: after[name] for name in before} == before  # later tables start empty
        users = Base.metadata.tables["users"]
        assert connection.execute(select(users.c.token_key)).scalar_one()
        # the newest account is erased: the next one gets a new id, not its id
        connection.execute(users.delete().where(users.c.id == ids["users"]))
        row = {c.name: _sample_value(c, dt.datetime.now(dt.UTC)) for c in users.columns}
        del row["id"]
        new_id = connection.execute(insert(users).values(**row)).inserted_primary_key[0]
    engine.dispose()
    assert new_id > ids["users"]


def test_sqlite_rebuild_refuses_to_run_while_foreign_keys_are_enforced(tmp_path):
    """A connection handed to the migrations with foreign keys on is refused, not emptied."""
    url = f"sqlite:///{tmp_path / 'enforced.sqlite3'}"
    config = alembic_config(url)
    command.upgrade(config, BEFORE_IDS_NEVER_REUSED)
    engine = make_engine(url)
    with engine.begin() as connection:
        _one_row_in_every_table(connection)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        with pytest.raises(RuntimeError, match="foreign keys"):
            command.upgrade(config, "head")
    with engine.connect() as connection:
        counts = _counts(connection)
    assert current_revisions(engine) == {BEFORE_IDS_NEVER_REUSED}
    engine.dispose()
    assert set(counts.values()) == {1}


LATER_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "9999_later_rebuild"
down_revision = {head!r}


def upgrade():
    with op.batch_alter_table("users", recreate="always") as batch_op:
        batch_op.alter_column("display_name", existing_type=sa.String(80), type_=sa.String(81))


def downgrade():
    pass
"""


def test_later_sqlite_rebuilds_keep_autoincrement(tmp_path):
    """A later batch migration rebuilds a table from reflection, which does not see
    AUTOINCREMENT: the migration environment carries it over."""
    (head,) = head_revisions()
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "9999_later_rebuild.py").write_text(LATER_REVISION.format(head=head))
    url = f"sqlite:///{tmp_path / 'later.sqlite3'}"
    config = alembic_config(url)
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join([str(MIGRATIONS_DIR / "versions"), str(versions)])
    )
    command.upgrade(config, "9999_later_rebuild")
    engine = create_engine(url)
    with engine.connect() as connection:
        sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'users'")
        users = sql.scalar()
    engine.dispose()
    assert "VARCHAR(81)" in users  # rebuilt
    assert "AUTOINCREMENT" in users


def test_the_head_read_from_the_files_is_alembics(scratch_url):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(scratch_url))
    assert head_revisions() == set(script.get_heads())
    engine = make_engine(scratch_url)
    try:
        assert current_revisions(engine) == set()  # never migrated
        command.upgrade(alembic_config(scratch_url), "head")
        with engine.connect() as connection:
            at = set(MigrationContext.configure(connection).get_current_heads())
        assert current_revisions(engine) == at == head_revisions()
    finally:
        engine.dispose()


def test_serving_does_not_load_alembic(database_url):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from api import create_app\n"
        "app = create_app({'DATABASE_URL': sys.argv[1], 'SECRET_KEY': 'k' * 64, "
        "'RATELIMIT_ENABLED': False})\n"
        "assert app.test_client().get('/ready').status_code == 200\n"
        "assert 'alembic' not in sys.modules, 'alembic was imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, database_url], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
