"""Offline-first sync: pull what changed since a cursor, push a batch of offline changes."""

from __future__ import annotations

from flask.views import MethodView

from api.accounts.models import Role
from api.blueprint import Blueprint, current_user
from api.catalogue.cache import catalogue_version  # cached, as for the ETags
from api.database import get_session
from api.sync import examples, service
from api.sync.schemas import PullQuerySchema, PullSchema, PushResultSchema, PushSchema

blp = Blueprint(
    "sync",
    __name__,
    url_prefix="/api/v1/sync",
    description="Offline-first sync for the app: incremental pulls with tombstones, and "
    "idempotent pushes applied by the same rules as the REST endpoints.",
)


@blp.route("")
class Sync(MethodView):
    @blp.doc(operationId="pullChanges")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(PullQuerySchema, location="query")
    @blp.response(200, PullSchema, example=examples.PULL)
    @blp.alt_response(
        410,
        response="DEFAULT_ERROR",
        description="The cursor is older than the change log: pull without it for a snapshot",
        example=examples.CURSOR_EXPIRED,
    )
    def get(self, query):
        """Pull what changed since `cursor` (or a full snapshot without one).

        `changes` holds, per collection, the records created or changed (each the body of its
        REST item answer plus `version` and `updated_at`) and the ids of the records deleted.
        Patients pull their own records; therapists pull `patients` (the summaries of
        `listPatients`) and `alerts` of their linked patients, and a patient whose link ends
        comes back deleted. Pull again with the answered `cursor` while `has_more` is true.
        Every change committed after a pull is in a later pull (a change may come twice, never
        skipped). A cursor older than `SYNC_TOMBSTONE_DAYS` answers 410: take a fresh
        snapshot.
        """
        session = get_session()
        body = service.pull(
            db_session=session,
            user=current_user(),
            cursor=query.get("cursor"),
            limit=query["limit"],
            catalogue_version=catalogue_version(),
        )
        session.commit()
        return body

    @blp.doc(operationId="pushChanges")
    @blp.login_required(Role.patient)
    @blp.arguments(PushSchema, example=examples.PUSH)
    @blp.response(200, PushResultSchema, example=examples.PUSH_RESULT)
    @blp.alt_response(
        410,
        response="DEFAULT_ERROR",
        description="The cursor sent is older than the change log",
        example=examples.CURSOR_EXPIRED,
    )
    def post(self, body):
        """Push up to 100 offline changes in one call, applied in order.

        Each mutation runs in its own savepoint through the same rules as its REST endpoint and
        answers `applied`, `replayed` (its `id` was pushed before: the stored result, no new
        row), `conflict` (profile fields changed on the server since `base_version`: the other
        fields are applied and `record` is the server's) or `rejected` (with the REST error
        body). A late check-in is triaged on arrival and its `record` carries the triage.
        """
        session = get_session()
        result = service.push(
            db_session=session,
            user=current_user(),
            mutations=body["mutations"],
            cursor=body.get("cursor"),
        )
        session.commit()
        return result
