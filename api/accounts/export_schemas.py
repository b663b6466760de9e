"""``GET /me/export``: every record Upright holds about a person, as kept.

Each section's shape is the response schema of the domain that keeps those records
(less the ids), so the export and the REST answers have one source per shape; the
sections themselves come from the exporters each domain registers (``api.accounts.export``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields
from marshmallow_oneofschema import OneOfSchema

from api.accounts.schemas import ExportAccessSchema, ExportProfileSchema
from api.alerts.schemas import ACTIONS as ALERT_ACTIONS
from api.alerts.schemas import AlertEvidenceSchema, alert_outcome
from api.checkins.schemas import CheckInSchema
from api.notifications.schemas import (
    NotificationDataSchema,
    RemindersSchema,
    delivery_status,
    notification_kind,
    platform,
)
from api.outcomes.schemas import NDI_BANDS, NdiRecordedAnswersSchema, PsfsAnswersSchema
from api.programmes.schemas import side
from api.schemas import (
    ResponseSchema,
    alert_level,
    alert_status,
    code,
    day_of_week,
    instrument,
    iso_datetime,
    programme_status,
)
from api.sessions.schemas import EntrySchema, NoticeSchema, SessionSchema


class ExportAlertEventSchema(ResponseSchema):
    action = code("AlertAction", ALERT_ACTIONS)
    by = fields.String(
        attribute="actor_name",
        allow_none=True,
        metadata={"description": "Who acted; null: triage"},
    )
    note = fields.String(allow_none=True)
    outcome = alert_outcome(allow_none=True)
    at = fields.DateTime()


class ExportAlertSchema(ResponseSchema):
    id = fields.Integer()
    rule_id = fields.String()
    rule_version = fields.Integer()
    level = alert_level()
    title = fields.String()
    status = alert_status()
    outcome = alert_outcome(allow_none=True)
    resolved_by = code("AlertResolvedBy", ("therapist", "patient"), allow_none=True)
    assessed_by = fields.String(allow_none=True)
    assessed_on = fields.Date(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    evidence = fields.List(fields.Nested(AlertEvidenceSchema))
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    history = fields.List(fields.Nested(ExportAlertEventSchema), attribute="events")


class ExportCareLinkSchema(ResponseSchema):
    therapist = fields.String(
        attribute="therapist.display_name", metadata={"description": "The therapist's display name"}
    )
    patient = fields.String(
        attribute="patient.display_name", metadata={"description": "The patient's display name"}
    )
    created_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)


class ExportCheckInSchema(CheckInSchema):
    """The REST check-in without the ids (the export is about one person)."""

    class Meta:
        exclude = ("id", "patient_id", "updated_at")


class ExportHoldSchema(ResponseSchema):
    level = alert_level()
    reason = fields.String()
    placed_at = fields.DateTime()
    lifted_at = fields.DateTime(allow_none=True)


class _ExportOutcomeBase(ResponseSchema):
    instrument = instrument()
    score = fields.Float()
    percent = fields.Float(allow_none=True, metadata={"description": "NDI only"})
    band = code("NdiBand", NDI_BANDS, allow_none=True, metadata={"description": "NDI only"})
    completed_on = fields.Date()
    created_at = fields.DateTime()


class ExportNdiOutcomeSchema(_ExportOutcomeBase):
    answers = fields.Nested(NdiRecordedAnswersSchema)


class ExportPsfsOutcomeSchema(_ExportOutcomeBase):
    answers = fields.Nested(PsfsAnswersSchema)


class ExportOutcomeSchema(OneOfSchema):
    type_field = "instrument"
    type_field_remove = False
    type_schemas = {"ndi": ExportNdiOutcomeSchema, "psfs": ExportPsfsOutcomeSchema}

    def get_obj_type(self, obj: Any) -> str:
        return str(obj.instrument)


class ExportProgrammeItemSchema(ResponseSchema):
    exercise = fields.String(attribute="exercise_slug")
    sets = fields.Integer()
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    rest_seconds = fields.Integer()
    times_per_day = fields.Integer()
    load = fields.String(allow_none=True)
    side = side(allow_none=True)
    notes = fields.String(allow_none=True)
    days_of_week = fields.List(day_of_week())


class ExportProgrammeVersionSchema(ResponseSchema):
    number = fields.Integer()
    days_of_week = fields.List(day_of_week())
    created_at = fields.DateTime()
    items = fields.List(fields.Nested(ExportProgrammeItemSchema))


class ExportProgrammeSchema(ResponseSchema):
    id = fields.Integer()
    title = fields.String()
    status = programme_status()
    template = fields.String(attribute="template_slug", allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    versions = fields.List(fields.Nested(ExportProgrammeVersionSchema))


class ExportSessionEntrySchema(EntrySchema):
    class Meta:
        exclude = ("position",)


class ExportSessionSchema(SessionSchema):
    """The REST session without the ids (the export is about one person)."""

    class Meta:
        exclude = ("id", "patient_id")

    entries = fields.List(fields.Nested(ExportSessionEntrySchema))


class ExportDeviceSchema(ResponseSchema):
    platform = platform()
    token_suffix = fields.String()
    app_version = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    created_at = iso_datetime()
    last_seen_at = iso_datetime()


class ExportDeliverySchema(ResponseSchema):
    device_id = fields.Integer(allow_none=True)
    platform = platform()
    status = delivery_status()
    attempts = fields.Integer()
    next_attempt_at = iso_datetime(allow_none=True)
    last_error = fields.String(allow_none=True)
    sent_at = iso_datetime(allow_none=True)


class ExportNotificationSchema(ResponseSchema):
    kind = notification_kind()
    title = fields.String()
    body = fields.String()
    data = fields.Nested(NotificationDataSchema)
    created_at = iso_datetime()
    read_at = iso_datetime(allow_none=True)
    deliveries = fields.List(fields.Nested(ExportDeliverySchema))


class ExportSectionsSchema(ResponseSchema):
    """One list per kind of record (``api.accounts.export``), oldest first."""

    access_log = fields.List(fields.Nested(ExportAccessSchema))
    alerts = fields.List(fields.Nested(ExportAlertSchema))
    care_links = fields.List(fields.Nested(ExportCareLinkSchema))
    check_ins = fields.List(fields.Nested(ExportCheckInSchema))
    devices = fields.List(fields.Nested(ExportDeviceSchema))
    exercise_holds = fields.List(fields.Nested(ExportHoldSchema))
    notifications = fields.List(fields.Nested(ExportNotificationSchema))
    outcomes = fields.List(fields.Nested(ExportOutcomeSchema))
    pain_notices = fields.List(fields.Nested(NoticeSchema))
    programmes = fields.List(fields.Nested(ExportProgrammeSchema))
    reminders = fields.Nested(
        RemindersSchema, allow_none=True, metadata={"description": "Patients only; else null"}
    )
    sessions = fields.List(fields.Nested(ExportSessionSchema))


class ExportSchema(ResponseSchema):
    exported_at = fields.DateTime()
    profile = fields.Nested(ExportProfileSchema)
    sections = fields.Nested(
        ExportSectionsSchema,
        metadata={"description": "Every kind of record Upright holds about you, by name"},
    )
