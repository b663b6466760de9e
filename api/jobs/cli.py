"""``flask --app wsgi jobs tick [--now ...] [--every SECONDS]``: the periodic round by hand."""

from __future__ import annotations

import datetime as dt
import json
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from api.database import utcnow

jobs_cli = AppGroup("jobs", help="Background jobs: reminders, escalations, digests, pushes.")


def _parse_now(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise click.BadParameter(
            "use an ISO 8601 time, e.g. 2026-11-24T19:00:00Z", param_hint="'--now'"
        ) from error
    if parsed.tzinfo is None:
        raise click.BadParameter(
            "give a time zone, e.g. 2026-11-24T19:00:00Z", param_hint="'--now'"
        )
    return parsed.astimezone(dt.UTC)


@jobs_cli.command("tick")
@click.option("--now", "now_text", help="Run as if it were this time (not in production).")
@click.option(
    "--every", type=click.IntRange(min=1), help="Keep running a round every SECONDS seconds."
)
def tick(now_text: str | None, every: int | None) -> None:
    """Run one round of every periodic job synchronously and print what it did."""
    from api.jobs.rounds import run_round

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if now_text is not None and app.config["UPRIGHT_ENV"] == "production":
        raise click.UsageError("--now is refused in production: the real clock decides there.")
    if now_text is not None and every is not None:
        raise click.UsageError("--now and --every cannot be combined.")
    now = _parse_now(now_text) if now_text is not None else None
    while True:
        counts = run_round(app, now=now or utcnow())
        click.echo(json.dumps(counts, sort_keys=True))
        if every is None:
            return
        time.sleep(every)


def init_app(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
