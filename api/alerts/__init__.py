"""Alerts from triage, their life cycle, exercise holds and escalation."""


def register() -> None:
    """Plug this domain into the others at start-up: alerts keep a care link's end in
    their history, profiles show the hold and open alerts, and the data-export sections."""
    from api.accounts import care, summaries
    from api.accounts.export import register_exporter
    from api.alerts import service

    care.on_link_ended(service._record_link_ended)
    summaries.register_safety_source(
        summaries.SafetySource(hold=service.hold_view, patients=service.patient_safety)
    )
    register_exporter("alerts", service._export_alerts)
    register_exporter("exercise_holds", service._export_holds)
