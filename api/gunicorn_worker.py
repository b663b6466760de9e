"""gunicorn's threaded worker, answering what it refuses itself in the API's error format.

gunicorn reads the request line and headers before the app sees them; past its
limits it answers 414 or 431 with an HTML page. This worker answers those two in
the same JSON shape as every other error.
"""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker as _GunicornThreadWorker

from api.errors import error_body
from api.http import API_CSP

_ANSWERS: dict[type[Exception], tuple[int, str, str]] = {
    LimitRequestLine: (
        414,
        "URI Too Long",
        "The request line is longer than the server accepts ({cfg.limit_request_line} bytes).",
    ),
    LimitRequestHeaders: (
        431,
        "Request Header Fields Too Large",
        "A header line is longer than the server accepts ({cfg.limit_request_field_size} "
        "bytes), or there are more than {cfg.limit_request_fields} headers.",
    ),
}


def json_error_response(code: int, reason: str, message: str) -> bytes:
    body = json.dumps(error_body(code, message)).encode()
    head = (
        f"HTTP/1.1 {code} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Security-Policy: {API_CSP}\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


class ThreadWorker(_GunicornThreadWorker):
    def handle_error(self, req, client, addr, exc):  # type: ignore[no-untyped-def]
        answer = next((a for kind, a in _ANSWERS.items() if isinstance(exc, kind)), None)
        if answer is None:
            return super().handle_error(req, client, addr, exc)
        code, reason, message = answer
        ip = (addr or ("",))[0]
        self.log.warning("Invalid request from ip=%s: %s", ip, exc)
        try:
            response = json_error_response(code, reason, message.format(cfg=self.cfg))
            util.write_nonblock(client, response)
        except Exception:
            self.log.debug("Failed to send error message.")
        return None
