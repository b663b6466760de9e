"""A local HTTP server that answers as Google's OAuth token endpoint and FCM's
``messages:send`` do, and records every message it receives.

Answers are chosen per device token: ``script(token, [...])`` queues answers
(``"ok"``, ``"unregistered"``, ``"invalid"``, ``"unavailable"`` (503 with
``Retry-After``), ``"quota"`` (429)); a token with nothing queued succeeds.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT = "upright-test"
ACCESS_TOKEN = "fake-access-token-for-tests"


def _error(code: int, status: str, fcm_code: str | None, message: str) -> dict[str, Any]:
    details = []
    if fcm_code:
        details.append(
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_code}
        )
    return {"error": {"code": code, "message": message, "status": status, "details": details}}


ANSWERS: dict[str, tuple[int, dict[str, Any], dict[str, str]]] = {
    "unregistered": (
        404,
        _error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
        {},
    ),
    "invalid": (
        400,
        _error(
            400,
            "INVALID_ARGUMENT",
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
        ),
        {},
    ),
    "unavailable": (
        503,
        _error(503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable."),
        {"Retry-After": "120"},
    ),
    "quota": (
        429,
        _error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded."),
        {"Retry-After": "10"},
    ),
}


@dataclass
class Received:
    message: dict[str, Any]
    authorization: str
    at: float  # time.time() when it arrived


@dataclass
class FakeFcm:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    token_requests: int = 0
    scripts: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, token: str, answers: list[str]) -> None:
        with self.lock:
            self.scripts[token].extend(answers)

    def messages(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r.message for r in self.received]

    def tokens(self) -> list[str]:
        return [m["token"] for m in self.messages()]

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return True
            time.sleep(0.02)
        return False

    def _answer(self, token: str) -> str:
        with self.lock:
            queue = self.scripts.get(token)
            return queue.popleft() if queue else "ok"


def _handler(fake: FakeFcm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:  # quiet
            pass

        def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path == "/token":
                with fake.lock:
                    fake.token_requests += 1
                body = {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
                self._reply(200, body, {})
                return
            if self.path != f"/v1/projects/{PROJECT}/messages:send":
                self._reply(404, _error(404, "NOT_FOUND", None, "Unknown path"), {})
                return
            if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                self._reply(401, _error(401, "UNAUTHENTICATED", None, "Bad credentials"), {})
                return
            message = json.loads(raw)["message"]
            answer = fake._answer(message.get("token", ""))
            if answer == "ok":
                with fake.lock:
                    fake.received.append(
                        Received(message, self.headers["Authorization"], time.time())
                    )
                    number = len(fake.received)
                self._reply(200, {"name": f"projects/{PROJECT}/messages/{number}"}, {})
                return
            status, body, headers = ANSWERS[answer]
            self._reply(status, body, headers)

    return Handler


class FakeFcmServer:
    """Start on a free loopback port; ``stop()`` shuts it down."""

    def __init__(self) -> None:
        self.fake = FakeFcm()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.server.daemon_threads = True
        self.fake.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def write_credentials(path: Path, token_uri: str) -> Path:
    """A service-account file with a fresh RSA key whose token URI is the fake server."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "test-key",
        "private_key": pem,
        "client_email": f"push@{PROJECT}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    return path
