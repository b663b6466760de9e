"""Every flush writes the change log: which record of which patient changed, in which
transaction. The domain services stay unaware of sync; the REST endpoints and pushes write
the same log because they flush the same models.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, insert, inspect, text
from sqlalchemy.orm import Session

from api.accounts.models import CareLink, Role, User
from api.alerts.models import Alert, AlertEvent, ExerciseHold
from api.checkins.models import CheckIn
from api.database import utcnow
from api.outcomes.models import OutcomeScore
from api.programmes.models import Programme
from api.sessions.models import ExerciseSession, SessionEntry
from api.sync.models import SyncChange

#: The columns of a patient's profile a push may change; conflicts are judged on these.
PROFILE_FIELDS = (
    "display_name",
    "timezone",
    "country",
    "birth_year",
    "health_history",
    "spinal_surgery_year",
    "conditions",
    "pain_assessed_by_clinician",
)

Change = tuple[int, str, int, bool, tuple[str, ...] | None]


def _changed_fields(obj: Any) -> tuple[str, ...]:
    state = inspect(obj)
    return tuple(name for name in PROFILE_FIELDS if state.attrs[name].history.has_changes())


def _changes_of(obj: Any, deleted: bool) -> Iterator[Change]:
    """(patient_id, collection, record_id, deleted, fields) for one flushed object."""
    if isinstance(obj, CheckIn):
        yield obj.patient_id, "check_ins", obj.id, deleted, None
    elif isinstance(obj, ExerciseSession):
        yield obj.patient_id, "sessions", obj.id, deleted, None
    elif isinstance(obj, SessionEntry) and not deleted:
        parent = obj.__dict__.get("session")
        if parent is not None:
            yield parent.patient_id, "sessions", parent.id, False, None
    elif isinstance(obj, OutcomeScore):
        yield obj.patient_id, "outcomes", obj.id, deleted, None
    elif isinstance(obj, Programme):
        yield obj.patient_id, "programmes", obj.id, deleted, None
    elif isinstance(obj, Alert):
        yield obj.patient_id, "alerts", obj.id, deleted, None
    elif isinstance(obj, AlertEvent):
        alert = obj.__dict__.get("alert")
        if alert is not None:
            yield alert.patient_id, "alerts", alert.id, False, None
    elif isinstance(obj, ExerciseHold):  # the profile carries exercise_hold
        yield obj.patient_id, "profile", obj.patient_id, False, None
    elif isinstance(obj, CareLink):
        yield obj.patient_id, "care_links", obj.id, deleted, None
    elif isinstance(obj, User) and obj.role == Role.patient and not deleted:
        yield obj.id, "profile", obj.id, False, _changed_fields(obj)


def _transaction_id(session: Session) -> int:
    """PostgreSQL: this transaction's id (xid8, never wraps); SQLite: 0.

    SQLite needs no transaction id: every write transaction begins IMMEDIATE
    (api/database.py), which takes the database's one write lock until commit, so change
    ids are handed out in commit order and the id alone is a safe cursor there.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return 0
    return int(connection.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one())


def register() -> None:
    """Write the change log from every flush (``api.sync.register()``, at start-up)."""
    if not event.contains(Session, "after_flush", _record_changes):
        event.listen(Session, "after_flush", _record_changes)


def _record_changes(session: Session, _flush_context: Any) -> None:
    erased = {obj.id for obj in session.deleted if isinstance(obj, User)}
    seen: dict[tuple[int, str, int], tuple[bool, tuple[str, ...] | None]] = {}
    for objects, deleted in ((session.new, False), (session.dirty, False), (session.deleted, True)):
        for obj in objects:
            if deleted is False and obj in session.dirty and not session.is_modified(obj):
                continue
            for patient_id, collection, record_id, gone, fields in _changes_of(obj, deleted):
                if patient_id in erased or record_id is None:
                    continue
                key = (patient_id, collection, record_id)
                before = seen.get(key)
                if before is not None:
                    gone = gone or before[0]
                    if fields is not None or before[1] is not None:
                        fields = tuple(sorted({*(fields or ()), *(before[1] or ())}))
                seen[key] = (gone, fields)
    if not seen:
        return
    txid = _transaction_id(session)
    now = utcnow()
    session.connection().execute(
        insert(SyncChange),
        [
            {
                "txid": txid,
                "patient_id": patient_id,
                "collection": collection,
                "record_id": record_id,
                "deleted": gone,
                "fields": list(fields) if fields is not None else None,
                "created_at": now,
            }
            for (patient_id, collection, record_id), (gone, fields) in seen.items()
        ],
    )
