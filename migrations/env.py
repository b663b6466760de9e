"""Alembic environment: the URL comes from the app configuration (see api/migrate.py).

On SQLite, batch migrations rebuild a table (create a copy, drop the original, rename).
Two things make that safe here: foreign keys are switched off for the migration
connection (with them on, dropping a table deletes the rows of every table whose foreign
key cascades from it), and a rebuilt table keeps ``AUTOINCREMENT`` (reflection does not
see it, so a later migration would otherwise let SQLite reuse deleted ids again).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection, Table, create_engine, event, pool

import api.models  # noqa: F401  (registers every table on the metadata)
from api.database import Base

config = context.config
target_metadata = Base.metadata


def _options() -> dict:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": True,
        "compare_type": True,
        "user_module_prefix": "api.database.",
    }


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **_options()
    )
    with context.begin_transaction():
        context.run_migrations()


@contextmanager
def _sqlite_autoincrement_kept(connection: Connection):
    """While migrating, a reflected SQLite table declared AUTOINCREMENT says so, and batch
    mode (which copies the reflected table's keyword arguments) rebuilds it with it."""
    if connection.dialect.name != "sqlite":
        yield
        return

    def keep(_inspector, table: Table, _column_info) -> None:
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table.name,)
        ).scalar()
        if sql and re.search(r"\bAUTOINCREMENT\b", sql, re.IGNORECASE):
            table.dialect_kwargs["sqlite_autoincrement"] = True

    event.listen(Table, "column_reflect", keep)
    try:
        yield
    finally:
        event.remove(Table, "column_reflect", keep)


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, **_options())
    with _sqlite_autoincrement_kept(connection), context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Outside any transaction, or SQLite ignores it.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        _migrate(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
