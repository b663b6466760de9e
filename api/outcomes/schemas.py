"""Outcome measure bodies: the NDI's ten items and the PSFS's chosen activities."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    missing,
    validate,
    validates_schema,
)
from marshmallow_oneofschema import OneOfSchema

from api.outcomes.scoring import NDI_ITEMS, NDI_SCOPE, interpretation, unanswered
from api.schemas import (
    OneOfResponseSchema,
    ResponseSchema,
    change_label,
    code,
    instrument,
    iso_date,
)
from api.validation import id_field

NDI_BANDS = ("none", "mild", "moderate", "severe", "complete")


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
NdiAnswersSchema.__doc__ = "The ten NDI items, each 0-5; up to two may be null or left out."


class NdiRecordedAnswersSchema(ResponseSchema):
    """The ten NDI items as recorded: 0-5, or null when unanswered."""

    pain_intensity = fields.Integer(allow_none=True)
    personal_care = fields.Integer(allow_none=True)
    lifting = fields.Integer(allow_none=True)
    reading = fields.Integer(allow_none=True)
    headaches = fields.Integer(allow_none=True)
    concentration = fields.Integer(allow_none=True)
    work = fields.Integer(allow_none=True)
    driving = fields.Integer(allow_none=True)
    sleeping = fields.Integer(allow_none=True)
    recreation = fields.Integer(allow_none=True)


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
        fields.Nested(PsfsActivitySchema),
        required=True,
        validate=validate.Length(min=3, max=5),
        metadata={"description": "3-5 different activities (names compared ignoring case)"},
    )

    @validates_schema
    def _distinct(self, data, **_kwargs):
        names = [a["activity"].strip().lower() for a in data.get("activities", [])]
        if len(names) != len(set(names)):
            raise ValidationError("Each activity may appear only once.", "activities")


_completed_on = fields.Date(
    metadata={
        "description": "Your local date (default today); not in the future, at most 365 days back"
    }
)


class NdiOutcomeCreateSchema(Schema):
    instrument = instrument(required=True, metadata={"description": f"ndi. {NDI_SCOPE}"})
    answers = fields.Nested(NdiAnswersSchema, required=True)
    completed_on = _completed_on


class PsfsOutcomeCreateSchema(Schema):
    instrument = instrument(required=True)
    answers = fields.Nested(PsfsAnswersSchema, required=True)
    completed_on = _completed_on


class OutcomeCreateSchema(OneOfSchema):
    """A completed questionnaire: NDI (Neck Disability Index) or PSFS (Patient-Specific
    Functional Scale), chosen by ``instrument``."""

    class Meta:
        description = (
            "A completed questionnaire, NDI or PSFS by `instrument`, with its answers. " + NDI_SCOPE
        )

    type_field = "instrument"
    type_field_remove = False
    type_schemas = {"ndi": NdiOutcomeCreateSchema, "psfs": PsfsOutcomeCreateSchema}

    # The fields both instruments share, checked on their own when the instrument is
    # missing or unknown, so that every error is reported at once.
    instrument = instrument(required=True)
    completed_on = _completed_on

    def _load(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError(["Invalid input type."])
        kind = data.get(self.type_field)
        if not isinstance(kind, str) or kind not in self.type_schemas:
            Schema.load(self, data, unknown=EXCLUDE)  # raises: the instrument is wrong
        return super()._load(data, **kwargs)


class InterpretationSchema(ResponseSchema):
    better = code("ScoreDirection", ("lower", "higher"))
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


class ActivityChangeSchema(ResponseSchema):
    activity = fields.String(metadata={"description": "In the words of the latest answers"})
    first = fields.Integer()
    latest = fields.Integer()
    difference = fields.Integer()
    direction = code("ActivityDirection", ("better", "worse"))


class OutcomeChangeSchema(InterpretationSchema):
    first = fields.Float()
    latest = fields.Float()
    difference = fields.Float()
    label = change_label()
    detectable_activity_changes = fields.List(
        fields.Nested(ActivityChangeSchema),
        allow_none=True,
        metadata={
            "description": "PSFS: activities named both times that moved 3 points or more, a "
            "detectable change in that activity (Stratford 1995); they never set the label. "
            "NDI: null"
        },
    )


class OutcomeScoreRowSchema(ResponseSchema):
    id = fields.Integer()
    completed_on = iso_date()
    score = fields.Float()
    percent = fields.Float(allow_none=True, metadata={"description": "NDI only"})
    band = code("NdiBand", NDI_BANDS, allow_none=True, metadata={"description": "NDI only"})
    change_from_first = change_label(
        allow_none=True, metadata={"description": "Against the first score; null for the first"}
    )


class OutcomeProgressSchema(ResponseSchema):
    scores = fields.List(
        fields.Nested(OutcomeScoreRowSchema), metadata={"description": "Oldest first"}
    )
    change = fields.Nested(
        OutcomeChangeSchema,
        allow_none=True,
        metadata={"description": "First to latest; null with a single score"},
    )


class Unanswered(fields.List):
    """The NDI items left blank."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing):
        return unanswered(obj.instrument, obj.answers)


class Interpretation(fields.Nested):
    """Which direction is better, and what change is meaningful, for the instrument."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing):
        return interpretation(obj.instrument)


class _OutcomeBase(ResponseSchema):
    id = fields.Integer()
    patient_id = fields.Integer()
    instrument = instrument()
    completed_on = fields.Date()
    created_at = fields.DateTime()
    interpretation = Interpretation(InterpretationSchema)


class NdiOutcomeSchema(_OutcomeBase):
    answers = fields.Nested(NdiRecordedAnswersSchema)
    score = fields.Float(
        metadata={"minimum": 0, "maximum": 50, "description": "Total 0-50 (pro-rated)"}
    )
    percent = fields.Float(metadata={"minimum": 0, "maximum": 100})
    band = code("NdiBand", NDI_BANDS, metadata={"description": "Vernon & Mior 1991"})
    unanswered = Unanswered(
        code("NdiItem", NDI_ITEMS), metadata={"description": "The items left blank (at most 2)"}
    )


class PsfsOutcomeSchema(_OutcomeBase):
    answers = fields.Nested(PsfsAnswersSchema)
    score = fields.Float(
        metadata={"minimum": 0, "maximum": 10, "description": "The mean of the activities"}
    )


class OutcomeSchema(OneOfResponseSchema):
    """A scored questionnaire; its answers and results depend on ``instrument``."""

    type_field = "instrument"
    type_field_remove = False
    type_schemas = {"ndi": NdiOutcomeSchema, "psfs": PsfsOutcomeSchema}

    def get_obj_type(self, obj: Any) -> str:
        return obj.instrument


class OutcomeQuerySchema(Schema):
    instrument = instrument(load_default=None)
    patient_id = id_field(
        load_default=None, metadata={"description": "Therapists: a linked patient (required)"}
    )
