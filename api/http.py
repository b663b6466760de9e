"""Cross-cutting HTTP rules: content types, security headers and CORS."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import UnsupportedMediaType

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _has_body() -> bool:
    return (
        bool(request.content_length)
        or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    )


def _require_json() -> None:
    if request.method in _BODY_METHODS and _has_body() and not request.is_json:
        raise UnsupportedMediaType(
            "Send the request body as JSON (Content-Type: application/json)."
        )


def _security_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if "Cache-Control" not in response.headers and request.path != "/docs":
        response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Server", None)
    return response


def _cors(app: Flask):
    allowed = {o.strip() for o in app.config["CORS_ORIGINS"].split(",") if o.strip()}

    def add_cors_headers(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = (
                "Authorization, Content-Type, If-None-Match, X-Request-ID"
            )
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE, OPTIONS"
            response.headers["Access-Control-Expose-Headers"] = (
                "ETag, X-Pagination, X-Request-ID, Retry-After"
            )
            response.headers["Access-Control-Max-Age"] = "600"
            response.vary.add("Origin")
        return response

    return add_cors_headers


def init_app(app: Flask) -> None:
    app.before_request(_require_json)
    app.after_request(_security_headers)
    app.after_request(_cors(app))
