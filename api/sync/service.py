"""Pull (snapshot or incremental, behind a fence) and push (idempotent mutations).

The cursor fence. A change row carries the id of the transaction that wrote it. On
PostgreSQL ids are handed out when transactions begin, not when they commit, so a plain
sequence or ``updated_at`` cursor skips a transaction that began early and committed after a
pull. A pull therefore serves only rows whose ``txid`` is below
``pg_snapshot_xmin(pg_current_snapshot())``: every transaction below that horizon has
finished (committed or rolled back), so no row can later appear below it. Rows are read in
``(txid, id)`` order and the next cursor is either the last row served (a page was full) or
``(xmin, 0)`` (everything below the horizon was served). A long-running transaction only
delays changes; it never makes one skipped. On SQLite ``txid`` is 0 and the change id alone
orders commits (see api/sync/changes.py).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, Signer, URLSafeSerializer
from marshmallow import Schema, ValidationError
from sqlalchemy import and_, delete, func, literal, literal_column, select, text, tuple_, union
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts import bulk as care_links
from api.accounts import care
from api.accounts import service as accounts
from api.accounts.credentials import same_key
from api.accounts.models import Role, User
from api.accounts.schemas import (
    CareLinkSchema,
    PatientSummarySchema,
    ProfileSchema,
    ProfileUpdateSchema,
)
from api.accounts.summaries import patient_summaries, profile_with_hold
from api.alerts import bulk as alerts
from api.alerts.schemas import AlertSchema
from api.checkins import bulk as check_ins
from api.checkins import service as checkins
from api.checkins.schemas import CheckInCreateSchema, CheckInSchema, CheckInUpdateSchema
from api.database import utcnow
from api.errors import DomainError, InvalidInput, domain_error_body, error_body
from api.notifications import reminders
from api.notifications import service as notifications
from api.notifications.schemas import NotificationSchema, RemindersSchema, RemindersUpdateSchema
from api.outcomes import bulk as outcome_scores
from api.outcomes import service as outcomes
from api.outcomes.schemas import OutcomeCreateSchema, OutcomeSchema
from api.policy import log_reads
from api.programmes import bulk as programme_rows
from api.programmes import service as programmes
from api.programmes.schemas import ProgrammeSchema
from api.sessions import bulk as exercise_sessions
from api.sessions import service as sessions
from api.sessions.schemas import SessionCreateSchema, SessionSchema
from api.sync.changes import PROFILE_FIELDS, REMINDER_PARTS
from api.sync.models import SyncChange, SyncMutation

DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
MAX_MUTATIONS = 100


class CursorExpired(DomainError):
    status_code = 410
    default_message = "This sync cursor is too old: take a fresh snapshot (pull without cursor)."

    def __init__(self) -> None:
        super().__init__(
            errors={"cursor": ["Expired: pull without a cursor to take a fresh snapshot."]}
        )


# --- collections ------------------------------------------------------------------------


def _user_ids(session: Session, *, patient_ids: list[int], after_id: int, limit: int) -> list[int]:
    """The people themselves (a profile, reminders, a patient summary), in id order."""
    stmt = (
        select(User.id)
        .where(User.id.in_(patient_ids), User.id > after_id)
        .order_by(User.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _users_by_id(session: Session, *, patient_ids: list[int], ids: list[int]) -> dict[int, User]:
    stmt = select(User).where(User.id.in_(ids), User.id.in_(patient_ids))
    return {user.id: user for user in session.scalars(stmt)}


@dataclass(frozen=True)
class Collection:
    name: str
    schema: Schema
    #: The REST item body of a loaded record, as ``viewer`` sees it (default: the record).
    body: Callable[[Session, User, Any], Any] = lambda _session, _viewer, record: record
    #: The viewer's own records (their inbox), not those of the patients they see.
    own: bool = False
    #: The owning domain's bulk reads (``api/<domain>/bulk.py``; default: the people
    #: themselves): (session, patient_ids=, after_id=, limit=) -> the next ids in order,
    #: and (session, patient_ids=, ids=) -> {id: record}.
    page_ids_of: Callable[..., list[int]] = _user_ids
    load_of: Callable[..., dict[int, Any]] = _users_by_id

    def page_ids(self, session: Session, patient_ids: list[int], after: int, limit: int):
        """The ids of the owners' records after ``after``, in id order (a snapshot page)."""
        return self.page_ids_of(session, patient_ids=patient_ids, after_id=after, limit=limit)

    def load(self, session: Session, patient_ids: list[int], ids: list[int]) -> dict[int, Any]:
        return self.load_of(session, patient_ids=patient_ids, ids=ids)


