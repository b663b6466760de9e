"""Outcome measures: the Neck Disability Index and the Patient-Specific Functional Scale."""

from __future__ import annotations

from flask.views import MethodView

from api.accounts.models import Role
from api.blueprint import Blueprint, current_user
from api.database import get_session
from api.outcomes import service
from api.outcomes.models import OutcomeScore
from api.outcomes.schemas import OutcomeCreateSchema, OutcomeQuerySchema, OutcomeSchema
from api.pagination import MAX_PAGE_SIZE, PAGE_SIZE, paginate
from api.policy import patient_in_scope, readable_record

blp = Blueprint(
    "outcomes",
    __name__,
    url_prefix="/api/v1/outcomes",
    description="Outcome measures (NDI, PSFS), scored when you send them.",
)


@blp.route("")
class Outcomes(MethodView):
    @blp.login_required(Role.patient)
    @blp.arguments(OutcomeCreateSchema)
    @blp.response(201, OutcomeSchema, description="Recorded and scored")
    def post(self, body):
        """Complete a questionnaire (NDI or PSFS); the answer carries its score.

        The NDI is validated for neck pain, not thoracic pain: for pain confined to the
        upper back prefer the PSFS (see `instrument` and `interpretation.scope`).
        """
        session = get_session()
        outcome = service.create(db_session=session, patient=current_user(), data=body)
        session.commit()
        return outcome

    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(OutcomeQuerySchema, location="query")
    @blp.response(200, OutcomeSchema(many=True))
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    @blp.not_found()
    def get(self, query, pagination_parameters):
        """Scores, newest first: your own, or a linked patient's with patient_id."""
        session = get_session()
        patient_id = patient_in_scope(
            session, current_user(), query["patient_id"], resource="outcomes"
        )
        stmt = service.list_stmt(patient_id, query["instrument"])
        items = paginate(session, stmt, pagination_parameters).scalars().all()
        session.commit()
        return items


@blp.route("/<int:outcome_id>")
class OutcomeItem(MethodView):
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, OutcomeSchema)
    @blp.not_found()
    def get(self, outcome_id):
        """One questionnaire with its answers and score."""
        session = get_session()
        outcome = readable_record(
            session,
            current_user(),
            OutcomeScore,
            outcome_id,
            resource="outcome",
            label="Outcome score",
        )
        session.commit()
        return outcome
