"""Background work: the Celery app, the periodic round, push delivery and the CLI."""
