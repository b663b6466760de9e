"""Progress: pain, adherence, alerts, pain notices and outcome scores over a date range."""

from __future__ import annotations

from flask.views import MethodView

from api import examples
from api.accounts.models import Role
from api.answers import memoised
from api.blueprint import Blueprint, current_user
from api.database import get_session
from api.policy import readable_patient
from api.progress import answers, service
from api.progress.schemas import ProgressQuerySchema, ProgressSchema

blp = Blueprint(
    "progress",
    __name__,
    url_prefix="/api/v1",
    description="Progress over time: pain, adherence, alerts and outcome measures.",
)


@blp.route("/me/progress")
class MyProgress(MethodView):
    @blp.doc(operationId="getMyProgress")
    @memoised("progress", Role.patient, expires=answers.notices_end)
    @blp.login_required(Role.patient)
    @blp.arguments(ProgressQuerySchema, location="query")
    @blp.response(200, ProgressSchema, example=examples.PROGRESS)
    def get(self, query):
        """Your progress (default: the last 90 days; at most 366).

        Pain series and change since baseline, adherence per ISO week and overall, the current
        streak, open alerts, recent pain notices and outcome scores with their change.
        """
        return service.progress(
            db_session=get_session(),
            patient=current_user(),
            date_from=query["from_"],
            date_to=query["to"],
        )


@blp.route("/patients/<int:patient_id>/progress")
class PatientProgress(MethodView):
    @blp.doc(operationId="getPatientProgress")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ProgressQuerySchema, location="query")
    @blp.response(200, ProgressSchema, example=examples.PROGRESS)
    @blp.not_found()
    def get(self, query, patient_id):
        """A linked patient's progress (patients: only your own id).

        The same report as `getMyProgress`, for a patient actively linked to you; the read is
        recorded in their access log.
        """
        session = get_session()
        patient = readable_patient(session, current_user(), patient_id, resource="progress")
        report = service.progress(
            db_session=session, patient=patient, date_from=query["from_"], date_to=query["to"]
        )
        session.commit()  # the access-log entry
        return report
