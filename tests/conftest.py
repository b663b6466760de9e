"""Fixtures: the database (SQLite by default, PostgreSQL with TEST_DATABASE_URL),
the app and its client, and factories that return ids.

The schema is built once per run through the Alembic migrations; after each test
every table except the reference catalogue is emptied, so tests are isolated.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text

from api import create_app
from api.catalogue.models import CATALOGUE_TABLES
from api.database import Base, make_engine
from tests import factories

# The catalogue is loaded once per run and shared by every test (read-only).
REFERENCE_TABLES = {"alembic_version", *CATALOGUE_TABLES}


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'upright-test.sqlite3'}"


def _reset_schema(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from alembic import command

    from api.migrate import alembic_config

    url = _database_url(tmp_path_factory)
    engine = make_engine(url)
    _reset_schema(engine)
    command.upgrade(alembic_config(url), "head")
    app = create_app(_config(url))
    with app.app_context():
        app.extensions["upright.catalogue_loader"]()
    from api.database import state

    state(app).engine.dispose()
    yield url
    engine.dispose()


def _config(url: str, **overrides: object) -> dict[str, object]:
    return {
        "UPRIGHT_ENV": "testing",
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "RATELIMIT_ENABLED": False,
        # As a deployment that reaches PostgreSQL directly (no effect on SQLite).
        "DB_PREPARED_STATEMENTS": True,
        **overrides,
    }


def _empty_tables(engine: Engine) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    templates = Base.metadata.tables["programme_templates"]
    with engine.begin() as connection:
        connection.execute(templates.delete().where(templates.c.owner_id.is_not(None)))
        if connection.dialect.name == "postgresql":
            # users is referenced by the (kept) built-in templates' table: TRUNCATE ... CASCADE
            # would empty it too, so users rows are deleted instead.
            names = ", ".join(f'"{t.name}"' for t in tables if t.name != "users")
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
            connection.execute(Base.metadata.tables["users"].delete())
        else:
            for table in tables:
                connection.execute(table.delete())


@dataclass(frozen=True)
class Moment:
    """A moment at which day-dependent code tends to break, and the patients' default zone."""

    at: dt.datetime
    timezone: str


# The date-sensitive tests (sessions, programmes, progress, check-ins, outcomes) run at each
# of these moments (their conftest.py asks for ``awkward_moment``), never at the real time.
AWKWARD_MOMENTS = {
    # Ten minutes after midnight UTC: "30 minutes ago" is yesterday. A Wednesday.
    "wed-00:10Z": Moment(dt.datetime(2026, 11, 18, 0, 10, tzinfo=dt.UTC), "UTC"),
    # Sunday, 10 minutes after the clocks went forward in London (01:00 GMT -> 02:00 BST):
    # the local day is 23 hours long.
    "sun-dst-starts-london": Moment(
        dt.datetime(2026, 3, 29, 1, 10, tzinfo=dt.UTC), "Europe/London"
    ),
    # Sunday, 10 minutes after the clocks went back in London (02:00 BST -> 01:00 GMT):
    # 01:10 local happened twice, the local day is 25 hours long.
    "sun-dst-ends-london": Moment(dt.datetime(2026, 10, 25, 1, 10, tzinfo=dt.UTC), "Europe/London"),
}


@pytest.fixture(params=list(AWKWARD_MOMENTS.values()), ids=list(AWKWARD_MOMENTS))
def awkward_moment(request, monkeypatch) -> Iterator[Moment]:
    """Freeze the clock (every ``datetime.now``, ``date.today`` and ``time.time``) at an
    awkward moment, with time moving on from there; new patients live in its time zone."""
    moment: Moment = request.param
    monkeypatch.setattr(factories, "PATIENT_TIMEZONE", moment.timezone)
    with time_machine.travel(moment.at, tick=True):
        yield moment


@pytest.fixture
def app_config(database_url: str) -> dict[str, object]:
    """Override entries of this dict in a test module to configure the app."""
    return _config(database_url)


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    application = create_app(app_config)
    yield application
    from api.database import state

    engine = state(application).engine
    _empty_tables(engine)
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def pings(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The connections the pool pings on checkout from now on (each ping is a round trip)."""
    from api.database import state

    dialect = type(state(app).engine.dialect)
    seen: list[object] = []
    ping = dialect.do_ping

    def counted(self, dbapi_connection):
        seen.append(dbapi_connection)
        return ping(self, dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return seen


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make(app: Flask) -> factories.Factory:
    """Factories bound to the app: ``make.patient()``, ``make.therapist()``, ..."""
    return factories.Factory(app)


@pytest.fixture
def care(make: factories.Factory) -> tuple[int, dict[str, str], int, dict[str, str]]:
    """A patient linked to a therapist: (patient, their headers, therapist, their headers)."""
    patient = make.patient()
    therapist = make.therapist()
    make.link(therapist, patient)
    return patient, make.headers(patient), therapist, make.headers(therapist)


@pytest.fixture
def actors(make: factories.Factory) -> factories.Actors:
    """The six actors of the authorisation matrix, as request headers."""
    return make.actors()


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of the same engine as the suite's (for migrations and loading)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    schema = f"scratch_{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in database_url else "?"
    yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()
