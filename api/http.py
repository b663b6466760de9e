"""Cross-cutting HTTP rules: content types, security headers and CORS."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import (
    BadRequest,
    RequestHeaderFieldsTooLarge,
    RequestURITooLarge,
    UnsupportedMediaType,
)
from werkzeug.routing import IntegerConverter, UnicodeConverter

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _has_body() -> bool:
    return (
        bool(request.content_length)
        or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    )


MAX_JSON_DEPTH = 32

#: Request size limits the app enforces on any server (414 and 431 in the error format).
#: The shipped gunicorn config sets gunicorn's own, larger ceilings (api/gunicorn_conf.py).
MAX_URL_LENGTH = 4096  # characters of the path and query string, as sent
MAX_HEADER_LINE = 4096  # bytes of one "Name: value" header line
MAX_HEADER_COUNT = 64


def _url_as_sent() -> str:
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return raw
    query = environ.get("QUERY_STRING", "")
    return request.script_root + request.path + (f"?{query}" if query else "")


#: The request headers a WSGI environ holds without the ``HTTP_`` prefix.
_UNPREFIXED = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}
#: ... and the two werkzeug leaves out when prefixed.
_SHADOWED = frozenset({"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"})


def _check_request_size() -> None:
    if len(_url_as_sent()) > MAX_URL_LENGTH:
        raise RequestURITooLarge(
            f"The URL is longer than {MAX_URL_LENGTH} characters. Send fewer or shorter "
            "query parameters."
        )
    # The headers as werkzeug's ``request.headers`` lists them (``HTTP_X_Y`` is "X-Y", of
    # the same length; an empty Content-Type or Content-Length is left out), read off the
    # environ without building each name.
    count = 0
    for key, value in request.environ.items():
        if key.startswith("HTTP_") and key not in _SHADOWED:
            name_length = len(key) - 5
        elif key in _UNPREFIXED and value:
            name_length = len(key)
        else:
            continue
        count += 1
        if name_length + 2 + len(value) > MAX_HEADER_LINE:
            name = _UNPREFIXED.get(key) or key[5:].replace("_", "-").title()
            raise RequestHeaderFieldsTooLarge(
                f"The {name} header is longer than {MAX_HEADER_LINE} bytes."
            )
    if count > MAX_HEADER_COUNT:
        raise RequestHeaderFieldsTooLarge(f"The request has more than {MAX_HEADER_COUNT} headers.")


def _too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when JSON nesting exceeds ``limit`` (checked before parsing, which would
    otherwise hit Python's recursion limit)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # fewer openings than the limit, in strings or not: never that deep
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _require_json() -> None:
    if request.method in _BODY_METHODS and _has_body():
        if not request.is_json:
            raise UnsupportedMediaType(
                "Send the request body as JSON (Content-Type: application/json)."
            )
        if _too_deep(request.get_data(cache=True)):
            raise BadRequest(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")


#: Every response but an HTML page: JSON needs no scripts, styles, frames or anything else.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

_INLINE_SCRIPT = re.compile(
    rb"<script(?![^>]*\ssrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL
)


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


def docs_csp(app: Flask, html: bytes) -> str:
    """The policy of the docs pages (Swagger UI, ReDoc): their scripts and styles from the
    app itself or from the configured CDN, inline scripts only by their hash, inline
    styles and data: images (Swagger UI uses both), and requests to the app alone."""
    cdn = " ".join(
        sorted(
            origin
            for key in ("OPENAPI_SWAGGER_UI_URL", "OPENAPI_REDOC_URL", "OPENAPI_RAPIDOC_URL")
            if (origin := _origin(app.config.get(key)))
        )
    )
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    directives = [
        "default-src 'none'",
        f"script-src 'self' {cdn} {hashes}",
        f"style-src 'self' {cdn} 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    return "; ".join(" ".join(d.split()) for d in directives)


def _security_headers(response: Response) -> Response:
    # One look at the names already there, then appends: each ``in``, ``setdefault`` or
    # ``[]=`` on werkzeug's header list scans it (and a miss raises and catches an
    # exception inside). The headers and their order are those of the lookups one by one.
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    if "x-content-type-options" in present:
        headers["X-Content-Type-Options"] = "nosniff"
    else:
        headers.add("X-Content-Type-Options", "nosniff")
    if "x-frame-options" not in present:
        headers.add("X-Frame-Options", "DENY")
    if "referrer-policy" not in present:
        headers.add("Referrer-Policy", "no-referrer")
    if "cache-control" not in present and request.path != "/docs":
        headers.add("Cache-Control", "no-store")
    if "content-security-policy" not in present:
        if response.mimetype == "text/html" and not response.is_streamed:
            policy = docs_csp(current_app, response.get_data())
        else:
            policy = API_CSP
        headers.add("Content-Security-Policy", policy)
    config = current_app.config
    if config["HSTS_ENABLED"] or config["PREFERRED_URL_SCHEME"] == "https":
        headers["Strict-Transport-Security"] = f"max-age={config['HSTS_MAX_AGE']}"
    if "server" in present:
        headers.pop("Server", None)
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


class IdConverter(IntegerConverter):
    """``<int:...>`` path ids: at most 2**31 - 1 (anything larger cannot exist: 404)."""

    def __init__(self, url_map, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """``<slug>`` path segments: never a NUL character (no such object can exist: 404).

    NUL is the one character PostgreSQL cannot compare; a path is decoded with
    replacement characters, so it cannot carry a lone surrogate.
    """

    def __init__(self, url_map, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]", 1)


class NoCookieSessions(SecureCookieSessionInterface):
    """The API signs nobody in with cookies (bearer tokens only), so no request opens
    Flask's cookie session: building its signer cost every request a few dozen
    microseconds. ``flask.session`` is a read-only empty session."""

    def open_session(self, app: Flask, request: object) -> None:  # type: ignore[override]
        return None


def _remembering_ensure_sync(app: Flask) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``app.ensure_sync`` (Flask's documented override point), which remembers whether a
    function is a coroutine function. Flask and flask-smorest ask it about every hook,
    view and decorator layer of every request (about a dozen times), and each answer
    inspected the function again. Bound methods (a ``MethodView``'s, made per request)
    are remembered by their function; the memory holds a bounded number of functions."""
    ensure_sync = app.ensure_sync
    plain: dict[Callable[..., Any], bool] = {}

    def remembering(func: Callable[..., Any]) -> Callable[..., Any]:
        key = getattr(func, "__func__", func)
        try:
            is_plain = plain[key]
        except KeyError:
            is_plain = not iscoroutinefunction(func)
            if len(plain) < 4096:
                plain[key] = is_plain
        except TypeError:  # not hashable
            return ensure_sync(func)
        return func if is_plain else ensure_sync(func)

    return remembering


def init_app(app: Flask) -> None:
    app.ensure_sync = _remembering_ensure_sync(app)  # type: ignore[method-assign]
    app.session_interface = NoCookieSessions()
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.before_request(_check_request_size)
    app.before_request(_require_json)
    app.after_request(_security_headers)
    app.after_request(_cors(app))
