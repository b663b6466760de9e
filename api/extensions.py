"""The shared extension objects: the smorest ``Api`` and the rate limiter."""

from __future__ import annotations

import math
import time

from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_smorest import Api

from api.errors import http_exception_body
from api.openapi import ContractPlugin
from api.schemas import ErrorSchema


class UprightApi(Api):
    """flask-smorest's Api whose HTTP errors always carry a message, and whose spec
    is built by ``api.openapi`` (named enums, nullable references, oneOf)."""

    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *, spec_kwargs=None):  # type: ignore[override]
        spec_kwargs = {"marshmallow_plugin": ContractPlugin(), **(spec_kwargs or {})}
        super().init_app(app, spec_kwargs=spec_kwargs)

    def handle_http_exception(self, error):  # type: ignore[override]
        body, code, headers = http_exception_body(error)
        if isinstance(error, RateLimitExceeded):
            headers["Retry-After"] = str(_seconds_until_reset())
        return body, code, headers


def _seconds_until_reset() -> int:
    """Seconds until the breached limit lets the next attempt through (at least 1)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    reset_time, _remaining = breached.window
    return max(1, math.ceil(reset_time - time.time()))


api = UprightApi()
limiter = Limiter(key_func=get_remote_address)
