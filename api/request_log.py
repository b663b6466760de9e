"""One structured log line per request, and the ``X-Request-ID`` header.

The line carries the method, the route *template* (``/api/v1/check-ins/<int:check_in_id>``,
never the concrete path or query string), the status, the duration and the
request id. Bodies, query strings and health data are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from functools import lru_cache

from flask import Flask, Response, g, request

log = logging.getLogger("upright.request")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.environ.get("HTTP_X_REQUEST_ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


@lru_cache(maxsize=1024)
def _quoted(text: str) -> str:
    """``text`` as a JSON string (route templates and methods: a bounded set)."""
    return json.dumps(text)


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    if not log.isEnabledFor(logging.INFO):
        return response
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
    rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    # The line json.dumps would write, without building a dict per request: the request
    # id matches _REQUEST_ID or is hex, and needs no escaping.
    log.info(
        f'{{"event": "request", "method": {_quoted(request.method)}, "path": {_quoted(rule)}, '
        f'"status": {response.status_code}, "duration_ms": {json.dumps(duration_ms)}, '
        f'"request_id": "{request_id}"}}'
    )
    return response


def init_app(app: Flask) -> None:
    logging.getLogger("upright").setLevel(app.config["LOG_LEVEL"])
    if not logging.getLogger().handlers and not app.testing:
        logging.basicConfig(format="%(message)s")
    app.before_request(_start)
    app.after_request(_finish)
