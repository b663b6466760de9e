"""Check-in bodies. Codes are the public vocabulary of clinical/TRIAGE.md."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.triage import PAIN_AREAS, PAIN_ONSET, SYMPTOMS
from api.validation import id_field, one_of, unique_items

_score = {"strict": True, "validate": validate.Range(min=0, max=10)}


def _optional_score(description: str) -> fields.Integer:
    return fields.Integer(allow_none=True, metadata={"description": description}, **_score)


class CheckInCreateSchema(Schema):
    client_id = fields.String(
        validate=validate.Regexp(r"^[A-Za-z0-9._:-]{8,64}$"),
        metadata={
            "description": "The app's id for this check-in (8-64 characters); a retry "
            "with the same client_id returns the original instead of a duplicate"
        },
    )
    date = fields.Date(
        metadata={
            "description": "Your local date (default: today in your time zone); "
            "not in the future, at most 90 days back"
        },
    )
    pain = fields.Integer(
        required=True,
        metadata={"description": "Pain now, 0 (none) to 10 (worst imaginable)"},
        **_score,
    )
    worst_pain = _optional_score("Worst pain in the last 24 hours, 0-10")
    stiffness = _optional_score("Stiffness, 0-10")
    interference = _optional_score("How much pain interfered with daily activities, 0-10")
    sleep_quality = _optional_score("How well you slept, 0 (very badly) to 10 (very well)")
    mood = _optional_score("Mood, 0 (very low) to 10 (very good)")
    medication_taken = fields.Boolean(allow_none=True)
    pain_areas = fields.List(
        fields.String(validate=one_of(tuple(PAIN_AREAS))),
        validate=[validate.Length(max=len(PAIN_AREAS)), unique_items],
        metadata={"description": "Codes: " + ", ".join(PAIN_AREAS)},
    )
    symptoms = fields.List(
        fields.String(validate=one_of(tuple(SYMPTOMS))),
        validate=[validate.Length(max=len(SYMPTOMS)), unique_items],
        metadata={"description": "Red-flag answers that are 'yes'. Codes: " + ", ".join(SYMPTOMS)},
    )
    pain_onset = fields.String(
        allow_none=True,
        validate=one_of(tuple(PAIN_ONSET)),
        metadata={"description": "Codes: " + ", ".join(PAIN_ONSET)},
    )
    episode_started_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))


class CheckInUpdateSchema(CheckInCreateSchema):
    """Every field optional; the date and client id cannot change."""

    class Meta:
        exclude = ("client_id", "date")

    pain = fields.Integer(**_score)


class FiredRuleSchema(Schema):
    id = fields.String()
    version = fields.Integer()
    level = fields.String()
    title = fields.String()
    evidence = fields.Dict()
    patient_message = fields.String()
    clinician_message = fields.String()
    source = fields.String()


class TriageSchema(Schema):
    level = fields.String(metadata={"description": "none, soon, urgent or emergency"})
    headline = fields.String()
    advice = fields.String()
    disclaimer = fields.String()
    rules = fields.List(fields.Nested(FiredRuleSchema))
    checks_not_run = fields.List(fields.String())
    emergency_number = fields.String(allow_none=True)
    pause_exercise = fields.Boolean()


class CheckInSchema(Schema):
    id = fields.Integer()
    patient_id = id_field()
    client_id = fields.String(allow_none=True)
    date = fields.Date(attribute="local_date")
    pain = fields.Integer()
    worst_pain = fields.Integer(allow_none=True)
    stiffness = fields.Integer(allow_none=True)
    interference = fields.Integer(allow_none=True)
    sleep_quality = fields.Integer(allow_none=True)
    mood = fields.Integer(allow_none=True)
    medication_taken = fields.Boolean(allow_none=True)
    pain_areas = fields.List(fields.String())
    symptoms = fields.List(fields.String())
    pain_onset = fields.String(allow_none=True)
    episode_started_on = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)
    triage = fields.Nested(TriageSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CheckInQuerySchema(Schema):
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)
    patient_id = id_field(
        load_default=None, metadata={"description": "Therapists: a linked patient (required)"}
    )
