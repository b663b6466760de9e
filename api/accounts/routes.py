"""Sign-in, profile, data rights, care links and the therapist's patient list."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView
from flask_limiter.util import get_remote_address

from api import examples
from api.accounts import care, service
from api.accounts.export_schemas import ExportSchema
from api.accounts.models import AccessLogEntry, Role
from api.accounts.schemas import (
    AccessLogEntrySchema,
    CareLinkQuerySchema,
    CareLinkSchema,
    DeleteAccountSchema,
    InviteRedeemSchema,
    InviteSchema,
    LoginSchema,
    PatientDetailSchema,
    PatientSummarySchema,
    ProfileSchema,
    ProfileUpdateSchema,
    RefreshSchema,
    RegisterSchema,
    TherapistCreateSchema,
    TokenPairSchema,
)
from api.accounts.summaries import patient_profile, patient_summaries, profile_with_hold
from api.answers import memoised
from api.blueprint import Blueprint, authenticate, current_user
from api.database import get_session
from api.errors import Unauthorized
from api.extensions import limiter
from api.pagination import MAX_PAGE_SIZE, PAGE_SIZE, paginate
from api.policy import readable_patient

auth_blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in.")
me_blp = Blueprint(
    "me", __name__, url_prefix="/api/v1/me", description="Your profile and your data rights."
)
care_blp = Blueprint(
    "care-links",
    __name__,
    url_prefix="/api/v1/care-links",
    description="Links between a therapist and a patient, made with an invite code.",
)
patients_blp = Blueprint(
    "patients",
    __name__,
    url_prefix="/api/v1/patients",
    description="A therapist's linked patients.",
)
admin_blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Administration.")


def _token_settings() -> service.TokenSettings:
    config = current_app.config
    return service.TokenSettings(
        secret=config["SECRET_KEY"],
        access_minutes=config["ACCESS_TOKEN_MINUTES"],
        refresh_days=config["REFRESH_TOKEN_DAYS"],
        refresh_grace_seconds=config["REFRESH_REUSE_GRACE_SECONDS"],
    )


# Rate limits. Sign-in counts failures only (a 401), so signing in never locks anyone out by
# itself: tightly per (email, address), loosely per email from everywhere (so an attacker
# elsewhere cannot lock the owner out of their own address) and per address across emails.
# The client address is the connecting one, or X-Forwarded-For's with TRUSTED_PROXY_COUNT.


def _setting(name: str):
    return lambda: current_app.config[name]


def _login_email() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return service.email_key(email) if isinstance(email, str) else ""


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


_sign_in_limits = [
    limiter.limit(
        _setting("LOGIN_RATE_LIMIT"),
        key_func=lambda: f"email-address:{_login_email()}|{get_remote_address()}",
        methods=["POST"],
        deduct_when=_failed_sign_in,
    ),
    limiter.limit(
        _setting("LOGIN_EMAIL_RATE_LIMIT"),
        key_func=lambda: f"email:{_login_email()}",
        methods=["POST"],
        deduct_when=_failed_sign_in,
    ),
    limiter.limit(
        _setting("LOGIN_ADDRESS_RATE_LIMIT"),
        key_func=lambda: f"address:{get_remote_address()}",
        methods=["POST"],
        deduct_when=_failed_sign_in,
    ),
]


def _account() -> str:
    """The signed-in account (the password check of DELETE /me is limited per account)."""
    try:
        user = authenticate(required=False)
    except Unauthorized:
        user = None
    return str(user.id) if user is not None else "anonymous"


def _failed_password_check(response: Response) -> bool:
    return request.method == "DELETE" and response.status_code == 422


_password_check_limits = [
    limiter.limit(
        _setting("LOGIN_RATE_LIMIT"),
        key_func=lambda: f"account-address:{_account()}|{get_remote_address()}",
        methods=["DELETE"],
        deduct_when=_failed_password_check,
    ),
    limiter.limit(
        _setting("LOGIN_EMAIL_RATE_LIMIT"),
        key_func=lambda: f"account:{_account()}",
        methods=["DELETE"],
        deduct_when=_failed_password_check,
    ),
]

# Every registration that hashes a password or says an email is taken (201, 409) counts.
_registration_limit = limiter.limit(
    _setting("REGISTER_RATE_LIMIT"),
    key_func=lambda: f"register:{get_remote_address()}",
    methods=["POST"],
    deduct_when=lambda response: response.status_code in (201, 409),
)


@auth_blp.route("/register")
class Register(MethodView):
    decorators = [_registration_limit]

    @auth_blp.doc(operationId="registerPatient")
    @auth_blp.public()
    @auth_blp.arguments(RegisterSchema, example=examples.REGISTER)
    @auth_blp.response(201, ProfileSchema, example=examples.PROFILE)
    @auth_blp.conflict("An account with this email already exists")
    @auth_blp.alt_response(429, response="DEFAULT_ERROR", description="Too many registrations")
    def post(self, body):
        """Create a patient account.

        Emails are unique whatever their case. The password needs at least 10 characters and
        must not be on the list of common passwords. Therapist accounts are made by an admin.
        Sign in afterwards with `login`.
        """
        session = get_session()
        user = service.create_user(db_session=session, role=Role.patient, **body)
        session.commit()
        return profile_with_hold(session, user)


@auth_blp.route("/login")
class Login(MethodView):
    decorators = _sign_in_limits

    @auth_blp.doc(operationId="login")
    @auth_blp.public()
    @auth_blp.arguments(LoginSchema, example=examples.LOGIN)
    @auth_blp.response(200, TokenPairSchema, example=examples.TOKEN_PAIR)
    @auth_blp.alt_response(401, response="DEFAULT_ERROR", description="Wrong email or password")
    @auth_blp.alt_response(429, response="DEFAULT_ERROR", description="Too many attempts")
    def post(self, body):
        """Sign in: a short-lived access token and a refresh token.

        Send the access token as `Authorization: Bearer <access_token>`; swap the refresh token
        for a new pair with `refreshTokens` before it expires. A wrong email and a wrong password
        give the same 401. Attempts are limited per client address and per email (429 with
        `Retry-After`).
        """
        session = get_session()
        pair = service.login(db_session=session, settings=_token_settings(), **body)
        session.commit()
        return pair


@auth_blp.route("/refresh")
class Refresh(MethodView):
    @auth_blp.doc(operationId="refreshTokens")
    @auth_blp.public()
    @auth_blp.arguments(RefreshSchema, example=examples.REFRESH)
    @auth_blp.response(200, TokenPairSchema, example=examples.TOKEN_PAIR)
    @auth_blp.alt_response(401, response="DEFAULT_ERROR", description="Invalid or reused token")
    def post(self, body):
        """Swap a refresh token for a new pair; the old one stops working.

        Each refresh token works once. Presenting one that was already swapped revokes every
        token of that sign-in (it may have been stolen): sign in again.
        """
        session = get_session()
        try:
            pair = service.refresh(
                db_session=session, settings=_token_settings(), refresh_token=body["refresh_token"]
            )
        except service.RefreshTokenReused:
            session.commit()  # keep the family revocation
            raise
        session.commit()
        return pair


@auth_blp.route("/logout")
class Logout(MethodView):
    @auth_blp.doc(operationId="logout")
    @auth_blp.public()
    @auth_blp.arguments(RefreshSchema, example=examples.REFRESH)
    @auth_blp.response(204)
    def post(self, body):
        """Revoke a refresh token (always 204).

        The refresh token stops working; access tokens already issued expire on their own.
        An unknown or already revoked token also answers 204.
        """
        session = get_session()
        service.logout(db_session=session, refresh_token=body["refresh_token"])
        session.commit()


@me_blp.route("")
class Me(MethodView):
    decorators = _password_check_limits

    @me_blp.doc(operationId="getProfile")
    @me_blp.login_required()
    @me_blp.response(200, ProfileSchema, example=examples.PROFILE)
    def get(self):
        """Your profile.

        Your account and profile, with `exercise_hold` telling whether triage has paused
        exercise.
        """
        return profile_with_hold(get_session(), current_user())

    @me_blp.doc(operationId="updateProfile")
    @me_blp.login_required()
    @me_blp.arguments(ProfileUpdateSchema, example=examples.PROFILE_UPDATE)
    @me_blp.response(200, ProfileSchema, example=examples.PROFILE)
    def patch(self, changes):
        """Change your profile (role and email cannot be changed here).

        Send only the fields to change. `health_history` and `conditions` replace the stored
        lists; contraindicated exercises are then left out of `safe_for_me` lists and refused
        at programme assignment.
        """
        session = get_session()
        user = service.update_profile(db_session=session, user=current_user(), changes=changes)
        session.commit()
        return profile_with_hold(session, user)

    @me_blp.doc(operationId="deleteAccount")
    @me_blp.login_required()
    @me_blp.arguments(DeleteAccountSchema, example=examples.DELETE_ACCOUNT)
    @me_blp.response(204)
    @me_blp.alt_response(429, response="DEFAULT_ERROR", description="Too many wrong passwords")
    def delete(self, body):
        """Erase your account and everything Upright holds about you.

        Confirm with your password. Your data is deleted and your tokens stop working at once.
        Export it first with `exportMyData` if you want a copy.
        """
        session = get_session()
        service.delete_account(db_session=session, user=current_user(), password=body["password"])
        session.commit()


@me_blp.route("/export")
class Export(MethodView):
    @me_blp.doc(operationId="exportMyData")
    @me_blp.login_required()
    @me_blp.response(200, ExportSchema, example=examples.EXPORT)
    def get(self):
        """Everything Upright holds about you, as one JSON document.

        Profile, care links, access log, check-ins, alerts, exercise holds, programmes,
        sessions, pain notices and outcome scores.
        """
        return service.export_account(db_session=get_session(), user=current_user())


@me_blp.route("/access-log")
class AccessLog(MethodView):
    @me_blp.doc(operationId="listAccessLog")
    @me_blp.login_required(Role.patient)
    @me_blp.response(200, AccessLogEntrySchema(many=True), example=examples.ACCESS_LOG)
    @me_blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, pagination_parameters):
        """Who among your therapists read your data, and when (newest first).

        Every read or action of a linked therapist on your data: who, what and when.
        Paginated (`X-Pagination`).
        """
        from sqlalchemy import select

        stmt = (
            select(AccessLogEntry)
            .where(AccessLogEntry.patient_id == current_user().id)
            .order_by(AccessLogEntry.accessed_at.desc(), AccessLogEntry.id.desc())
        )
        return paginate(get_session(), stmt, pagination_parameters).scalars().all()


@care_blp.route("/invites")
class Invites(MethodView):
    @care_blp.doc(operationId="createInvite")
    @care_blp.login_required(Role.therapist)
    @care_blp.response(201, InviteSchema, example=examples.INVITE)
    def post(self):
        """Create a single-use invite code, valid for 7 days.

        Give the code to your patient, who redeems it with `createCareLink`. Codes ignore case
        and dashes.
        """
        session = get_session()
        invite = care.create_invite(db_session=session, therapist=current_user())
        session.commit()
        return invite


@care_blp.route("")
class CareLinks(MethodView):
    @care_blp.doc(operationId="listCareLinks")
    @care_blp.login_required(Role.patient, Role.therapist)
    @care_blp.arguments(CareLinkQuerySchema, location="query")
    @care_blp.response(200, CareLinkSchema(many=True), example=[examples.CARE_LINK])
    @care_blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, query, pagination_parameters):
        """Your care links, newest first (ended ones included unless filtered).

        Patients see their therapists, therapists their patients. `active=true` keeps the
        current links only. Paginated (`X-Pagination`).
        """
        stmt = care.links_stmt(current_user(), query["active"])
        return paginate(get_session(), stmt, pagination_parameters).unique().scalars().all()

    @care_blp.doc(operationId="createCareLink")
    @care_blp.links_to("endCareLink", parameter="link_id")
    @care_blp.login_required(Role.patient)
    @care_blp.arguments(InviteRedeemSchema, example=examples.INVITE_REDEEM)
    @care_blp.response(201, CareLinkSchema, example=examples.CARE_LINK)
    @care_blp.conflict("Already linked to this therapist")
    def post(self, body):
        """Accept a therapist's invite code: they can then see your data.

        From now on the therapist sees your data; each of their reads is recorded in your
        access log. End the link at any time with `endCareLink`.
        """
        session = get_session()
        link = care.redeem_invite(db_session=session, patient=current_user(), code=body["code"])
        session.commit()
        return link


@care_blp.route("/<int:link_id>")
class CareLinkItem(MethodView):
    @care_blp.doc(operationId="endCareLink")
    @care_blp.login_required(Role.patient, Role.therapist)
    @care_blp.response(200, CareLinkSchema, example=examples.CARE_LINK_ENDED)
    @care_blp.not_found()
    def delete(self, link_id):
        """End a care link (either side). Access ends at once; the history stays.

        The therapist loses access to the patient's data at once. The link is kept, ended,
        for the record.
        """
        session = get_session()
        link = care.end_link(db_session=session, user=current_user(), link_id=link_id)
        session.commit()
        return link


@patients_blp.route("")
class Patients(MethodView):
    @patients_blp.doc(operationId="listPatients")
    @patients_blp.links_to(
        "getPatient",
        "getPatientProgress",
        parameter="patient_id",
        value="$response.body#/0/id",
        statuses=(200,),
    )
    @memoised("patients", Role.therapist)
    @patients_blp.login_required(Role.therapist)
    @patients_blp.response(200, PatientSummarySchema(many=True), example=examples.PATIENT_SUMMARIES)
    @patients_blp.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
    def get(self, pagination_parameters):
        """Your linked patients, by name, with their open alerts.

        Each patient with their open alert count, highest open alert level and whether an
        exercise hold stands. Paginated (`X-Pagination`).
        """
        session = get_session()
        therapist = current_user()
        rows = paginate(
            session,
            care.patients_stmt(therapist),
            pagination_parameters,
            count_stmt=care.patients_count_stmt(therapist),
        ).all()
        return patient_summaries(session, rows)


@patients_blp.route("/<int:patient_id>")
class PatientItem(MethodView):
    @patients_blp.doc(operationId="getPatient")
    @patients_blp.login_required(Role.therapist)
    @patients_blp.response(200, PatientDetailSchema, example=examples.PATIENT_DETAIL)
    @patients_blp.not_found()
    def get(self, patient_id):
        """A linked patient's profile (the read is recorded in their access log).

        Profile, health history, conditions and exercise hold of a patient actively linked to
        you; anyone else's answers 404.
        """
        session = get_session()
        therapist = current_user()
        patient = readable_patient(session, therapist, patient_id, resource="profile")
        body = patient_profile(session, therapist, patient)
        session.commit()
        return body


@admin_blp.route("/therapists")
class Therapists(MethodView):
    @admin_blp.doc(operationId="createTherapist")
    @admin_blp.login_required(Role.admin)
    @admin_blp.arguments(TherapistCreateSchema, example=examples.THERAPIST_CREATE)
    @admin_blp.response(201, ProfileSchema, example=examples.THERAPIST_PROFILE)
    @admin_blp.conflict("An account with this email already exists")
    def post(self, body):
        """Create a therapist account.

        Admins only. The therapist signs in with `login` and links to patients with invite
        codes.
        """
        session = get_session()
        user = service.create_user(db_session=session, role=Role.therapist, **body)
        session.commit()
        return profile_with_hold(session, user)
