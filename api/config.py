"""Settings, all read from environment variables.

Every variable is listed in ``SETTINGS`` (name, default, meaning); the README
configuration table is generated from the same list and a test keeps them in
step. Values passed to ``create_app(config=...)`` win over the environment.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from limits import parse_many

# Published in earlier versions as the development key: never used to sign, refused in production.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
# Where development keeps its generated SECRET_KEY, inside Flask's instance folder.
DEV_SECRET_KEY_FILE = "secret_key"

log = logging.getLogger("upright.config")


class _Same:
    def __repr__(self) -> str:
        return "same as the default"


SAME = _Same()


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    kind: type
    meaning: str
    development: Any = SAME  # the default when UPRIGHT_ENV=development, if it differs


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "UPRIGHT_ENV",
        "development",
        str,
        "`development`, `testing` or `production`. Production refuses to start without "
        "a real `SECRET_KEY`.",
    ),
    Setting(
        "DATABASE_URL",
        None,
        str,
        "SQLAlchemy URL. Default: a SQLite file `upright.sqlite3` in Flask's instance folder. "
        "Production: `postgresql+psycopg://user:pass@host/db`.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        str,
        "Signs access tokens (HS256). Required in production; at least 32 characters. "
        "Development without it: a random key made on first start and kept in "
        "`instance/secret_key` (mode 0600). Testing without it: a random key per process.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        64 * 1024,
        int,
        "Largest accepted request body in bytes; larger bodies answer 413.",
    ),
    Setting("ACCESS_TOKEN_MINUTES", 15, int, "Lifetime of an access token, in minutes."),
    Setting("REFRESH_TOKEN_DAYS", 30, int, "Lifetime of a refresh token, in days."),
    Setting(
        "RATELIMIT_STORAGE_URI",
        "memory://",
        str,
        "Flask-Limiter store. Use a shared store such as `redis://host:6379/0` when "
        "several servers run.",
    ),
    Setting(
        "LOGIN_RATE_LIMIT",
        "10 per minute",
        str,
        "Failed sign-ins allowed per email from one client address (also failed password "
        "checks of `DELETE /me` per account and address). Successful sign-ins are not counted.",
        development="100 per minute",
    ),
    Setting(
        "LOGIN_EMAIL_RATE_LIMIT",
        "100 per hour",
        str,
        "Failed sign-ins allowed per email from all addresses together (and failed password "
        "checks of `DELETE /me` per account).",
        development="1000 per hour",
    ),
    Setting(
        "LOGIN_ADDRESS_RATE_LIMIT",
        "100 per hour",
        str,
        "Failed sign-ins allowed per client address, whatever the email.",
        development="1000 per hour",
    ),
    Setting(
        "REGISTER_RATE_LIMIT",
        "5 per hour",
        str,
        "Registrations (`POST /auth/register` answering 201 or 409) allowed per client address.",
        development="100 per hour",
    ),
    Setting(
        "TRUSTED_PROXY_COUNT",
        0,
        int,
        "Number of reverse proxies in front of the app that set `X-Forwarded-For`. 0: the "
        "header is ignored and the client address is the connecting one.",
    ),
    Setting(
        "REFRESH_REUSE_GRACE_SECONDS",
        30,
        int,
        "Seconds during which a just-rotated refresh token, sent again, gets the same new "
        "pair back (concurrent or retried refreshes); later reuse revokes the sign-in.",
    ),
    Setting("RATELIMIT_ENABLED", True, bool, "Set to `false` to switch rate limiting off."),
    Setting(
        "CORS_ORIGINS",
        "",
        str,
        "Comma-separated origins allowed to call the API from a browser. Empty: CORS closed.",
    ),
    Setting(
        "PREFERRED_URL_SCHEME",
        "http",
        str,
        "`https` when clients reach the API over TLS (usually through a proxy): generated "
        "URLs use it and every response carries `Strict-Transport-Security`.",
    ),
    Setting(
        "HSTS_ENABLED",
        False,
        bool,
        "Send `Strict-Transport-Security` even when `PREFERRED_URL_SCHEME` is `http`.",
    ),
    Setting(
        "HSTS_MAX_AGE",
        31536000,
        int,
        "Seconds browsers keep to HTTPS for this host (the HSTS `max-age`; one year).",
    ),
    Setting(
        "DB_POOL_TIMEOUT",
        5,
        int,
        "Seconds to wait for a database connection before answering 503.",
    ),
    Setting(
        "DB_POOL_SIZE",
        5,
        int,
        "Database connections each server process keeps open. Sizing: servers x gunicorn "
        "workers x (`DB_POOL_SIZE` + `DB_MAX_OVERFLOW`) <= PgBouncer's pool (or PostgreSQL's "
        "`max_connections` without PgBouncer).",
    ),
    Setting(
        "DB_MAX_OVERFLOW",
        5,
        int,
        "Extra connections a server process may open above `DB_POOL_SIZE` under load "
        "(closed when returned). Keep `DB_POOL_SIZE` + `DB_MAX_OVERFLOW` >= `GUNICORN_THREADS`.",
    ),
    Setting(
        "DB_CONNECT_TIMEOUT",
        3,
        int,
        "Seconds to wait when opening a PostgreSQL connection before answering 503.",
    ),
    Setting(
        "DB_STATEMENT_TIMEOUT",
        5,
        int,
        "Seconds a PostgreSQL statement may run (`statement_timeout`); a server that does not "
        "answer within one more second is given up on. Either way the request answers 503.",
    ),
    Setting(
        "DB_PREPARED_STATEMENTS",
        False,
        bool,
        "`true` where the servers reach PostgreSQL directly: a statement run often on a "
        "connection is prepared once, and PostgreSQL no longer plans it on every run (one "
        "plan for any values: `plan_cache_mode=force_generic_plan`). Leave "
        "`false` behind PgBouncer in transaction mode (before 1.21 it cannot follow "
        "prepared statements).",
    ),
    Setting("LOG_LEVEL", "INFO", str, "Python logging level of the request log."),
    Setting(
        "CELERY_BROKER_URL",
        None,
        str,
        "Job queue broker (Redis), e.g. `redis://127.0.0.1:6379/1`. Unset: no queue; pushes "
        "are sent in-process right after the request commits and periodic jobs run with "
        "`flask --app wsgi jobs tick`.",
    ),
    Setting(
        "FCM_CREDENTIALS_FILE",
        None,
        str,
        "Firebase service-account JSON file for push (FCM HTTP v1). Unset: push is off and "
        "notifications stay in the inbox (start-up logs this once).",
    ),
    Setting(
        "FCM_BASE_URL",
        "https://fcm.googleapis.com",
        str,
        "Base URL of the FCM HTTP v1 API (tests point it at a local server).",
    ),
    Setting(
        "ALERT_ESCALATE_EMERGENCY_MINUTES",
        30,
        int,
        "An `emergency` alert not acknowledged within this many minutes is escalated.",
    ),
    Setting(
        "ALERT_ESCALATE_URGENT_MINUTES",
        240,
        int,
        "An `urgent` alert not acknowledged within this many minutes is escalated.",
    ),
    Setting(
        "SYNC_TOMBSTONE_DAYS",
        90,
        int,
        "Days the sync change log (and its tombstones) is kept; an older sync cursor answers "
        "410 and the app takes a fresh snapshot.",
    ),
    Setting(
        "ANSWER_MEMO_BYTES",
        4 * 1024 * 1024,
        int,
        "Bytes of personal answers (`/me/today`, `/me/progress`, `/patients`, `/alerts`) each "
        "server process keeps for their own caller, served again only while nothing of "
        "theirs has changed; `0` turns it off.",
    ),
)

_TRUE = {"1", "true", "yes", "on"}


def _coerce(setting: Setting, raw: str) -> Any:
    if setting.kind is bool:
        return raw.strip().lower() in _TRUE
    if setting.kind is int:
        return int(raw)
    return raw


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says why in one line."""


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults (development's own where they differ), then environment variables, then
    explicit overrides."""
    overrides = overrides or {}
    env = overrides.get("UPRIGHT_ENV") or os.environ.get("UPRIGHT_ENV") or "development"
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        default = setting.default
        if env == "development" and setting.development is not SAME:
            default = setting.development
        raw = os.environ.get(setting.name)
        values[setting.name] = default if raw in (None, "") else _coerce(setting, raw)
    values.update(overrides)
    return values


def check_settings(values: dict[str, Any]) -> None:
    env = values.get("UPRIGHT_ENV")
    if env not in {"development", "testing", "production"}:
        raise ConfigError(f"UPRIGHT_ENV must be development, testing or production, not {env!r}")
    _check_limits(values)
    if env == "production":
        secret = values.get("SECRET_KEY")
        if not secret or secret == DEV_SECRET_KEY or len(secret) < 32:
            raise ConfigError(
                "Refusing to start: UPRIGHT_ENV=production needs SECRET_KEY set to a random "
                "value of at least 32 characters (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')."
            )
        if not values.get("DATABASE_URL"):
            raise ConfigError(
                "Refusing to start: UPRIGHT_ENV=production needs DATABASE_URL (PostgreSQL)."
            )


RATE_LIMIT_SETTINGS = (
    "LOGIN_RATE_LIMIT",
    "LOGIN_EMAIL_RATE_LIMIT",
    "LOGIN_ADDRESS_RATE_LIMIT",
    "REGISTER_RATE_LIMIT",
)


def _check_limits(values: dict[str, Any]) -> None:
    for name in RATE_LIMIT_SETTINGS:
        try:
            parse_many(str(values.get(name)))
        except ValueError:
            raise ConfigError(
                f"{name} must be a rate such as '10 per minute', not {values.get(name)!r}"
            ) from None
    for name in (
        "TRUSTED_PROXY_COUNT",
        "REFRESH_REUSE_GRACE_SECONDS",
        "DB_POOL_SIZE",
        "DB_MAX_OVERFLOW",
        "ANSWER_MEMO_BYTES",
    ):
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{name} must be a whole number, 0 or more, not {value!r}")


def warn_about_settings(values: dict[str, Any]) -> None:
    """Settings that start but should not run in production: one loud log line each."""
    if (
        values.get("UPRIGHT_ENV") == "production"
        and values.get("RATELIMIT_ENABLED")
        and str(values.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://")
    ):
        log.warning(
            "RATELIMIT_STORAGE_URI is memory:// in production: every worker counts on its own, "
            "so the real limits are the configured ones times the number of workers; use a "
            "shared store such as redis://host:6379/0."
        )


def development_secret_key(instance_path: str | os.PathLike[str]) -> str:
    """The development SECRET_KEY: random, made once, kept in the instance folder (0600).

    Concurrent first starts agree on one key: each writes its own temporary file and
    hard-links it into place, which fails for all but the first.
    """
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEV_SECRET_KEY_FILE
    if not path.exists():
        temporary = folder / f".{DEV_SECRET_KEY_FILE}.{secrets.token_hex(8)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ConfigError(f"Refusing to start: {path} holds no usable key; delete it.")
    return key


def settings_table_markdown() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = "(none)" if setting.default is None else f"`{setting.default}`"
        if setting.default == "":
            default = "(empty)"
        if setting.development is not SAME:
            default += f" (development: `{setting.development}`)"
        lines.append(f"| `{setting.name}` | {default} | {setting.meaning} |")
    return "\n".join(lines)
