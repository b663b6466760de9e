"""An erased account's token never acts as another account, and ids are never reused."""

from __future__ import annotations

import datetime as dt

import jwt
from sqlalchemy import create_engine, insert, select, text

from api.accounts.credentials import JWT_ALGORITHM
from api.accounts.models import User
from api.database import Base, get_session
from tests.factories import bearer

STRONG = "a sturdy passphrase 42"


def register(client, email: str, name: str) -> dict:
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": STRONG, "display_name": name}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def sign_in(client, email: str) -> dict:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": STRONG})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_erased_accounts_token_does_not_act_as_the_next_account(client):
    dana = register(client, "dana@example.org", "Dana")
    dana_token = sign_in(client, "dana@example.org")["access_token"]
    erased = client.delete("/api/v1/me", json={"password": STRONG}, headers=bearer(dana_token))
    assert erased.status_code == 204
    eve = register(client, "eve@example.org", "Eve")
    assert eve["id"] != dana["id"]

    assert client.get("/api/v1/me", headers=bearer(dana_token)).status_code == 401
    check_in = client.post("/api/v1/check-ins", json={"pain": 3}, headers=bearer(dana_token))
    assert check_in.status_code == 401
    assert client.get("/api/v1/me/export", headers=bearer(dana_token)).status_code == 401

    eve_token = sign_in(client, "eve@example.org")["access_token"]
    eve_export = client.get("/api/v1/me/export", headers=bearer(eve_token)).get_json()
    assert eve_export["sections"]["check_ins"] == []  # nothing was written into Eve's account


def test_a_token_does_not_work_for_a_later_account_given_the_same_id(app, client):
    """Even if an id came back (a restore, a sequence reset), the old token stays dead."""
    dana = register(client, "dana@example.org", "Dana")
    dana_token = sign_in(client, "dana@example.org")["access_token"]
    with app.app_context():
        session = get_session()
        session.delete(session.get(User, dana["id"]))
        session.commit()
        users = Base.metadata.tables["users"]
        session.execute(
            insert(users).values(
                id=dana["id"],
                email="eve@example.org",
                email_key="eve@example.org",
                password_hash="x",
                role="patient",
                display_name="Eve",
                timezone="UTC",
                health_history=[],
                conditions=[],
                created_at=dt.datetime.now(dt.UTC),
                updated_at=dt.datetime.now(dt.UTC),
                token_key="0" * 32,
            )
        )
        session.commit()
    assert client.get("/api/v1/me", headers=bearer(dana_token)).status_code == 401


def test_a_token_without_the_account_key_is_refused(app, client, make):
    patient = make.patient()
    now = dt.datetime.now(dt.UTC)
    exp = now + dt.timedelta(minutes=5)
    claims = {"sub": str(patient), "type": "access", "iat": now, "exp": exp}
    keyless = jwt.encode(claims, app.config["SECRET_KEY"], algorithm=JWT_ALGORITHM)
    wrong_key = jwt.encode(
        {**claims, "key": "f" * 32}, app.config["SECRET_KEY"], algorithm=JWT_ALGORITHM
    )
    not_a_string = jwt.encode({**claims, "key": 7}, app.config["SECRET_KEY"], algorithm="HS256")
    for token in (keyless, wrong_key, not_a_string):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=make.headers(patient)).status_code == 200


def test_every_integer_id_is_never_reused_after_the_migrations(database_url):
    """The migrated schema (not only the models) says so, for every table with an integer id:
    SQLite AUTOINCREMENT, PostgreSQL a sequence or identity (which never goes back)."""
    engine = create_engine(database_url)
    tables = [
        t for t in Base.metadata.sorted_tables if t.dialect_options["sqlite"]["autoincrement"]
    ]
    assert {"users", "check_ins", "alerts", "care_links", "programmes"} <= {t.name for t in tables}
    missing = []
    with engine.connect() as connection:
        for table in tables:
            if connection.dialect.name == "sqlite":
                sql = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                    {"name": table.name},
                ).scalar_one()
                ok = "AUTOINCREMENT" in sql.upper()
            else:
                ok = (
                    connection.execute(
                        select(text("pg_get_serial_sequence(:name, 'id')")), {"name": table.name}
                    ).scalar()
                    is not None
                )
            if not ok:
                missing.append(table.name)
    engine.dispose()
    assert missing == []


def test_ids_of_deleted_rows_are_not_handed_out_again(client):
    first = register(client, "first@example.org", "First")
    token = sign_in(client, "first@example.org")["access_token"]
    check_in = client.post("/api/v1/check-ins", json={"pain": 3}, headers=bearer(token))
    old_check_in = check_in.get_json()["id"]
    erased = client.delete("/api/v1/me", json={"password": STRONG}, headers=bearer(token))
    assert erased.status_code == 204
    second = register(client, "second@example.org", "Second")
    token = sign_in(client, "second@example.org")["access_token"]
    check_in = client.post("/api/v1/check-ins", json={"pain": 3}, headers=bearer(token))
    assert second["id"] > first["id"]
    assert check_in.get_json()["id"] > old_check_in
