"""Closed vocabularies that a domain's tables keep and the contract (``api.schemas``)
names: defined once here, below every domain, so the shared schema fields need no
domain's models."""

from __future__ import annotations

#: An alert stays open (new evidence joins it) until a clinician resolves it.
OPEN_ALERT_STATUSES = ("open", "acknowledged")
ALERT_STATUSES = (*OPEN_ALERT_STATUSES, "resolved")
PROGRAMME_STATUSES = ("active", "paused", "completed", "cancelled")
#: Patient-reported outcome measures: Neck Disability Index, Patient-Specific Functional Scale.
INSTRUMENTS = ("ndi", "psfs")
