"""Notifications: devices, the inbox, reminders and what raises them."""


def register() -> None:
    """Plug this domain into the others at start-up: alerts, escalations, lifted holds and
    ended care links raise notifications; its data-export sections."""
    from api.accounts import care
    from api.accounts.export import register_exporter
    from api.alerts import hooks
    from api.notifications import alerting, reminders, service

    hooks.on_alerts_raised(alerting.notify_therapists_of_alerts)
    hooks.on_alert_escalated(alerting.notify_escalation)
    hooks.on_hold_lifted(alerting.notify_hold_lifted)
    care.on_link_ended(alerting.notify_link_ended_with_open_alert)
    register_exporter("devices", service._export_devices)
    register_exporter("notifications", service._export_notifications)
    register_exporter("reminders", reminders._export_reminders)
