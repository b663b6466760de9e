"""Programme and template bodies, with the dose bounds."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.programmes.models import STATUSES
from api.validation import id_field, one_of, unique_items
from exercises.vocabulary import CAUSE_SLUGS, DAYS_OF_WEEK

SIDES = ("left", "right", "both", "alternate")

_days = fields.List(
    fields.String(validate=one_of(DAYS_OF_WEEK)),
    validate=[validate.Length(min=1, max=7), unique_items],
    metadata={"description": "mon, tue, wed, thu, fri, sat, sun"},
)


def _bounded(low: int, high: int, description: str) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=low, max=high),
        metadata={"description": f"{description} ({low}-{high})"},
    )


class ItemSchema(Schema):
    exercise = fields.String(required=True, validate=validate.Length(min=1, max=80))
    sets = _bounded(1, 10, "Sets")
    reps = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Repetitions (1-100)"},
    )
    hold_seconds = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=300),
        metadata={"description": "Hold in seconds (1-300)"},
    )
    rest_seconds = _bounded(0, 600, "Rest between sets, seconds")
    times_per_day = _bounded(1, 10, "Times a day")
    days_of_week = fields.List(
        fields.String(validate=one_of(DAYS_OF_WEEK)),
        validate=[validate.Length(min=1, max=7), unique_items],
        metadata={"description": "Override the programme's days for this item"},
    )
    load = fields.String(
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "e.g. 'light band', '2 kg'"},
    )
    side = fields.String(allow_none=True, validate=one_of(SIDES))
    notes = fields.String(allow_none=True, validate=validate.Length(max=500))


class OverrideMixin(Schema):
    override_contraindications = fields.Boolean(
        metadata={"description": "Therapists: assign despite a contraindication (give a reason)"},
    )
    override_reason = fields.String(allow_none=True, validate=validate.Length(max=1000))


class ProgrammeCreateSchema(OverrideMixin):
    patient_id = id_field(metadata={"description": "Therapists: the linked patient"})
    template = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "A template slug to start from"},
    )
    title = fields.String(validate=validate.Length(min=1, max=120))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True)
    days_of_week = _days
    items = fields.List(fields.Nested(ItemSchema), validate=validate.Length(min=1, max=30))


class ProgrammeUpdateSchema(OverrideMixin):
    title = fields.String(validate=validate.Length(min=1, max=120))
    ends_on = fields.Date(allow_none=True)
    status = fields.String(validate=one_of(STATUSES))
    days_of_week = _days
    items = fields.List(fields.Nested(ItemSchema), validate=validate.Length(min=1, max=30))

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Send at least one field to change.")


class ItemOutSchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    exercise = fields.String(attribute="exercise_slug")
    sets = fields.Integer()
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    rest_seconds = fields.Integer()
    times_per_day = fields.Integer()
    days_of_week = fields.List(fields.String())
    load = fields.String(allow_none=True)
    side = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


class WarningSchema(Schema):
    exercise = fields.String()
    code = fields.String(allow_none=True)
    text = fields.String()


class VersionSchema(Schema):
    number = fields.Integer()
    days_of_week = fields.List(fields.String())
    items = fields.List(fields.Nested(ItemOutSchema))
    warnings = fields.List(
        fields.Nested(WarningSchema),
        metadata={"description": "Precautions that apply to this patient"},
    )
    overridden = fields.List(
        fields.Dict(), metadata={"description": "Contraindications overridden"}
    )
    override_reason = fields.String(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ProgrammeSchema(Schema):
    id = fields.Integer()
    patient_id = id_field()
    created_by_id = fields.Integer(allow_none=True)
    template = fields.String(attribute="template_slug", allow_none=True)
    title = fields.String()
    status = fields.String()
    paused_by = fields.String(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    current_version = fields.Integer()
    version = fields.Method("_current", metadata={"description": "The current version"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _current(self, programme):
        from api.programmes.service import current

        return VersionSchema().dump(current(programme))


class ProgrammeQuerySchema(Schema):
    patient_id = id_field(load_default=None)
    status = fields.String(load_default=None, validate=one_of(STATUSES))


class TemplateItemSchema(Schema):
    exercise = fields.String()
    sets = fields.Integer()
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    rest_seconds = fields.Integer()
    times_per_day = fields.Integer()
    days_of_week = fields.List(fields.String(), allow_none=True)
    notes = fields.String(allow_none=True)


class TemplateSchema(Schema):
    slug = fields.String()
    name = fields.String()
    summary = fields.String()
    causes = fields.List(fields.String())
    duration_weeks = fields.Integer()
    days_of_week = fields.List(fields.String())
    items = fields.List(fields.Nested(TemplateItemSchema))
    source = fields.String()
    built_in = fields.Boolean()
    owner_id = fields.Integer(allow_none=True)


class TemplateCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    summary = fields.String(validate=validate.Length(max=500))
    causes = fields.List(fields.String(validate=one_of(CAUSE_SLUGS)), validate=unique_items)
    duration_weeks = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=52)
    )
    days_of_week = fields.List(
        fields.String(validate=one_of(DAYS_OF_WEEK)),
        required=True,
        validate=[validate.Length(min=1, max=7), unique_items],
    )
    items = fields.List(
        fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1, max=30)
    )


class TemplateUpdateSchema(TemplateCreateSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    duration_weeks = fields.Integer(strict=True, validate=validate.Range(min=1, max=52))
    days_of_week = fields.List(
        fields.String(validate=one_of(DAYS_OF_WEEK)),
        validate=[validate.Length(min=1, max=7), unique_items],
    )
    items = fields.List(fields.Nested(ItemSchema), validate=validate.Length(min=1, max=30))


class TodayItemSchema(Schema):
    programme_id = fields.Integer()
    programme_title = fields.String()
    programme_item_id = fields.Integer()
    exercise = fields.String()
    exercise_name = fields.String()
    sets = fields.Integer()
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    rest_seconds = fields.Integer()
    times_per_day = fields.Integer()
    load = fields.String(allow_none=True)
    side = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    sessions_done = fields.Integer(metadata={"description": "Sessions logged for it that day"})
    done = fields.Boolean()


class SafetyBannerSchema(Schema):
    level = fields.String()
    headline = fields.String()
    what_to_do = fields.String()
    since = fields.DateTime()


class TodaySchema(Schema):
    date = fields.Date()
    safety_banner = fields.Nested(SafetyBannerSchema, allow_none=True)
    items = fields.List(fields.Nested(TodayItemSchema))


class TodayQuerySchema(Schema):
    date = fields.Date(load_default=None, metadata={"description": "Default: your local today"})
