"""The public catalogue: causes, exercises and lifestyle advice (no sign-in needed)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, make_response, request
from flask.views import MethodView

from api import examples
from api.blueprint import Blueprint, authenticate
from api.catalogue import service
from api.catalogue.cache import catalogue_version, rendered_answers
from api.catalogue.schemas import (
    CauseDetailSchema,
    CauseSummarySchema,
    ExerciseDetailQuerySchema,
    ExerciseDetailSchema,
    ExerciseQuerySchema,
    ExerciseSummarySchema,
    LifestyleAdviceSchema,
)
from api.database import get_session
from api.errors import Unauthorized
from api.pagination import MAX_PAGE_SIZE, PAGE_SIZE, paginate

blp = Blueprint(
    "catalogue",
    __name__,
    url_prefix="/api/v1",
    description="Causes of upper back pain, the exercises that help, and lifestyle advice. "
    "Public; every answer has an ETag and answers 304 to a matching If-None-Match.",
)

PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-cache"


def _wants_personal() -> bool:
    raw = request.query_string
    if b"safe_for_me" not in raw and b"%" not in raw:
        return False  # the usual public request: no need to parse the query string
    return request.args.get("safe_for_me", "").lower() in {"true", "1", "yes", "on"}


def cached(view: Callable[..., Any]) -> Callable[..., Any]:
    """ETag from the catalogue version, the URL and (for safe_for_me) the caller's codes.

    The catalogue version read in the last DIGEST_MAX_AGE seconds (api.catalogue.cache)
    is trusted: a matching If-None-Match answers 304, and a public answer already
    rendered for this ETag is served from memory, both without touching the database.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        personal = ""
        if _wants_personal():
            user = authenticate(required=False)
            if user is None:
                raise Unauthorized("Sign in to filter exercises for your own conditions.")
            personal = ",".join(sorted(service.personal_codes(user))) + f"|{user.id}"
        cache_control = PRIVATE_CACHE if personal else PUBLIC_CACHE

        key = f"{catalogue_version()}|{request.full_path}|{personal}"
        etag = hashlib.sha256(key.encode()).hexdigest()[:32]
        if etag in request.if_none_match:
            return _finish(Response(status=304), etag, cache_control)
        rendered = None if personal else rendered_answers().get(etag)
        if rendered is not None:
            body, status, headers = rendered
            return Response(body, status=status, headers=headers)
        response = _finish(make_response(view(*args, **kwargs)), etag, cache_control)
        if not personal and response.status_code == 200:
            rendered_answers().remember(etag, response)
        return response

    return wrapper


def _finish(response: Response, etag: str, cache_control: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Authorization")
    return response


def _caller_codes(query: dict[str, Any]) -> set[str] | None:
    if not query.get("safe_for_me"):
        return None
    user = authenticate(required=False)
    return service.personal_codes(user) if user else None


@blp.route("/causes")
class Causes(MethodView):
    decorators = [cached]

    @blp.doc(operationId="listCauses")
    @blp.public()
    @blp.response(200, CauseSummarySchema(many=True), example=examples.CAUSES)
    @blp.alt_response(304, description="Not modified (If-None-Match matched)")
    def get(self):
        """Every cause of upper back pain in the catalogue.

        Each cause with a plain summary. Public; cached (`ETag`, 304 on a matching
        `If-None-Match`).
        """
        return service.list_causes(get_session())


@blp.route("/causes/<slug>")
class CauseItem(MethodView):
    decorators = [cached]

    @blp.doc(operationId="getCause")
    @blp.public()
    @blp.response(200, CauseDetailSchema, example=examples.CAUSE_DETAIL)
    @blp.alt_response(304, description="Not modified (If-None-Match matched)")
    @blp.not_found()
    def get(self, slug):
        """A cause with self-care, treatments a doctor may discuss, and its exercises.

        Typical symptoms, self-care, when to see a doctor and the exercises that help. Some
        causes (a fracture, cancer or infection) have no exercises: see a doctor first. Public;
        cached (`ETag`).
        """
        return service.cause_detail(get_session(), slug)


@blp.route("/exercises")
class Exercises(MethodView):
    decorators = [cached]

    @blp.doc(operationId="listExercises")
    @blp.doc(security=[{}, {"bearerAuth": []}])
    @blp.arguments(ExerciseQuerySchema, location="query")
    @blp.response(200, ExerciseSummarySchema(many=True), example=examples.EXERCISES)
    @blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    @blp.alt_response(304, description="Not modified (If-None-Match matched)")
    @blp.alt_response(401, response="DEFAULT_ERROR", description="safe_for_me without sign-in")
    def get(self, query, pagination_parameters):
        """Exercises by name, filtered; `safe_for_me` leaves out what you must avoid.

        Filters: cause, category, region, difficulty, equipment (repeat it for everything you
        own) and text. Unknown filter values are a 422 that lists the valid ones. Public;
        signed in as a patient, `safe_for_me=true` leaves out exercises contraindicated by your
        conditions and health history and adds `precautions_for_me`. Paginated
        (`X-Pagination`); cached (`ETag`).
        """
        session = get_session()
        codes = _caller_codes(query)
        excluded = service.contraindicated_ids(session, codes) if codes is not None else None
        stmt = service.exercises_stmt(query, excluded)
        rows = paginate(session, stmt, pagination_parameters).scalars().all()
        return [service.summary(row, codes) for row in rows]


@blp.route("/exercises/<slug>")
class ExerciseItem(MethodView):
    decorators = [cached]

    @blp.doc(operationId="getExercise", security=[{}, {"bearerAuth": []}])
    @blp.arguments(ExerciseDetailQuerySchema, location="query")
    @blp.response(200, ExerciseDetailSchema, example=examples.EXERCISE_DETAIL)
    @blp.alt_response(304, description="Not modified (If-None-Match matched)")
    @blp.alt_response(401, response="DEFAULT_ERROR", description="safe_for_me without sign-in")
    @blp.not_found()
    def get(self, query, slug):
        """An exercise with its steps, dose, ladder (regressions and progressions) and causes.

        Steps, cues, common mistakes, default dose, regressions (closest first), progressions
        (next step first), the causes it helps with and why, contraindications, precautions
        and evidence. Public; cached (`ETag`). Signed in, `safe_for_me=true` keeps only the
        ladder steps open to you and says whether the exercise itself is ruled out for you.
        """
        session = get_session()
        exercise = service.get_exercise(session, slug)
        return service.detail(session, exercise, _caller_codes(query))


@blp.route("/lifestyle-advice")
class Lifestyle(MethodView):
    decorators = [cached]

    @blp.doc(operationId="listLifestyleAdvice")
    @blp.public()
    @blp.response(200, LifestyleAdviceSchema(many=True), example=examples.LIFESTYLE_ADVICE)
    @blp.alt_response(304, description="Not modified (If-None-Match matched)")
    def get(self):
        """Advice on the lifestyle factors behind upper back pain.

        Lack of exercise, lifting, weight, smoking, heavy bags and a weak core, each with
        related exercises. Public; cached (`ETag`).
        """
        return service.list_lifestyle(get_session())
