"""Progress reports: one page a therapist can read in a minute, as PDF or HTML."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from werkzeug.exceptions import NotAcceptable

from api.accounts.models import Role, User
from api.blueprint import Blueprint, current_user
from api.database import get_session
from api.policy import readable_patient
from api.reports import service
from api.reports.schemas import ReportQuerySchema

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="Progress reports as PDF or self-contained HTML, for the clinic record.",
)

PDF, HTML = "application/pdf", "text/html"
#: The report page may use its inline styles and nothing else.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
RESPONSES = {
    200: {
        "description": "The report: a PDF (`Accept: application/pdf`, also for `*/*` or no "
        "Accept header) or a self-contained HTML page with inline SVG charts "
        "(`Accept: text/html`)",
        "content": {
            PDF: {"schema": {"type": "string", "format": "binary"}},
            HTML: {"schema": {"type": "string"}},
        },
    }
}


def _media_type() -> str:
    """PDF or HTML, as the Accept header prefers; anything else is a 406."""
    if not request.headers.get("Accept"):
        return PDF
    best = request.accept_mimetypes.best_match([PDF, HTML])
    if best is None:
        raise NotAcceptable("This report is available as application/pdf or text/html only.")
    return best


def _answer(patient: User, query: dict, media_type: str) -> Response:
    # The renderers (reportlab, about 15 MB per process) load with the first report, so
    # a server process that never renders one does not carry them.
    from api.reports import content, html, pdf

    data = service.report(
        db_session=get_session(), patient=patient, date_from=query["from_"], date_to=query["to"]
    )
    document = content.build(data)
    name = f"upright-report-{patient.id}-{data['from'].isoformat()}-{data['to'].isoformat()}"
    if media_type == PDF:
        response = Response(pdf.render(document), mimetype=PDF)
        response.headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    else:
        response = Response(html.render(document), mimetype=HTML)
        response.headers["Content-Security-Policy"] = REPORT_CSP
    response.vary.add("Accept")
    return response


@blp.route("/me/report")
class MyReport(MethodView):
    @blp.doc(operationId="getMyReport", responses=RESPONSES)
    @blp.login_required(Role.patient)
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.alt_response(406, response="DEFAULT_ERROR", description="Neither PDF nor HTML accepted")
    def get(self, query):
        """Your progress report, as PDF or HTML (default: the last 90 days; at most 366).

        Header, pain, adherence, outcomes, red flags, programme and monitoring days, with
        charts; every figure as `getMyProgress` gives it for the same range. Choose the format
        with `Accept`: `application/pdf` (the default) or `text/html`; anything else answers
        406.
        """
        media_type = _media_type()
        return _answer(current_user(), query, media_type)


@blp.route("/patients/<int:patient_id>/report")
class PatientReport(MethodView):
    @blp.doc(operationId="getPatientReport", responses=RESPONSES)
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.alt_response(406, response="DEFAULT_ERROR", description="Neither PDF nor HTML accepted")
    @blp.not_found()
    def get(self, query, patient_id):
        """A linked patient's progress report, as PDF or HTML (patients: only your own id).

        The same report as `getMyReport`, for a patient actively linked to you; the read is
        recorded in their access log. `Accept: application/pdf` (the default) or `text/html`;
        anything else answers 406.
        """
        media_type = _media_type()
        session = get_session()
        patient = readable_patient(session, current_user(), patient_id, resource="report")
        response = _answer(patient, query, media_type)
        session.commit()  # the access-log entry
        return response
