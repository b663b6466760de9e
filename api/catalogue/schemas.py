"""Catalogue bodies and filters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas import ResponseSchema, cause, code, contraindication
from exercises.vocabulary import (
    CATEGORIES,
    DIFFICULTY_RANGE,
    EQUIPMENT,
    EVIDENCE_LEVELS,
    MEDIA_TYPES,
    MOVEMENT_FLAGS,
    MUSCLES,
    REGIONS,
)


def category(**kwargs) -> fields.String:
    return code("ExerciseCategory", CATEGORIES, **kwargs)


def region(**kwargs) -> fields.String:
    return code("BodyRegion", REGIONS, **kwargs)


def equipment(**kwargs) -> fields.String:
    return code("Equipment", EQUIPMENT, **kwargs)


def difficulty(**kwargs) -> fields.Integer:
    low, high = DIFFICULTY_RANGE
    metadata = {"minimum": low, "maximum": high, "description": "1 (easiest) to 3"}
    return fields.Integer(metadata=metadata, **kwargs)


class DoseSchema(ResponseSchema):
    sets = fields.Integer()
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    rest_seconds = fields.Integer()
    times_per_day = fields.Integer()
    days_per_week = fields.Integer()


class PrecautionSchema(ResponseSchema):
    code = contraindication(allow_none=True)
    text = fields.String()


class CauseLinkSchema(ResponseSchema):
    cause = cause()
    name = fields.String()
    why = fields.String()


class ExerciseSummarySchema(ResponseSchema):
    slug = fields.String()
    name = fields.String()
    summary = fields.String()
    category = category()
    region = region()
    difficulty = difficulty()
    equipment = fields.List(equipment())
    target_muscles = fields.List(code("Muscle", MUSCLES))
    dose = fields.Nested(DoseSchema)
    causes = fields.List(cause(), metadata={"description": "Cause slugs"})
    contraindications = fields.List(contraindication())
    precautions_for_me = fields.List(
        fields.Nested(PrecautionSchema),
        metadata={
            "optional": True,
            "description": "Only with safe_for_me=true: the precautions that apply to you",
        },
    )


class LadderStepSchema(ResponseSchema):
    slug = fields.String()
    name = fields.String()
    difficulty = difficulty()


class EvidenceSchema(ResponseSchema):
    level = code("EvidenceLevel", EVIDENCE_LEVELS)
    source = fields.String()


class MediaSchema(ResponseSchema):
    type = code("MediaType", MEDIA_TYPES)
    url = fields.String()
    licence = fields.String(allow_none=True)
    author = fields.String(allow_none=True)


class ExerciseDetailSchema(ExerciseSummarySchema):
    steps = fields.List(fields.String())
    cues = fields.List(fields.String())
    common_mistakes = fields.List(fields.String())
    causes = fields.List(fields.Nested(CauseLinkSchema))
    precautions = fields.List(fields.Nested(PrecautionSchema))
    movement_flags = fields.List(code("MovementFlag", MOVEMENT_FLAGS))
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
        contraindication(),
        metadata={
            "optional": True,
            "description": "Only with safe_for_me=true: your codes that rule this exercise "
            "out (empty when it is open to you)",
        },
    )


class ExerciseQuerySchema(Schema):
    cause = cause(load_default=None)
    category = category(load_default=None)
    region = region(load_default=None)
    equipment = fields.List(
        equipment(),
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


class CauseSummarySchema(ResponseSchema):
    slug = cause()
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


class LifestyleAdviceSchema(ResponseSchema):
    slug = fields.String()
    factor = fields.String()
    advice = fields.String()
    related_exercises = fields.List(fields.String())
    source = fields.String()
