"""Settings, all read from environment variables.

Every variable is listed in ``SETTINGS`` (name, default, meaning); the README
configuration table is generated from the same list and a test keeps them in
step. Values passed to ``create_app(config=...)`` win over the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    kind: type
    meaning: str


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
        "Signs access tokens (HS256). Required in production; at least 32 characters.",
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
        "Sign-in attempts allowed per client IP and, separately, per email.",
    ),
    Setting("RATELIMIT_ENABLED", True, bool, "Set to `false` to switch rate limiting off."),
    Setting(
        "CORS_ORIGINS",
        "",
        str,
        "Comma-separated origins allowed to call the API from a browser. Empty: CORS closed.",
    ),
    Setting(
        "DB_POOL_TIMEOUT",
        5,
        int,
        "Seconds to wait for a database connection before answering 503.",
    ),
    Setting(
        "DB_CONNECT_TIMEOUT",
        3,
        int,
        "Seconds to wait when opening a PostgreSQL connection before answering 503.",
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
    """Defaults, then environment variables, then explicit overrides."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = os.environ.get(setting.name)
        values[setting.name] = setting.default if raw in (None, "") else _coerce(setting, raw)
    values.update(overrides or {})
    return values


def check_settings(values: dict[str, Any]) -> None:
    env = values.get("UPRIGHT_ENV")
    if env not in {"development", "testing", "production"}:
        raise ConfigError(f"UPRIGHT_ENV must be development, testing or production, not {env!r}")
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


def settings_table_markdown() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = "(none)" if setting.default is None else f"`{setting.default}`"
        if setting.default == "":
            default = "(empty)"
        lines.append(f"| `{setting.name}` | {default} | {setting.meaning} |")
    return "\n".join(lines)
