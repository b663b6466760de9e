"""The docs page in a real headless Chromium, with no request leaving the machine.

The app is served on a loopback port; Chromium may resolve no other host, and the
page is served under a Content-Security-Policy that allows this origin only (its
violation reports come back to the same server). Swagger UI must still list every
operation of the OpenAPI document.
"""

from __future__ import annotations

import html
import re
import subprocess
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.run_all import ensure_chromium

pytestmark = pytest.mark.browser

CSP = "default-src 'self'; img-src 'self' data:; report-uri /csp-report"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Every host name but the loopback address fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


class OwnOriginOnly:
    """WSGI middleware: the CSP on every answer, and a sink for its violation reports."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.reports: list[str] = []
        self.paths: list[str] = []

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        self.paths.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/csp-report":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            self.reports.append(environ["wsgi.input"].read(length).decode())
            start_response("204 No Content", [])
            return [b""]

        def start(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            return start_response(status, [*headers, ("Content-Security-Policy", CSP)], exc_info)

        return self.app(environ, start)


@pytest.fixture
def served(app) -> Iterator[tuple[str, OwnOriginOnly]]:
    wrapped = OwnOriginOnly(app.wsgi_app)
    app.wsgi_app = wrapped
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", wrapped
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _dump_dom(url: str, profile: str) -> str:
    result = subprocess.run(
        [
            ensure_chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def _texts(dom: str, css_class: str) -> set[str]:
    pattern = rf'class="{css_class}"[^>]*>([^<]*)<'
    return {html.unescape(text).strip() for text in re.findall(pattern, dom)}


def test_docs_list_every_operation_offline(client, served, tmp_path):
    base, server = served
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [
        operation
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]

    dom = _dump_dom(f"{base}/docs", str(tmp_path / "profile"))

    assert _texts(dom, "opblock-summary-operation-id") == {op["operationId"] for op in operations}
    assert _texts(dom, "opblock-summary-description") == {op["summary"] for op in operations}
    loaded = re.findall(r'<(?:script|link|img|iframe)\b[^>]*?(?:src|href)="([^"]+)"', dom)
    assert loaded, "the page loads its own scripts and styles"
    assert [url for url in loaded if not url.startswith(("/", base, "data:"))] == []
    assert "/docs/assets/swagger-ui-bundle.js" in server.paths
    assert "/api/v1/openapi.json" in server.paths
    assert server.reports == [], "the page needed something the CSP blocked"
