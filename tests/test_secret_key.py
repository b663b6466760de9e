"""SECRET_KEY without configuration: development makes one and keeps it; nothing uses a
published constant."""

from __future__ import annotations

import os
import stat

import pytest

from api import create_app
from api.accounts.credentials import create_access_token
from api.accounts.models import User
from api.config import DEV_SECRET_KEY, DEV_SECRET_KEY_FILE, ConfigError
from api.database import get_session, state
from tests.factories import bearer


@pytest.fixture(autouse=True)
def no_configured_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("UPRIGHT_ENV", raising=False)


def development_app(database_url: str, instance) -> object:
    app = create_app({"DATABASE_URL": database_url}, instance_path=str(instance))
    assert app.config["UPRIGHT_ENV"] == "development"  # the default
    return app


def test_development_makes_a_private_key_once_and_keeps_it(tmp_path):
    instance = tmp_path / "instance"
    url = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    first = development_app(url, instance)
    second = development_app(url, instance)
    key = first.config["SECRET_KEY"]
    assert key == second.config["SECRET_KEY"]
    assert key != DEV_SECRET_KEY and len(key) >= 32
    path = instance / DEV_SECRET_KEY_FILE
    assert path.read_text().strip() == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in instance.iterdir()) == [DEV_SECRET_KEY_FILE]  # no leftovers
    elsewhere = development_app(url, tmp_path / "another-instance")
    assert elsewhere.config["SECRET_KEY"] != key


def test_an_unusable_key_file_stops_the_start(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / DEV_SECRET_KEY_FILE).write_text("\n")
    with pytest.raises(ConfigError, match="delete it"):
        development_app(f"sqlite:///{tmp_path / 'dev.sqlite3'}", instance)


def test_the_published_constant_no_longer_signs_tokens(app, make, database_url, tmp_path):
    """Someone who read the code cannot forge a token for a server started without
    configuration (here an admin's, with the account's real key even)."""
    admin = make.admin()
    development = development_app(database_url, tmp_path / "instance")
    with development.app_context():
        user = get_session().get(User, admin)

        def token(secret: str) -> str:
            return create_access_token(
                user_id=user.id,
                role="admin",
                token_key=user.token_key,
                secret=secret,
                minutes=5,
            )

        forged, genuine = token(DEV_SECRET_KEY), token(development.config["SECRET_KEY"])
    client = development.test_client()
    forged_answer = client.get("/api/v1/me", headers=bearer(forged))
    genuine_answer = client.get("/api/v1/me", headers=bearer(genuine))
    state(development).engine.dispose()
    assert forged_answer.status_code == 401
    assert genuine_answer.status_code == 200


def test_testing_keeps_its_explicit_key_and_otherwise_writes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    explicit = "an-explicit-testing-key-that-is-long-enough"
    configured = create_app(
        {"UPRIGHT_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": explicit},
        instance_path=str(tmp_path / "a"),
    )
    assert configured.config["SECRET_KEY"] == explicit
    unconfigured = [
        create_app(
            {"UPRIGHT_ENV": "testing", "DATABASE_URL": url}, instance_path=str(tmp_path / "b")
        ).config["SECRET_KEY"]
        for _ in range(2)
    ]
    assert DEV_SECRET_KEY not in unconfigured
    assert unconfigured[0] != unconfigured[1]  # random, per process
    assert not (tmp_path / "b").exists()
