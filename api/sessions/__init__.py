"""Exercise sessions, the pain-guided advice after them, and "done" counts."""


def register() -> None:
    """Plug this domain into the others at start-up: its data-export sections."""
    from api.accounts.export import register_exporter
    from api.sessions import service

    register_exporter("sessions", service._export_sessions)
    register_exporter("pain_notices", service._export_notices)