def _rows(name: str, schema: Schema, domain: Any) -> Collection:
    """A collection of a domain's rows, read through its ``bulk`` module."""
    return Collection(name, schema, page_ids_of=domain.page_ids, load_of=domain.records_by_id)


def _patient_summary(session: Session, therapist: User, patient: User) -> dict[str, Any]:
    since = care.linked_since(session, therapist_id=therapist.id, patient_id=patient.id)
    return patient_summaries(session, [(patient, since)])[0]


def _reminders(session: Session, _viewer: User, patient: User) -> dict[str, Any]:
    """``GET /me/reminders``: the settings, and the next times as of this pull."""
    return reminders.reminders_view(session, patient, now=utcnow())


NOTIFICATIONS = Collection(
    "notifications",
    NotificationSchema(),
    own=True,
    page_ids_of=lambda s, patient_ids, after_id, limit: notifications.inbox_ids(
        s, recipient_ids=patient_ids, after_id=after_id, limit=limit
    ),
    load_of=lambda s, patient_ids, ids: notifications.inbox_items(
        s, recipient_ids=patient_ids, ids=ids
    ),
)
ALERTS = _rows("alerts", AlertSchema(), alerts)
PATIENT_COLLECTIONS: tuple[Collection, ...] = (
    Collection("profile", ProfileSchema(), lambda s, _v, user: profile_with_hold(s, user)),
    _rows("care_links", CareLinkSchema(), care_links),
    _rows("programmes", ProgrammeSchema(), programme_rows),
    _rows("check_ins", CheckInSchema(), check_ins),
    _rows("sessions", SessionSchema(), exercise_sessions),
    _rows("outcomes", OutcomeSchema(), outcome_scores),
    ALERTS,
    Collection("reminders", RemindersSchema(), _reminders),
    NOTIFICATIONS,
)
THERAPIST_COLLECTIONS: tuple[Collection, ...] = (
    Collection("patients", PatientSummarySchema(), _patient_summary),
    ALERTS,
    NOTIFICATIONS,
)
#: Change rows of a patient that never change what their therapists pull.
_NOT_FOR_THERAPISTS = {"reminders", "notifications"}
ALL_COLLECTIONS = {c.name for c in (*PATIENT_COLLECTIONS, *THERAPIST_COLLECTIONS)}


@dataclass
class Feed:
    """What one user pulls: the collections, whose records, and which change rows."""

    user: User
    collections: tuple[Collection, ...]
    visible: list[int]  # the patients whose records are visible now
    watched: Any  # the patients whose change rows concern the user (a list or subquery)

    def collection(self, name: str) -> Collection:
        return next(c for c in self.collections if c.name == name)

    def scope(self, collection: Collection) -> list[int]:
        """The owners whose records of ``collection`` this user pulls."""
        return [self.user.id] if collection.own else self.visible

    def wanted(self, session: Session, rows) -> dict[str, list[int]]:
        """The records a run of change rows touches, per collection of this feed."""
        wanted: dict[str, list[int]] = {c.name: [] for c in self.collections}

        def add(name: str, record_id: int) -> None:
            if record_id not in wanted[name]:
                wanted[name].append(record_id)

        therapist = self.user.role == Role.therapist
        for row in rows:
            if not therapist:
                if row.collection in wanted:
                    add(row.collection, row.record_id)
                continue
            if row.patient_id == self.user.id:  # their inbox, and tombstones of erasures
                if row.collection in wanted:
                    add(row.collection, row.record_id)
                continue
            if row.collection in _NOT_FOR_THERAPISTS:
                continue
            add("patients", row.patient_id)
            if row.collection == "alerts":
                add("alerts", row.record_id)
            elif row.collection == "care_links":  # linked or unlinked: all their alerts
                for alert_id in alerts.ids_of(session, patient_id=row.patient_id):
                    add("alerts", alert_id)
        return wanted


