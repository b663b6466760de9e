"""A job worker that dies (SIGKILL) at the worst moment, run as its own process.

    python -m tests.notifications.crash_worker reminders|deliveries NOW

``reminders``: claims the due reminder rows and creates their notifications, then
dies before committing. ``deliveries``: claims the due deliveries (committed:
they carry a lease now), then dies before sending any. The app is configured
from the environment, like a real worker.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys

from api import create_app
from api.database import get_session
from api.jobs import delivery
from api.notifications import reminders


def main(mode: str, now_text: str) -> None:
    now = dt.datetime.fromisoformat(now_text)
    app = create_app()
    with app.app_context():
        session = get_session()
        if mode == "reminders":
            claimed, created = reminders.fire_due(session, now=now, limit=1000)
            print(f"claimed {claimed} created {created}", flush=True)
        else:
            claimed = delivery.claim(session, now=now, limit=1000)
            session.commit()
            print(f"claimed {len(claimed)}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
