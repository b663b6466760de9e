"""Request and response bodies of accounts, sign-in and care links."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from marshmallow_oneofschema import OneOfSchema

from api.accounts import credentials
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
from api.progress.schemas import NoticeSchema
from api.schemas import (
    ChangesSchema,
    ResponseSchema,
    alert_level,
    alert_status,
    cause,
    code,
    day_of_week,
    health_history,
    instrument,
    iso_datetime,
    programme_status,
    role,
)
from api.sessions.schemas import EntrySchema, SessionSchema
from api.triage.vocabulary import HEALTH_HISTORY
from api.validation import (
    BIRTH_YEAR,
    COUNTRY,
    PAST_YEAR,
    TIMEZONE,
    unique_items,
    validate_birth_year,
    validate_country,
    validate_past_year,
    validate_timezone,
)
from exercises.vocabulary import CAUSE_SLUGS

_email = fields.Email(required=True, validate=validate.Length(max=254))
PAIN_ASSESSED = (
    "Has a doctor or physiotherapist assessed this back pain? true, false or null (not "
    "answered). Unless true, and while no therapist is linked, a check-in with pain_onset "
    "first_ever or new_episode advises a same-day doctor's assessment, once per episode "
    "(rule RF-ASSESS-01)."
)


class NewAccountSchema(Schema):
    """Email and a new password, checked together so every error is reported at once."""

    email = _email
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(
            min=10, max=256, error="Use at least {min} and at most {max} characters."
        ),
        metadata={
            "description": "10-256 characters; common passwords and your email address are refused"
        },
    )

    # Runs even after other field errors (an unknown field, a bad email).
    @validates_schema(skip_on_field_errors=False)
    def _acceptable_password(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if isinstance(data.get("password"), str):
            problem = credentials.password_problem(data["password"], email=data.get("email"))
            if problem:
                raise ValidationError(problem, "password")


class RegisterSchema(NewAccountSchema):
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    timezone = fields.String(load_default="UTC", validate=validate_timezone, metadata=TIMEZONE)
    country = fields.String(
        load_default=None, allow_none=True, validate=validate_country, metadata=COUNTRY
    )
    birth_year = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate_birth_year,
        metadata=BIRTH_YEAR,
    )
    pain_assessed_by_clinician = fields.Boolean(
        load_default=None, allow_none=True, metadata={"description": PAIN_ASSESSED}
    )


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=512))


class TokenPairSchema(ResponseSchema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = code("TokenType", ("Bearer",), metadata={"description": "Always `Bearer`"})
    expires_in = fields.Integer(metadata={"description": "Seconds until the access token expires"})


class ExerciseHoldSchema(ResponseSchema):
    """Whether triage has paused exercise; ``since``, ``level`` and ``reason`` are null
    when it has not."""

    active = fields.Boolean()
    since = fields.DateTime(allow_none=True)
    level = alert_level(allow_none=True)
    reason = fields.String(allow_none=True)


class ProfileSchema(ResponseSchema):
    id = fields.Integer()
    email = fields.String(metadata={"format": "email"})
    role = role()
    display_name = fields.String()
    timezone = fields.String(metadata={"description": "An IANA time zone name"})
    country = fields.String(allow_none=True, metadata={"description": "ISO 3166-1 alpha-2"})
    birth_year = fields.Integer(allow_none=True)
    health_history = fields.List(health_history())
    spinal_surgery_year = fields.Integer(allow_none=True)
    conditions = fields.List(cause(), metadata={"description": "Cause slugs (GET /causes)"})
    pain_assessed_by_clinician = fields.Boolean(
        allow_none=True, metadata={"description": PAIN_ASSESSED}
    )
    exercise_hold = fields.Nested(ExerciseHoldSchema)
    created_at = fields.DateTime()


class ProfileUpdateSchema(ChangesSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=80))
    timezone = fields.String(validate=validate_timezone, metadata=TIMEZONE)
    country = fields.String(allow_none=True, validate=validate_country, metadata=COUNTRY)
    birth_year = fields.Integer(
        allow_none=True, strict=True, validate=validate_birth_year, metadata=BIRTH_YEAR
    )
    health_history = fields.List(
        health_history(),
        validate=[validate.Length(max=len(HEALTH_HISTORY)), unique_items],
        metadata={"description": "Long-standing facts that triage takes into account"},
    )
    spinal_surgery_year = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate_past_year,
        metadata={
            **PAST_YEAR,
            "description": "Year of your last spine operation (needs spinal_surgery in "
            "health_history; not before birth_year, not in the future): in that year and "
            "the next, flexion and rotation exercises are ruled out",
        },
    )
    conditions = fields.List(
        cause(),
        validate=[validate.Length(max=len(CAUSE_SLUGS)), unique_items],
        metadata={"description": "Cause slugs from GET /causes"},
    )
    pain_assessed_by_clinician = fields.Boolean(
        allow_none=True, metadata={"description": PAIN_ASSESSED}
    )


class DeleteAccountSchema(Schema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class TherapistCreateSchema(NewAccountSchema):
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    timezone = fields.String(load_default="UTC", validate=validate_timezone, metadata=TIMEZONE)
    country = fields.String(
        load_default=None, allow_none=True, validate=validate_country, metadata=COUNTRY
    )


class InviteSchema(ResponseSchema):
    code = fields.String(metadata={"description": "Give this code to the patient (single use)"})
    expires_at = fields.DateTime()


class InviteRedeemSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class PersonSchema(ResponseSchema):
    id = fields.Integer()
    display_name = fields.String()


class CareLinkSchema(ResponseSchema):
    id = fields.Integer()
    therapist = fields.Nested(PersonSchema)
    patient = fields.Nested(PersonSchema)
    created_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    active = fields.Boolean()


class CareLinkQuerySchema(Schema):
    active = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "true: only active links; false: only ended ones"},
    )


class PatientSummarySchema(ResponseSchema):
    id = fields.Integer()
    display_name = fields.String()
    email = fields.String(metadata={"format": "email"})
    linked_since = fields.DateTime()
    open_alerts = fields.Integer(metadata={"description": "Open or acknowledged alerts"})
    highest_open_level = alert_level(allow_none=True)
    exercise_hold = fields.Nested(ExerciseHoldSchema)


class PatientDetailSchema(ProfileSchema):
    linked_since = fields.DateTime()


class AccessLogEntrySchema(ResponseSchema):
    id = fields.Integer()
    therapist_id = fields.Integer(allow_none=True)
    therapist_name = fields.String()
    resource = fields.String()
    resource_id = fields.Integer(allow_none=True)
    accessed_at = fields.DateTime()


# --- GET /me/export: every record Upright holds about you, as kept ----------------------


class ExportProfileSchema(ProfileSchema):
    """The profile as kept; the exercise hold is a section of its own (``exercise_holds``)."""

    class Meta:
        exclude = ("exercise_hold",)


class ExportAccessSchema(AccessLogEntrySchema):
    """The REST entry without the ids of the log row and the therapist."""

    class Meta:
        exclude = ("id", "therapist_id")


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
