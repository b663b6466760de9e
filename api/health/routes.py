"""Liveness and readiness probes (no sign-in)."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields
from sqlalchemy import text

from api import examples
from api.blueprint import Blueprint
from api.database import state
from api.errors import ServiceUnavailable
from api.migrate import current_revisions, head_revisions
from api.schemas import ResponseSchema

blp = Blueprint("health", __name__, description="Liveness and readiness probes.")


class HealthSchema(ResponseSchema):
    status = fields.String(metadata={"description": "`ok` when the check passes."})
    database = fields.String(
        metadata={"optional": True, "description": "GET /ready only: `ok`, or why it is not ready."}
    )


@blp.route("/health")
class Health(MethodView):
    @blp.doc(operationId="getHealth")
    @blp.public()
    @blp.response(200, HealthSchema, example=examples.HEALTH)
    def get(self):
        """The process is alive (does not touch the database).

        The liveness probe: 200 while the process can answer. It reads nothing, so it stays 200
        when the database is down. No sign-in.
        """
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.doc(operationId="getReadiness")
    @blp.public()
    @blp.response(200, HealthSchema, example=examples.READY)
    @blp.alt_response(503, response="DEFAULT_ERROR", description="Database down or not migrated")
    def get(self):
        """The database is reachable and migrated to the latest revision.

        The readiness probe: 200 when the database answers and is migrated to the latest
        revision; otherwise 503 with `Retry-After`, and the message says which. No sign-in.
        """
        engine = state().engine
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            at = current_revisions(engine)
        except Exception as error:  # any database failure means "not ready"
            raise ServiceUnavailable("The database is not reachable.") from error
        if at != head_revisions():
            raise ServiceUnavailable("The database is not migrated to the latest revision.")
        return {"status": "ok", "database": "ok"}
