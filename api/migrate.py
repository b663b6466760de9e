"""Alembic wired to the app's configuration, and the ``flask db`` commands.

Alembic (with Mako and Pygments, about 11 MB) is imported by the commands that need it,
not by the server: the readiness probe reads the revisions without it.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@functools.cache
def head_revisions() -> frozenset[str]:
    """The latest revisions of ``migrations/versions``: those no other revision names as
    its ``down_revision`` (read from the files' own assignments, without loading Alembic;
    once per process, as the readiness probe asks on every check)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = _revision_names(path)
        if "revision" not in found:
            continue
        revisions.add(found["revision"])
        down = found.get("down_revision") or ()
        parents.update([down] if isinstance(down, str) else down)
    return frozenset(revisions - parents)


def _revision_names(path: Path) -> dict[str, object]:
    """The literal values a revision file assigns to ``revision`` and ``down_revision``."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.AnnAssign | ast.Assign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                found[target.id] = ast.literal_eval(node.value)
    return found


def current_revisions(engine: Engine) -> set[str]:
    """The revisions the database is at (none when it was never migrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.scalars(text("SELECT version_num FROM alembic_version")))


db_cli = AppGroup("db", help="Database migrations (Alembic).")


def _config() -> Config:
    return alembic_config(current_app.config["DATABASE_URL"])


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    from alembic import command

    command.upgrade(_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (default: one step back; `base` for empty)."""
    from alembic import command

    command.downgrade(_config(), revision)


@db_cli.command("current")
def current() -> None:
    """Show the revision the database is at."""
    from alembic import command

    command.current(_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def revision(message: str, autogenerate: bool) -> None:
    """Write a new revision (review it before committing)."""
    from alembic import command

    command.revision(_config(), message=message, autogenerate=autogenerate)


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
