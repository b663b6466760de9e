"""Catalogue bodies and filters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.validation import one_of
from exercises.vocabulary import CATEGORIES, CAUSE_SLUGS, EQUIPMENT, REGIONS


class DoseSchema(Schema):
    sets = fields.Integer()
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    rest_seconds = fields.Integer()
    times_per_day = fields.Integer()
    days_per_week = fields.Integer()


class PrecautionSchema(Schema):
    code = fields.String(allow_none=True)
    text = fields.String()


class CauseLinkSchema(Schema):
    cause = fields.String()
    name = fields.String()
    why = fields.String()


class ExerciseSummarySchema(Schema):
    slug = fields.String()
    name = fields.String()
    summary = fields.String()
    category = fields.String()
    region = fields.String()
    difficulty = fields.Integer()
    equipment = fields.List(fields.String())
    target_muscles = fields.List(fields.String())
    dose = fields.Nested(DoseSchema)
    causes = fields.List(fields.String(), metadata={"description": "Cause slugs"})
    contraindications = fields.List(fields.String())
    precautions_for_me = fields.List(
        fields.Nested(PrecautionSchema),
        metadata={"description": "With safe_for_me: the precautions that apply to you"},
    )


class LadderStepSchema(Schema):
    slug = fields.String()
    name = fields.String()
    difficulty = fields.Integer()


class EvidenceSchema(Schema):
    level = fields.String()
    source = fields.String()


class MediaSchema(Schema):
    type = fields.String()
    url = fields.String()
    licence = fields.String(allow_none=True)
    author = fields.String(allow_none=True)


class ExerciseDetailSchema(ExerciseSummarySchema):
    steps = fields.List(fields.String())
    cues = fields.List(fields.String())
    common_mistakes = fields.List(fields.String())
    causes = fields.List(fields.Nested(CauseLinkSchema))
    precautions = fields.List(fields.Nested(PrecautionSchema))
    movement_flags = fields.List(fields.String())
    progressions = fields.List(
        fields.Nested(LadderStepSchema),
        metadata={"description": "Harder next steps, in order (safe_for_me: those open to you)"},
    )
    regressions = fields.List(
        fields.Nested(LadderStepSchema),
        metadata={"description": "Easier steps, closest first (safe_for_me: those open to you)"},
    )
    evidence = fields.Nested(EvidenceSchema)
    media = fields.List(fields.Nested(MediaSchema))
    retired = fields.Boolean(metadata={"description": "No longer offered for new programmes"})
    contraindicated_for_me = fields.List(
        fields.String(),
        metadata={
            "description": "With safe_for_me: your codes that rule this exercise out "
            "(empty when it is open to you)"
        },
    )


class ExerciseQuerySchema(Schema):
    cause = fields.String(validate=one_of(CAUSE_SLUGS), load_default=None)
    category = fields.String(validate=one_of(CATEGORIES), load_default=None)
    region = fields.String(validate=one_of(REGIONS), load_default=None)
    equipment = fields.List(
        fields.String(validate=one_of(EQUIPMENT)),
        load_default=None,
        metadata={
            "description": "What you own (repeat the parameter): only exercises that "
            "need nothing else are listed"
        },
    )
    difficulty = fields.Integer(validate=validate.Range(min=1, max=3), load_default=None)
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        load_default=None,
        metadata={"description": "Text search over name, summary and muscles"},
    )
    safe_for_me = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Patients: leave out exercises contraindicated by your "
            "conditions and health history (needs sign-in)"
        },
    )


class ExerciseDetailQuerySchema(Schema):
    safe_for_me = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Patients: the ladder skips steps your conditions and health "
            "history rule out (the next safe step, or none), and the answer says whether "
            "this exercise is ruled out for you (needs sign-in)"
        },
    )


class CauseSummarySchema(Schema):
    slug = fields.String()
    name = fields.String()
    description = fields.String()
    exercise_allowed = fields.Boolean()
    see_doctor_first = fields.String(allow_none=True)


class CauseDetailSchema(CauseSummarySchema):
    typical_symptoms = fields.List(fields.String())
    self_care = fields.List(fields.String())
    doctor_treatments = fields.List(fields.String())
    when_to_see_doctor = fields.List(fields.String())
    sources = fields.List(fields.String())
    exercises = fields.List(fields.Nested(ExerciseSummarySchema))


class LifestyleAdviceSchema(Schema):
    slug = fields.String()
    factor = fields.String()
    advice = fields.String()
    related_exercises = fields.List(fields.String())
    source = fields.String()
