"""Push through the FCM HTTP v1 API, with google-auth and requests.

``POST {FCM_BASE_URL}/v1/projects/{project_id}/messages:send`` with an OAuth 2
access token obtained from the service-account file (``FCM_CREDENTIALS_FILE``).
The answer is sorted into what the delivery job does next: sent; the token is
gone (``UNREGISTERED``, ``INVALID_ARGUMENT``: remove the device); retry later
(429, 5xx, network errors, honouring ``Retry-After``); or failed for good.
Tokens are never logged.

google-auth is imported when a client is built and requests at its first send
(together about 5 MB per process), so a web worker without ``FCM_CREDENTIALS_FILE``
loads neither, and one that hands pushes to the job queue never loads requests.
"""

from __future__ import annotations

import email.utils
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api.database import utcnow

if TYPE_CHECKING:
    import requests
    from google.auth.transport.requests import AuthorizedSession

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
TOKEN_GONE = frozenset({"UNREGISTERED", "INVALID_ARGUMENT"})
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SendResult:
    outcome: str  # "sent", "token_gone", "retry" or "failed"
    error: str | None = None
    retry_after: float | None = None


class FcmClient:
    """One project's messages:send endpoint; one HTTP session per thread."""

    def __init__(self, credentials_file: str, base_url: str) -> None:
        from google.oauth2 import service_account

        with open(credentials_file, encoding="utf-8") as handle:
            info = json.load(handle)
        self.project_id = info["project_id"]
        self.credentials = service_account.Credentials.from_service_account_info(
            info, scopes=[SCOPE]
        )
        self.url = f"{base_url.rstrip('/')}/v1/projects/{self.project_id}/messages:send"
        self._local = threading.local()

    def _session(self) -> AuthorizedSession:
        session = getattr(self._local, "session", None)
        if session is None:
            from google.auth.transport.requests import AuthorizedSession

            session = self._local.session = AuthorizedSession(self.credentials)
        return session

    def send(self, message: dict[str, Any]) -> SendResult:
        import google.auth.exceptions
        import requests

        try:
            response = self._session().post(
                self.url, json={"message": message}, timeout=TIMEOUT_SECONDS
            )
        except (requests.RequestException, google.auth.exceptions.GoogleAuthError) as error:
            return SendResult("retry", type(error).__name__)
        return classify(response.status_code, _json(response), response.headers.get("Retry-After"))


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_code(body: dict[str, Any]) -> str | None:
    """The FCM error code (``UNREGISTERED``, ...) of an error answer."""
    error = body.get("error") or {}
    if not isinstance(error, dict):
        return None
    for detail in error.get("details") or ():
        if isinstance(detail, dict) and detail.get("@type", "").endswith("FcmError"):
            return str(detail.get("errorCode") or "") or None
    status = error.get("status")
    return str(status) if status else None


def classify(status: int, body: dict[str, Any], retry_after: str | None) -> SendResult:
    if 200 <= status < 300:
        return SendResult("sent")
    code = error_code(body) or f"HTTP {status}"
    if code in TOKEN_GONE:
        return SendResult("token_gone", code)
    if status == 429 or status >= 500:
        return SendResult("retry", code, parse_retry_after(retry_after))
    return SendResult("failed", code)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait: ``Retry-After`` is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (utcnow().timestamp() if now is None else now))


def message(
    *,
    token: str,
    platform: str,
    notification_id: int,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any],
    high_priority: bool,
) -> dict[str, Any]:
    """The FCM v1 ``message`` for one device: the lock-screen text and string data."""
    payload: dict[str, Any] = {
        "token": token,
        "notification": {"title": title, "body": body},
        "data": {
            "notification_id": str(notification_id),
            "kind": kind,
            **{key: str(value) for key, value in data.items()},
        },
    }
    collapse = f"notification-{notification_id}"  # a repeated push replaces, not doubles
    if platform == "android":
        payload["android"] = {
            "priority": "HIGH" if high_priority else "NORMAL",
            "collapse_key": collapse,
        }
    elif platform == "ios":
        payload["apns"] = {
            "headers": {
                "apns-priority": "10" if high_priority else "5",
                "apns-collapse-id": collapse,
            }
        }
    else:
        payload["webpush"] = {"headers": {"Urgency": "high" if high_priority else "normal"}}
    return payload
