"""The project Blueprint: sign-in and role checks that document themselves.

``@blp.login_required()`` checks the bearer token, loads the caller and
documents 401 (and 403 when roles are given) in the OpenAPI spec in the same
place, so the spec cannot forget them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

import flask_smorest
import jwt
from flask import current_app, g, request
from sqlalchemy import bindparam, select

from api.accounts.caller import Caller, Vouched, Zones
from api.accounts.credentials import decode_access_token, same_key
from api.accounts.models import Role, User
from api.arguments import StrictParser
from api.database import first_read_without_checkout_ping, get_session
from api.errors import Forbidden, Unauthorized

BEARER = [{"bearerAuth": []}]


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


#: Built once: ``session.get`` rebuilds its statement on every call, which costs about a
#: third more Python than running this one. The whole row is loaded on purpose: loading
#: fewer columns saved a few microseconds but made routes that read the profile (the
#: check-in's triage reads birth year, health history, country) send more statements.
_CALLER = select(User).where(User.id == bindparam("user_id"))


def access_claims() -> dict[str, Any] | None:
    """The claims of this request's bearer token when it is a valid access token (signature,
    expiry and required claims checked; no database), else None. Cached on ``g``."""
    if "access_claims" not in g:
        token = _bearer_token()
        claims = None
        if token is not None:
            try:
                claims = decode_access_token(token, secret=current_app.config["SECRET_KEY"])
            except jwt.InvalidTokenError:
                claims = None
        g.access_claims = claims
    return g.access_claims


def authenticate(*, required: bool = True) -> User | None:
    """The signed-in caller (cached on ``g``); raises 401 when required and absent."""
    if "current_user" in g:
        return g.current_user
    user: User | None = None
    if _bearer_token() is not None:
        claims = access_claims()
        try:
            if claims is not None:
                session, user_id = get_session(), int(claims["sub"])
                user = first_read_without_checkout_ping(
                    session, lambda: session.scalars(_CALLER, {"user_id": user_id}).first()
                )
        except ValueError:
            user = None
        if user is not None and not same_key(claims.get("key"), user.token_key):
            user = None  # issued to an erased account whose id was given to another
        if user is None:
            raise Unauthorized("The access token is missing, invalid or expired.")
        if user.role == Role.patient:
            _zones().remember(user.id, user.timezone)  # for the routes that vouch (below)
    if user is None and required:
        raise Unauthorized("Sign in and send the access token as 'Authorization: Bearer ...'.")
    g.current_user = user
    return user


def current_user() -> User:
    user = authenticate(required=True)
    assert user is not None
    return user


def current_caller() -> Caller:
    """The caller of a route that vouches (``login_required(..., vouch=True)``): vouched
    for by their token, to be confirmed by the route's first statement
    (api/accounts/caller.py), or signed in."""
    vouched = g.get("vouched")
    return vouched if vouched is not None else current_user()


def _signed_in(allowed: set[str], *, optional: bool = False) -> User | None:
    user = authenticate(required=not optional)
    if allowed and user is not None and str(user.role) not in allowed:
        raise Forbidden(f"This endpoint is for {_or_list(allowed)} accounts only.")
    return user


def _zones() -> Zones:
    zones = current_app.extensions.get(_ZONES)
    if zones is None:
        zones = current_app.extensions.setdefault(_ZONES, Zones())
    return zones


_ZONES = "upright.zones"


def _vouched(allowed: set[str]) -> Vouched | None:
    """The caller the token names, when it names an allowed role and this process knows
    their time zone; else None (signed in the usual way)."""
    claims = access_claims()
    if claims is None or claims.get("role") not in allowed:
        return None
    try:
        user_id = int(claims["sub"])
    except ValueError:
        return None
    timezone = _zones().get(user_id)
    if timezone is None:
        return None
    load = lambda: _signed_in(allowed)  # noqa: E731
    return Vouched(user_id, claims["role"], claims.get("key"), timezone, load)


class Blueprint(flask_smorest.Blueprint):
    #: Refuses text no database can store and dates out of bounds (api/parsing.py), and
    #: single-value query parameters given twice (api/arguments.py); pagination too.
    ARGUMENTS_PARSER = PAGINATION_ARGUMENTS_PARSER = StrictParser()

    def login_required(
        self, *roles: Role | str, optional: bool = False, vouch: bool = False
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Require a valid access token (and one of ``roles`` when given).

        ``vouch``: the route reads its caller's account with its own first statement
        (``current_caller``, api/accounts/caller.py) when the token allows it; an error
        raised before that statement confirmed the caller is answered after the usual
        sign-in, so that 401 and 403 come first as on any other route."""
        allowed: set[str] = {str(r) for r in roles}

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                vouched = _vouched(allowed) if vouch else None
                if vouched is None:
                    _signed_in(allowed, optional=optional)
                    return view(*args, **kwargs)
                g.vouched = vouched
                try:
                    answer = view(*args, **kwargs)
                except Exception:
                    if not vouched.settled:
                        vouched.load()  # 401 or 403 rather than this error
                    raise
                if not vouched.settled:  # a route that forgot to confirm answers nothing
                    vouched.load()
                return answer

            security = [*BEARER, {}] if optional else BEARER
            wrapper = self.doc(security=security)(wrapper)
            wrapper = self.alt_response(
                401, response="DEFAULT_ERROR", description="Missing, invalid or expired token"
            )(wrapper)
            if allowed:
                wrapper = self.alt_response(
                    403, response="DEFAULT_ERROR", description="Wrong role for this endpoint"
                )(wrapper)
            return wrapper

        return decorator

    def not_found(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.alt_response(
            404, response="DEFAULT_ERROR", description="Not found, or not yours"
        )

    def conflict(self, description: str = "Conflicts with existing data"):
        return self.alt_response(409, response="DEFAULT_ERROR", description=description)

    def public(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """No sign-in needed: documented as ``security: []`` (a decision, not an omission)."""
        return self.doc(security=[])

    def links_to(
        self,
        *operation_ids: str,
        parameter: str,
        value: str = "$response.body#/id",
        statuses: Iterable[int] = (201,),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """OpenAPI links from this operation's answer to the operations that take its id.

        Client generators and schemathesis' stateful tests follow them
        (``createCheckIn`` -> ``getCheckIn``...). Status keys are ints, as in
        ``@blp.response``, so the links merge into the documented answer.
        """
        source = value.rpartition("/")[2]
        whose = "the first item of this answer" if "#/0/" in value else "this answer"
        links = {
            operation_id: {
                "operationId": operation_id,
                "parameters": {parameter: value},
                "description": f"`{parameter}` is the `{source}` of {whose}.",
            }
            for operation_id in operation_ids
        }
        return self.doc(responses={status: {"links": links} for status in statuses})


def _or_list(values: Iterable[str]) -> str:
    return " or ".join(sorted(values))
