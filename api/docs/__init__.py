"""The API docs page: Swagger UI served by the app itself, with no request to another origin.

Swagger UI's files come from the ``flask-swagger-ui`` package (a pinned dependency
that ships the ``swagger-ui-dist`` build); only the files the page needs are served,
under ``/docs/assets/``. The page has no inline script, so a Content-Security-Policy
of ``'self'`` is enough for it.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Flask, abort, render_template, send_from_directory, url_for

SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
OWN_STATIC = Path(__file__).parent / "static"

#: What /docs/assets/ serves, and from where.
ASSETS = {
    "swagger-ui-bundle.js": SWAGGER_UI_DIST,
    "swagger-ui.css": SWAGGER_UI_DIST,
    "favicon-16x16.png": SWAGGER_UI_DIST,
    "favicon-32x32.png": SWAGGER_UI_DIST,
    "LICENSE": SWAGGER_UI_DIST,
    "upright-docs.js": OWN_STATIC,
}
ASSET_MAX_AGE = 3600

blp = Blueprint("docs", __name__, template_folder="templates")


@blp.get("/docs")
def swagger_ui():
    """Swagger UI for the OpenAPI document."""
    return render_template(
        "upright_docs.html", spec_url=url_for("api-docs.openapi_json"), title="Upright API"
    )


@blp.get("/docs/assets/<name>")
def asset(name: str):
    """One of the files the docs page needs (404 for anything else)."""
    folder = ASSETS.get(name)
    if folder is None:
        abort(404)
    mimetype = "text/plain" if name == "LICENSE" else None
    return send_from_directory(folder, name, max_age=ASSET_MAX_AGE, mimetype=mimetype)


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
