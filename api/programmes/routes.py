"""Programmes, programme templates and "today"."""

from __future__ import annotations

from flask.views import MethodView

from api import examples
from api.accounts.models import Role
from api.answers import memoised
from api.blueprint import Blueprint, current_user
from api.catalogue.cache import catalogue_version
from api.database import get_session
from api.pagination import MAX_PAGE_SIZE, PAGE_SIZE, paginate
from api.policy import patient_in_scope
from api.programmes import service
from api.programmes.schemas import (
    ProgrammeCreateSchema,
    ProgrammeQuerySchema,
    ProgrammeSchema,
    ProgrammeUpdateSchema,
    TemplateCreateSchema,
    TemplateSchema,
    TemplateUpdateSchema,
    TodayQuerySchema,
    TodaySchema,
    VersionSchema,
)

blp = Blueprint(
    "programmes",
    __name__,
    url_prefix="/api/v1",
    description="Programmes: exercises with a dose and weekly schedule, for one patient.",
)


@blp.route("/programme-templates")
class Templates(MethodView):
    @blp.doc(operationId="listProgrammeTemplates")
    @blp.login_required()
    @blp.response(200, TemplateSchema(many=True), example=[examples.TEMPLATE])
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, pagination_parameters):
        """Built-in templates, then (therapists) your own.

        Each template with its schedule, duration and items. Paginated (`X-Pagination`).
        """
        session = get_session()
        stmt = service.visible_templates_stmt(current_user())
        rows = paginate(session, stmt, pagination_parameters).scalars().all()
        return rows

    @blp.doc(operationId="createProgrammeTemplate")
    @blp.links_to(
        "getProgrammeTemplate",
        "updateProgrammeTemplate",
        "deleteProgrammeTemplate",
        parameter="slug",
        value="$response.body#/slug",
    )
    @blp.login_required(Role.therapist)
    @blp.arguments(TemplateCreateSchema, example=examples.TEMPLATE_CREATE)
    @blp.response(201, TemplateSchema, example=examples.TEMPLATE_CREATED)
    def post(self, body):
        """Save your own template.

        Therapists only. The slug is made from the name; start programmes from it with
        `createProgramme`.
        """
        session = get_session()
        template = service.create_template(db_session=session, therapist=current_user(), data=body)
        session.commit()
        return template


@blp.route("/programme-templates/<slug>")
class TemplateItem(MethodView):
    @blp.doc(operationId="getProgrammeTemplate")
    @blp.login_required()
    @blp.response(200, TemplateSchema, example=examples.TEMPLATE)
    @blp.not_found()
    def get(self, slug):
        """A built-in template or one of your own.

        Another therapist's template answers 404.
        """
        return service.get_template(get_session(), current_user(), slug)

    @blp.doc(operationId="updateProgrammeTemplate")
    @blp.login_required(Role.therapist)
    @blp.arguments(TemplateUpdateSchema, example=examples.TEMPLATE_UPDATE)
    @blp.response(200, TemplateSchema, example=examples.TEMPLATE_UPDATED)
    @blp.not_found()
    def patch(self, changes, slug):
        """Change one of your templates (built-in ones are read-only: 403).

        Send only the fields to change. Programmes already made from it are not changed.
        """
        session = get_session()
        template = service.update_template(
            db_session=session, therapist=current_user(), slug=slug, changes=changes
        )
        session.commit()
        return template

    @blp.doc(operationId="deleteProgrammeTemplate")
    @blp.login_required(Role.therapist)
    @blp.response(204)
    @blp.not_found()
    def delete(self, slug):
        """Delete one of your templates (programmes made from it are kept).

        Built-in templates cannot be deleted (403).
        """
        session = get_session()
        service.delete_template(db_session=session, therapist=current_user(), slug=slug)
        session.commit()


