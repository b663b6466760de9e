"""Domain errors, and the one place that turns every error into HTTP.

Every error body has flask-smorest's shape::

    {"code": 422, "status": "Unprocessable Entity", "message": "...",
     "errors": {"json": {"field": ["..."]}}}

``errors`` appears only when there are field errors. A 500 or 503 never
carries a stack trace or database text.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger("upright.errors")


class DomainError(Exception):
    """Raised by services; mapped to an HTTP answer in one place (below)."""

    status_code = 400
    default_message = "The request cannot be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.message)


class NotFound(DomainError):
    status_code = 404
    default_message = "Not found."


class Unauthorized(DomainError):
    status_code = 401
    default_message = "Sign-in required."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class Forbidden(DomainError):
    status_code = 403
    default_message = "You are not allowed to do this."


class Conflict(DomainError):
    status_code = 409
    default_message = "The request conflicts with existing data."


class InvalidInput(DomainError):
    """A rule on the submitted data failed: 422 naming the fields, under ``errors.json``
    (the body) or ``errors.query`` (query parameters). Every 422 carries the same
    message (``UNPROCESSABLE``); what is wrong is said field by field."""

    status_code = 422
    default_message = "The submitted data is not valid."

    def __init__(
        self,
        field_errors: dict[str, Any],
        message: str | None = None,
        *,
        location: str = "json",
        **kw: Any,
    ):
        super().__init__(message, errors={location: field_errors}, **kw)


UNPROCESSABLE = InvalidInput.default_message


class ServiceUnavailable(DomainError):
    status_code = 503
    default_message = "The service is temporarily unavailable. Please retry shortly."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": "5"})
        super().__init__(message, **kwargs)


def error_body(
    code: int, message: str, errors: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Unknown"),
        "message": message,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def domain_error_body(error: DomainError) -> dict[str, Any]:
    """The body a domain error answers with, over REST or inside a sync result."""
    message = UNPROCESSABLE if error.status_code == 422 else error.message
    return error_body(error.status_code, message, error.errors, **error.extra)


def _domain_error(error: DomainError):
    return domain_error_body(error), error.status_code, error.headers


def _integrity_error(_error: sa_exc.IntegrityError):
    return error_body(409, "The request conflicts with existing data."), 409


def _database_unavailable(error: Exception):
    log.warning("database unavailable: %s", type(error).__name__)
    return _domain_error(ServiceUnavailable())


def _unexpected(error: Exception):
    # Where it failed, never the message: messages can carry request data.
    frames = traceback.extract_tb(error.__traceback__)[-8:]
    where = " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames)
    )
    log.error("unhandled error: %s at %s", type(error).__name__, where)
    return error_body(500, "An unexpected error occurred. It has been logged."), 500


def http_exception_body(error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    """flask-smorest's payload, always with a message and never internal text."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    message = data.get("message")
    if code == 422:
        message = UNPROCESSABLE
    elif message is None:
        message = error.description if code < 500 else "An unexpected error occurred."
    errors = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if code == 429:
        retry_after = getattr(error, "retry_after", None)
        headers.setdefault("Retry-After", str(retry_after or 60))
    return error_body(code, message, errors), code, headers


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(sa_exc.IntegrityError, _integrity_error)
    app.register_error_handler(sa_exc.OperationalError, _database_unavailable)
    app.register_error_handler(sa_exc.InterfaceError, _database_unavailable)
    app.register_error_handler(sa_exc.TimeoutError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
