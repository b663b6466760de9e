"""Exercise sessions, the pain-guided advice after them, and "done" counts."""


def register() -> None:
    """Plug this domain into the others at start-up: "today" counts what is done with
    its sessions, and its data-export sections."""
    from api.accounts.export import register_exporter
    from api.programmes import service as programmes
    from api.sessions import service

    programmes.register_done_counter(service.done_counts)
    register_exporter("sessions", service._export_sessions)
    register_exporter("pain_notices", service._export_notices)
