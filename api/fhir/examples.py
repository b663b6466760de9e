"""Examples of the FHIR answers, shown in the OpenAPI document."""

from __future__ import annotations

from typing import Any

PATIENT: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "42",
    "meta": {"lastUpdated": "2026-11-02T08:00:00Z"},
    "active": True,
    "name": [{"text": "Sam Patient"}],
    "birthDate": "1970",
    "address": [{"country": "GB"}],
}

CAPABILITY: dict[str, Any] = {
    "resourceType": "CapabilityStatement",
    "id": "upright",
    "status": "active",
    "date": "2026-11-30T09:00:00Z",
    "kind": "instance",
    "fhirVersion": "4.0.1",
    "format": ["application/fhir+json", "json"],
    "rest": [
        {
            "mode": "server",
            "resource": [
                {
                    "type": "Patient",
                    "interaction": [{"code": "read"}],
                    "operation": [
                        {
                            "name": "everything",
                            "definition": (
                                "http://hl7.org/fhir/OperationDefinition/Patient-everything"
                            ),
                        }
                    ],
                }
            ],
        }
    ],
}

BUNDLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "searchset",
    "meta": {"lastUpdated": "2026-11-30T09:00:00Z"},
    "timestamp": "2026-11-30T09:00:00Z",
    "total": 2,
    "link": [
        {
            "relation": "self",
            "url": "https://api.upright.example/api/v1/fhir/Patient/42/$everything?_count=100",
        }
    ],
    "entry": [
        {
            "fullUrl": "https://api.upright.example/api/v1/fhir/Patient/42",
            "resource": PATIENT,
            "search": {"mode": "match"},
        },
        {
            "fullUrl": "https://api.upright.example/api/v1/fhir/Observation/checkin-7-pain",
            "resource": {
                "resourceType": "Observation",
                "id": "checkin-7-pain",
                "status": "final",
                "code": {
                    "coding": [
                        {
                            "system": "http://loinc.org",
                            "code": "72514-3",
                            "display": "Pain severity - 0-10 verbal numeric rating [Score] - "
                            "Reported",
                        }
                    ]
                },
                "subject": {"reference": "Patient/42"},
                "effectiveDateTime": "2026-11-29",
                "valueInteger": 4,
            },
            "search": {"mode": "match"},
        },
    ],
}
