"""How long a 365-day progress report takes (target: under 2 seconds).

    python -m benchmarks.report [--days 365] [--repeat 5] [--url URL]

Seeds a database (default: a throwaway SQLite file) with a few patients and ``--days``
days of history through ``benchmarks.seed``, then asks the app in-process (Flask's test
client: no network) for the first patient's report over the whole history, as PDF and
as HTML, ``--repeat`` times each after one warm-up request, and prints the median and
the slowest time of each, with the size (and the PDF's page count).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import seed


def _time(client, url: str, headers: dict[str, str], repeat: int) -> tuple[list[float], bytes]:
    response = client.get(url, headers=headers)  # warm-up: templates, fonts, caches
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return times, response.data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--patients", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", default=None, help="default: a throwaway SQLite file")
    args = parser.parse_args(argv)
    folder = tempfile.TemporaryDirectory(prefix="upright-report-bench-")
    url = args.url or f"sqlite:///{Path(folder.name) / 'report.sqlite3'}"
    seeded = seed.seed(url, patients=args.patients, days=args.days, out=None)
    print(f"Seeded {args.patients} patients x {args.days} days in {seeded.elapsed:.1f} s")

    from api import create_app
    from api.accounts import credentials
    from api.accounts.models import User
    from api.database import get_session
    from api.timeutil import local_today

    app = create_app(
        {
            "UPRIGHT_ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "RATELIMIT_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    patient_id = seeded.credentials["patients"][0]["id"]
    with app.app_context():
        patient = get_session().get(User, patient_id)
        token = credentials.create_access_token(
            user_id=patient.id,
            role=str(patient.role),
            token_key=patient.token_key,
            secret=app.config["SECRET_KEY"],
            minutes=60,
        )
        today = local_today(patient.timezone)
    first = today - dt.timedelta(days=min(args.days, 366) - 1)
    url_path = f"/api/v1/me/report?from={first.isoformat()}&to={today.isoformat()}"
    client = app.test_client()
    print(f"Report of patient {patient_id}, {first} to {today} ({(today - first).days + 1} days)")
    for accept in ("application/pdf", "text/html"):
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        times, body = _time(client, url_path, headers, args.repeat)
        extra = ""
        if accept == "application/pdf":
            import pypdf

            extra = f", {len(pypdf.PdfReader(io.BytesIO(body)).pages)} pages"
        print(
            f"  {accept:<16} median {statistics.median(times):.3f} s, slowest "
            f"{max(times):.3f} s over {args.repeat} ({len(body) / 1024:.0f} KiB{extra})"
        )
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
