"""Every blueprint, and what each domain plugs into the others, registered in one place."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register_domains() -> None:
    """Each domain's ``register()``: hook listeners and data-export sections, lowest layer
    first (listeners of a hook run in this order). Nothing registers on import."""
    import api.accounts
    import api.alerts
    import api.checkins
    import api.notifications
    import api.outcomes
    import api.programmes
    import api.sessions
    import api.sync

    for domain in (
        api.accounts,
        api.alerts,
        api.checkins,
        api.outcomes,
        api.programmes,
        api.sessions,
        api.notifications,
        api.sync,
    ):
        domain.register()


def register_blueprints(app: Flask, api: Api) -> None:
    from api.health.routes import blp as health_blp

    api.register_blueprint(health_blp)

    from api.accounts import routes as accounts

    for blp in (
        accounts.auth_blp,
        accounts.me_blp,
        accounts.care_blp,
        accounts.patients_blp,
        accounts.admin_blp,
    ):
        api.register_blueprint(blp)

    from api.alerts import routes as alerts
    from api.catalogue import loader
    from api.catalogue import routes as catalogue
    from api.checkins import routes as checkins

    api.register_blueprint(catalogue.blp)
    loader.init_app(app)
    api.register_blueprint(checkins.blp)
    api.register_blueprint(alerts.blp)

    from api.programmes import routes as programmes

    api.register_blueprint(programmes.blp)

    from api.outcomes import routes as outcomes
    from api.progress import routes as progress
    from api.sessions import routes as sessions

    api.register_blueprint(sessions.blp)
    api.register_blueprint(outcomes.blp)
    api.register_blueprint(progress.blp)

    from api.fhir import routes as fhir

    api.register_blueprint(fhir.blp)

    from api.reports import routes as reports

    api.register_blueprint(reports.blp)
    from api import cli, docs

    cli.init_app(app)
    docs.init_app(app)  # Swagger UI at /docs, served from the app itself

    from api.jobs import cli as jobs_cli
    from api.jobs import dispatch
    from api.notifications import routes as notifications

    api.register_blueprint(notifications.blp)

    from api.sync import routes as sync

    api.register_blueprint(sync.blp)
    notifications.init_app(app)
    dispatch.init_app(app)
    jobs_cli.init_app(app)
