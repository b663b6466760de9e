"""Outcome measure bodies: the NDI's ten items and the PSFS's chosen activities."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.outcomes.models import INSTRUMENTS
from api.outcomes.scoring import NDI_ITEMS, NDI_SCOPE
from api.validation import id_field, one_of


def _ndi_item(name: str) -> fields.Integer:
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=5),
        metadata={"description": f"{name}: 0-5, or null if unanswered"},
    )


NdiAnswersSchema = Schema.from_dict(
    {item: _ndi_item(item) for item in NDI_ITEMS}, name="NdiAnswersSchema"
)


class PsfsActivitySchema(Schema):
    activity = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "An activity you find hard, in your words"},
    )
    score = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=0, max=10),
        metadata={"description": "0 (unable to do it) to 10 (as well as before)"},
    )


class PsfsAnswersSchema(Schema):
    activities = fields.List(
        fields.Nested(PsfsActivitySchema), required=True, validate=validate.Length(min=3, max=5)
    )

    @validates_schema
    def _distinct(self, data, **_kwargs):
        names = [a["activity"].strip().lower() for a in data.get("activities", [])]
        if len(names) != len(set(names)):
            raise ValidationError("Each activity may appear only once.", "activities")


ANSWER_SCHEMAS = {"ndi": NdiAnswersSchema, "psfs": PsfsAnswersSchema}


class OutcomeCreateSchema(Schema):
    instrument = fields.String(
        required=True,
        validate=one_of(INSTRUMENTS),
        metadata={"description": f"ndi or psfs. {NDI_SCOPE}"},
    )
    answers = fields.Dict(
        required=True,
        metadata={
            "description": "NDI: {pain_intensity, personal_care, lifting, reading, headaches, "
            "concentration, work, driving, sleeping, recreation}, each 0-5 or null. "
            'PSFS: {"activities": [{"activity": "...", "score": 0-10}, ...]} with 3-5 activities.'
        },
    )
    completed_on = fields.Date(
        metadata={"description": "Your local date (default today); not in the future"}
    )

    @validates_schema
    def _answers_fit_instrument(self, data, **_kwargs):
        schema = ANSWER_SCHEMAS.get(data.get("instrument"))
        if schema is None or "answers" not in data:
            return
        errors = schema().validate(data["answers"])
        if errors:
            raise ValidationError(errors, "answers")

    @post_load
    def _load_answers(self, data, **_kwargs):
        data["answers"] = ANSWER_SCHEMAS[data["instrument"]]().load(data["answers"])
        return data


class InterpretationSchema(Schema):
    better = fields.String(metadata={"description": "lower or higher"})
    meaningful_change = fields.String(
        metadata={"description": "The change that labels a score improved or worse"}
    )
    detectable_change = fields.String(
        allow_none=True,
        metadata={"description": "PSFS: the change in one activity reported on its own"},
    )
    scope = fields.String(
        allow_none=True,
        metadata={"description": "NDI: what it is validated for, and what that means here"},
    )
    source = fields.String()


class ActivityChangeSchema(Schema):
    activity = fields.String(metadata={"description": "In the words of the latest answers"})
    first = fields.Integer()
    latest = fields.Integer()
    difference = fields.Integer()
    direction = fields.String(metadata={"description": "better or worse"})


class OutcomeChangeSchema(InterpretationSchema):
    first = fields.Float()
    latest = fields.Float()
    difference = fields.Float()
    label = fields.String(metadata={"description": "improved, unchanged or worse"})
    detectable_activity_changes = fields.List(
        fields.Nested(ActivityChangeSchema),
        allow_none=True,
        metadata={
            "description": "PSFS: activities named both times that moved 3 points or more, a "
            "detectable change in that activity (Stratford 1995); they never set the label. "
            "NDI: null"
        },
    )


class OutcomeScoreRowSchema(Schema):
    id = fields.Integer()
    completed_on = fields.String()
    score = fields.Float()
    percent = fields.Float(allow_none=True)
    band = fields.String(allow_none=True)
    change_from_first = fields.String(
        allow_none=True,
        metadata={"description": "improved, unchanged or worse; null for the first"},
    )


class OutcomeProgressSchema(Schema):
    scores = fields.List(fields.Nested(OutcomeScoreRowSchema))
    change = fields.Nested(OutcomeChangeSchema, allow_none=True)


class OutcomeSchema(Schema):
    id = fields.Integer()
    patient_id = fields.Integer()
    instrument = fields.String()
    answers = fields.Dict()
    score = fields.Float(metadata={"description": "NDI: total 0-50 (pro-rated); PSFS: mean 0-10"})
    percent = fields.Float(allow_none=True, metadata={"description": "NDI only: 0-100 %"})
    band = fields.String(
        allow_none=True,
        metadata={"description": "NDI: none, mild, moderate, severe, complete"},
    )
    unanswered = fields.Method("_unanswered", metadata={"description": "NDI items left blank"})
    completed_on = fields.Date()
    created_at = fields.DateTime()
    interpretation = fields.Method("_interpretation")

    def _unanswered(self, score):
        from api.outcomes.scoring import unanswered

        return unanswered(score.instrument, score.answers)

    def _interpretation(self, score):
        from api.outcomes.scoring import interpretation

        return InterpretationSchema().dump(interpretation(score.instrument))


class OutcomeQuerySchema(Schema):
    instrument = fields.String(load_default=None, validate=one_of(INSTRUMENTS))
    patient_id = id_field(
        load_default=None, metadata={"description": "Therapists: a linked patient (required)"}
    )
