"""Make docs/sample-report.png: page 1 of the demo patient's progress report.

    .venv/bin/python docs/sample_report.py [--pdf PATH]   (also keep the whole PDF)

In a throwaway SQLite database: ``flask demo`` (the demo therapist and patient), then
eight weeks of the patient's history written through the API, each day at its own
time (the app's clock is moved back, ``api.timeutil.clock``): a programme from a
template assigned by the therapist and made harder after four weeks, daily check-ins
with pain easing, sessions on most days, a red flag (fever) acknowledged and resolved
by the therapist, and an NDI at the start and at the end. Then the report is fetched as
a PDF and page 1 is rendered with Poppler's ``pdftoppm`` (Debian's poppler-utils).
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import create_app  # noqa: E402
from api.cli import DEMO_PATIENT, DEMO_THERAPIST  # noqa: E402
from api.outcomes import scoring  # noqa: E402
from api.timeutil import clock  # noqa: E402

DAYS = 56
OUTPUT = ROOT / "docs" / "sample-report.png"


def main() -> int:
    folder = tempfile.TemporaryDirectory(prefix="upright-sample-")
    app = create_app(
        {
            "UPRIGHT_ENV": "testing",
            "DATABASE_URL": f"sqlite:///{Path(folder.name) / 'sample.sqlite3'}",
            "SECRET_KEY": "sample-report-key-" + "x" * 32,
            "RATELIMIT_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    client = app.test_client()

    def sign_in(account: tuple[str, str, str]) -> dict[str, str]:
        body = {"email": account[0], "password": account[1]}
        token = client.post("/api/v1/auth/login", json=body).get_json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    patient, therapist = sign_in(DEMO_PATIENT), sign_in(DEMO_THERAPIST)
    patient_id = client.get("/api/v1/me", headers=patient).get_json()["id"]
    london = ZoneInfo("Europe/London")
    today = dt.datetime.now(london).date()
    rng = random.Random(20)

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), london)

    def call(method: str, url: str, headers: dict[str, str], **body) -> dict:
        response = client.open(url, method=method, json=body or None, headers=headers)
        assert response.status_code < 300, (url, response.get_json())
        return response.get_json()

    def record_ndi(scores: list[int]) -> None:
        answers = dict(zip(scoring.NDI_ITEMS, scores, strict=True))
        call("POST", "/api/v1/outcomes", patient, instrument="ndi", answers=answers)

    start = today - dt.timedelta(days=DAYS)
    programme = None
    items: list[dict] = []
    for n in range(DAYS + 1):
        day = start + dt.timedelta(days=n)
        with clock.source(lambda day=day: at(day, 8)):
            if n == 0:
                programme = call(
                    "POST",
                    "/api/v1/programmes",
                    therapist,
                    patient_id=patient_id,
                    template="desk-posture-reset",
                    starts_on=day.isoformat(),
                    days_of_week=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                )
                items = programme["version"]["items"]
                record_ndi([3, 2, 3, 2, 2, 3, 3, 2, 3, 2])
            if n == 28:
                changed = [
                    {k: v for k, v in item.items() if k not in ("id", "position")}
                    | ({"reps": 15} if item["exercise"] == "chin-tuck" else {})
                    for item in items
                ]
                items = call(
                    "PATCH", f"/api/v1/programmes/{programme['id']}", therapist, items=changed
                )["version"]["items"]
        with clock.source(lambda day=day: at(day, 19)):
            if rng.random() < 0.9 or n == 30:
                pain = max(1, round(6.5 - n * 0.07 + rng.uniform(-1.2, 1.2)))
                body = {"pain": pain, "worst_pain": min(10, pain + rng.randint(1, 3))}
                if n == 30:
                    body["symptoms"] = ["fever"]
                call("POST", "/api/v1/check-ins", patient, **body)
            if n == 30:
                alert = call("GET", "/api/v1/alerts", therapist)[0]
                call(
                    "POST",
                    f"/api/v1/alerts/{alert['id']}/acknowledge",
                    therapist,
                    note="Called the patient.",
                )
            if n == 31:
                call(
                    "POST",
                    f"/api/v1/alerts/{alert['id']}/resolve",
                    therapist,
                    note="Seen by their GP: a viral illness.",
                    outcome="assessed_safe_to_continue",
                )
            if n not in (30, 31) and rng.random() < 0.8:
                began = at(day, 18)
                call(
                    "POST",
                    "/api/v1/sessions",
                    patient,
                    client_id=f"sample-{n}",
                    programme_id=programme["id"],
                    started_at=began.isoformat(),
                    ended_at=(began + dt.timedelta(minutes=20)).isoformat(),
                    entries=[
                        {
                            "exercise": i["exercise"],
                            "programme_item": i["id"],
                            "sets_done": i["sets"],
                            "reps_done": i["reps"] or 1,
                            "pain_during": 2,
                        }
                        for i in items
                    ],
                )
            if n == DAYS:
                record_ndi([1, 1, 1, 1, 0, 1, 1, 1, 1, 0])
    response = client.get(
        f"/api/v1/patients/{patient_id}/report",
        headers={**therapist, "Accept": "application/pdf"},
        query_string={"from": (start - dt.timedelta(days=4)).isoformat()},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    pdf = Path(folder.name) / "report.pdf"
    pdf.write_bytes(response.data)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(OUTPUT.with_suffix("")),
        ],
        check=True,
    )
    if "--pdf" in sys.argv:
        Path(sys.argv[sys.argv.index("--pdf") + 1]).write_bytes(response.data)
    folder.cleanup()
    print(f"Wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
