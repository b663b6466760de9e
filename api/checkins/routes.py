"""Daily check-ins with immediate triage."""

from __future__ import annotations

from flask.views import MethodView

from api import examples
from api.accounts.models import Role
from api.blueprint import Blueprint, current_caller, current_user
from api.checkins import service
from api.checkins.models import CheckIn
from api.checkins.schemas import (
    CheckInCreateSchema,
    CheckInQuerySchema,
    CheckInSchema,
    CheckInUpdateSchema,
)
from api.database import get_session, one_statement_writes
from api.pagination import MAX_PAGE_SIZE, PAGE_SIZE, paginate
from api.policy import patient_in_scope, readable_record

blp = Blueprint(
    "check-ins",
    __name__,
    url_prefix="/api/v1/check-ins",
    description="The daily check-in. Each one is triaged at once against red-flag rules.",
)


@blp.route("")
class CheckIns(MethodView):
    @blp.doc(operationId="createCheckIn")
    @blp.links_to("getCheckIn", "updateCheckIn", parameter="check_in_id", statuses=(201, 200))
    @one_statement_writes
    @blp.login_required(Role.patient, vouch=True)
    @blp.arguments(CheckInCreateSchema(), example=examples.CHECK_IN_WITH_RED_FLAG)
    @blp.response(
        201, CheckInSchema, description="Recorded and triaged", example=examples.CHECK_IN_TRIAGED
    )
    @blp.alt_response(
        200,
        schema=CheckInSchema,
        description="Replay of a known client_id",
        example=examples.CHECK_IN_TRIAGED,
    )
    @blp.conflict("Already checked in on that date (Location: the existing check-in)")
    def post(self, body):
        """Record today's check-in (or one up to 90 days back) and triage it.

        The answer carries the triage for the app to show at once: the level (`emergency`,
        `urgent`, `soon` or `none`), what to do, every rule that fired and whether exercise is
        paused. An urgent or emergency level places an exercise hold, and every fired rule
        raises an alert for the therapist. One check-in per local date (a second one is a 409
        with `Location`); the same `client_id` again returns the original with 200.
        """
        session = get_session()
        check_in, created = service.create(
            db_session=session, patient=current_caller(), data=body, alone=True
        )
        session.commit()
        return check_in, 201 if created else 200

    @blp.doc(operationId="listCheckIns")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(CheckInQuerySchema, location="query")
    @blp.response(200, CheckInSchema(many=True), example=[examples.CHECK_IN_AMENDED])
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    @blp.not_found()
    def get(self, query, pagination_parameters):
        """Check-ins, newest first: your own, or a linked patient's with patient_id.

        Filter by local date with `from` and `to`. Therapists name a linked patient with
        `patient_id` (the read is recorded in the patient's access log). Paginated
        (`X-Pagination`).
        """
        session = get_session()
        patient_id = patient_in_scope(
            session, current_user(), query["patient_id"], resource="check-ins"
        )
        stmt = service.list_stmt(patient_id, query["from_"], query["to"])
        items = paginate(session, stmt, pagination_parameters).scalars().all()
        session.commit()  # the access-log entry
        return items


@blp.route("/<int:check_in_id>")
class CheckInItem(MethodView):
    @blp.doc(operationId="getCheckIn")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, CheckInSchema, example=examples.CHECK_IN_AMENDED)
    @blp.not_found()
    def get(self, check_in_id):
        """One check-in with its triage.

        Your own, or a linked patient's (the read is recorded in their access log).
        """
        session = get_session()
        check_in = readable_record(
            session, current_user(), CheckIn, check_in_id, resource="check-in", label="Check-in"
        )
        session.commit()
        return check_in

    @blp.doc(operationId="updateCheckIn")
    @blp.login_required(Role.patient)
    @blp.arguments(CheckInUpdateSchema, example=examples.CHECK_IN_UPDATE)
    @blp.response(200, CheckInSchema, example=examples.CHECK_IN_AMENDED)
    @blp.not_found()
    @blp.conflict("Only today's check-in can be amended")
    def patch(self, changes, check_in_id):
        """Amend today's check-in; it is triaged again.

        Send only the fields to change. Only the check-in of your current local date can be
        amended (409 otherwise); new red flags raise alerts as on creation.
        """
        session = get_session()
        check_in = service.update(
            db_session=session, patient=current_user(), check_in_id=check_in_id, changes=changes
        )
        session.commit()
        return check_in