def feed_of(session: Session, user: User) -> Feed:
    if user.role == Role.therapist:
        visible = care.patient_ids_of(session, user.id)
        ever = care.ever_linked_stmt(user.id)
        watched = union(ever, select(literal(user.id))).scalar_subquery()
        return Feed(user, THERAPIST_COLLECTIONS, visible, watched)
    return Feed(user, PATIENT_COLLECTIONS, [user.id], [user.id])


# --- cursors ----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


class _KeptKeySigner(Signer):
    """itsdangerous's signer, deriving each secret's signing key once (it is the same for
    every cursor) instead of with each signature."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[str | bytes | None, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        try:
            return self._derived[secret_key]
        except KeyError:
            key = self._derived[secret_key] = super().derive_key(secret_key)
            return key


class _CursorSerializer(URLSafeSerializer):
    """The cursor serializer, with one signer for its salt instead of one per call: the
    same signatures, the same cursors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, signer=_KeptKeySigner, **kwargs)
        self._signer = super().make_signer(self.salt)

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is None or salt == self.salt:
            return self._signer
        return super().make_signer(salt)


@lru_cache(maxsize=8)
def _serializer_for(secret_key: str) -> URLSafeSerializer:
    """One serializer per secret key: building it, and its signer, cost every pull."""
    return _CursorSerializer(secret_key, salt="upright.sync-cursor")


def encode_cursor(user_id: int, position: dict[str, Any]) -> str:
    return _serializer().dumps({"u": user_id, "at": int(utcnow().timestamp()), **position})


def decode_cursor(user_id: int, cursor: str) -> dict[str, Any]:
    try:
        position = _serializer().loads(cursor)
    except BadSignature:
        position = None
    if not isinstance(position, dict) or position.get("u") != user_id:
        raise InvalidInput({"cursor": ["Not a cursor given to you by this server."]})
    days = current_app.config["SYNC_TOMBSTONE_DAYS"]
    issued = dt.datetime.fromtimestamp(position["at"], dt.UTC)
    if utcnow() - issued > dt.timedelta(days=days):
        raise CursorExpired()
    return position


#: The horizon: every transaction with a lower id has finished (committed or rolled back).
XMIN = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


def _fence(session: Session) -> int | None:
    """The txid below which every transaction has finished (PostgreSQL); None on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return int(session.execute(text(f"SELECT {XMIN}")).scalar_one())


def _start_position(session: Session) -> tuple[int, int]:
    """Where an incremental pull continues after a snapshot taken now."""
    fence = _fence(session)
    if fence is not None:
        return fence, 0
    return 0, session.scalar(select(func.coalesce(func.max(SyncChange.id), 0)))


def current_cursor(session: Session, user: User) -> str:
    txid, change_id = _start_position(session)
    return encode_cursor(user.id, {"t": txid, "i": change_id})


# --- pull -------------------------------------------------------------------------------


def _empty_changes(feed: Feed) -> dict[str, dict[str, list]]:
    return {c.name: {"upserted": [], "deleted": []} for c in feed.collections}


def _versions(
    session: Session, feed: Feed, collection: str, ids: list[int]
) -> dict[int, tuple[int, dt.datetime]]:
    """The latest change (id, time) of each record; a patient summary changes with any of
    the patient's records."""
    if collection == "patients":
        key, where = SyncChange.patient_id, SyncChange.patient_id.in_(ids)
    else:
        key = SyncChange.record_id
        where = (
            SyncChange.patient_id.in_(feed.scope(feed.collection(collection)))  # indexed first
            & (SyncChange.collection == collection)
            & SyncChange.record_id.in_(ids)
        )
    rows = session.execute(
        select(key, func.max(SyncChange.id), func.max(SyncChange.created_at))
        .where(where)
        .group_by(key)
    )
    return {record_id: (version, at) for record_id, version, at in rows}


