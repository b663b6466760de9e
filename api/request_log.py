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

from flask import Flask, Response, g, request

log = logging.getLogger("upright.request")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
    rule = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    log.info(
        json.dumps(
            {
                "event": "request",
                "method": request.method,
                "path": rule,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "request_id": request_id,
            }
        )
    )
    return response


def init_app(app: Flask) -> None:
    logging.getLogger("upright").setLevel(app.config["LOG_LEVEL"])
    if not logging.getLogger().handlers and not app.testing:
        logging.basicConfig(format="%(message)s")
    app.before_request(_start)
    app.after_request(_finish)
