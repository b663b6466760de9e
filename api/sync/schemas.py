"""Wire format of pull and push. Records are the REST item bodies (see each domain's schemas)
plus ``version`` and ``updated_at``: each collection's records are typed in the spec by its
REST item schema extended with those two."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.accounts.schemas import CareLinkSchema, PatientSummarySchema, ProfileSchema
from api.alerts.schemas import AlertSchema
from api.checkins.schemas import CheckInSchema
from api.notifications.schemas import NotificationSchema, RemindersSchema
from api.outcomes.schemas import NdiOutcomeSchema, OutcomeSchema, PsfsOutcomeSchema
from api.programmes.schemas import ProgrammeSchema
from api.schemas import code
from api.sessions.schemas import SessionSchema
from api.sync.service import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_MUTATIONS,
    MUTATION_TYPES,
    RESULT_STATUSES,
)

_CURSOR = {
    "description": "Opaque: send back what the last pull (or push) answered. Without it the "
    "answer is a full snapshot, paged with `has_more`."
}


#: A record whose shape is that of its collection's REST item answer (named in the
#: description): an object whose members that schema types.
ANY_RECORD = {"additionalProperties": True}


class PullQuerySchema(Schema):
    cursor = fields.String(validate=validate.Length(min=1, max=1000), metadata=_CURSOR)
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        strict=False,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": "Records (upserted and deleted) per page"},
    )


def _record(name: str, rest: type[Schema]) -> type[Schema]:
    """The REST item schema ``rest`` plus ``version`` and ``updated_at`` (``Sync<name>``)."""
    return type(
        f"Sync{name}Schema",
        (rest,),
        {
            "__doc__": f"{rest.__name__.removesuffix('Schema')} (the REST item body), plus "
            "`version` and `updated_at`.",
            "version": fields.Integer(
                required=True,
                metadata={"description": "Grows with every change of this record"},
            ),
            "updated_at": fields.DateTime(
                required=True, metadata={"description": "When this record last changed"}
            ),
        },
    )


class SyncOutcomeSchema(OutcomeSchema):
    """Outcome (the REST item body, one of the instruments), plus `version` and
    `updated_at`."""

    type_schemas = {
        "ndi": _record("NdiOutcome", NdiOutcomeSchema),
        "psfs": _record("PsfsOutcome", PsfsOutcomeSchema),
    }


def _changes(name: str, record: type[Schema], what: str) -> type[Schema]:
    """``{upserted: [record], deleted: [id]}`` of one collection (``Sync<name>Changes``)."""
    return type(
        f"Sync{name}ChangesSchema",
        (Schema,),
        {
            "__doc__": f"Changes of {what}.",
            "upserted": fields.List(
                fields.Nested(record),
                required=True,
                metadata={
                    "description": "Records created or changed: each the body of the "
                    "collection's REST item answer, plus `version` and `updated_at`"
                },
            ),
            "deleted": fields.List(
                fields.Integer(),
                required=True,
                metadata={"description": "Ids of records deleted or no longer visible to you"},
            ),
        },
    )


#: Per collection: (record schema, what it holds). The order is the snapshot's order.
COLLECTION_SCHEMAS: dict[str, tuple[type[Schema], str]] = {
    "profile": (_record("Profile", ProfileSchema), "patients: your profile (getMe), one record"),
    "care_links": (_record("CareLink", CareLinkSchema), "patients: your care links"),
    "programmes": (
        _record("Programme", ProgrammeSchema),
        "patients: your programmes, with the current version and its items",
    ),
    "check_ins": (_record("CheckIn", CheckInSchema), "patients: your check-ins, with triage"),
    "sessions": (
        _record("Session", SessionSchema),
        "patients: your sessions, with entries and advice",
    ),
    "outcomes": (SyncOutcomeSchema, "patients: your outcome scores"),
    "alerts": (
        _record("Alert", AlertSchema),
        "a patient's own alerts, or a therapist's linked patients' (with history)",
    ),
    "reminders": (
        _record("Reminders", RemindersSchema),
        "patients: your reminder settings (getReminders), one record without id, never "
        "deleted; `next` is as of the pull",
    ),
    "notifications": (
        _record("Notification", NotificationSchema),
        "your notification inbox (listNotifications), patients and therapists",
    ),
    "patients": (
        _record("PatientSummary", PatientSummarySchema),
        "therapists: the summaries of listPatients; a patient whose link ended is deleted "
        "(with their alerts)",
    ),
}


def _name(collection: str) -> str:
    return "".join(part.capitalize() for part in collection.split("_"))


ChangesSchema = type(
    "ChangesSchema",
    (Schema,),
    {
        "__doc__": "Per collection, what changed. Patients pull profile, care_links, "
        "programmes, check_ins, sessions, outcomes, alerts, reminders and notifications; "
        "therapists patients, alerts and notifications.",
        **{
            collection: fields.Nested(
                _changes(_name(collection), record, what),
                required=collection in ("alerts", "notifications"),
                metadata={"description": what[0].upper() + what[1:]},
            )
            for collection, (record, what) in COLLECTION_SCHEMAS.items()
        },
    },
)


class PullSchema(Schema):
    cursor = fields.String(
        required=True, metadata={"description": "Send it with the next pull (opaque)"}
    )
    has_more = fields.Boolean(
        required=True, metadata={"description": "Pull again at once with the new cursor"}
    )
    catalogue_version = fields.String(
        required=True,
        metadata={"description": "Changes when the exercise catalogue does: refresh its cache"},
    )
    changes = fields.Nested(ChangesSchema, required=True)


class MutationSchema(Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9._:-]{8,64}$"),
        metadata={"description": "Idempotency key chosen by the app: the same id replays"},
    )
    type = code("MutationType", MUTATION_TYPES, required=True)
    data = fields.Dict(
        required=True,
        metadata={
            **ANY_RECORD,
            "description": "The REST request body of the operation; `id` names the record "
            "for updates, deletes, pause, resume and notification.read",
        },
    )
    base_version = fields.Integer(
        strict=True,
        validate=validate.Range(min=0),
        metadata={
            "description": "profile.update, reminders.update: the version of the record the "
            "change was made on; fields (parts) changed on the server since are kept"
        },
    )


class PushSchema(Schema):
    mutations = fields.List(
        fields.Nested(MutationSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_MUTATIONS),
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "Your last pull cursor, answered back (checked)"},
    )


class ErrorBodySchema(Schema):
    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(metadata=ANY_RECORD)


class MutationResultSchema(Schema):
    id = fields.String(required=True)
    status = code("MutationResultStatus", RESULT_STATUSES, required=True)
    record = fields.Dict(
        metadata={
            **ANY_RECORD,
            "description": "The record after the mutation, as a pull would give it",
        }
    )
    conflicts = fields.List(
        fields.String(),
        metadata={
            "description": "profile.update: fields, reminders.update: parts (check_in, "
            "exercise, missed_sessions, quiet_hours) changed on the server since"
        },
    )
    error = fields.Nested(
        ErrorBodySchema, metadata={"description": "rejected: the REST endpoint's error body"}
    )


class PushResultSchema(Schema):
    results = fields.List(fields.Nested(MutationResultSchema), required=True)
    cursor = fields.String(
        required=True,
        metadata={
            "description": "The cursor you sent or, without one, a cursor just before this "
            "push: the next pull from it carries the pushed records"
        },
    )
