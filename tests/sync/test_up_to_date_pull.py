"""The pull of a phone that is up to date: one statement, and every refusal as before.

That pull reads the caller and the change log in one statement before the caller is
loaded (``api/sync/routes.py``); whatever it cannot answer takes the normal path, so an
erased account, a token whose key no longer matches, a wrong role and a bad query string
answer exactly what they answer without a cursor.
"""

from __future__ import annotations

from sqlalchemy import update

from api.accounts.models import User
from api.database import get_session
from api.sync.service import encode_cursor
from tests.sync.helpers import SYNC, pull_all


def _unauthorized(client, headers) -> dict:
    return client.get("/api/v1/me", headers=headers).get_json()


def test_a_token_whose_key_no_longer_matches_gets_401_with_an_up_to_date_cursor(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    _, cursor = pull_all(client, headers)
    with app.app_context():
        session = get_session()
        session.execute(update(User).where(User.id == patient).values(token_key="f" * 32))
        session.commit()
    response = client.get(f"{SYNC}?cursor={cursor}", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == _unauthorized(client, headers)
    assert client.get(f"{SYNC}?cursor={cursor}", headers=make.headers(patient)).status_code == 200


def test_an_erased_account_gets_401_before_its_query_string_is_read(client, make):
    from tests.factories import PASSWORD

    patient = make.patient()
    headers = make.headers(patient)
    _, cursor = pull_all(client, headers)
    assert client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers).status_code
    for query in (f"cursor={cursor}", f"cursor={cursor}&limit=0", f"cursor={cursor}&x=1"):
        response = client.get(f"{SYNC}?{query}", headers=headers)
        assert response.status_code == 401, query
        assert response.get_json() == _unauthorized(client, headers)


def test_an_account_of_another_role_gets_403_with_a_valid_cursor(app, client, make):
    admin = make.admin()
    with app.test_request_context():
        cursor = encode_cursor(admin, {"t": 0, "i": 0})
    response = client.get(f"{SYNC}?cursor={cursor}", headers=make.headers(admin))
    assert response.status_code == 403
    assert response.get_json()["message"] == (
        "This endpoint is for patient or therapist accounts only."
    )


def test_a_bad_query_string_with_an_up_to_date_cursor_is_still_422(client, make):
    headers = make.headers(make.patient())
    _, cursor = pull_all(client, headers)
    for query, field in (
        (f"cursor={cursor}&cursor={cursor}", "cursor"),
        (f"cursor={cursor}&limit=0", "limit"),
        (f"cursor={cursor}&limit=1001", "limit"),
    ):
        response = client.get(f"{SYNC}?{query}", headers=headers)
        assert response.status_code == 422, query
        assert field in response.get_json()["errors"]["query"], query
    for query in (
        f"cursor={cursor}&limit=1",
        f"cursor={cursor}&limit=1000",
        f"limit=7&cursor={cursor}",
        f"cursor={cursor}&limit=%EF%BC%95",  # a full-width 5: the normal path reads it
        f"cursor={cursor}&since=1",  # unknown parameters are ignored
    ):
        response = client.get(f"{SYNC}?{query}", headers=headers)
        assert response.status_code == 200, query
        assert response.get_json()["has_more"] is False


def test_an_up_to_date_pull_answers_what_a_pull_with_changes_answers_once_they_are_sent(
    client, make
):
    """The same members as any pull, and the next cursor goes on from there."""
    patient = make.patient()
    headers = make.headers(patient)
    _, cursor = pull_all(client, headers)
    quiet = client.get(f"{SYNC}?cursor={cursor}", headers=headers).get_json()
    assert set(quiet) == {"cursor", "has_more", "catalogue_version", "changes"}
    assert all(c == {"upserted": [], "deleted": []} for c in quiet["changes"].values())
    snapshot = client.get(f"{SYNC}?limit=1000", headers=headers).get_json()
    assert list(quiet["changes"]) == list(snapshot["changes"])
    assert client.post("/api/v1/check-ins", json={"pain": 4}, headers=headers).status_code == 201
    changed = client.get(f"{SYNC}?cursor={quiet['cursor']}", headers=headers).get_json()
    assert len(changed["changes"]["check_ins"]["upserted"]) == 1
    again = client.get(f"{SYNC}?cursor={changed['cursor']}", headers=headers).get_json()
    assert again["changes"]["check_ins"] == {"upserted": [], "deleted": []}


def test_a_token_issued_for_another_role_is_answered_by_the_accounts_role(app, client, make):
    from api.accounts.credentials import create_access_token

    therapist, patient = make.therapist(), make.patient()
    make.link(therapist, patient)
    for user, claimed, collection in (
        (patient, "therapist", "profile"),
        (therapist, "patient", "patients"),
    ):
        headers = make.headers(user)
        _, cursor = pull_all(client, headers)
        with app.app_context():
            account = get_session().get(User, user)
            token = create_access_token(
                user_id=user,
                role=claimed,
                token_key=account.token_key,
                secret=app.config["SECRET_KEY"],
                minutes=5,
            )
        response = client.get(
            f"{SYNC}?cursor={cursor}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        assert collection in response.get_json()["changes"]


def test_an_up_to_date_pull_checks_out_its_connection_without_the_ping(app, client, make, request):
    """The pool's ping is a round trip of its own; the one statement finds out itself."""
    from api.database import state

    patient = make.patient()
    headers = make.headers(patient)
    _, cursor = pull_all(client, headers)
    pings = request.getfixturevalue("pings")  # counted from here on
    response = client.get(f"{SYNC}?cursor={cursor}", headers=headers)
    assert response.status_code == 200
    assert all(c == {"upserted": [], "deleted": []} for c in response.json["changes"].values())
    assert pings == []
    # A request without a signed-in caller still pings its checkout (a dropped connection
    # is replaced); a signed-in one copes itself (tests/test_caller_load.py).
    unknown = {"email": "nobody@example.org", "password": "not the password at all"}
    assert client.post("/api/v1/auth/login", json=unknown).status_code == 401
    assert len(pings) == (1 if state(app).engine.dialect.name == "postgresql" else 0)


def test_an_up_to_date_pull_on_a_connection_the_server_dropped_still_answers(app, client, make):
    """A pooled connection dropped by the server (a restart, a failover) is not pinged by
    the up-to-date pull: its statement fails, and the normal pull answers, reconnecting."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from api.database import state

    patient = make.patient()
    headers = make.headers(patient)
    _, cursor = pull_all(client, headers)
    expected = client.get(f"{SYNC}?cursor={cursor}", headers=headers).get_json()
    engine = state(app).engine
    engine.dispose()
    assert client.get(f"{SYNC}?cursor={cursor}", headers=headers).status_code == 200
    if engine.dialect.name == "postgresql":
        with engine.connect() as pooled:  # the one connection the pool now holds
            pid = pooled.execute(text("SELECT pg_backend_pid()")).scalar_one()
        other = create_engine(app.config["DATABASE_URL"], poolclass=NullPool)
        with other.connect() as admin:
            assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        other.dispose()
    for _ in range(2):
        response = client.get(f"{SYNC}?cursor={cursor}", headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["changes"] == expected["changes"]
        assert body["has_more"] is False
        assert body["catalogue_version"] == expected["catalogue_version"]


def test_cursors_are_signed_as_before_so_phones_keep_the_ones_they_hold(app, client, make):
    """The serializer is built once per key: a cursor signed the plain itsdangerous way
    (as phones hold them) is still accepted, and the server's cursors are that format."""
    from itsdangerous import URLSafeSerializer

    patient = make.patient()
    headers = make.headers(patient)
    _, cursor = pull_all(client, headers)
    plain = URLSafeSerializer(app.config["SECRET_KEY"], salt="upright.sync-cursor")
    position = plain.loads(cursor)
    assert position["u"] == patient
    held = plain.dumps(position)
    response = client.get(f"{SYNC}?cursor={held}", headers=headers)
    assert response.status_code == 200
    assert plain.loads(response.get_json()["cursor"])["u"] == patient
    forged = URLSafeSerializer("x" * 48, salt="upright.sync-cursor").dumps(position)
    refused = client.get(f"{SYNC}?cursor={forged}", headers=headers)
    assert refused.status_code == 422
    garbled = client.get(f"{SYNC}?cursor=x{held}", headers=headers)
    assert refused.get_json() == garbled.get_json()
