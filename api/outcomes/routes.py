"""Outcome measures: the Neck Disability Index and the Patient-Specific Functional Scale."""

from __future__ import annotations

from flask.views import MethodView

from api import examples
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
    @blp.doc(operationId="createOutcome")
    @blp.links_to("getOutcome", parameter="outcome_id")
    @blp.login_required(Role.patient)
    @blp.arguments(OutcomeCreateSchema, examples=examples.OUTCOME_CREATE_BY_INSTRUMENT)
    @blp.response(
        201,
        OutcomeSchema,
        description="Recorded and scored",
        examples=examples.OUTCOME_BY_INSTRUMENT,
    )
    def post(self, body):
        """Complete a questionnaire (NDI or PSFS); the answer carries its score.

        NDI (Neck Disability Index): ten items scored 0-5; up to 2 unanswered items are
        pro-rated, 3 or more are refused. PSFS (Patient-Specific Functional Scale): 3 to 5
        activities you name, each 0-10; the score is the mean. The answer carries the score, the
        band (NDI) and how to read a change. The NDI is validated for neck pain, not thoracic
        pain: for pain confined to the upper back prefer the PSFS (see `instrument` and
        `interpretation.scope`).
        """
        session = get_session()
        outcome = service.create(db_session=session, patient=current_user(), data=body)
        session.commit()
        return outcome

    @blp.doc(operationId="listOutcomes")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(OutcomeQuerySchema, location="query")
    @blp.response(
        200, OutcomeSchema(many=True), example=[examples.OUTCOME_PSFS, examples.OUTCOME_NDI]
    )
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    @blp.not_found()
    def get(self, query, pagination_parameters):
        """Scores, newest first: your own, or a linked patient's with patient_id.

        Filter by `instrument`. Therapists name a linked `patient_id`. Paginated
        (`X-Pagination`).
        """
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
    @blp.doc(operationId="getOutcome")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, OutcomeSchema, example=examples.OUTCOME_NDI)
    @blp.not_found()
    def get(self, outcome_id):
        """One questionnaire with its answers and score.

        Your own, or a linked patient's (the read is recorded in their access log).
        """
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
