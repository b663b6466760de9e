"""Exercise session bodies, with the bounds of what can be logged."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas import ResponseSchema, alert_level, code, iso_datetime
from api.sessions.models import HOLD_ADVICE_KIND, NOTICE_KINDS
from api.validation import MAX_ID, id_field

ADVICE_RULES = ("exercise_hold", "pain_during", "next_day_pain", "progression")


def _bounded(low: int, high: int, description: str, **kwargs) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=low, max=high),
        metadata={"description": f"{description} ({low}-{high})"},
        **kwargs,
    )


class EntryCreateSchema(Schema):
    exercise = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "A catalogue exercise slug"},
    )
    programme_item = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The programme item this was (needs programme_id)"},
    )
    sets_done = _bounded(0, 20, "Sets done", required=True)
    reps_done = _bounded(0, 200, "Repetitions per set", allow_none=True)
    hold_seconds = _bounded(0, 600, "Hold in seconds", allow_none=True)
    load = fields.String(allow_none=True, validate=validate.Length(max=50))
    pain_during = _bounded(0, 10, "Pain during the exercise, 0-10 NRS", allow_none=True)
    effort = _bounded(0, 10, "Effort, 0 (none) to 10 (maximal)", allow_none=True)
    notes = fields.String(allow_none=True, validate=validate.Length(max=500))


class SessionCreateSchema(Schema):
    client_id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9._:-]{8,64}$"),
        metadata={
            "description": "The app's id for this session (8-64 characters); a retry with "
            "the same client_id returns the original instead of a duplicate"
        },
    )
    programme_id = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    started_at = fields.AwareDateTime(
        required=True,
        metadata={"description": "With a time zone; not in the future, at most 7 days ago"},
    )
    ended_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "With a time zone; within 6 hours of the start"}
    )
    pain_before = _bounded(0, 10, "Pain before, 0-10 NRS", allow_none=True)
    pain_after = _bounded(0, 10, "Pain after, 0-10 NRS", allow_none=True)
    entries = fields.List(
        fields.Nested(EntryCreateSchema), required=True, validate=validate.Length(min=1, max=30)
    )
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))


class EntrySchema(ResponseSchema):
    position = fields.Integer()
    exercise = fields.String(attribute="exercise_slug")
    programme_item = fields.Integer(attribute="programme_item_id", allow_none=True)
    sets_done = fields.Integer()
    reps_done = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    load = fields.String(allow_none=True)
    pain_during = fields.Integer(allow_none=True)
    effort = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)


class SuggestionSchema(ResponseSchema):
    slug = fields.String()
    name = fields.String()


class AdviceSchema(ResponseSchema):
    kind = code(
        "AdviceKind",
        (HOLD_ADVICE_KIND, *NOTICE_KINDS),
        metadata={"description": f"{HOLD_ADVICE_KIND}: an exercise hold's safety advice, first"},
    )
    rule = code("AdviceRule", ADVICE_RULES)
    level = alert_level(
        allow_none=True,
        metadata={"optional": True, "description": "Hold advice only: urgent or emergency"},
    )
    exercise = fields.String(allow_none=True, metadata={"description": "null for a hold"})
    exercise_name = fields.String(allow_none=True)
    suggestion = fields.Nested(SuggestionSchema, allow_none=True)
    message = fields.String()
    source = fields.String()


class SafetySchema(ResponseSchema):
    level = alert_level(metadata={"description": "urgent or emergency"})
    headline = fields.String(metadata={"description": "As in the triage verdict"})
    advice = fields.String(metadata={"description": "As in the triage verdict"})
    emergency_number = fields.String(allow_none=True)
    rules = fields.List(fields.String(), metadata={"description": "Rules that fired"})
    since = iso_datetime(metadata={"description": "When the hold was placed"})


class SessionSchema(ResponseSchema):
    id = fields.Integer()
    patient_id = fields.Integer()
    client_id = fields.String()
    programme_id = fields.Integer(allow_none=True)
    programme_version = fields.Integer(allow_none=True)
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    date = fields.Date(attribute="local_date", metadata={"description": "Your local date"})
    pain_before = fields.Integer(allow_none=True)
    pain_after = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    entries = fields.List(fields.Nested(EntrySchema))
    advice = fields.List(
        fields.Nested(AdviceSchema),
        metadata={
            "description": "Advice (not an alert): while an exercise hold stands, the hold's "
            "safety advice first, then pain-guided advice, which your therapist also sees"
        },
    )
    logged_during_hold = fields.Boolean(
        metadata={"description": "Logged while triage had paused exercise (seen by therapists)"}
    )
    safety = fields.Nested(
        SafetySchema,
        allow_none=True,
        metadata={"description": "The exercise hold's safety advice given with this session"},
    )
    created_at = fields.DateTime()


class SessionQuerySchema(Schema):
    from_ = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "The first local date to list; not after `to`"},
    )
    to = fields.Date(load_default=None, metadata={"description": "The last local date to list"})
    patient_id = id_field(
        load_default=None, metadata={"description": "Therapists: a linked patient (required)"}
    )


class NoticeSchema(ResponseSchema):
    id = fields.Integer()
    session_id = fields.Integer(allow_none=True)
    kind = code("NoticeKind", NOTICE_KINDS)
    exercise = fields.String(attribute="exercise_slug")
    message = fields.String()
    created_at = fields.DateTime()
