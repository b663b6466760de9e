"""Offline-first sync: pull what changed since a cursor, push a batch of offline changes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, jsonify, request
from flask.views import MethodView

from api.accounts.models import Role
from api.blueprint import Blueprint, access_claims, current_user
from api.catalogue.cache import catalogue_version  # cached, as for the ETags
from api.database import get_session, state, without_checkout_ping
from api.sync import examples, service
from api.sync.schemas import PullQuerySchema, PullSchema, PushResultSchema, PushSchema

blp = Blueprint(
    "sync",
    __name__,
    url_prefix="/api/v1/sync",
    description="Offline-first sync for the app: incremental pulls with tombstones, and "
    "idempotent pushes applied by the same rules as the REST endpoints.",
)


PULLERS = (Role.patient, Role.therapist)


def _lone_cursor() -> str | None:
    """The cursor when the query string is one the pull's arguments certainly accept: one
    ``cursor`` (1 to 1000 characters) and at most one ``limit`` of digits from 1 to 1000."""
    cursor = None
    for name, values in request.args.lists():
        if len(values) != 1:
            return None
        value = values[0]
        if name == "cursor" and 0 < len(value) <= 1000:
            cursor = value
        elif name != "limit" or not (
            value.isascii() and value.isdigit() and 0 < int(value) <= 1000
        ):
            return None
    return cursor


def _up_to_date_in_one_statement(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answers the pull of a phone that is up to date (``service.pull_if_up_to_date``)
    before the caller is loaded; every other pull, and every error, takes ``view``."""
    roles = frozenset(str(role) for role in PULLERS)

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cursor = _lone_cursor()
        claims = access_claims() if cursor is not None else None
        if claims is None or not (claims["sub"].isascii() and claims["sub"].isdigit()):
            return view(*args, **kwargs)
        probe = {
            "user_id": int(claims["sub"]),
            "token_key": claims.get("key"),
            "role": claims.get("role"),
            "cursor": cursor,
            "roles": roles,
            "catalogue_version": catalogue_version(),
        }
        engine = state().engine
        if engine.dialect.name == "postgresql":
            # One statement, no transaction to begin or end, no ping on checkout: three
            # round trips fewer. A connection found dead gives no answer (the normal pull,
            # whose checkout reconnects, answers).
            found = without_checkout_ping(
                engine, lambda conn: service.pull_if_up_to_date(connection=conn, **probe)
            )
            if found is None:
                return view(*args, **kwargs)
        else:
            found = service.pull_if_up_to_date(connection=get_session().connection(), **probe)
        if found.answer is not None:
            return jsonify(found.answer)
        g.sync_changes_pending = found.changes_pending
        return view(*args, **kwargs)

    return wrapper


@blp.route("")
class Sync(MethodView):
    @blp.doc(operationId="pullChanges")
    @_up_to_date_in_one_statement
    @blp.login_required(*PULLERS)
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
        Patients pull their own records, their `reminders` (one record, the body of
        `getReminders`) and their `notifications` (the inbox); therapists pull `patients`
        (the summaries of `listPatients`) and `alerts` of their linked patients, and their
        own `notifications`; a patient whose link ends comes back deleted. A therapist's
        pull writes the access log as `listAlerts` does. Pull again with the answered
        `cursor` while `has_more` is true.
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
            changes_pending=g.get("sync_changes_pending", False),
        )
        session.commit()
        # The records are already their REST bodies (dumped once, by their own schemas):
        # PullSchema documents them and is not run over them a second time.
        return jsonify(body)

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
        row), `conflict` (profile fields, or reminder parts, changed on the server since
        `base_version`: the others are applied and `record` is the server's) or `rejected`
        (with the REST error body). A late check-in is triaged on arrival and its `record`
        carries the triage.
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
