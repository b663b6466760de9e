"""``flask catalogue load``: idempotent upserts, updates and retirement."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from alembic import command

from api import create_app
from api.migrate import alembic_config

DATA = Path(__file__).resolve().parents[2] / "exercises" / "data"


@pytest.fixture
def scratch_app(scratch_url):
    command.upgrade(alembic_config(scratch_url), "head")
    app = create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": scratch_url})
    yield app
    from api.database import state

    state(app).engine.dispose()


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def load(app, path):
    result = app.test_cli_runner().invoke(args=["catalogue", "load", "--path", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_second_load_changes_nothing(scratch_app, data_copy):
    first = load(scratch_app, data_copy)
    assert "0 unchanged" in first.splitlines()[1]  # exercises: all added
    second = load(scratch_app, data_copy)
    for line in second.splitlines():
        assert ": 0 added, 0 updated, 0 retired" in line, line


def test_changed_file_updates_its_row_and_etag(scratch_app, data_copy):
    load(scratch_app, data_copy)
    client = scratch_app.test_client()
    before = client.get("/api/v1/exercises/chin-tuck")
    path = data_copy / "exercises" / "chin-tuck.yaml"
    entry = yaml.safe_load(path.read_text())
    entry["summary"] = "A revised summary for review."
    path.write_text(yaml.safe_dump(entry, sort_keys=False))
    output = load(scratch_app, data_copy)
    assert "exercises: 0 added, 1 updated, 0 retired" in output
    after = client.get("/api/v1/exercises/chin-tuck")
    assert after.get_json()["summary"] == "A revised summary for review."
    assert after.headers["ETag"] != before.headers["ETag"]


def test_removed_exercise_is_retired_not_deleted(scratch_app, data_copy):
    load(scratch_app, data_copy)
    victim = "wall-angel"
    for other in (data_copy / "exercises").glob("*.yaml"):
        entry = yaml.safe_load(other.read_text())
        changed = False
        for key in ("progressions", "regressions"):
            if victim in entry.get(key, []):
                entry[key] = [s for s in entry[key] if s != victim]
                changed = True
        if changed:
            other.write_text(yaml.safe_dump(entry, sort_keys=False))
    for template in (data_copy / "templates").glob("*.yaml"):
        entry = yaml.safe_load(template.read_text())
        entry["items"] = [i for i in entry["items"] if i["exercise"] != victim]
        template.write_text(yaml.safe_dump(entry, sort_keys=False))
    for lifestyle in [data_copy / "lifestyle.yaml"]:
        entries = yaml.safe_load(lifestyle.read_text())
        for entry in entries:
            entry["related_exercises"] = [s for s in entry["related_exercises"] if s != victim]
        lifestyle.write_text(yaml.safe_dump(entries, sort_keys=False))
    (data_copy / "exercises" / f"{victim}.yaml").unlink()
    output = load(scratch_app, data_copy)
    assert "exercises: 0 added" in output and "1 retired" in output
    client = scratch_app.test_client()
    detail = client.get(f"/api/v1/exercises/{victim}")
    assert detail.status_code == 200 and detail.get_json()["retired"] is True
    listed = [e["slug"] for e in client.get("/api/v1/exercises?page_size=100").get_json()]
    assert victim not in listed
    # putting it back revives it
    shutil.copy(DATA / "exercises" / f"{victim}.yaml", data_copy / "exercises")
    load(scratch_app, DATA)
    assert client.get(f"/api/v1/exercises/{victim}").get_json()["retired"] is False


def test_invalid_content_is_refused_and_nothing_changes(scratch_app, data_copy):
    load(scratch_app, data_copy)
    path = data_copy / "exercises" / "chin-tuck.yaml"
    entry = yaml.safe_load(path.read_text())
    entry["progressions"] = ["no-such-exercise"]
    entry["summary"] = "should not be saved"
    path.write_text(yaml.safe_dump(entry, sort_keys=False))
    result = scratch_app.test_cli_runner().invoke(
        args=["catalogue", "load", "--path", str(data_copy)]
    )
    assert result.exit_code != 0
    assert "no-such-exercise" in result.output
    summary = scratch_app.test_client().get("/api/v1/exercises/chin-tuck").get_json()["summary"]
    assert summary != "should not be saved"


def test_changed_health_history_rule_updates_exercises_and_etag(scratch_app, data_copy):
    load(scratch_app, data_copy)
    client = scratch_app.test_client()
    before = client.get("/api/v1/exercises/abdominal-curl-up")
    assert "cancer" in before.get_json()["contraindications"]
    path = data_copy / "health_history.yaml"
    entries = yaml.safe_load(path.read_text())
    cancer = next(e for e in entries if e["code"] == "cancer")
    del cancer["same_as"]
    path.write_text(yaml.safe_dump(entries, sort_keys=False))
    output = load(scratch_app, data_copy)
    updated = re.search(r"exercises: 0 added, (\d+) updated", output)
    assert updated and int(updated.group(1)) >= 7  # every exercise osteoporosis rules out
    after = client.get("/api/v1/exercises/abdominal-curl-up")
    assert "cancer" not in after.get_json()["contraindications"]
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_session_sees_a_catalogue_load_as_the_catalogue_answers_do(
    scratch_app, scratch_url, data_copy
):
    """Logging a session checks its exercises against the catalogue this process keeps
    for the catalogue version it trusts: a load by this server is seen by its next
    session, a load by another server within a second (DIGEST_MAX_AGE), never later."""
    import datetime as dt

    from api.timeutil import clock
    from tests import factories
    from tests.sessions.helpers import entry, session_body

    load(scratch_app, data_copy)
    other_server = create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": scratch_url})
    make = factories.Factory(scratch_app)
    headers = make.headers(make.patient())
    client = scratch_app.test_client()
    now = [dt.datetime.now(dt.UTC).replace(microsecond=0)]

    def log(slug: str):
        body = session_body(entry("chin-tuck"), entry(slug))
        return client.post("/api/v1/sessions", json=body, headers=headers)

    def add_exercise(slug: str) -> None:
        new = yaml.safe_load((data_copy / "exercises" / "chin-tuck.yaml").read_text())
        new.update(
            slug=slug, name=slug.replace("-", " ").capitalize(), progressions=[], regressions=[]
        )
        (data_copy / "exercises" / f"{slug}.yaml").write_text(yaml.safe_dump(new, sort_keys=False))

    with clock.source(lambda: now[0]):
        unknown = log("brand-new-move")
        assert unknown.status_code == 422
        assert unknown.get_json()["errors"]["json"]["entries"] == {
            "1": ["Unknown exercise 'brand-new-move'."]
        }
        add_exercise("brand-new-move")
        load(scratch_app, data_copy)  # this server's load: seen by its next session
        logged = log("brand-new-move")
        assert logged.status_code == 201, logged.get_json()
        assert [e["exercise"] for e in logged.get_json()["entries"]] == [
            "chin-tuck",
            "brand-new-move",
        ]

        add_exercise("another-new-move")
        load(other_server, data_copy)  # another server's load
        now[0] += dt.timedelta(milliseconds=999)
        assert log("another-new-move").status_code == 422  # within the bound
        now[0] += dt.timedelta(milliseconds=1)
        assert log("another-new-move").status_code == 201
    from api.database import state

    state(other_server).engine.dispose()
