"""Exercise sessions: log what you did and get pain-guided advice."""

from __future__ import annotations

from flask.views import MethodView

from api import examples
from api.accounts.models import Role
from api.blueprint import Blueprint, current_caller, current_user
from api.database import get_session, one_statement_writes
from api.pagination import MAX_PAGE_SIZE, PAGE_SIZE, paginate
from api.policy import patient_in_scope, readable_record
from api.sessions import service
from api.sessions.models import ExerciseSession
from api.sessions.schemas import SessionCreateSchema, SessionQuerySchema, SessionSchema

blp = Blueprint(
    "sessions",
    __name__,
    url_prefix="/api/v1/sessions",
    description="Exercise sessions: what was done, how it felt, and pain-guided advice.",
)


@blp.route("")
class Sessions(MethodView):
    @blp.doc(operationId="createSession")
    @blp.links_to("getSession", "deleteSession", parameter="session_id", statuses=(201, 200))
    @one_statement_writes
    @blp.login_required(Role.patient, vouch=True)
    @blp.arguments(SessionCreateSchema(), example=examples.SESSION_CREATE)
    @blp.response(
        201,
        SessionSchema,
        description="Logged, with any pain-guided advice",
        example=examples.SESSION,
    )
    @blp.alt_response(
        200,
        schema=SessionSchema,
        description="Replay of a known client_id",
        example=examples.SESSION,
    )
    @blp.not_found()
    def post(self, body):
        """Log an exercise session (up to 7 days late) and get pain-guided advice.

        Name the `programme_item` of each entry so that `getToday` counts it as done. Pain
        during an exercise above 5/10, or a worse next-day pain, brings advice (a regression or a
        lower dose); easy sessions over two weeks suggest a progression. The same `client_id`
        again returns the original with 200.
        """
        session = get_session()
        exercise_session, created = service.create(
            db_session=session, patient=current_caller(), data=body, alone=True
        )
        session.commit()
        return exercise_session, 201 if created else 200

    @blp.doc(operationId="listSessions")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(SessionQuerySchema, location="query")
    @blp.response(200, SessionSchema(many=True), example=[examples.SESSION])
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    @blp.not_found()
    def get(self, query, pagination_parameters):
        """Sessions, newest first: your own, or a linked patient's with patient_id.

        Filter by date with `from` and `to`. Therapists name a linked `patient_id`.
        Paginated (`X-Pagination`).
        """
        session = get_session()
        patient_id = patient_in_scope(
            session, current_user(), query["patient_id"], resource="sessions"
        )
        stmt = service.list_stmt(patient_id, query["from_"], query["to"])
        items = paginate(session, stmt, pagination_parameters).scalars().all()
        session.commit()  # the access-log entry
        return items


@blp.route("/<int:session_id>")
class SessionItem(MethodView):
    @blp.doc(operationId="getSession")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, SessionSchema, example=examples.SESSION)
    @blp.not_found()
    def get(self, session_id):
        """One session with its entries and advice.

        Your own, or a linked patient's (the read is recorded in their access log).
        """
        session = get_session()
        exercise_session = readable_record(
            session,
            current_user(),
            ExerciseSession,
            session_id,
            resource="session",
            label="Session",
        )
        session.commit()
        return exercise_session

    @blp.doc(operationId="deleteSession")
    @blp.login_required(Role.patient)
    @blp.response(204)
    @blp.not_found()
    @blp.conflict("Logged more than 24 hours ago")
    def delete(self, session_id):
        """Delete a session you logged in the last 24 hours.

        Later than 24 hours after logging it is kept (409).
        """
        session = get_session()
        service.delete(db_session=session, patient=current_user(), session_id=session_id)
        session.commit()
