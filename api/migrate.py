"""Alembic wired to the app's configuration, and the ``flask db`` commands."""

from __future__ import annotations

import functools
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@functools.cache
def head_revisions() -> frozenset[str]:
    """The revisions the code expects; read from the scripts once per process (the
    readiness probe asks on every check)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(script.get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


db_cli = AppGroup("db", help="Database migrations (Alembic).")


def _config() -> Config:
    return alembic_config(current_app.config["DATABASE_URL"])


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    command.upgrade(_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (default: one step back; `base` for empty)."""
    command.downgrade(_config(), revision)


@db_cli.command("current")
def current() -> None:
    """Show the revision the database is at."""
    command.current(_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def revision(message: str, autogenerate: bool) -> None:
    """Write a new revision (review it before committing)."""
    command.revision(_config(), message=message, autogenerate=autogenerate)


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
