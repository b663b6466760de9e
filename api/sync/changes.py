"""Every flush writes the change log: which record of which patient changed, in which
transaction. The domain services stay unaware of sync; the REST endpoints and pushes write
the same log because they flush the same models.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Table,
    bindparam,
    event,
    false,
    func,
    insert,
    inspect,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from api import changelog
from api.accounts.models import CareLink, Role, User
from api.alerts.models import Alert, AlertEvent, ExerciseHold
from api.checkins.models import CheckIn
from api.database import Prebuilt, utcnow
from api.notifications.models import Delivery, Device, Notification, ReminderSettings
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

#: The parts of the reminder settings (the members of ``PUT /me/reminders``) and their
#: columns; conflicts of ``reminders.update`` are judged per part.
REMINDER_PARTS = {
    "check_in": ("check_in_enabled", "check_in_time", "check_in_days"),
    "exercise": ("exercise_enabled", "exercise_times"),
    "missed_sessions": ("missed_enabled", "missed_after_days"),
    "quiet_hours": ("quiet_start", "quiet_end"),
}

Change = tuple[int, str, int, bool, tuple[str, ...] | None]


def _changed_fields(obj: Any) -> tuple[str, ...]:
    state = inspect(obj)
    return tuple(name for name in PROFILE_FIELDS if state.attrs[name].history.has_changes())


def _changed_parts(obj: ReminderSettings) -> tuple[str, ...]:
    state = inspect(obj)
    return tuple(
        part
        for part, columns in REMINDER_PARTS.items()
        if any(state.attrs[column].history.has_changes() for column in columns)
    )


def _recipient(session: Session, notification_id: int) -> int | None:
    """Whose inbox a notification is in (from the session when loaded, else one query)."""
    loaded = session.identity_map.get(identity_key(Notification, notification_id))
    if loaded is not None:
        return loaded.recipient_id
    return session.connection().scalar(
        select(Notification.recipient_id).where(Notification.id == notification_id)
    )


#: Rows that are records of a collection themselves (the others change their parent's).
_RECORDS = {
    CheckIn: "check_ins",
    ExerciseSession: "sessions",
    OutcomeScore: "outcomes",
    Programme: "programmes",
    Alert: "alerts",
    CareLink: "care_links",
}


def _changes_of(session: Session, obj: Any, deleted: bool) -> Iterator[Change]:
    """(owner_id, collection, record_id, deleted, fields) for one flushed object.

    The owner is the user whose pull the change concerns: the patient, or for a
    notification its recipient (a therapist's notifications are in their own feed)."""
    collection = _RECORDS.get(type(obj))
    if collection is not None:
        yield obj.patient_id, collection, obj.id, deleted, None
        return
    yield from _parent_changes(obj, deleted)
    yield from _settings_changes(obj, deleted)
    yield from _inbox_changes(session, obj, deleted)


def _parent_changes(obj: Any, deleted: bool) -> Iterator[Change]:
    """A part of another record changed: that record changed."""
    if isinstance(obj, SessionEntry) and not deleted:
        parent = obj.__dict__.get("session")
        if parent is not None:
            yield parent.patient_id, "sessions", parent.id, False, None
    elif isinstance(obj, AlertEvent):
        alert = obj.__dict__.get("alert")
        if alert is not None:
            yield alert.patient_id, "alerts", alert.id, False, None
    elif isinstance(obj, ExerciseHold):  # the profile carries exercise_hold
        yield obj.patient_id, "profile", obj.patient_id, False, None


def _settings_changes(obj: Any, deleted: bool) -> Iterator[Change]:
    """The profile and the reminders, with the fields or parts that changed."""
    if deleted:
        return
    if isinstance(obj, User) and obj.role == Role.patient:
        fields = _changed_fields(obj)
        yield obj.id, "profile", obj.id, False, fields
        if "timezone" in fields:  # the reminders are read in the profile's time zone
            yield obj.id, "reminders", obj.id, False, ()
    elif isinstance(obj, ReminderSettings):
        yield obj.user_id, "reminders", obj.user_id, False, _changed_parts(obj)


def _inbox_changes(session: Session, obj: Any, deleted: bool) -> Iterator[Change]:
    """A notification, or one of its deliveries, in its recipient's inbox."""
    if isinstance(obj, Notification):  # the recipient's feed, patient or therapist
        yield obj.recipient_id, "notifications", obj.id, deleted, None
    elif isinstance(obj, Delivery) and not deleted:  # the inbox shows each delivery
        recipient = _recipient(session, obj.notification_id)
        if recipient is not None:
            yield recipient, "notifications", obj.notification_id, False, None


#: The change rows' INSERT on PostgreSQL: each row carries its transaction's id (xid8,
#: never wraps), read in the INSERT itself rather than by a SELECT of its own. Every flush
#: of a transaction (savepoints included) writes the same top-level id.
_INSERT_WITH_TXID = insert(SyncChange).values(
    txid=literal_column("pg_current_xact_id()::text::bigint")
)
#: SQLite: ``txid`` is 0. SQLite needs no transaction id: every write transaction begins
#: IMMEDIATE (api/database.py), which takes the database's one write lock until commit, so
#: change ids are handed out in commit order and the id alone is a safe cursor there.
_INSERT_WITHOUT_TXID = insert(SyncChange)


Seen = dict[tuple[int, str, int], tuple[bool, tuple[str, ...] | None]]


def _merge(seen: Seen, change: Change) -> None:
    owner_id, collection, record_id, gone, fields = change
    key = (owner_id, collection, record_id)
    before = seen.get(key)
    if before is not None:
        gone = gone or before[0]
        if fields is not None or before[1] is not None:
            fields = tuple(sorted({*(fields or ()), *(before[1] or ())}))
    seen[key] = (gone, fields)


def _insert(session: Session, seen: Seen) -> None:
    if not seen:
        return
    connection = session.connection()
    now = utcnow()
    connection.execute(
        _INSERT_WITH_TXID if connection.dialect.name == "postgresql" else _INSERT_WITHOUT_TXID,
        [
            {
                "patient_id": owner_id,
                "collection": collection,
                "record_id": record_id,
                "deleted": gone,
                "fields": list(fields) if fields is not None else None,
                "created_at": now,
            }
            for (owner_id, collection, record_id), (gone, fields) in seen.items()
        ],
    )


@functools.cache
def _record_inserts(
    table: Table, children: tuple[tuple[Table, str], ...] = ()
) -> tuple[Insert, Prebuilt]:
    """A record's INSERT (of every column but ``id``), built once per table and child
    tables: (on its own, RETURNING the id; on PostgreSQL, as a data-modifying CTE whose row
    feeds its change row's INSERT, RETURNING the id too, and the INSERTs of its
    ``children``, (table, column naming the record), whose rows come as one JSON array
    each, bound as ``children_<table>``: one statement, whatever their number)."""
    record = insert(table).values(
        {column.name: bindparam(column.name) for column in table.columns if column.name != "id"}
    )
    alone = record.returning(table.c.id)
    written = record.returning(table.c.id, table.c.patient_id).cte("record")
    with_change = (
        insert(SyncChange)
        .from_select(
            ["txid", "patient_id", "collection", "record_id", "deleted", "fields", "created_at"],
            select(
                literal_column("pg_current_xact_id()::text::bigint"),
                written.c.patient_id,
                bindparam("change_collection", type_=SyncChange.collection.type),
                written.c.id,
                false(),
                bindparam("change_fields", type_=SyncChange.fields.type),
                bindparam("change_created_at", type_=SyncChange.created_at.type),
            ).select_from(written),
        )
        .returning(SyncChange.record_id)
        .add_cte(written)
    )
    for child, parent_column in children:
        columns = [c.name for c in child.columns if c.name not in ("id", parent_column)]
        # json_populate_recordset: the JSON array's objects as rows of the child's own
        # row type (each key as its column's type).
        rows = func.json_populate_recordset(
            literal_column(f"NULL::{child.name}"),
            bindparam(f"children_{child.name}", type_=postgresql.JSON),
        ).table_valued(*columns)
        with_change = with_change.add_cte(
            insert(child)
            .from_select(
                [parent_column, *columns],
                select(written.c.id, *(rows.c[name] for name in columns)).select_from(
                    written.join(rows, true())
                ),
            )
            .cte(f"children_{child.name}")
        )
    return alone, Prebuilt(with_change)


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    """A child row as JSON takes it (dates and times in ISO 8601, which PostgreSQL reads)."""
    return {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in row.items()
    }


def insert_record(
    session: Session,
    model: type,
    values: dict[str, Any],
    children: Sequence[changelog.Children] = (),
) -> int:
    """INSERT a new record of a synced collection outside the flush, with the change row a
    flush would write, and its ``children``'s rows (``api.changelog.insert``): one
    statement on PostgreSQL; elsewhere the record's INSERT, then its change row's and one
    per child table. Returns the record's id."""
    collection = _RECORDS[model]
    alone, with_change = _record_inserts(
        model.__table__, tuple((table, column) for table, column, _ in children)
    )
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        params = {
            **values,
            "change_collection": collection,
            "change_fields": None,
            "change_created_at": utcnow(),
            **{
                f"children_{table.name}": [_json_ready(row) for row in rows]
                for table, _, rows in children
            },
        }
        [(record_id,)] = with_change.rows(connection, params)
        return record_id
    record_id = connection.execute(alone, values).scalar_one()
    _insert(session, {(values["patient_id"], collection, record_id): (False, None)})
    for table, column, rows in children:
        if rows:
            connection.execute(insert(table), [{column: record_id, **row} for row in rows])
    return record_id


def register() -> None:
    """Write the change log from every flush (``api.sync.register()``, at start-up), and
    for the records written without one (``api.changelog``)."""
    changelog.register_writer(insert_record)
    if not event.contains(Session, "before_flush", _record_cascades):
        event.listen(Session, "before_flush", _record_cascades)
    if not event.contains(Session, "after_flush", _record_changes):
        event.listen(Session, "after_flush", _record_changes)


def _record_cascades(session: Session, _flush_context: Any, _instances: Any) -> None:
    """What the database changes on its own (ON DELETE) and so no flush reports. Erasing
    a patient removes them, their alerts and the notifications about them from their
    therapists' pulls (their own change rows and care links go with them, so these
    tombstones are written to the therapists' own feeds); erasing a therapist removes
    their care links from their patients' pulls; removing a device empties
    ``device_id`` in the deliveries to it."""
    erased = [o.id for o in session.deleted if isinstance(o, User) and o.id is not None]
    devices = [o.id for o in session.deleted if isinstance(o, Device) and o.id is not None]
    if not erased and not devices:
        return
    seen: Seen = {}
    if erased:
        _erasures(session.connection(), erased, seen)
    if devices:
        _removed_devices(session.connection(), devices, erased, seen)
    _insert(session, seen)


def _erasures(connection: Connection, erased: list[int], seen: Seen) -> None:
    """The tombstones erasing ``erased`` users leaves in the others' feeds."""
    rows = connection.execute(
        select(Notification.recipient_id, Notification.id).where(
            Notification.patient_id.in_(erased), Notification.recipient_id.not_in(erased)
        )
    )
    for recipient_id, notification_id in rows:
        _merge(seen, (recipient_id, "notifications", notification_id, True, None))
    links = connection.execute(
        select(CareLink.id, CareLink.therapist_id, CareLink.patient_id).where(
            CareLink.patient_id.in_(erased) | CareLink.therapist_id.in_(erased)
        )
    ).all()
    alerts = connection.execute(
        select(Alert.patient_id, Alert.id).where(Alert.patient_id.in_(erased))
    ).all()
    for link_id, therapist_id, patient_id in links:
        if patient_id not in erased:  # an erased therapist: the patient's link goes
            _merge(seen, (patient_id, "care_links", link_id, True, None))
        elif therapist_id not in erased:  # an erased patient leaves the therapist's feed
            _merge(seen, (therapist_id, "patients", patient_id, True, None))
            for alert_id in (a for owner_id, a in alerts if owner_id == patient_id):
                _merge(seen, (therapist_id, "alerts", alert_id, True, None))


def _removed_devices(
    connection: Connection, devices: list[int], erased: list[int], seen: Seen
) -> None:
    """The notifications whose deliveries lose a removed device: changed in their inbox."""
    rows = connection.execute(
        select(Notification.recipient_id, Notification.id)
        .join(Delivery, Delivery.notification_id == Notification.id)
        .where(Delivery.device_id.in_(devices))
    )
    for recipient_id, notification_id in rows:
        if recipient_id not in erased:
            _merge(seen, (recipient_id, "notifications", notification_id, False, None))


def _record_changes(session: Session, _flush_context: Any) -> None:
    """Everything this flush writes, merged per record; an erased person's records are
    left out (their tombstones come from ``_record_cascades``)."""
    erased = {obj.id for obj in session.deleted if isinstance(obj, User)}
    seen: Seen = {}
    for obj, deleted in _flushed(session):
        for change in _changes_of(session, obj, deleted):
            if change[0] not in erased and change[2] is not None:
                _merge(seen, change)
    _insert(session, seen)


def _flushed(session: Session) -> Iterator[tuple[Any, bool]]:
    """Each new, really modified or deleted object of this flush, and whether deleted."""
    for objects, deleted in ((session.new, False), (session.dirty, False), (session.deleted, True)):
        for obj in objects:
            if deleted is False and obj in session.dirty and not session.is_modified(obj):
                continue
            yield obj, deleted


def deliveries_changed(db_session: Session, *, delivery_ids: list[int]) -> None:
    """Deliveries changed by a bulk UPDATE (which no flush reports): their notifications
    changed in their recipients' inboxes."""
    if not delivery_ids:
        return
    rows = db_session.execute(
        select(Notification.recipient_id, Notification.id)
        .join(Delivery, Delivery.notification_id == Notification.id)
        .where(Delivery.id.in_(delivery_ids))
    )
    seen: Seen = {}
    for recipient_id, notification_id in rows:
        _merge(seen, (recipient_id, "notifications", notification_id, False, None))
    _insert(db_session, seen)
