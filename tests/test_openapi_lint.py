"""Redocly CLI (recommended rules) and Spectral (spectral:oas) on the OpenAPI document.

Both run with npx from a cache folder (tests/node_tools.py). The suite fails on any
error, and on any warning that an operation lacks an operationId or a description.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.node_tools import NODE_ENV, ensure_node_tools

pytestmark = pytest.mark.lint

MUST_NOT_WARN = {"operation-operationId", "operation-description"}


@pytest.fixture
def spec_file(client, tmp_path) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(client.get("/api/v1/openapi.json").get_json()), encoding="utf-8")
    return path


def _npx(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["npx", "--no-install", "--prefix", str(ensure_node_tools()), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, **NODE_ENV},
    )


def test_redocly_recommended_rules(spec_file):
    result = _npx(
        "redocly",
        "lint",
        "--extends",
        "recommended",
        "--format",
        "json",
        spec_file.name,
        cwd=spec_file.parent,
    )
    report = json.loads(result.stdout)
    problems = Counter((p["severity"], p["ruleId"]) for p in report["problems"])
    assert report["totals"]["errors"] == 0, problems
    assert not {rule for _, rule in problems} & MUST_NOT_WARN, problems


def test_spectral_oas_rules(spec_file):
    ruleset = spec_file.parent / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    result = _npx(
        "spectral",
        "lint",
        "--ruleset",
        ruleset.name,
        "--format",
        "json",
        "--quiet",
        spec_file.name,
        cwd=spec_file.parent,
    )
    findings = json.loads(result.stdout or "[]")
    problems = Counter((f["severity"], f["code"]) for f in findings)
    assert [f for f in findings if f["severity"] == 0] == [], problems  # 0 is "error"
    assert not {f["code"] for f in findings} & MUST_NOT_WARN, problems
