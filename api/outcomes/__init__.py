"""Outcome measures (NDI, PSFS, ...) and their scores."""


def register() -> None:
    """Plug this domain into the others at start-up: its data-export section."""
    from api.accounts.export import register_exporter
    from api.outcomes import service

    register_exporter("outcomes", service._export)
