"""The declarative base, column types and the per-request session.

One SQLAlchemy session per request (or CLI command), created on first use and
closed at teardown: whatever the route did not commit is rolled back. Services
flush but never commit; the route commits once.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import psycopg
from flask import Flask, current_app, g
from sqlalchemy import DateTime, Engine, Integer, MetaData, Table, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from api.timeutil import utcnow as utcnow  # the one clock, re-exported for column defaults

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
    the key is declared AUTOINCREMENT. Every table whose single integer key it generates
    itself gets it (a key that is another table's id, such as a one-to-one settings row's
    ``user_id``, is not generated here).
    """
    key = list(table.primary_key.columns)
    if len(key) == 1 and isinstance(key[0].type, Integer) and not key[0].foreign_keys:
        table.dialect_kwargs["sqlite_autoincrement"] = True


@dataclass
class DatabaseState:
    engine: Engine
    session_factory: sessionmaker[Session]
    #: On PostgreSQL, the engine in autocommit (the same pool) for requests whose writes
    #: are one statement (``one_statement_writes``); None elsewhere.
    autocommit_engine: Engine | None = None


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that
    # SAVEPOINT works (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(
    url: str,
    *,
    pool_timeout: float = 5,
    connect_timeout: int = 3,
    statement_timeout: float | None = None,
    pool_size: int = 5,
    max_overflow: int = 5,
    prepared_statements: bool = False,
) -> Engine:
    """An engine whose every wait on PostgreSQL is bounded.

    ``statement_timeout`` (seconds) is sent to the server with each new
    connection; the client also stops waiting for any answer
    ``REPLY_GRACE`` seconds later, which is what bounds a request when the
    server is frozen (a stopped process cannot run its own timer). Opening a
    connection is bounded by ``connect_timeout`` and waiting for a pooled one by
    ``pool_timeout``; TCP keepalives notice a peer that has gone away.

    Each process keeps up to ``pool_size`` connections open and opens up to
    ``max_overflow`` more under load.

    ``prepared_statements`` (PostgreSQL reached directly, not through PgBouncer in
    transaction mode): see ``keep_prepared_statements``.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5}, hide_parameters=True)
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        # IMMEDIATE: writers queue on the busy timeout instead of failing on a lock upgrade.
        event.listen(
            engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE")
        )
        return engine
    engine = create_engine(
        url,
        poolclass=_PingingPool,
        pool_pre_ping=True,
        hide_parameters=True,  # no health data in logs or error messages
        pool_timeout=pool_timeout,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args={
            # psycopg 3 turns a query into a named server-side prepared statement after 5
            # runs on a connection. Behind PgBouncer in transaction mode each transaction
            # may get another server connection, where that name is missing or already
            # taken by another client ("prepared statement ... does not exist / already
            # exists"); PgBouncer only tracks prepared statements from 1.21 on, and Debian 12
            # ships 1.18. None (the default): never prepare (SQLAlchemy still caches the
            # compiled SQL), so the engine works directly on PostgreSQL and through any
            # pooler. On PostgreSQL reached directly, preparing spares the server the
            # planning of every statement (``DB_PREPARED_STATEMENTS``).
            "prepare_threshold": PREPARE_THRESHOLD if prepared_statements else None,
            "connect_timeout": connect_timeout,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        },
    )
    if prepared_statements:
        # Before the listener that opens the connection with the options.
        event.listen(engine, "do_connect", _server_options(GENERIC_PLANS))
    if statement_timeout:
        event.listen(engine, "do_connect", _bounded_connect(statement_timeout))
    if prepared_statements:
        keep_prepared_statements(engine)
    return engine


#: With prepared statements, PostgreSQL plans a statement once for any values (a generic
#: plan) instead of weighing, on every run, a plan for the values given (a custom plan):
#: left to choose, it went on planning the session's read of earlier sessions anew on
#: every run (0.36 ms of server time per session; 0.04 ms with the generic plan). Every
#: statement run often here selects by its owner's id, where one plan fits all values.
GENERIC_PLANS = "plan_cache_mode=force_generic_plan"


def _server_options(*settings: str):
    """A ``do_connect`` listener adding server settings to the connection's options (after
    any given in the URL, e.g. a search_path); the connection is opened by a later
    listener, or by the dialect."""
    added = " ".join(f"-c {setting}" for setting in settings)

    def connect(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["options"] = f"{cparams.get('options', '')} {added}".strip()

    return connect


#: psycopg's own default: a statement is prepared on its 6th run on a connection, so one
#: that runs once (an IN list of a new length) does not fill the server's memory.
PREPARE_THRESHOLD = 5

_READS_ONLY = "upright_reads_only"


def keep_prepared_statements(engine: Engine) -> None:
    """End a transaction that only read with COMMIT rather than ROLLBACK.

    psycopg forgets every prepared statement of a connection (and sends ``DEALLOCATE
    ALL``) whenever a transaction is rolled back, and every request that does not commit,
    each read among them, ends in a rollback when its session is closed: prepared
    statements would then seldom live long enough to be used again. A transaction whose
    statements were all ``SELECT``s changed nothing, so committing it ends it the same way:
    its locks and snapshot are released and nothing is written. Any other statement
    (``INSERT``, ``UPDATE``, ``DELETE``, a ``WITH`` that may hold one, ``SET``...) keeps the
    rollback, as does a transaction in error.
    """

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.info[_READS_ONLY] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(connection, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if not statement.startswith("SELECT "):
            connection.info[_READS_ONLY] = False

    @event.listens_for(engine, "rollback")
    def _rollback(connection: Connection) -> None:
        if connection.invalidated or not connection.info.get(_READS_ONLY):
            return
        driver = connection.connection.driver_connection
        if driver is not None and driver.info.transaction_status == _IN_TRANSACTION:
            driver.commit()  # the rollback that follows finds no transaction: a no-op


_IN_TRANSACTION = psycopg.pq.TransactionStatus.INTRANS


T = TypeVar("T")


class Prebuilt:
    """A Core statement built once (at import) for a request that runs it on every call,
    run on PostgreSQL without SQLAlchemy's per-run work.

    SQLAlchemy computes the statement's cache key, builds an execution context and wraps
    the cursor's rows on every run: about 50-100 us of CPU for one of these statements,
    next to 50 us for the driver itself (measured in-process on the session's read of
    earlier sessions: 147 -> 52 us). On PostgreSQL the statement is compiled once per
    process, its parameters converted as SQLAlchemy would (its types' bind processors;
    a list given to an ``IN`` becomes one array parameter, ``= ANY(...)``, so the SQL
    text is the same for any length and stays prepared), and it runs on the
    connection's own DBAPI cursor, in its transaction. The engine's
    ``before_cursor_execute`` and ``after_cursor_execute`` listeners still see it (the
    statement counts), and a driver error is raised as SQLAlchemy raises it
    (``IntegrityError``...; a lost connection is invalidated). On other engines the
    statement runs through SQLAlchemy. Rows are tuples, their values converted by the
    result columns' types (a UTC timestamp stays aware UTC).
    """

    _EXPANDING = re.compile(r"IN \(__\[POSTCOMPILE_(\w+)\]\)")

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._compiled: dict[Any, _Compiled] = {}

    def sql(self, dialect: Any) -> str:
        """The SQL text run on PostgreSQL (``dialect``)."""
        return self._compiled_for(dialect).sql

    def _compiled_for(self, dialect: Any) -> _Compiled:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            compiled = self._compiled[dialect] = self._compile(dialect)
        return compiled

    def rows(self, connection: Connection, params: dict[str, Any]) -> list[Any]:
        """The statement's rows (none for a statement returning none) with ``params``, in
        the transaction of ``connection``."""
        dialect = connection.dialect
        if dialect.name != "postgresql":
            return connection.execute(self.statement, params).all()
        compiled = self._compiled_for(dialect)
        values = {**compiled.defaults, **params}
        for name, process in compiled.binds:
            if name in values:  # else psycopg names the missing parameter
                values[name] = process(values[name])
        proxied = connection.connection
        cursor = proxied.cursor()
        sql = compiled.sql
        connection.dispatch.before_cursor_execute(connection, cursor, sql, values, None, False)
        try:
            cursor.execute(sql, values)
            rows = cursor.fetchall() if cursor.description is not None else []
        except Exception as error:  # raised as SQLAlchemy raises it (wrapped, invalidated)
            connection._handle_dbapi_exception(error, sql, values, cursor, None)
            raise  # not reached: the handler raises
        finally:
            cursor.close()
        connection.dispatch.after_cursor_execute(connection, cursor, sql, values, None, False)
        if compiled.results:
            rows = [_converted(row, compiled.results) for row in rows]
        return rows

    def _compile(self, dialect: Any) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)

        def array(match: re.Match[str]) -> str:
            name = match.group(1)
            element = dialect.type_compiler_instance.process(compiled.binds[name].type)
            return f"= ANY(CAST(%({name})s AS {element}[]))"

        sql = self._EXPANDING.sub(array, compiled.string)
        if "POSTCOMPILE" in sql:
            raise ValueError("a statement rendered at run time cannot be prebuilt")
        if compiled.insert_prefetch or compiled.update_prefetch:
            # Values SQLAlchemy works out at each run (a column's Python default).
            raise ValueError("a statement with Python-side column defaults cannot be prebuilt")
        expanding = set(self._EXPANDING.findall(compiled.string))
        binds = []
        for name, bind in compiled.binds.items():
            process = dialect.type_descriptor(bind.type).bind_processor(dialect)
            if process is None:
                continue
            if name in expanding:
                binds.append((name, lambda items, one=process: [one(item) for item in items]))
            else:
                binds.append((name, process))
        results = tuple(
            (index, process)
            for index, column in enumerate(self.statement.exported_columns)
            if (process := dialect.type_descriptor(column.type).result_processor(dialect, None))
        )
        return _Compiled(
            sql=sql,
            defaults={
                name: value
                for name, value in compiled.params.items()
                if not compiled.binds[name].required
            },
            binds=tuple(binds),
            results=results,
        )


def _converted(
    row: tuple[Any, ...], results: tuple[tuple[int, Callable[[Any], Any]], ...]
) -> tuple[Any, ...]:
    values = list(row)
    for index, process in results:
        if values[index] is not None:
            values[index] = process(values[index])
    return tuple(values)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]  # the values the statement carries itself (its literals)
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # parameters to convert first
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # the result columns to convert


_PING_SKIPPED: ContextVar[bool] = ContextVar("upright_ping_skipped", default=False)


class _PingingPool(QueuePool):
    """SQLAlchemy's queue pool, whose check on checkout (``pool_pre_ping``) a caller that
    copes with a dead connection itself can skip (``without_checkout_ping``)."""

    @property  # type: ignore[override]
    def _pre_ping(self) -> bool:
        return self._ping_on_checkout and not _PING_SKIPPED.get()

    @_pre_ping.setter
    def _pre_ping(self, value: bool) -> None:
        self._ping_on_checkout = value

    def recreate(self) -> QueuePool:
        skipped = _PING_SKIPPED.set(False)  # the new pool pings as this one was told to
        try:
            return super().recreate()
        finally:
            _PING_SKIPPED.reset(skipped)


def without_checkout_ping(engine: Engine, work: Callable[[Connection], T]) -> T | None:
    """``work(connection)`` on a pooled connection in autocommit, checked out without the
    round trip of the pool's ping: ``None`` when the connection turns out to be dead.

    The ping exists so that a connection the server dropped (a restart, a failover) is
    replaced before a request uses it. A single read-only statement can find that out
    itself: when it fails because the connection is gone, SQLAlchemy discards the
    connection (and the pool's older ones) and the caller answers the request the normal
    way, whose checkout pings and reconnects. Any other error is raised as it is.
    """
    skipped = _PING_SKIPPED.set(True)
    try:
        connection = engine.connect()
    except DBAPIError as error:
        if error.connection_invalidated:
            return None
        raise
    finally:
        _PING_SKIPPED.reset(skipped)
    try:
        with connection.execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            return work(autocommit)
    except DBAPIError as error:
        if error.connection_invalidated:
            return None
        raise


def first_read_without_checkout_ping(session: Session, read: Callable[[], T]) -> T:
    """``read()``, where it is the first statement of ``session``'s transaction, on a
    connection checked out without the round trip of the pool's ping.

    When that connection turns out to be dead (the server restarted or dropped it),
    SQLAlchemy discards it; the session is rolled back and ``read()`` runs again on a
    connection checked out the normal way, pinged and replaced if need be. Nothing ran
    before the read, so nothing is lost, and the caller sees the same answer as with the
    ping. Inside a transaction already begun, ``read()`` runs as it is.
    """
    if session.in_transaction():
        return read()
    skipped = _PING_SKIPPED.set(True)
    try:
        return read()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    finally:
        _PING_SKIPPED.reset(skipped)
    session.rollback()
    return read()


#: Seconds the client waits for an answer beyond ``statement_timeout`` before it
#: gives the server up as unresponsive and closes the connection.
REPLY_GRACE = 1.0


class UnresponsiveDatabase(psycopg.OperationalError):
    """The server did not answer in time (or did not moments ago): no connection is used."""


class _Breaker:
    """Remembers that the server stopped answering.

    For ``cooldown`` seconds after a connection attempt or an answer timed out,
    database work fails at once instead of each request waiting the full bound
    again: a frozen server then cannot tie up every worker thread.
    """

    def __init__(self, cooldown: float) -> None:
        self.cooldown = cooldown
        self.open_until = 0.0

    def trip(self) -> None:
        self.open_until = time.monotonic() + self.cooldown

    def check(self) -> None:
        if time.monotonic() < self.open_until:
            raise UnresponsiveDatabase("the database stopped answering moments ago")


class _BoundedConnection(psycopg.Connection):
    """A psycopg connection that never waits longer than ``reply_timeout`` for the server."""

    reply_timeout: float | None = None
    breaker: _Breaker | None = None

    def wait(self, gen, interval=0.1, timeout=None):  # type: ignore[no-untyped-def, override]
        if timeout is not None:  # a bound psycopg chose itself (e.g. a cancel)
            return super().wait(gen, interval=interval, timeout=timeout)
        try:
            if self.breaker is not None:
                self.breaker.check()
            return super().wait(gen, interval=interval, timeout=self.reply_timeout)
        except psycopg.errors._WaitTimeout as error:  # psycopg's "timeout expired" signal
            if self.breaker is not None:
                self.breaker.trip()
            self.close()  # the protocol stopped half-way: the connection cannot be reused
            raise UnresponsiveDatabase(
                f"the database did not answer within {self.reply_timeout:g} s"
            ) from error
        except UnresponsiveDatabase:
            self.close()
            raise


def _bounded_connect(statement_timeout: float):
    milliseconds = max(1, round(statement_timeout * 1000))
    breaker = _Breaker(cooldown=statement_timeout)

    def connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]):
        breaker.check()
        # Keep options given in the URL (e.g. a search_path) and add the timeout.
        options = f"{cparams.get('options', '')} -c statement_timeout={milliseconds}".strip()
        cparams["options"] = options
        try:
            connection = _BoundedConnection.connect(*cargs, **cparams)
        except psycopg.errors.ConnectionTimeout:
            breaker.trip()
            raise
        connection.reply_timeout = statement_timeout + REPLY_GRACE
        connection.breaker = breaker
        return connection

    return connect


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"],
        pool_timeout=app.config["DB_POOL_TIMEOUT"],
        connect_timeout=app.config["DB_CONNECT_TIMEOUT"],
        statement_timeout=app.config["DB_STATEMENT_TIMEOUT"],
        pool_size=app.config["DB_POOL_SIZE"],
        max_overflow=app.config["DB_MAX_OVERFLOW"],
        prepared_statements=app.config["DB_PREPARED_STATEMENTS"],
    )
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    autocommit = (
        engine.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "postgresql"
        else None
    )
    app.extensions["upright.db"] = DatabaseState(
        engine=engine, session_factory=factory, autocommit_engine=autocommit
    )
    app.teardown_appcontext(_close_session)


def state(app: Flask | None = None) -> DatabaseState:
    return (app or current_app).extensions["upright.db"]


def get_session() -> Session:
    """The session of the current request or command (created on first use)."""
    if "db_session" not in g:
        db = state()
        if g.get("one_statement_writes") and db.autocommit_engine is not None:
            g.db_session = db.session_factory(bind=db.autocommit_engine)
        else:
            g.db_session = db.session_factory()
    return g.db_session


# --- Requests whose writes are one statement ----------------------------------------------
#: A request that reads, then writes one statement (a check-in or a session, whose change
#: row and child rows are written within the same INSERT on PostgreSQL), gains nothing from
#: a transaction around them: under PostgreSQL's READ COMMITTED each statement reads its
#: own snapshot in a transaction too, and one statement is atomic by itself. In autocommit
#: it is spared the round trips of BEGIN and COMMIT (two of five for a check-in). A
#: service about to write more than one statement calls ``writes_together`` first.


def one_statement_writes(view: Callable[..., T]) -> Callable[..., T]:
    """Route decorator, outside the sign-in check (whose read comes first): on PostgreSQL,
    the request's session runs in autocommit until ``writes_together``. Elsewhere (SQLite
    writes a record and its change row as two statements) nothing changes."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        g.one_statement_writes = True
        return view(*args, **kwargs)

    return wrapper


def writes_together(session: Session) -> None:
    """The statements that follow run in one transaction, committed by the route: a
    session in autocommit (``one_statement_writes``) ends its run of reads (each already
    committed: there is nothing else to commit) and is bound to the engine's
    transactions. A session in a transaction already is left as it is."""
    autocommit = state().autocommit_engine
    if autocommit is None or session.bind is not autocommit:
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("writes_together: call it before the first write")
    session.commit()
    session.bind = state().engine


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