def _record_updated_at(record: Any) -> dt.datetime:
    return getattr(record, "updated_at", None) or record.created_at


def _fill(session: Session, feed: Feed, wanted: dict[str, list[int]], out: dict[str, dict]):
    """Put the current REST body of each wanted record in ``out`` (or its id under deleted)."""
    for name, ids in wanted.items():
        if not ids:
            continue
        collection = feed.collection(name)
        records = collection.load(session, feed.scope(collection), ids)
        versions = _versions(session, feed, name, ids)
        for record_id in ids:
            record = records.get(record_id)
            if record is None:
                out[name]["deleted"].append(record_id)
                continue
            body = collection.schema.dump(collection.body(session, feed.user, record))
            version, at = versions.get(record_id, (0, None))
            body["version"] = version
            if "updated_at" not in body:  # the REST body's own updated_at wins
                body["updated_at"] = (at or _record_updated_at(record)).isoformat()
            out[name]["upserted"].append(body)


#: Whose change rows a pull reads: the patient's own; a therapist's own (inbox, erasures)
#: and those of every patient ever linked to them (an ended link comes as a tombstone).
_WATCHED = {
    Role.patient: "c.patient_id = :owner",
    Role.therapist: "c.patient_id IN (SELECT patient_id FROM care_links "
    "WHERE therapist_id = :owner UNION ALL SELECT :owner)",
}
_HORIZON = {"postgresql": XMIN, "sqlite": "NULL"}
_BELOW_HORIZON = {"postgresql": " AND c.txid < h.fence", "sqlite": ""}


@cache
def _probe(dialect: str, role: Role):
    """One indexed look (``ix_sync_changes_patient_position``) for any change after the
    cursor, with the fence: ``(fence, anything_new)``. Plain SQL, prepared once."""
    return text(
        f"SELECT h.fence, EXISTS (SELECT 1 FROM sync_changes c WHERE {_WATCHED[role]} "
        f"AND (c.txid, c.id) > (:txid, :change_id){_BELOW_HORIZON[dialect]}) AS anything "
        f"FROM (SELECT {_HORIZON[dialect]} AS fence) h"
    )


def _nothing_new(session: Session, user: User, position: dict[str, Any]):
    """The next position when nothing changed for ``user`` after ``position`` (else None):
    the common pull of a phone that is up to date costs this one statement."""
    dialect = session.get_bind().dialect.name
    if dialect not in _HORIZON or user.role not in _WATCHED:
        return None
    fence, anything = session.execute(
        _probe(dialect, user.role),
        {"owner": user.id, "txid": position["t"], "change_id": position["i"]},
    ).one()
    if anything:
        return None
    if fence is not None:
        return {"t": max(int(fence), position["t"]), "i": 0}
    return {"t": 0, "i": position["i"]}


@cache
def _no_changes(role: Role) -> tuple[str, ...]:
    collections = THERAPIST_COLLECTIONS if role == Role.therapist else PATIENT_COLLECTIONS
    return tuple(c.name for c in collections)


def _quiet_answer(user_id: int, role: Role, position: dict[str, Any], catalogue_version: str):
    return {
        "cursor": encode_cursor(user_id, position),
        "has_more": False,
        "catalogue_version": catalogue_version,
        "changes": {name: {"upserted": [], "deleted": []} for name in _no_changes(role)},
    }


