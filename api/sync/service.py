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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from marshmallow import Schema, ValidationError
from sqlalchemy import func, select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import UnprocessableEntity

from api.accounts import service as accounts
from api.accounts.models import CareLink, User
from api.accounts.schemas import CareLinkSchema, ProfileSchema, ProfileUpdateSchema
from api.accounts.summaries import profile_with_hold
from api.alerts.models import Alert
from api.alerts.schemas import AlertSchema
from api.catalogue.models import CatalogueVersion
from api.checkins import service as checkins
from api.checkins.models import CheckIn
from api.checkins.schemas import CheckInCreateSchema, CheckInSchema, CheckInUpdateSchema
from api.database import utcnow
from api.errors import DomainError, InvalidInput, error_body
from api.outcomes import service as outcomes
from api.outcomes.models import OutcomeScore
from api.outcomes.schemas import OutcomeCreateSchema, OutcomeSchema
from api.programmes import service as programmes
from api.programmes.models import Programme
from api.programmes.schemas import ProgrammeSchema
from api.sessions import service as sessions
from api.sessions.models import ExerciseSession
from api.sessions.schemas import SessionCreateSchema, SessionSchema
from api.sync import changes as _changes  # noqa: F401  (registers the change-log listener)
from api.sync.changes import PROFILE_FIELDS
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


@dataclass(frozen=True)
class Collection:
    name: str
    model: type
    schema: Schema
    #: The REST item body of a loaded record (default: the record itself).
    body: Callable[[Session, Any], Any] = lambda _session, record: record

    def ids_stmt(self, patient_id: int):
        if self.model is User:
            return select(User.id).where(User.id == patient_id)
        return select(self.model.id).where(self.model.patient_id == patient_id)

    def load(self, session: Session, patient_id: int, ids: list[int]) -> dict[int, Any]:
        stmt = select(self.model).where(self.model.id.in_(ids))
        if self.model is not User:
            stmt = stmt.where(self.model.patient_id == patient_id)
        elif patient_id not in ids:
            return {}
        return {record.id: record for record in session.scalars(stmt).unique()}


PATIENT_COLLECTIONS: tuple[Collection, ...] = (
    Collection("profile", User, ProfileSchema(), profile_with_hold),
    Collection("care_links", CareLink, CareLinkSchema()),
    Collection("programmes", Programme, ProgrammeSchema()),
    Collection("check_ins", CheckIn, CheckInSchema()),
    Collection("sessions", ExerciseSession, SessionSchema()),
    Collection("outcomes", OutcomeScore, OutcomeSchema()),
    Collection("alerts", Alert, AlertSchema()),
)
BY_NAME = {c.name: c for c in PATIENT_COLLECTIONS}


# --- cursors ----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="upright.sync-cursor")


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


