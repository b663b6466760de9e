"""Daily check-ins, triaged as they are recorded."""


def register() -> None:
    """Plug this domain into the others at start-up: its data-export section."""
    from api.accounts.export import register_exporter
    from api.checkins import service

    register_exporter("check_ins", service._export)
