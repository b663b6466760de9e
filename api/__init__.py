"""Upright: the backend of a mobile physiotherapy app for upper back pain."""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api.config import check_settings, development_secret_key, load_settings, warn_about_settings


def create_app(config: dict[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the application: configuration, extensions and blueprints."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    settings = load_settings(config)
    check_settings(settings)
    warn_about_settings(settings)
    if not settings.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        settings["DATABASE_URL"] = f"sqlite:///{os.path.join(app.instance_path, 'upright.sqlite3')}"
    if not settings.get("SECRET_KEY"):  # production refused to start above
        settings["SECRET_KEY"] = (
            development_secret_key(app.instance_path)
            if settings["UPRIGHT_ENV"] == "development"
            else secrets.token_urlsafe(48)
        )
    app.config.update(settings)
    if settings["TRUSTED_PROXY_COUNT"] > 0:
        # The client address is the one the n-th proxy from the app saw (X-Forwarded-For).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["TRUSTED_PROXY_COUNT"])
    app.config.update(
        TESTING=settings["UPRIGHT_ENV"] == "testing",
        API_TITLE="Upright API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="api/v1/openapi.json",
        RATELIMIT_STORAGE_URI=settings["RATELIMIT_STORAGE_URI"],
        RATELIMIT_ENABLED=settings["RATELIMIT_ENABLED"],
        # No X-RateLimit-* or Retry-After on answers that were not limited; a 429 gets
        # Retry-After from the error handler (api/extensions.py).
        RATELIMIT_HEADERS_ENABLED=False,
        JSON_SORT_KEYS=False,
    )

    from api import database, http, migrate, request_log
    from api.errors import register_error_handlers
    from api.extensions import api, limiter
    from api.parsing import document_date_bounds
    from api.routing import register_blueprints, register_domains

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
                ),
                "license": {"name": "Proprietary"},
                "contact": {"name": "Upright API team", "email": "api@upright.example"},
            },
            "servers": [{"url": "/", "description": "This server"}],
        },
    )
    _document_pagination_header_as_json(api)
    api.ma_plugin.converter.add_attribute_function(document_date_bounds)
    _add_error_examples(api)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    register_error_handlers(app)
    register_domains()
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


def _add_error_examples(api) -> None:
    """The shared error answers carry an example of the one error format."""
    from api import examples

    responses = api.spec.components.responses_lazy
    for name, example in (
        ("DEFAULT_ERROR", examples.NOT_FOUND_ERROR),
        ("UNPROCESSABLE_ENTITY", examples.VALIDATION_ERROR),
    ):
        responses[name]["content"]["application/json"]["example"] = example
