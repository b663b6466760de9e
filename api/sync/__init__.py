"""Offline-first sync: a per-patient change log, pulled with an opaque cursor, and pushes
of idempotent mutations applied through the same domain services as the REST endpoints."""