def _fence(session: Session) -> int | None:
    """The txid below which every transaction has finished (PostgreSQL); None on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return int(
        session.execute(
            text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        ).scalar_one()
    )


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


def _empty_changes() -> dict[str, dict[str, list]]:
    return {c.name: {"upserted": [], "deleted": []} for c in PATIENT_COLLECTIONS}


def _versions(
    session: Session, patient_id: int, collection: str, ids: list[int]
) -> dict[int, tuple[int, dt.datetime]]:
    rows = session.execute(
        select(SyncChange.record_id, func.max(SyncChange.id), func.max(SyncChange.created_at))
        .where(
            SyncChange.patient_id == patient_id,
            SyncChange.collection == collection,
            SyncChange.record_id.in_(ids),
        )
        .group_by(SyncChange.record_id)
    )
    return {record_id: (version, at) for record_id, version, at in rows}


def _record_updated_at(record: Any) -> dt.datetime:
    return getattr(record, "updated_at", None) or record.created_at


def _fill(
    session: Session, patient_id: int, wanted: dict[str, list[int]], out: dict[str, dict]
) -> None:
    """Put the current REST body of each wanted record in ``out`` (or its id under deleted)."""
    for name, ids in wanted.items():
        if not ids:
            continue
        collection = BY_NAME[name]
        records = collection.load(session, patient_id, ids)
        versions = _versions(session, patient_id, name, ids)
        for record_id in ids:
            record = records.get(record_id)
            if record is None:
                out[name]["deleted"].append(record_id)
                continue
            body = collection.schema.dump(collection.body(session, record))
            version, at = versions.get(record_id, (0, None))
            body["version"] = version
            if "updated_at" not in body:  # the REST body's own updated_at wins
                body["updated_at"] = (at or _record_updated_at(record)).isoformat()
            out[name]["upserted"].append(body)


def catalogue_version(session: Session) -> str:
    return session.scalar(select(CatalogueVersion.digest).order_by(CatalogueVersion.id)) or ""


def pull(*, db_session: Session, user: User, cursor: str | None, limit: int) -> dict[str, Any]:
    """One page of changes for ``user`` (a patient) after ``cursor``, or of a snapshot."""
    position = decode_cursor(user.id, cursor) if cursor else None
    out = _empty_changes()
    if position is None or "s" in position:
        page, has_more = _snapshot_page(db_session, user, position, limit, out)
    else:
        page, has_more = _incremental_page(db_session, user, position, limit, out)
    return {
        "cursor": encode_cursor(user.id, page),
        "has_more": has_more,
        "catalogue_version": catalogue_version(db_session),
        "changes": out,
    }


def _snapshot_page(session, user, position, limit, out):
    if position is None:
        txid, change_id = _start_position(session)
        position = {"s": 0, "r": 0, "t": txid, "i": change_id}
    index, after = position["s"], position["r"]
    remaining = limit
    while index < len(PATIENT_COLLECTIONS) and remaining > 0:
        collection = PATIENT_COLLECTIONS[index]
        ids = list(
            session.scalars(
                collection.ids_stmt(user.id)
                .where(collection.model.id > after)
                .order_by(collection.model.id)
                .limit(remaining)
            )
        )
        _fill(session, user.id, {collection.name: ids}, out)
        remaining -= len(ids)
        if remaining > 0:
            index, after = index + 1, 0
        else:
            after = ids[-1]
    if index >= len(PATIENT_COLLECTIONS):
        return {"t": position["t"], "i": position["i"]}, False
    return {"s": index, "r": after, "t": position["t"], "i": position["i"]}, True


def _incremental_page(session, user, position, limit, out):
    start = (position["t"], position["i"])
    stmt = (
        select(SyncChange.txid, SyncChange.id, SyncChange.collection, SyncChange.record_id)
        .where(
            SyncChange.patient_id == user.id,
            tuple_(SyncChange.txid, SyncChange.id) > tuple_(*start),
        )
        .order_by(SyncChange.txid, SyncChange.id)
        .limit(limit + 1)
    )
    fence = _fence(session)
    if fence is not None:
        stmt = stmt.where(SyncChange.txid < fence)
    rows = session.execute(stmt).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    wanted: dict[str, list[int]] = {}
    for _txid, _id, collection, record_id in rows:
        ids = wanted.setdefault(collection, [])
        if record_id not in ids and collection in BY_NAME:
            ids.append(record_id)
    _fill(session, user.id, wanted, out)
    if has_more:
        return {"t": rows[-1].txid, "i": rows[-1].id}, True
    if fence is not None:
        return {"t": max(fence, start[0]), "i": 0}, False
    return {"t": 0, "i": rows[-1].id if rows else start[1]}, False


def prune(*, db_session: Session, days: int) -> int:
    """Forget changes (and tombstones) older than ``days``, and the pushes as old."""
    limit = utcnow() - dt.timedelta(days=days + 1)
    removed = db_session.query(SyncChange).filter(SyncChange.created_at < limit).delete()
    db_session.query(SyncMutation).filter(SyncMutation.created_at < limit).delete()
    db_session.flush()
    return removed


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
)
RESULT_STATUSES = ("applied", "replayed", "conflict", "rejected")


def _load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as error:
        # The body the REST endpoint's argument parser answers (api/errors.py).
        raise InvalidInput(error.messages_dict, UnprocessableEntity.description) from error


def _target(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The record a mutation names (``data.id``) and the rest of its data."""
    rest = dict(data)
    target = rest.pop("id", None)
    if not isinstance(target, int) or isinstance(target, bool) or target < 1:
        raise InvalidInput({"id": ["The id of the record to change (a positive integer)."]})
    return target, rest


def _record(session: Session, patient_id: int, collection: str, record_id: int):
    session.flush()
    out = _empty_changes()
    _fill(session, patient_id, {collection: [record_id]}, out)
    upserted = out[collection]["upserted"]
    return upserted[0] if upserted else None


def _profile_update(session: Session, user: User, data: dict[str, Any], base: int | None):
    changes = _load(ProfileUpdateSchema(), data)
    conflicting: set[str] = set()
    if base is not None:
        rows = session.scalars(
            select(SyncChange.fields).where(
                SyncChange.patient_id == user.id,
                SyncChange.collection == "profile",
                SyncChange.id > base,
            )
        )
        changed_since = {name for fields in rows for name in (fields or ())}
        conflicting = set(changes) & changed_since & set(PROFILE_FIELDS)
    accounts.update_profile(
        db_session=session,
        user=user,
        changes={k: v for k, v in changes.items() if k not in conflicting},
    )
    status = "conflict" if conflicting else "applied"
    return status, "profile", user.id, sorted(conflicting)


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
            record = _record(session, user.id, collection, record_id)
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
            "error": error_body(error.status_code, error.message, error.errors, **error.extra),
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
