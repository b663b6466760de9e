"""Upright: the backend of a mobile physiotherapy app for upper back pain."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from api.config import DEV_SECRET_KEY, check_settings, load_settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions and blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    settings = load_settings(config)
    check_settings(settings)
    if not settings.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        settings["DATABASE_URL"] = f"sqlite:///{os.path.join(app.instance_path, 'upright.sqlite3')}"
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = DEV_SECRET_KEY
    app.config.update(settings)
    app.config.update(
        TESTING=settings["UPRIGHT_ENV"] == "testing",
        API_TITLE="Upright API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="api/v1/openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
        RATELIMIT_STORAGE_URI=settings["RATELIMIT_STORAGE_URI"],
        RATELIMIT_ENABLED=settings["RATELIMIT_ENABLED"],
        RATELIMIT_HEADERS_ENABLED=True,
        JSON_SORT_KEYS=False,
    )

    from api import database, http, migrate, request_log
    from api.errors import register_error_handlers
    from api.extensions import api, limiter
    from api.parsing import document_date_bounds
    from api.routing import register_blueprints

    database.init_app(app)
    request_log.init_app(app)
    http.init_app(app)
    migrate.init_app(app)
    limiter.init_app(app)
    api.init_app(
        app,
        spec_kwargs={
            "info": {
                "description": (
                    "Upright helps people with upper back (thoracic) pain follow an exercise "
                    "programme, log sessions and answer a daily check-in whose red-flag answers "
                    "are triaged at once. Errors always have the shape "
                    "`{code, status, message, errors?}`."
                )
            }
        },
    )
    _document_pagination_header_as_json(api)
    api.ma_plugin.converter.add_attribute_function(document_date_bounds)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    register_error_handlers(app)
    register_blueprints(app, api)
    return app


def _document_pagination_header_as_json(api) -> None:
    """X-Pagination carries a JSON object: say so (``content``), not a bare object schema."""
    api.spec.components.headers_lazy["PAGINATION"] = {
        "description": "Pagination metadata, a JSON object",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PaginationMetadata"}}
        },
    }
