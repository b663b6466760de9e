"""The OpenAPI linters from the npm registry, at pinned versions, in a cache folder.

``ensure_node_tools()`` installs them once (tests/run_all.py calls it before the
test runs start; a lint test calls it again, which then costs nothing) and returns
the folder to give ``npx --prefix``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

NODE_TOOLS = {"@redocly/cli": "2.77.0", "@stoplight/spectral-cli": "6.16.3"}

#: No telemetry, no update checks: the linters run offline once installed.
NODE_ENV = {
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
    "NO_UPDATE_NOTIFIER": "1",
    "npm_config_update_notifier": "false",
    "npm_config_fund": "false",
    "npm_config_audit": "false",
}


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "upright"


def tools_folder() -> Path:
    pins = "-".join(f"{name.rsplit('/', 1)[-1]}-{version}" for name, version in NODE_TOOLS.items())
    return _cache_root() / f"node-tools-{pins}"


def ensure_node_tools() -> Path:
    folder = tools_folder()
    marker = folder / ".installed"
    if marker.exists():
        return folder
    if shutil.which("npm") is None:
        raise SystemExit("npm is missing: the OpenAPI lint tests need Node.js and npm.")
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the SQLite and PostgreSQL runs may both ask
        if not marker.exists():
            print(f"== Installing {', '.join(NODE_TOOLS)} with npm", flush=True)
            subprocess.run(
                [
                    "npm",
                    "install",
                    "--prefix",
                    str(folder),
                    "--ignore-scripts",
                    "--no-save",
                    *(f"{name}@{version}" for name, version in NODE_TOOLS.items()),
                ],
                check=True,
                env={**os.environ, **NODE_ENV},
                stdout=subprocess.DEVNULL,
            )
            marker.touch()
    return folder
