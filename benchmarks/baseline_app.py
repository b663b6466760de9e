"""The baseline: the least a Flask + flask-smorest + SQLAlchemy endpoint can cost.

One endpoint, ``GET /baseline/exercises``, returns 20 exercises (id, slug, name) from
the same database as the app, through the same engine settings and marshmallow, and
is served by gunicorn with the same settings. Every figure of the load runner is also
given as a ratio to this one. ``GET /hello`` is a bare Flask view returning a short
text (no database, no marshmallow): the floor of the web stack itself.

    DATABASE_URL=... gunicorn benchmarks.baseline_app:app
"""

from __future__ import annotations

import os

from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.catalogue.models import Exercise
from api.config import load_settings
from api.database import make_engine

BASELINE_PATH = "/baseline/exercises"
HELLO_PATH = "/hello"


class ExerciseRowSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()


def create_baseline_app(database_url: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        API_TITLE="Baseline",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
    )
    # The app's own engine settings, prepared statements included when they are on.
    prepared = load_settings()["DB_PREPARED_STATEMENTS"]
    engine = make_engine(database_url, prepared_statements=prepared)
    blp = Blueprint("baseline", __name__, url_prefix="/baseline")

    @blp.route("/exercises")
    class Exercises(MethodView):
        @blp.response(200, ExerciseRowSchema(many=True))
        def get(self):
            """Twenty exercises by name."""
            with Session(engine) as session:
                stmt = (
                    select(Exercise.id, Exercise.slug, Exercise.name)
                    .order_by(Exercise.name, Exercise.id)
                    .limit(20)
                )
                return [row._asdict() for row in session.execute(stmt)]

    Api(app).register_blueprint(blp)

    @app.get(HELLO_PATH)
    def hello():
        return "Hello, World!"

    return app


def _app_from_environment() -> Flask | None:
    url = os.environ.get("DATABASE_URL")
    return create_baseline_app(url) if url else None


app = _app_from_environment()
