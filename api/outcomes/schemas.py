"""Outcome measure bodies: the NDI's ten items and the PSFS's chosen activities."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.outcomes.models import INSTRUMENTS
from api.outcomes.scoring import NDI_ITEMS
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
        required=True, validate=one_of(INSTRUMENTS), metadata={"description": "ndi or psfs"}
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
    meaningful_change = fields.String()
    source = fields.String()


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
