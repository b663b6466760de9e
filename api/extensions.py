"""The shared extension objects: the smorest ``Api`` and the rate limiter."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api

from api.errors import http_exception_body


class UprightApi(Api):
    """flask-smorest's Api whose HTTP errors always carry a message."""

    def handle_http_exception(self, error):  # type: ignore[override]
        return http_exception_body(error)


api = UprightApi()
limiter = Limiter(key_func=get_remote_address)