@cache
def _caller_probe(dialect: str, role: Role):
    """``_probe`` with the caller's role and token key: ``(role, token_key, fence,
    anything)``, no row for an unknown id. The change rows looked at are those of
    ``role``; the answer is used only when the account has that role. (One statement for
    either role, choosing with ``CASE``, cost PostgreSQL more to plan than the caller's
    row and the probe read apart.)"""
    return text(
        f"SELECT u.role, u.token_key, h.fence, EXISTS (SELECT 1 FROM sync_changes c "
        f"WHERE {_WATCHED[role]} AND (c.txid, c.id) > (:txid, :change_id)"
        f"{_BELOW_HORIZON[dialect]}) AS anything "
        f"FROM (SELECT {_HORIZON[dialect]} AS fence) h, users u WHERE u.id = :owner"
    )


@dataclass(frozen=True)
class UpToDate:
    """What the one-statement pull learnt: its answer, or that changes are pending."""

    answer: dict[str, Any] | None
    changes_pending: bool = False


def pull_if_up_to_date(
    *,
    connection: Connection,
    user_id: int,
    token_key: object,
    role: object,
    cursor: str,
    roles: frozenset[str],
    catalogue_version: str,
) -> UpToDate:
    """The answer of an incremental pull with nothing new, in one statement.

    The common pull (a phone that is up to date) would otherwise load the caller, then
    probe the change log. Here one statement reads the caller's role and token key with
    the probe of the change rows of ``role`` (the role the token was issued for), and the
    answer is given only when the caller is exactly who ``authenticate`` would accept
    (the id of a valid token, the same token key, one of ``roles``), has that role, and
    nothing changed after the cursor. Anything else (an erased account, a key that no
    longer matches, a wrong role, an invalid or old cursor, or changes to send) gives no
    answer: the normal pull then runs and answers it (401, 403, 410, 422 or the changes),
    as without this shortcut.

    The cursor guarantee is ``_nothing_new``'s, unchanged: the fence and the look for
    changes below it are read by the same statement, so in the same snapshot; that the
    statement also reads the caller's row changes neither. It runs outside any
    transaction of the request on PostgreSQL (the route's choice): a statement alone has
    a snapshot of its own, as each statement of a READ COMMITTED transaction has.
    """
    try:
        position = decode_cursor(user_id, cursor)
    except DomainError:
        return UpToDate(None)
    if "s" in position:  # a snapshot in progress
        return UpToDate(None)
    dialect = connection.dialect.name
    if dialect not in _HORIZON or not isinstance(role, str) or role not in roles:
        return UpToDate(None)
    row = connection.execute(
        _caller_probe(dialect, Role(role)),
        {"owner": user_id, "txid": position["t"], "change_id": position["i"]},
    ).one_or_none()
    if row is None:
        return UpToDate(None)
    stored_role, stored_key, fence, anything = row
    if not same_key(token_key, stored_key) or stored_role != role:
        return UpToDate(None)
    if anything:
        return UpToDate(None, changes_pending=True)
    if fence is not None:
        quiet = {"t": max(int(fence), position["t"]), "i": 0}
    else:
        quiet = {"t": 0, "i": position["i"]}
    return UpToDate(_quiet_answer(user_id, Role(role), quiet, catalogue_version))


def pull(
    *,
    db_session: Session,
    user: User,
    cursor: str | None,
    limit: int,
    catalogue_version: str,
    changes_pending: bool = False,
) -> dict[str, Any]:
    """One page of changes for ``user`` after ``cursor``, or of a snapshot without one.

    ``changes_pending``: the caller already knows there are changes after ``cursor``
    (``pull_if_up_to_date`` said so): the probe for nothing new is skipped."""
    position = decode_cursor(user.id, cursor) if cursor else None
    if position is not None and "s" not in position and not changes_pending:
        quiet = _nothing_new(db_session, user, position)
        if quiet is not None:
            return _quiet_answer(user.id, user.role, quiet, catalogue_version)
    snapshot = position is None or "s" in position
    with _SNAPSHOT_PAGES if snapshot else nullcontext():
        return _page(db_session, user, position, snapshot, limit, catalogue_version)


