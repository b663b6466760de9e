"""Alembic environment: the URL comes from the app configuration (see api/migrate.py).

On SQLite, batch migrations rebuild a table (create a copy, drop the original, rename).
Two things make that safe here: foreign keys are switched off for the migration
connection (with them on, dropping a table deletes the rows of every table whose foreign
key cascades from it), and a rebuilt table keeps ``AUTOINCREMENT`` (reflection does not
see it, so a later migration would otherwise let SQLite reuse deleted ids again).

On PostgreSQL every server may run ``db upgrade`` at the same time when a release
starts: the first takes an advisory lock and migrates, the others wait for it and then
find the database at head with nothing to do (see ``_one_migrator_at_a_time``).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection, Table, create_engine, event, pool, text

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


#: The advisory lock key every ``db upgrade`` takes on PostgreSQL ("upright" in ASCII).
MIGRATION_LOCK_KEY = 0x75707269676874


def _one_migrator_at_a_time(connection: Connection) -> None:
    """Inside the migration transaction, before Alembic reads the current revision: wait
    until no other ``db upgrade`` holds the lock.

    A transaction-level lock (``pg_advisory_xact_lock``): on PostgreSQL Alembic runs every
    pending revision in one transaction, so the lock is held until that transaction
    commits and the waiting servers then read the new revision. Unlike a session lock it
    is also safe through PgBouncer in transaction mode, where the next transaction may
    run on another server connection (a session lock would never be released there).
    The wait itself is not cut short by a ``statement_timeout`` set for the role.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text("SET LOCAL statement_timeout = 0"))
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, **_options())
    with _sqlite_autoincrement_kept(connection), context.begin_transaction():
        _one_migrator_at_a_time(connection)
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
