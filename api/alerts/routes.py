"""Alerts: what triage raised, worked through by the therapist."""

from __future__ import annotations

from flask.views import MethodView

from api import examples
from api.accounts.models import Role
from api.alerts import answers, service
from api.alerts.models import Alert
from api.alerts.schemas import (
    AcknowledgeSchema,
    AlertEntrySchema,
    AlertQuerySchema,
    AlertSchema,
    ResolveSchema,
)
from api.answers import memoised
from api.blueprint import Blueprint, current_user
from api.database import get_session
from api.pagination import MAX_PAGE_SIZE, PAGE_SIZE, paginate
from api.policy import readable_record

blp = Blueprint(
    "alerts",
    __name__,
    url_prefix="/api/v1/alerts",
    description="Alerts raised by red-flag triage, most severe and oldest first.",
)


@blp.route("")
class Alerts(MethodView):
    @blp.doc(operationId="listAlerts")
    @blp.links_to(
        "getAlert",
        "acknowledgeAlert",
        "resolveAlert",
        parameter="alert_id",
        value="$response.body#/0/id",
        statuses=(200,),
    )
    @memoised(
        "alerts",
        Role.patient,
        Role.therapist,
        when=answers.kept_for,
        expires=answers.notices_end,
        reads=answers.patients_read,
        replay=answers.log_again,
        along=answers.log_along,
    )
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(AlertQuerySchema, location="query")
    @blp.response(200, AlertEntrySchema(many=True), example=[examples.ALERT])
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    @blp.not_found()
    def get(self, query, pagination_parameters):
        """Your alerts (patients) or your linked patients' alerts (therapists).

        Unresolved first, then most severe and oldest first. Filter by `status`, `level` and
        (therapists) `patient_id`, a linked patient (another patient's id answers 404).
        Paginated (`X-Pagination`). A therapist's list also carries a `link_ended` entry,
        first, for 30 days, when a patient with an open alert ended the care link: it has
        no health details. Each patient whose alerts a therapist reads is written to that
        patient's access log.
        """
        session, actor = get_session(), current_user()
        stmt = service.alerts_stmt(session, actor, **query)
        rows = paginate(session, stmt, pagination_parameters).all()
        entries = service.alert_entries(session, actor, rows, named_patient=query["patient_id"])
        session.commit()
        return entries


@blp.route("/<int:alert_id>")
class AlertItem(MethodView):
    @blp.doc(operationId="getAlert")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, AlertSchema, example=examples.ALERT)
    @blp.not_found()
    def get(self, alert_id):
        """One alert with its evidence and history.

        The rule that fired, the answers that fired it (each check-in that did), and every
        change with who and when.
        """
        session = get_session()
        alert = readable_record(
            session, current_user(), Alert, alert_id, resource="alert", label="Alert"
        )
        session.commit()
        return alert


@blp.route("/<int:alert_id>/acknowledge")
class AcknowledgeAlert(MethodView):
    @blp.doc(operationId="acknowledgeAlert")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(AcknowledgeSchema, example=examples.ACKNOWLEDGE)
    @blp.response(200, AlertSchema, example=examples.ALERT_ACKNOWLEDGED)
    @blp.not_found()
    @blp.conflict("Already resolved, or managed by the patient's therapist")
    def post(self, body, alert_id):
        """Acknowledge an alert: you have seen it and are acting on it.

        By a linked therapist, or by a self-guided patient (no active therapist link). An
        optional note is kept in the history.
        """
        session = get_session()
        alert = service.acknowledge(
            db_session=session, actor=current_user(), alert_id=alert_id, note=body["note"]
        )
        session.commit()
        return alert


@blp.route("/<int:alert_id>/resolve")
class ResolveAlert(MethodView):
    @blp.doc(operationId="resolveAlert")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ResolveSchema, example=examples.RESOLVE)
    @blp.response(200, AlertSchema, example=examples.ALERT_RESOLVED)
    @blp.not_found()
    @blp.conflict("Already resolved, or managed by the patient's therapist")
    def post(self, body, alert_id):
        """Resolve an alert after assessment. The last urgent one lifts the exercise hold.

        Send the outcome and a note. A self-guided patient must also confirm
        `assessed_by_clinician: true`. Resolving the last open urgent or emergency alert lifts
        the exercise hold and resumes the programmes it paused. Resolving twice is a 409.
        """
        session = get_session()
        alert = service.resolve(db_session=session, actor=current_user(), alert_id=alert_id, **body)
        session.commit()
        return alert