#: Snapshot pages a server process builds at once. A page of 1,000 records holds a few MB
#: of Python objects while it is built, and the threads of a process share one GIL, so
#: building several at once is not faster; their peak stayed in the worker's memory.
#: Measured under the shipped config (2 workers x 4 threads, wrk at 8 connections, 100
#: patients, 2 x 5 s of first snapshot pages): four at once, 17-20 pages/s, p99 556-845 ms,
#: worker RSS 111-114 MB after; one at a time, 20-24 pages/s, p99 407-618 ms, 105-106 MB.
#: Incremental pages, and every other request, are not held up.
SNAPSHOT_PAGES_AT_ONCE = 1
_SNAPSHOT_PAGES = threading.BoundedSemaphore(SNAPSHOT_PAGES_AT_ONCE)


def _page(
    db_session: Session,
    user: User,
    position: dict[str, Any] | None,
    snapshot: bool,
    limit: int,
    catalogue_version: str,
) -> dict[str, Any]:
    feed = feed_of(db_session, user)
    out = _empty_changes(feed)
    if snapshot:
        page, has_more = _snapshot_page(db_session, feed, position, limit, out)
    else:
        page, has_more = _incremental_page(db_session, feed, position, limit, out)
    # As the REST alert list: one access-log row per patient whose alerts were sent. The
    # patient summaries are logged as ``GET /patients`` logs them: not at all.
    log_reads(
        db_session, user, [a["patient_id"] for a in out["alerts"]["upserted"]], resource="alerts"
    )
    return {
        "cursor": encode_cursor(user.id, page),
        "has_more": has_more,
        "catalogue_version": catalogue_version,
        "changes": out,
    }


def _snapshot_page(session: Session, feed: Feed, position, limit: int, out):
    if position is None:
        txid, change_id = _start_position(session)
        position = {"s": 0, "r": 0, "t": txid, "i": change_id}
    index, after = position["s"], position["r"]
    remaining = limit
    while index < len(feed.collections) and remaining > 0:
        collection = feed.collections[index]
        ids = collection.page_ids(session, feed.scope(collection), after, remaining)
        _fill(session, feed, {collection.name: ids}, out)
        remaining -= len(ids)
        if remaining > 0:
            index, after = index + 1, 0
        else:
            after = ids[-1]
    if index >= len(feed.collections):
        return {"t": position["t"], "i": position["i"]}, False
    return {"s": index, "r": after, "t": position["t"], "i": position["i"]}, True


def _incremental_page(session: Session, feed: Feed, position, limit: int, out):
    start = (position["t"], position["i"])
    columns = (
        SyncChange.txid,
        SyncChange.id,
        SyncChange.patient_id,
        SyncChange.collection,
        SyncChange.record_id,
    )
    after = and_(
        SyncChange.patient_id.in_(feed.watched),
        tuple_(SyncChange.txid, SyncChange.id) > tuple_(*start),
    )
    fence = None
    if session.get_bind().dialect.name == "postgresql":
        # The fence and the rows below it in one statement: one row of NULLs when none.
        horizon = select(literal_column(XMIN).label("fence")).cte("horizon")
        stmt = select(horizon.c.fence, *columns).select_from(
            horizon.outerjoin(SyncChange, and_(after, SyncChange.txid < horizon.c.fence))
        )
    else:
        stmt = select(literal_column("NULL").label("fence"), *columns).where(after)
    stmt = stmt.order_by(SyncChange.txid, SyncChange.id).limit(limit + 1)
    rows = session.execute(stmt).all()
    if rows:
        fence = rows[0].fence
    rows = [row for row in rows if row.id is not None]
    has_more = len(rows) > limit
    rows = rows[:limit]
    _fill(session, feed, feed.wanted(session, rows), out)
    if has_more:
        return {"t": rows[-1].txid, "i": rows[-1].id}, True
    if fence is not None:
        return {"t": max(fence, start[0]), "i": 0}, False
    return {"t": 0, "i": rows[-1].id if rows else start[1]}, False


