"""Offline-first sync: a per-patient change log, pulled with an opaque cursor, and pushes
of idempotent mutations applied through the same domain services as the REST endpoints."""


def register() -> None:
    """Plug this domain into the others at start-up: the change log is written on every
    flush of a synced table, and the personal answers a process keeps are served again by
    its watermark."""
    from api.sync import changes, watermark

    changes.register()
    watermark.register()
