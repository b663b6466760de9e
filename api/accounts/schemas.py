"""Request and response bodies of accounts, sign-in and care links."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.accounts import credentials
from api.schemas import (
    ChangesSchema,
    ResponseSchema,
    alert_level,
    cause,
    code,
    health_history,
    role,
)
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