def prune(*, db_session: Session, days: int, now: dt.datetime) -> int:
    """Forget changes (tombstones too) and stored pushes older than ``days`` (and one day of
    margin for transactions still open when a cursor was issued). A cursor that old already
    answers 410, so no pull can miss what is forgotten."""
    limit = now - dt.timedelta(days=days + 1)
    removed = db_session.execute(delete(SyncChange).where(SyncChange.created_at < limit))
    db_session.execute(delete(SyncMutation).where(SyncMutation.created_at < limit))
    db_session.flush()
    return removed.rowcount


# --- push -------------------------------------------------------------------------------

MUTATION_TYPES = (
    "check_in.create",
    "check_in.update",
    "session.create",
    "session.delete",
    "outcome.create",
    "profile.update",
    "programme.pause",
    "programme.resume",
    "reminders.update",
    "notification.read",
)
RESULT_STATUSES = ("applied", "replayed", "conflict", "rejected")


def _load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as error:
        # The body the REST endpoint's argument parser answers (api/errors.py).
        raise InvalidInput(error.messages_dict) from error


def _target(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The record a mutation names (``data.id``) and the rest of its data."""
    rest = dict(data)
    target = rest.pop("id", None)
    if not isinstance(target, int) or isinstance(target, bool) or target < 1:
        raise InvalidInput({"id": ["The id of the record to change (a positive integer)."]})
    return target, rest


def _record(session: Session, user: User, collection: str, record_id: int):
    session.flush()
    feed = feed_of(session, user)
    out = _empty_changes(feed)
    _fill(session, feed, {collection: [record_id]}, out)
    upserted = out[collection]["upserted"]
    return upserted[0] if upserted else None


def _profile_update(session: Session, user: User, data: dict[str, Any], base: int | None):
    changes = _load(ProfileUpdateSchema(), data)
    conflicting: set[str] = set()
    if base is not None:
        changed_since = _changed_since(session, user, "profile", base)
        conflicting = set(changes) & changed_since & set(PROFILE_FIELDS)
    accounts.update_profile(
        db_session=session,
        user=user,
        changes={k: v for k, v in changes.items() if k not in conflicting},
    )
    status = "conflict" if conflicting else "applied"
    return status, "profile", user.id, sorted(conflicting)


def _changed_since(session: Session, user: User, collection: str, base: int) -> set[str]:
    """The fields (or parts) of the user's ``collection`` record changed after ``base``."""
    rows = session.scalars(
        select(SyncChange.fields).where(
            SyncChange.patient_id == user.id,
            SyncChange.collection == collection,
            SyncChange.id > base,
        )
    )
    return {name for fields in rows for name in (fields or ())}


def _reminders_update(session: Session, user: User, data: dict[str, Any], base: int | None):
    """``PUT /me/reminders``; with ``base_version``, a part (check_in, exercise,
    missed_sessions, quiet_hours) changed on the server since is kept, the others applied."""
    settings = _load(RemindersUpdateSchema(), data)
    conflicting: set[str] = set()
    if base is not None:
        conflicting = _changed_since(session, user, "reminders", base) & set(REMINDER_PARTS)
        if conflicting:
            server = reminders.get_settings(session, user)
            settings = {**settings, **{part: server[part] for part in conflicting}}
    reminders.put_settings(db_session=session, user=user, data=settings, now=utcnow())
    status = "conflict" if conflicting else "applied"
    return status, "reminders", user.id, sorted(conflicting)


def _apply(session: Session, user: User, mutation: dict[str, Any]):
    """Apply one mutation through the domain services: (status, collection, record_id)."""
    kind, data = mutation["type"], mutation["data"]
    if kind == "check_in.create":
        body = _load(CheckInCreateSchema(), data)
        check_in, created = checkins.create(db_session=session, patient=user, data=body)
        return ("applied" if created else "replayed"), "check_ins", check_in.id, None
    if kind == "check_in.update":
        target, rest = _target(data)
        changes = _load(CheckInUpdateSchema(), rest)
        checkins.update(db_session=session, patient=user, check_in_id=target, changes=changes)
        return "applied", "check_ins", target, None
    if kind == "session.create":
        body = _load(SessionCreateSchema(), data)
        exercise_session, created = sessions.create(db_session=session, patient=user, data=body)
        return ("applied" if created else "replayed"), "sessions", exercise_session.id, None
    if kind == "session.delete":
        target, _rest = _target(data)
        sessions.delete(db_session=session, patient=user, session_id=target)
        return "applied", "sessions", target, None
    if kind == "outcome.create":
        body = _load(OutcomeCreateSchema(), data)
        outcome = outcomes.create(db_session=session, patient=user, data=body)
        return "applied", "outcomes", outcome.id, None
    if kind == "profile.update":
        return _profile_update(session, user, data, mutation.get("base_version"))
    if kind == "reminders.update":
        return _reminders_update(session, user, data, mutation.get("base_version"))
    if kind == "notification.read":
        target, _rest = _target(data)
        notifications.mark_read(db_session=session, user=user, notification_id=target, now=utcnow())
        return "applied", "notifications", target, None
    target, _rest = _target(data)  # programme.pause / programme.resume
    status = "paused" if kind == "programme.pause" else "active"
    programmes.update(
        db_session=session, actor=user, programme_id=target, changes={"status": status}
    )
    return "applied", "programmes", target, None


def _stored(session: Session, user: User, mutation_id: str) -> SyncMutation | None:
    return session.scalar(
        select(SyncMutation).where(
            SyncMutation.user_id == user.id, SyncMutation.mutation_id == mutation_id
        )
    )


def _replayed(stored: SyncMutation) -> dict[str, Any]:
    return {**stored.result, "id": stored.mutation_id, "status": "replayed"}


def _push_one(session: Session, user: User, mutation: dict[str, Any]) -> dict[str, Any]:
    stored = _stored(session, user, mutation["id"])
    if stored is not None:
        return _replayed(stored)
    result: dict[str, Any] = {"id": mutation["id"]}
    try:
        with session.begin_nested():
            status, collection, record_id, conflicting = _apply(session, user, mutation)
            result["status"] = status
            record = _record(session, user, collection, record_id)
            if record is not None:
                result["record"] = record
            if conflicting:
                result["conflicts"] = conflicting
            _store(session, user, mutation, result)
        return result
    except DomainError as error:
        result = {
            "id": mutation["id"],
            "status": "rejected",
            "error": domain_error_body(error),
        }
    except IntegrityError:
        stored = _stored(session, user, mutation["id"])
        if stored is not None:  # the same mutation, pushed at the same time
            return _replayed(stored)
        result = {
            "id": mutation["id"],
            "status": "rejected",
            "error": error_body(409, "The request conflicts with existing data."),
        }
    with session.begin_nested():
        _store(session, user, mutation, result)
    return result


def _store(session: Session, user: User, mutation: dict[str, Any], result: dict[str, Any]):
    stored = {k: v for k, v in result.items() if k != "id"}
    session.add(
        SyncMutation(
            user_id=user.id, mutation_id=mutation["id"], type=mutation["type"], result=stored
        )
    )
    session.flush()


def push(
    *, db_session: Session, user: User, mutations: list[dict[str, Any]], cursor: str | None
) -> dict[str, Any]:
    """Apply ``mutations`` in order, each in its own savepoint; the same id replays."""
    if cursor:
        decode_cursor(user.id, cursor)
    else:
        cursor = current_cursor(db_session, user)  # just before this push's own changes
    results = [_push_one(db_session, user, mutation) for mutation in mutations]
    return {"results": results, "cursor": cursor}
