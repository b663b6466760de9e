"""Command-line tools: ``flask --app wsgi ...``."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from api.accounts import service
from api.accounts.models import Role
from api.database import get_session
from api.errors import DomainError

users_cli = AppGroup("users", help="Manage accounts.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="patient")
@click.option("--name", "display_name", required=True, help="Display name")
def create_user(email: str, role: str, display_name: str) -> None:
    """Create an account; the password is read from standard input or prompted."""
    password = _read_password()
    session = get_session()
    try:
        user = service.create_user(
            db_session=session,
            email=email,
            password=password,
            display_name=display_name,
            role=Role(role),
        )
    except DomainError as error:
        raise click.ClickException(_describe(error)) from error
    session.commit()
    click.echo(f"Created {role} account {user.id} for {user.email}.")


def _describe(error: DomainError) -> str:
    details = (error.errors or {}).get("json", {})
    extra = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in details.items())
    return f"{error.message} {extra}".strip()


DEMO_THERAPIST = ("therapist@demo.upright.example", "demo-therapist-pass", "Demo Therapist")
DEMO_PATIENT = ("patient@demo.upright.example", "demo-patient-pass", "Demo Patient")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Migrate, load the catalogue and create a linked demo therapist and patient."""
    if current_app.config["UPRIGHT_ENV"] == "production":
        raise click.ClickException("The demo accounts are not for production.")
    from alembic import command

    from api.accounts import care
    from api.migrate import alembic_config

    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), "head")
    _load_catalogue_if_available()
    session = get_session()
    accounts = {}
    for (email, password, name), role in (
        (DEMO_THERAPIST, Role.therapist),
        (DEMO_PATIENT, Role.patient),
    ):
        user = service.find_by_email(session, email) or service.create_user(
            db_session=session, email=email, password=password, display_name=name, role=role
        )
        accounts[role] = user
    therapist, patient = accounts[Role.therapist], accounts[Role.patient]
    from api.policy import is_linked

    if not is_linked(session, therapist_id=therapist.id, patient_id=patient.id):
        invite = care.create_invite(db_session=session, therapist=therapist)
        care.redeem_invite(db_session=session, patient=patient, code=invite.code)
    if patient.birth_year is None:
        patient.birth_year = 1980
        patient.country = "GB"
        patient.timezone = "Europe/London"
    session.commit()
    address = server_address()
    click.echo("Upright demo is ready.")
    click.echo(f"  API docs:  {address}/docs (once `flask run` serves)")
    click.echo(f"  Therapist: {DEMO_THERAPIST[0]} / {DEMO_THERAPIST[1]}")
    click.echo(f"  Patient:   {DEMO_PATIENT[0]} / {DEMO_PATIENT[1]} (linked to the therapist)")
    click.echo(
        f"  Sign in:   curl -s -X POST {address}/api/v1/auth/login "
        "-H 'Content-Type: application/json' "
        f'-d \'{{"email": "{DEMO_PATIENT[0]}", "password": "{DEMO_PATIENT[1]}"}}\''
    )


def server_address() -> str:
    """Where ``flask run`` serves: it reads FLASK_RUN_HOST and FLASK_RUN_PORT, so do we."""
    host = os.environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    port = os.environ.get("FLASK_RUN_PORT") or "5000"
    if host in {"0.0.0.0", "::"}:  # every interface: this machine answers on loopback
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _load_catalogue_if_available() -> None:
    loader = current_app.extensions.get("upright.catalogue_loader")
    if loader is not None:
        loader()


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo)
