"""Migrations: empty -> head -> base on this engine, and models == migrations."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from api.database import Base
from api.migrate import alembic_config, current_revisions, head_revisions


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
