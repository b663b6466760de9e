"""The declarative base, column types and the per-request session.

One SQLAlchemy session per request (or CLI command), created on first use and
closed at teardown: whatever the route did not commit is rolled back. Services
flush but never commit; the route commits once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, Integer, MetaData, Table, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every engine.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is
    stored as naive UTC and handed back aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if isinstance(table, Table):
            never_reuse_ids(table)


def never_reuse_ids(table: Table) -> None:
    """Ids reach tokens and URLs, so a deleted row's id must never be handed out again.

    PostgreSQL identities never go back; SQLite reuses the highest id after a delete unless
    the key is declared AUTOINCREMENT. Every table with a single integer key gets it.
    """
    key = list(table.primary_key.columns)
    if len(key) == 1 and isinstance(key[0].type, Integer):
        table.dialect_kwargs["sqlite_autoincrement"] = True


@dataclass
class DatabaseState:
    engine: Engine
    session_factory: sessionmaker[Session]


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that
    # SAVEPOINT works (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str, *, pool_timeout: int = 5, connect_timeout: int = 3) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5}, hide_parameters=True)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        # IMMEDIATE: writers queue on the busy timeout instead of failing on a lock upgrade.
        event.listen(
            engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE")
        )
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        hide_parameters=True,  # no health data in logs or error messages
        pool_timeout=pool_timeout,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": connect_timeout},
    )


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"],
        pool_timeout=app.config["DB_POOL_TIMEOUT"],
        connect_timeout=app.config["DB_CONNECT_TIMEOUT"],
    )
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions["upright.db"] = DatabaseState(engine=engine, session_factory=factory)
    app.teardown_appcontext(_close_session)


def state(app: Flask | None = None) -> DatabaseState:
    return (app or current_app).extensions["upright.db"]


def get_session() -> Session:
    """The session of the current request or command (created on first use)."""
    if "db_session" not in g:
        g.db_session = state().session_factory()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
