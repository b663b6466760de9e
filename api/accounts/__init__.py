"""Accounts: people, sign-in, care links between a therapist and a patient, data rights."""


def register() -> None:
    """Plug this domain into the others at start-up: its data-export sections."""
    from api.accounts import service
    from api.accounts.export import register_exporter

    register_exporter("access_log", service._export_access_log)
    register_exporter("care_links", service._export_care_links)
