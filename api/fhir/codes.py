"""Code systems and codes of the FHIR export, each with where it was confirmed.

Standard codes are used where one exists (the README's FHIR section lists where
each was confirmed); where none does, the code lives in an Upright CodeSystem
under ``UPRIGHT``.
"""

from __future__ import annotations

FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json"

#: Base of every Upright canonical URL (CodeSystems, Questionnaires, extensions).
UPRIGHT = "https://upright.example/fhir"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
AUDIT_ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"

#: LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] - Reported".
PAIN_SEVERITY = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
#: LOINC 59284-0 "Patient Consent" (Consent.category).
PATIENT_CONSENT = {"system": LOINC, "code": "59284-0", "display": "Patient Consent"}
#: SNOMED CT 229065009 "Exercise therapy (regime/therapy)".
EXERCISE_THERAPY = {"system": SNOMED, "code": "229065009", "display": "Exercise therapy"}

#: Upright CodeSystems (no standard code known for these).
CHECKIN_SCORE = f"{UPRIGHT}/CodeSystem/check-in-score"
SYMPTOM = f"{UPRIGHT}/CodeSystem/red-flag-symptom"
EXERCISE = f"{UPRIGHT}/CodeSystem/exercise"
TRIAGE_RULE = f"{UPRIGHT}/CodeSystem/triage-rule"
OUTCOME_MEASURE = f"{UPRIGHT}/CodeSystem/outcome-measure"
OUTCOME_INTERPRETATION = f"{UPRIGHT}/CodeSystem/outcome-interpretation"
ISSUE_TYPE = f"{UPRIGHT}/CodeSystem/detected-issue"
RULE_EXTENSION = f"{UPRIGHT}/StructureDefinition/triage-rule"
QUESTIONNAIRE = {
    "ndi": f"{UPRIGHT}/Questionnaire/ndi",
    "psfs": f"{UPRIGHT}/Questionnaire/psfs",
}
CARE_LINK_POLICY = f"{UPRIGHT}/policy/care-link"

#: The other 0-10 check-in scores (no LOINC code confirmed for these, so Upright codes).
OTHER_SCORES = {
    "worst_pain": "Worst pain in the last 24 hours (0-10)",
    "stiffness": "Stiffness (0-10)",
    "interference": "Pain interference with daily activities (0-10)",
    "sleep_quality": "Sleep quality (0-10)",
    "mood": "Mood (0-10)",
}
