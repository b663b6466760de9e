"""Programmes, programme templates and "today"."""

from __future__ import annotations

from flask.views import MethodView

from api.accounts.models import Role
from api.blueprint import Blueprint, current_user
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


def _done_counts(session, patient, day, item_ids):
    from api.sessions.service import done_counts

    return done_counts(session, patient, day, item_ids)


@blp.route("/programme-templates")
class Templates(MethodView):
    @blp.login_required()
    @blp.response(200, TemplateSchema(many=True))
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, pagination_parameters):
        """Built-in templates, then (therapists) your own."""
        session = get_session()
        stmt = service.visible_templates_stmt(current_user())
        rows = paginate(session, stmt, pagination_parameters).scalars().all()
        return [service.template_dict(t) for t in rows]

    @blp.login_required(Role.therapist)
    @blp.arguments(TemplateCreateSchema)
    @blp.response(201, TemplateSchema)
    def post(self, body):
        """Save your own template."""
        session = get_session()
        template = service.create_template(db_session=session, therapist=current_user(), data=body)
        session.commit()
        return service.template_dict(template)


@blp.route("/programme-templates/<slug>")
class TemplateItem(MethodView):
    @blp.login_required()
    @blp.response(200, TemplateSchema)
    @blp.not_found()
    def get(self, slug):
        """A built-in template or one of your own."""
        return service.template_dict(service.get_template(get_session(), current_user(), slug))

    @blp.login_required(Role.therapist)
    @blp.arguments(TemplateUpdateSchema)
    @blp.response(200, TemplateSchema)
    @blp.not_found()
    def patch(self, changes, slug):
        """Change one of your templates (built-in ones are read-only: 403)."""
        session = get_session()
        template = service.update_template(
            db_session=session, therapist=current_user(), slug=slug, changes=changes
        )
        session.commit()
        return service.template_dict(template)

    @blp.login_required(Role.therapist)
    @blp.response(204)
    @blp.not_found()
    def delete(self, slug):
        """Delete one of your templates (programmes made from it are kept)."""
        session = get_session()
        service.delete_template(db_session=session, therapist=current_user(), slug=slug)
        session.commit()


@blp.route("/programmes")
class Programmes(MethodView):
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ProgrammeCreateSchema)
    @blp.response(201, ProgrammeSchema)
    @blp.not_found()
    def post(self, body):
        """Assign a programme (therapists) or start a template for yourself (patients)."""
        session = get_session()
        programme = service.create(db_session=session, actor=current_user(), data=body)
        session.commit()
        return programme

    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ProgrammeQuerySchema, location="query")
    @blp.response(200, ProgrammeSchema(many=True))
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    @blp.not_found()
    def get(self, query, pagination_parameters):
        """Programmes, newest first: your own, or a linked patient's with patient_id."""
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
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, ProgrammeSchema)
    @blp.not_found()
    def get(self, programme_id):
        """A programme with its current version."""
        session = get_session()
        programme = service.visible_programme(session, current_user(), programme_id)
        session.commit()
        return programme

    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(ProgrammeUpdateSchema)
    @blp.response(200, ProgrammeSchema)
    @blp.not_found()
    @blp.conflict("Status change not allowed now (e.g. exercise hold)")
    def patch(self, changes, programme_id):
        """Change a programme. New items or days make a new version; old ones are kept."""
        session = get_session()
        programme = service.update(
            db_session=session, actor=current_user(), programme_id=programme_id, changes=changes
        )
        session.commit()
        return programme


@blp.route("/programmes/<int:programme_id>/versions")
class ProgrammeVersions(MethodView):
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, VersionSchema(many=True))
    @blp.not_found()
    def get(self, programme_id):
        """Every version of a programme, oldest first."""
        session = get_session()
        programme = service.visible_programme(session, current_user(), programme_id)
        session.commit()
        return programme.versions


@blp.route("/me/today")
class Today(MethodView):
    @blp.login_required(Role.patient)
    @blp.arguments(TodayQuerySchema, location="query")
    @blp.response(200, TodaySchema)
    def get(self, query):
        """What is due on your local date, how much is done, and any safety banner."""
        return service.today(
            db_session=get_session(),
            patient=current_user(),
            day=query["date"],
            done_counts=_done_counts,
        )
