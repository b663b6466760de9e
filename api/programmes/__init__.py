"""Programmes: exercises with a dose and a weekly schedule, versioned, and "today"."""


def register() -> None:
    """Plug this domain into the others at start-up: programmes pause while an exercise
    hold stands and resume when it is lifted, and their data-export section."""
    from api.accounts.export import register_exporter
    from api.alerts import hooks
    from api.programmes import service

    hooks.on_hold_placed(service._pause_for_hold)
    hooks.on_hold_lifted(service._resume_after_hold)
    register_exporter("programmes", service._export)