@blp.route("/programmes")
class Programmes(MethodView):
    @blp.doc(operationId="createProgramme")
    @blp.links_to(
        "getProgramme", "updateProgramme", "listProgrammeVersions", parameter="programme_id"
    )
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ProgrammeCreateSchema, example=examples.PROGRAMME_ASSIGNMENT)
    @blp.response(201, ProgrammeSchema, example=examples.PROGRAMME)
    @blp.not_found()
    def post(self, body):
        """Assign a programme (therapists) or start a template for yourself (patients).

        Therapists name a linked `patient_id` and may change items; patients start a template
        as it is. Missing dose fields come from each exercise's default dose. Exercises ruled out
        by the patient's conditions or health history are refused with a 422 that names safer
        alternatives, unless a therapist overrides with a reason.
        """
        session = get_session()
        programme = service.create(db_session=session, actor=current_user(), data=body)
        session.commit()
        return programme

    @blp.doc(operationId="listProgrammes")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ProgrammeQuerySchema, location="query")
    @blp.response(200, ProgrammeSchema(many=True), example=[examples.PROGRAMME_UPDATED])
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    @blp.not_found()
    def get(self, query, pagination_parameters):
        """Programmes, newest first: your own, or a linked patient's with patient_id.

        Filter by `status`. Therapists name a linked `patient_id`. Paginated (`X-Pagination`).
        """
        session = get_session()
        patient_id = patient_in_scope(
            session, current_user(), query["patient_id"], resource="programmes"
        )
        stmt = service.list_stmt(patient_id, query["status"])
        items = paginate(session, stmt, pagination_parameters).scalars().all()
        session.commit()
        return items


@blp.route("/programmes/<int:programme_id>")
class ProgrammeItem(MethodView):
    @blp.doc(operationId="getProgramme")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, ProgrammeSchema, example=examples.PROGRAMME_UPDATED)
    @blp.not_found()
    def get(self, programme_id):
        """A programme with its current version.

        Status, dates and the current version's items and schedule. Earlier versions:
        `listProgrammeVersions`.
        """
        session = get_session()
        programme = service.visible_programme(session, current_user(), programme_id)
        session.commit()
        return programme

    @blp.doc(operationId="updateProgramme")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ProgrammeUpdateSchema, example=examples.PROGRAMME_UPDATE)
    @blp.response(200, ProgrammeSchema, example=examples.PROGRAMME_UPDATED)
    @blp.not_found()
    @blp.conflict("Status change not allowed now (e.g. exercise hold)")
    def patch(self, changes, programme_id):
        """Change a programme. New items or days make a new version; old ones are kept.

        `items` replaces the whole list of items (send every item to keep); `items` or
        `days_of_week` make a new version, and sessions logged against older versions keep
        pointing at them. `status` pauses, resumes, completes or cancels it; a patient may pause
        and resume their own (not one their therapist paused) and cancel it. During an exercise
        hold it cannot be resumed (409).
        """
        session = get_session()
        programme = service.update(
            db_session=session, actor=current_user(), programme_id=programme_id, changes=changes
        )
        session.commit()
        return programme


@blp.route("/programmes/<int:programme_id>/versions")
class ProgrammeVersions(MethodView):
    @blp.doc(operationId="listProgrammeVersions")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, VersionSchema(many=True), example=examples.PROGRAMME_VERSIONS)
    @blp.not_found()
    def get(self, programme_id):
        """Every version of a programme, oldest first.

        Each version with its items, schedule, warnings and any overridden contraindications.
        """
        session = get_session()
        programme = service.visible_programme(session, current_user(), programme_id)
        session.commit()
        return programme.versions


@blp.route("/me/today")
class Today(MethodView):
    @blp.doc(operationId="getToday")
    @memoised("today", Role.patient, key=catalogue_version)  # the exercise names
    @blp.login_required(Role.patient)
    @blp.arguments(TodayQuerySchema, location="query")
    @blp.response(200, TodaySchema, example=examples.TODAY)
    def get(self, query):
        """What is due on your local date, how much is done, and any safety banner.

        The items due on that date (default: today in your time zone) across your active
        programmes, with their dose and how many times each was logged. While an exercise hold
        stands: a `safety_banner` and no items.
        """
        return service.today(db_session=get_session(), patient=current_user(), day=query["date"])
