"""Request and response bodies of accounts, sign-in and care links."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.triage.vocabulary import HEALTH_HISTORY
from api.validation import (
    one_of,
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
_password = fields.String(
    required=True,
    load_only=True,
    validate=validate.Length(min=1, max=256),
    metadata={"description": "At least 10 characters; common passwords are refused."},
)


class RegisterSchema(Schema):
    email = _email
    password = _password
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    timezone = fields.String(
        load_default="UTC", validate=validate_timezone, metadata={"description": "IANA name"}
    )
    country = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate_country,
        metadata={"description": "ISO 3166-1 alpha-2, e.g. GB"},
    )
    birth_year = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate_birth_year
    )
    pain_assessed_by_clinician = fields.Boolean(
        load_default=None, allow_none=True, metadata={"description": PAIN_ASSESSED}
    )


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=512))


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"description": "Always `Bearer`"})
    expires_in = fields.Integer(
        required=True, metadata={"description": "Seconds until the access token expires"}
    )


class ExerciseHoldSchema(Schema):
    active = fields.Boolean(required=True)
    since = fields.DateTime(allow_none=True)
    level = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class ProfileSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    role = fields.String(dump_only=True, metadata={"description": "patient, therapist or admin"})
    display_name = fields.String()
    timezone = fields.String()
    country = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    health_history = fields.List(fields.String())
    spinal_surgery_year = fields.Integer(allow_none=True)
    conditions = fields.List(fields.String())
    pain_assessed_by_clinician = fields.Boolean(
        allow_none=True, metadata={"description": PAIN_ASSESSED}
    )
    exercise_hold = fields.Nested(ExerciseHoldSchema, dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class ProfileUpdateSchema(Schema):
    display_name = fields.String(validate=validate.Length(min=1, max=80))
    timezone = fields.String(validate=validate_timezone)
    country = fields.String(allow_none=True, validate=validate_country)
    birth_year = fields.Integer(allow_none=True, strict=True, validate=validate_birth_year)
    health_history = fields.List(
        fields.String(validate=one_of(tuple(HEALTH_HISTORY))),
        validate=[validate.Length(max=len(HEALTH_HISTORY)), unique_items],
        metadata={"description": "Codes: " + ", ".join(HEALTH_HISTORY)},
    )
    spinal_surgery_year = fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate_past_year,
        metadata={
            "description": "Year of your last spine operation (needs spinal_surgery in "
            "health_history; not before birth_year, not in the future): in that year and "
            "the next, flexion and rotation exercises are ruled out"
        },
    )
    conditions = fields.List(
        fields.String(validate=one_of(CAUSE_SLUGS)),
        validate=[validate.Length(max=len(CAUSE_SLUGS)), unique_items],
        metadata={"description": "Cause slugs from GET /causes"},
    )
    pain_assessed_by_clinician = fields.Boolean(
        allow_none=True, metadata={"description": PAIN_ASSESSED}
    )


class DeleteAccountSchema(Schema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class TherapistCreateSchema(Schema):
    email = _email
    password = _password
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    timezone = fields.String(load_default="UTC", validate=validate_timezone)
    country = fields.String(load_default=None, allow_none=True, validate=validate_country)


class InviteSchema(Schema):
    code = fields.String(
        required=True, metadata={"description": "Give this code to the patient (single use)"}
    )
    expires_at = fields.DateTime(required=True)


class InviteRedeemSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class PersonSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()


class CareLinkSchema(Schema):
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


class PatientSummarySchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    email = fields.String()
    linked_since = fields.DateTime()
    open_alerts = fields.Integer(metadata={"description": "Open or acknowledged alerts"})
    highest_open_level = fields.String(allow_none=True)
    exercise_hold = fields.Boolean()


class PatientDetailSchema(ProfileSchema):
    linked_since = fields.DateTime()


class AccessLogEntrySchema(Schema):
    id = fields.Integer()
    therapist_id = fields.Integer(allow_none=True)
    therapist_name = fields.String()
    resource = fields.String()
    resource_id = fields.Integer(allow_none=True)
    accessed_at = fields.DateTime()


class ExportSchema(Schema):
    exported_at = fields.DateTime()
    profile = fields.Dict()
    sections = fields.Dict(
        metadata={"description": "Every kind of record Upright holds about you, by name"}
    )
