"""Progress report bodies."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.outcomes.schemas import OutcomeProgressSchema
from api.schemas import (
    ResponseSchema,
    alert_level,
    alert_status,
    change_label,
    iso_date,
    programme_status,
)
from api.sessions.schemas import NoticeSchema


class ProgressQuerySchema(Schema):
    from_ = fields.Date(
        data_key="from",
        load_default=None,
        metadata={
            "description": "Default: 89 days before 'to' (90 days in all); not after 'to', "
            "and the range spans at most 366 days"
        },
    )
    to = fields.Date(
        load_default=None,
        metadata={"description": "Default: today in the patient's time zone"},
    )


class PainPointSchema(ResponseSchema):
    date = iso_date()
    pain = fields.Integer()
    rolling_mean_7d = fields.Float(metadata={"description": "Mean pain of the 7 days ending here"})
    worst_pain = fields.Integer(allow_none=True)
    interference = fields.Integer(allow_none=True)
    sleep_quality = fields.Integer(allow_none=True)


class PainChangeSchema(ResponseSchema):
    baseline = fields.Float()
    latest = fields.Float()
    difference = fields.Float()
    percent_change = fields.Float(allow_none=True)
    check_ins_compared = fields.Integer()
    label = change_label()
    source = fields.String()


class PainSchema(ResponseSchema):
    series = fields.List(fields.Nested(PainPointSchema))
    change = fields.Nested(PainChangeSchema, allow_none=True)


class WeekSchema(ResponseSchema):
    week = fields.String(metadata={"description": "ISO week, e.g. 2025-W07"})
    starts_on = iso_date()
    prescribed = fields.Integer()
    completed = fields.Integer()
    rate = fields.Float(allow_none=True)


class ProgrammeRefSchema(ResponseSchema):
    id = fields.Integer()
    title = fields.String()
    status = programme_status()
    starts_on = iso_date()
    ends_on = iso_date(allow_none=True)


class AdherenceSchema(ResponseSchema):
    prescribed = fields.Integer(metadata={"description": "Exercise slots due (not paused days)"})
    completed = fields.Integer()
    rate = fields.Float(allow_none=True)
    weeks = fields.List(fields.Nested(WeekSchema))
    current_streak_days = fields.Integer()
    programmes = fields.List(fields.Nested(ProgrammeRefSchema))


class AlertRefSchema(ResponseSchema):
    id = fields.Integer()
    level = alert_level()
    title = fields.String()
    status = alert_status()
    created_at = fields.DateTime()


class SessionDuringHoldSchema(ResponseSchema):
    session_id = fields.Integer()
    date = fields.Date()
    level = alert_level(allow_none=True, metadata={"description": "The hold's level"})
    exercises = fields.List(fields.String())
    highest_pain_during = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class OutcomesProgressSchema(ResponseSchema):
    """Per instrument, present when it has scores in the range."""

    ndi = fields.Nested(OutcomeProgressSchema, metadata={"optional": True})
    psfs = fields.Nested(OutcomeProgressSchema, metadata={"optional": True})


class ProgressSchema(ResponseSchema):
    patient_id = fields.Integer()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    today = fields.Date()
    timezone = fields.String()
    pain = fields.Nested(PainSchema)
    adherence = fields.Nested(AdherenceSchema)
    open_alerts = fields.List(fields.Nested(AlertRefSchema))
    pain_notices = fields.List(
        fields.Nested(NoticeSchema), metadata={"description": "Pain-guided advice, last 30 days"}
    )
    sessions_during_hold = fields.List(
        fields.Nested(SessionDuringHoldSchema),
        metadata={
            "description": "Sessions in the range logged while triage had paused exercise, "
            "newest first"
        },
    )
    outcomes = fields.Nested(
        OutcomesProgressSchema,
        metadata={
            "description": "Per instrument: scores in range, each labelled against the "
            "first, and the change from first to latest"
        },
    )
