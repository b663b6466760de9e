"""The shared extension objects: the smorest ``Api`` and the rate limiter."""

from __future__ import annotations

from flask_limiter import Limiter
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
        return http_exception_body(error)


api = UprightApi()
limiter = Limiter(key_func=get_remote_address)
