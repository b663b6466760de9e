"""Progress report bodies."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.outcomes.schemas import OutcomeProgressSchema


class ProgressQuerySchema(Schema):
    from_ = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "Default: 89 days before 'to' (90 days in all)"},
    )
    to = fields.Date(
        load_default=None,
        metadata={"description": "Default: today in the patient's time zone; at most 366 days"},
    )


class PainPointSchema(Schema):
    date = fields.String()
    pain = fields.Integer()
    rolling_mean_7d = fields.Float(metadata={"description": "Mean pain of the 7 days ending here"})
    worst_pain = fields.Integer(allow_none=True)
    interference = fields.Integer(allow_none=True)
    sleep_quality = fields.Integer(allow_none=True)


class PainChangeSchema(Schema):
    baseline = fields.Float()
    latest = fields.Float()
    difference = fields.Float()
    percent_change = fields.Float(allow_none=True)
    check_ins_compared = fields.Integer()
    label = fields.String(metadata={"description": "improved, unchanged or worse"})
    source = fields.String()


class PainSchema(Schema):
    series = fields.List(fields.Nested(PainPointSchema))
    change = fields.Nested(PainChangeSchema, allow_none=True)


class WeekSchema(Schema):
    week = fields.String(metadata={"description": "ISO week, e.g. 2025-W07"})
    starts_on = fields.String()
    prescribed = fields.Integer()
    completed = fields.Integer()
    rate = fields.Float(allow_none=True)


class ProgrammeRefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    starts_on = fields.String()
    ends_on = fields.String(allow_none=True)


class AdherenceSchema(Schema):
    prescribed = fields.Integer(metadata={"description": "Exercise slots due (not paused days)"})
    completed = fields.Integer()
    rate = fields.Float(allow_none=True)
    weeks = fields.List(fields.Nested(WeekSchema))
    current_streak_days = fields.Integer()
    programmes = fields.List(fields.Nested(ProgrammeRefSchema))


class AlertRefSchema(Schema):
    id = fields.Integer()
    level = fields.String()
    title = fields.String()
    status = fields.String()
    created_at = fields.DateTime()


class NoticeSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer(allow_none=True)
    kind = fields.String(metadata={"description": "regress, reduce_dose or progress"})
    exercise = fields.String()
    message = fields.String()
    created_at = fields.DateTime()


class SessionDuringHoldSchema(Schema):
    session_id = fields.Integer()
    date = fields.Date()
    level = fields.String(allow_none=True, metadata={"description": "The hold's level"})
    exercises = fields.List(fields.String())
    highest_pain_during = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ProgressSchema(Schema):
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
    outcomes = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(OutcomeProgressSchema),
        metadata={
            "description": "Per instrument: scores in range, each labelled against the "
            "first, and the change from first to latest"
        },
    )
