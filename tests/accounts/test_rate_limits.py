"""Rate limits on sign-in, registration and the password check of DELETE /me, and the
client address they count by (TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import logging

import pytest

from api import create_app
from api.config import ConfigError
from api.database import state
from tests.factories import bearer

STRONG = "a sturdy passphrase 42"
WRONG = "not the password at all"
OWNER_ADDRESS = "198.51.100.7"


def register(client, email="ana@example.org", password=STRONG, address=OWNER_ADDRESS):
    return client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": password, "display_name": "Ana"},
        environ_base={"REMOTE_ADDR": address},
    )


def login(client, email="ana@example.org", password=STRONG, address=OWNER_ADDRESS, **kwargs):
    return client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


def limited(app_config, **settings):
    return {
        **app_config,
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "LOGIN_EMAIL_RATE_LIMIT": "30 per hour",
        "LOGIN_ADDRESS_RATE_LIMIT": "50 per hour",
        "REGISTER_RATE_LIMIT": "50 per hour",
        **settings,
    }


@pytest.fixture
def app_config(app_config):
    return limited(app_config)


def test_successful_sign_ins_are_not_counted(client):
    assert register(client).status_code == 201
    statuses = [login(client).status_code for _ in range(6)]
    assert statuses == [200] * 6


def test_a_successful_sign_in_carries_no_retry_after(client):
    register(client)
    response = login(client)
    assert response.status_code == 200
    assert "Retry-After" not in response.headers
    assert not [name for name, _ in response.headers if name.lower().startswith("x-ratelimit")]


def test_failures_per_email_and_address_are_limited_tightly(client):
    register(client)
    assert [login(client, password=WRONG).status_code for _ in range(3)] == [401] * 3
    blocked = login(client)  # even the right password, from this address, for now
    assert blocked.status_code == 429
    assert blocked.get_json()["code"] == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 60


def test_the_owner_signs_in_after_failures_from_other_addresses(client):
    register(client)
    attacker_statuses = [
        login(client, password=WRONG, address=f"203.0.113.{n}").status_code
        for n in range(1, 9)
        for _ in range(3)
    ]
    assert attacker_statuses == [401] * 24
    assert login(client).status_code == 200


class TestEmailLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return limited(app_config, LOGIN_EMAIL_RATE_LIMIT="9 per hour")

    def test_failures_from_everywhere_meet_the_loose_per_email_limit(self, client):
        register(client)
        statuses = [
            login(client, password=WRONG, address=f"203.0.113.{n}").status_code
            for n in range(1, 4)
            for _ in range(3)
        ]
        assert statuses == [401] * 9
        assert login(client, password=WRONG, address="192.0.2.1").status_code == 429


class TestAddressLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return limited(app_config, LOGIN_ADDRESS_RATE_LIMIT="4 per hour")

    def test_failures_per_address_are_limited_across_emails(self, client):
        statuses = [
            login(client, email=f"user{n}@example.org", password=WRONG).status_code
            for n in range(5)
        ]
        assert statuses == [401, 401, 401, 401, 429]
        elsewhere = login(client, email="user9@example.org", password=WRONG, address="192.0.2.1")
        assert elsewhere.status_code == 401


class TestBehindOneProxy:
    PROXY = "10.0.0.2"

    @pytest.fixture
    def app_config(self, app_config):
        return limited(app_config, TRUSTED_PROXY_COUNT=1, LOGIN_ADDRESS_RATE_LIMIT="3 per hour")

    def attempt(self, client, n, forwarded_for):
        return login(
            client,
            email=f"user{n}@example.org",
            password=WRONG,
            address=self.PROXY,
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code

    def test_the_forwarded_address_is_the_clients(self, client):
        first = [self.attempt(client, n, "203.0.113.1") for n in range(4)]
        assert first == [401, 401, 401, 429]
        assert self.attempt(client, 9, "203.0.113.2") == 401  # another client, same proxy

    def test_addresses_added_before_the_proxy_are_not_trusted(self, client):
        spoofed = [self.attempt(client, n, f"192.0.2.{n}, 203.0.113.1") for n in range(4)]
        assert spoofed == [401, 401, 401, 429]


class TestWithoutTrustedProxies:
    @pytest.fixture
    def app_config(self, app_config):
        return limited(app_config, TRUSTED_PROXY_COUNT=0, LOGIN_ADDRESS_RATE_LIMIT="3 per hour")

    def test_forwarded_for_is_ignored(self, client):
        statuses = [
            login(
                client,
                email=f"user{n}@example.org",
                password=WRONG,
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(4)
        ]
        assert statuses == [401, 401, 401, 429]


class TestRegistrationLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return limited(app_config, REGISTER_RATE_LIMIT="3 per hour")

    def test_registration_is_limited_per_address(self, client):
        statuses = [register(client, email=f"new{n}@example.org").status_code for n in range(4)]
        assert statuses == [201, 201, 201, 429]
        blocked = register(client, email="new9@example.org")
        assert 0 < int(blocked.headers["Retry-After"]) <= 3600
        assert register(client, email="new9@example.org", address="192.0.2.1").status_code == 201

    def test_a_taken_email_counts_and_refused_passwords_do_not(self, client):
        assert register(client).status_code == 201
        assert [register(client).status_code for _ in range(2)] == [409, 409]
        assert register(client, email="other@example.org").status_code == 429
        elsewhere = "192.0.2.1"
        weak = [
            register(client, email="b@example.org", password="short", address=elsewhere)
            for _ in range(4)
        ]
        assert [r.status_code for r in weak] == [422] * 4
        assert register(client, email="b@example.org", address=elsewhere).status_code == 201


def test_wrong_passwords_on_delete_me_are_limited(client):
    register(client)
    token = login(client).get_json()["access_token"]

    def erase(password, address=OWNER_ADDRESS):
        return client.delete(
            "/api/v1/me",
            json={"password": password},
            headers=bearer(token),
            environ_base={"REMOTE_ADDR": address},
        )

    assert [erase(WRONG).status_code for _ in range(3)] == [422] * 3
    blocked = erase(STRONG)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    # reading and changing the profile are not limited
    renamed = client.patch("/api/v1/me", json={"display_name": "A"}, headers=bearer(token))
    assert renamed.status_code == 200


def test_production_warns_when_limits_are_counted_per_worker(tmp_path, caplog):
    production = {
        "UPRIGHT_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    with caplog.at_level(logging.WARNING, logger="upright.config"):
        create_app(production)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "memory://" in warnings[0].getMessage()
    assert "RATELIMIT_STORAGE_URI" in warnings[0].getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="upright.config"):
        create_app({**production, "UPRIGHT_ENV": "testing"})
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_development_allows_a_walk_through(database_url, tmp_path, monkeypatch, app):
    """Both demo accounts signing in several times from one address, one of them after
    more typos than production allows per email and address (10 a minute)."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for name in ("LOGIN_RATE_LIMIT", "LOGIN_EMAIL_RATE_LIMIT", "LOGIN_ADDRESS_RATE_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    development = create_app(
        {"UPRIGHT_ENV": "development", "DATABASE_URL": database_url},
        instance_path=str(tmp_path / "instance"),
    )
    client = development.test_client()
    for email in ("therapist@example.org", "patient@example.org"):
        assert register(client, email=email).status_code == 201
    typos = [login(client, email="therapist@example.org", password=WRONG) for _ in range(11)]
    sign_ins = [
        login(client, email=email)
        for _ in range(3)
        for email in ("therapist@example.org", "patient@example.org")
    ]
    state(development).engine.dispose()
    assert [r.status_code for r in typos] == [401] * 11
    assert [r.status_code for r in sign_ins] == [200] * 6


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOGIN_RATE_LIMIT", "lots"),
        ("REGISTER_RATE_LIMIT", ""),
        ("LOGIN_EMAIL_RATE_LIMIT", "5 per fortnight"),
        ("TRUSTED_PROXY_COUNT", -1),
        ("REFRESH_REUSE_GRACE_SECONDS", -5),
    ],
)
def test_unusable_limit_settings_stop_the_start(tmp_path, name, value):
    config = {"UPRIGHT_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", name: value}
    with pytest.raises(ConfigError, match=name):
        create_app(config)


def test_limit_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "2")
    monkeypatch.setenv("REGISTER_RATE_LIMIT", "7 per day")
    monkeypatch.setenv("REFRESH_REUSE_GRACE_SECONDS", "10")
    app = create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["TRUSTED_PROXY_COUNT"] == 2
    assert app.config["REGISTER_RATE_LIMIT"] == "7 per day"
    assert app.config["REFRESH_REUSE_GRACE_SECONDS"] == 10
