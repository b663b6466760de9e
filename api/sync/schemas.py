"""Wire format of pull and push. Records are the REST item bodies (see each domain's schemas)
plus ``version`` and ``updated_at``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas import code
from api.sync.service import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_MUTATIONS,
    MUTATION_TYPES,
    RESULT_STATUSES,
)

_CURSOR = {
    "description": "Opaque: send back what the last pull (or push) answered. Without it the "
    "answer is a full snapshot, paged with `has_more`."
}


#: A record whose shape is that of its collection's REST item answer (named in the
#: description): an object whose members that schema types.
ANY_RECORD = {"additionalProperties": True}


class PullQuerySchema(Schema):
    cursor = fields.String(validate=validate.Length(min=1, max=1000), metadata=_CURSOR)
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        strict=False,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": "Records (upserted and deleted) per page"},
    )


class CollectionChangesSchema(Schema):
    upserted = fields.List(
        fields.Dict(metadata=ANY_RECORD),
        required=True,
        metadata={
            "description": "Records created or changed: each the body of the collection's REST "
            "item answer, plus `version` (grows with every change) and `updated_at`"
        },
    )
    deleted = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "Ids of records deleted or no longer visible to you"},
    )


class ChangesSchema(Schema):
    """Patients pull the first seven collections, therapists ``patients`` and ``alerts``."""

    profile = fields.Nested(CollectionChangesSchema, metadata={"description": "Patients"})
    care_links = fields.Nested(CollectionChangesSchema, metadata={"description": "Patients"})
    programmes = fields.Nested(CollectionChangesSchema, metadata={"description": "Patients"})
    check_ins = fields.Nested(CollectionChangesSchema, metadata={"description": "Patients"})
    sessions = fields.Nested(CollectionChangesSchema, metadata={"description": "Patients"})
    outcomes = fields.Nested(CollectionChangesSchema, metadata={"description": "Patients"})
    alerts = fields.Nested(
        CollectionChangesSchema,
        required=True,
        metadata={"description": "A patient's own alerts, or a therapist's linked patients'"},
    )
    patients = fields.Nested(
        CollectionChangesSchema,
        metadata={
            "description": "Therapists: the summaries of listPatients; a patient whose link "
            "ended is deleted (with their alerts)"
        },
    )


class PullSchema(Schema):
    cursor = fields.String(
        required=True, metadata={"description": "Send it with the next pull (opaque)"}
    )
    has_more = fields.Boolean(
        required=True, metadata={"description": "Pull again at once with the new cursor"}
    )
    catalogue_version = fields.String(
        required=True,
        metadata={"description": "Changes when the exercise catalogue does: refresh its cache"},
    )
    changes = fields.Nested(ChangesSchema, required=True)


class MutationSchema(Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9._:-]{8,64}$"),
        metadata={"description": "Idempotency key chosen by the app: the same id replays"},
    )
    type = code("MutationType", MUTATION_TYPES, required=True)
    data = fields.Dict(
        required=True,
        metadata={
            **ANY_RECORD,
            "description": "The REST request body of the operation; `id` names the record "
            "for updates, deletes, pause and resume",
        },
    )
    base_version = fields.Integer(
        strict=True,
        validate=validate.Range(min=0),
        metadata={"description": "profile.update: the version the change was made on"},
    )


class PushSchema(Schema):
    mutations = fields.List(
        fields.Nested(MutationSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_MUTATIONS),
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "Your last pull cursor, answered back (checked)"},
    )


class ErrorBodySchema(Schema):
    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(metadata=ANY_RECORD)


class MutationResultSchema(Schema):
    id = fields.String(required=True)
    status = code("MutationResultStatus", RESULT_STATUSES, required=True)
    record = fields.Dict(
        metadata={
            **ANY_RECORD,
            "description": "The record after the mutation, as a pull would give it",
        }
    )
    conflicts = fields.List(
        fields.String(),
        metadata={"description": "profile.update: fields changed on the server since"},
    )
    error = fields.Nested(
        ErrorBodySchema, metadata={"description": "rejected: the REST endpoint's error body"}
    )


class PushResultSchema(Schema):
    results = fields.List(fields.Nested(MutationResultSchema), required=True)
    cursor = fields.String(
        required=True,
        metadata={
            "description": "The cursor you sent or, without one, a cursor just before this "
            "push: the next pull from it carries the pushed records"
        },
    )
