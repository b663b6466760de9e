"""FHIR R4 export of a patient's record (read-only)."""
