"""The domain boundaries hold: the import-linter contracts in pyproject.toml (see
ARCHITECTURE.md) are checked as part of the suite."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


_REGISTRATIONS = """
import importlib, json, pkgutil, sys
from sqlalchemy import event
from sqlalchemy.orm import Session
import api
from api.accounts import care, export
from api.alerts import hooks
from api.sync import changes

def registered():
    return {
        "exports": export.section_names(),
        "hooks": [
            [f.__module__ + "." + f.__name__ for f in listeners]
            for listeners in (
                hooks._placed, hooks._lifted, hooks._alerts_raised, hooks._alert_escalated,
                care._link_ended,
            )
        ],
        "sync_change_log": event.contains(Session, "after_flush", changes._record_changes),
    }

for module in pkgutil.walk_packages(api.__path__, "api."):
    if module.name not in ("api.jobs.worker", "api.gunicorn_conf", "api.gunicorn_worker"):
        importlib.import_module(module.name)
print(json.dumps(registered()))
api.create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": sys.argv[1],
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789"})
api.create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": sys.argv[1],
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789"})
print(json.dumps(registered()))
"""


def test_hooks_and_export_sections_register_at_start_up_not_on_import(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _REGISTRATIONS, f"sqlite:///{tmp_path / 'db.sqlite3'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    on_import, at_start_up = (json.loads(line) for line in result.stdout.splitlines()[-2:])
    assert on_import == {
        "exports": [],
        "hooks": [[], [], [], [], []],
        "sync_change_log": False,
    }
    assert at_start_up["sync_change_log"] is True
    assert at_start_up["exports"] == [
        "access_log",
        "alerts",
        "care_links",
        "check_ins",
        "devices",
        "exercise_holds",
        "notifications",
        "outcomes",
        "pain_notices",
        "programmes",
        "reminders",
        "sessions",
    ]
    placed, lifted, raised, escalated, link_ended = at_start_up["hooks"]  # two apps: once each
    assert placed == ["api.programmes.service._pause_for_hold"]
    assert lifted == [
        "api.programmes.service._resume_after_hold",
        "api.notifications.alerting.notify_hold_lifted",
    ]
    assert raised == ["api.notifications.alerting.notify_therapists_of_alerts"]
    assert escalated == ["api.notifications.alerting.notify_escalation"]
    assert link_ended == [
        "api.alerts.service._record_link_ended",
        "api.notifications.alerting.notify_link_ended_with_open_alert",
    ]


def test_other_domains_take_only_the_person_from_the_accounts_tables():
    """Everyone may know who is acting (``User``, ``Role``); care links, invites, tokens
    and the access log are read through ``api.accounts`` and ``api.policy`` only."""
    shared = {"User", "Role"}
    owners = ("api/accounts/", "api/policy.py", "api/models.py")
    taken = {}
    for path in sorted((ROOT / "api").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(owners):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "api.accounts.models":
                names = {alias.name for alias in node.names} - shared
                if names:
                    taken[relative] = sorted(names)
    # The sync change log sees every synced table's flushes, care links' too (as
    # pyproject.toml lets it see the other domains' tables); the pull feed and the FHIR
    # record read care links and the access log through ``api.accounts.bulk``.
    assert taken == {"api/sync/changes.py": ["CareLink"]}
