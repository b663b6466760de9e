"""FHIR R4 export: a patient's record as plain dicts of FHIR resources.

Every resource is built from rows read in a fixed number of queries (one per
table, whatever the amount of data), so a year's export costs what a month's
does. Ids are stable (``Observation/checkin-123-pain``) and every reference
points at a resource of the same export. Resources are not validated at run
time; the test suite validates a full export against the R4 models of
``fhir.resources``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts import bulk as accounts
from api.accounts.models import Role, User
from api.alerts import bulk as alerts
from api.checkins import bulk as checkins
from api.fhir import codes
from api.outcomes import bulk as outcomes
from api.outcomes import scoring
from api.programmes import bulk as programmes
from api.sessions import bulk as sessions
from api.triage.vocabulary import SYMPTOMS

#: Resource types an export may contain, in the order they appear.
RESOURCE_TYPES = (
    "Patient",
    "Practitioner",
    "CareTeam",
    "Consent",
    "CarePlan",
    "Provenance",
    "DetectedIssue",
    "Observation",
    "QuestionnaireResponse",
    "Procedure",
    "Flag",
    "AuditEvent",
)
DEFAULT_COUNT = 100
MAX_COUNT = 1000

CAREPLAN_STATUS = {
    "active": "active",
    "paused": "on-hold",
    "completed": "completed",
    "cancelled": "revoked",
}
ACTIVITY_STATUS = {
    "active": "scheduled",
    "paused": "on-hold",
    "completed": "completed",
    "cancelled": "cancelled",
}
NDI_ITEM_TEXT = {
    "pain_intensity": "Pain intensity",
    "personal_care": "Personal care",
    "lifting": "Lifting",
    "reading": "Reading",
    "headaches": "Headaches",
    "concentration": "Concentration",
    "work": "Work",
    "driving": "Driving",
    "sleeping": "Sleeping",
    "recreation": "Recreation",
}


@dataclass(frozen=True)
class Item:
    """One resource of an export and when it last changed (for ``_since``)."""

    resource: dict[str, Any]
    changed: dt.datetime

    @property
    def type(self) -> str:
        return self.resource["resourceType"]


# --- small builders -----------------------------------------------------------------------


def instant(value: dt.datetime) -> str:
    """An aware UTC FHIR instant with seconds precision."""
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _ref(kind: str, ident: Any, display: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"{kind}/{ident}"}
    if display:
        ref["display"] = display
    return ref


def _concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [dict(c) for c in codings]}
    if text:
        concept["text"] = text
    return concept


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _meta(changed: dt.datetime) -> dict[str, Any]:
    return {"lastUpdated": instant(changed)}


def _period(start: dt.datetime | dt.date, end: dt.datetime | dt.date | None) -> dict[str, Any]:
    def text(value: dt.datetime | dt.date) -> str:
        return instant(value) if isinstance(value, dt.datetime) else value.isoformat()

    period = {"start": text(start)}
    if end is not None:
        period["end"] = text(end)
    return period


class People:
    """References to the people an export mentions: the patient, therapists, or a name."""

    def __init__(self, patient: User, users: Iterable[User]) -> None:
        self.patient = patient
        self.by_id = {user.id: user for user in users}

    def ref(self, user_id: int | None, fallback: str | None = None) -> dict[str, Any]:
        if user_id == self.patient.id:
            return _ref("Patient", self.patient.id, self.patient.display_name)
        user = self.by_id.get(user_id) if user_id is not None else None
        if user is not None and user.role == Role.therapist:
            return _ref("Practitioner", user.id, user.display_name)
        return {"display": fallback or "A former account"}


# --- resources ----------------------------------------------------------------------------


def patient_resource(patient: User) -> dict[str, Any]:
    """The Patient: name and birth year (year precision); never the e-mail address."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.id),
        "meta": _meta(patient.updated_at),
        "active": True,
        "name": [{"text": patient.display_name}],
    }
    if patient.birth_year is not None:
        resource["birthDate"] = f"{patient.birth_year:04d}"
    if patient.country:
        resource["address"] = [{"country": patient.country}]
    return resource


def _practitioner(user: User) -> Item:
    return Item(
        {
            "resourceType": "Practitioner",
            "id": str(user.id),
            "meta": _meta(user.updated_at),
            "active": True,
            "name": [{"text": user.display_name}],
        },
        user.updated_at,
    )


def _care_link(link: Any, patient: User) -> list[Item]:
    changed = link.ended_at or link.created_at
    status = "active" if link.ended_at is None else "inactive"
    period = _period(link.created_at, link.ended_at)
    therapist = _ref("Practitioner", link.therapist_id, link.therapist.display_name)
    care_team = {
        "resourceType": "CareTeam",
        "id": f"carelink-{link.id}",
        "meta": _meta(changed),
        "status": status,
        "name": f"{link.therapist.display_name} and {patient.display_name}",
        "subject": _ref("Patient", patient.id),
        "period": period,
        "participant": [{"member": therapist, "period": period}],
    }
    consent = {
        "resourceType": "Consent",
        "id": f"carelink-{link.id}",
        "meta": _meta(changed),
        "status": status,
        "scope": _concept(_coding(codes.CONSENT_SCOPE, "patient-privacy", "Privacy Consent")),
        "category": [_concept(codes.PATIENT_CONSENT)],
        "patient": _ref("Patient", patient.id),
        "dateTime": instant(link.created_at),
        "performer": [_ref("Patient", patient.id)],
        "policy": [{"uri": codes.CARE_LINK_POLICY}],
        "provision": {
            "type": "permit",
            "period": period,
            "actor": [
                {
                    "role": _concept(
                        _coding(codes.PARTICIPATION_TYPE, "IRCP", "information recipient")
                    ),
                    "reference": therapist,
                }
            ],
            "action": [_concept(_coding(codes.CONSENT_ACTION, "access", "Access"))],
        },
    }
    return [Item(care_team, changed), Item(consent, changed)]


def dose_in_words(item: Any) -> str:
    """The full dose of a programme item in words (FHIR has no sets/reps structure)."""
    sets = f"{item.sets} set{'s' if item.sets != 1 else ''}"
    if item.reps is not None:
        sets += f" of {item.reps} rep{'s' if item.reps != 1 else ''}"
    parts = [sets]
    if item.hold_seconds:
        parts.append(f"holding {item.hold_seconds} s")
    parts.append(f"rest {item.rest_seconds} s between sets")
    parts.append(f"{item.times_per_day} time{'s' if item.times_per_day != 1 else ''} a day")
    if item.load:
        parts.append(f"load: {item.load}")
    if item.side:
        parts.append(f"side: {item.side}")
    text = ", ".join(parts)
    if item.notes:
        text += f". {item.notes}"
    return text


def _programme(programme: Any, patient: User, people: People) -> list[Item]:
    versions = programme.versions
    current = next((v for v in versions if v.number == programme.current_version), versions[-1])
    status = programme.status
    activities = [
        {
            "detail": {
                "code": _concept(
                    codes.EXERCISE_THERAPY,
                    _coding(codes.EXERCISE, item.exercise_slug),
                    text=item.exercise_slug,
                ),
                "status": ACTIVITY_STATUS.get(status, "unknown"),
                "scheduledTiming": {
                    "repeat": {
                        "frequency": item.times_per_day,
                        "period": 1,
                        "periodUnit": "d",
                        "dayOfWeek": list(item.days_of_week),
                    }
                },
                "description": dose_in_words(item),
            }
        }
        for item in current.items
    ]
    care_plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": f"programme-{programme.id}",
        "meta": {**_meta(programme.updated_at), "versionId": str(current.number)},
        "status": CAREPLAN_STATUS.get(status, "unknown"),
        "intent": "plan",
        "title": programme.title,
        "subject": _ref("Patient", patient.id),
        "period": _period(programme.starts_on, programme.ends_on),
        "created": instant(programme.created_at),
        "author": people.ref(programme.created_by_id),
        "activity": activities,
    }
    if "reference" not in care_plan["author"]:
        del care_plan["author"]
    items = [Item(care_plan, programme.updated_at)]
    for version in versions:
        items.append(_provenance(programme, version, people))
        items += _detected_issues(programme, version, patient, people)
    return items


def _provenance(programme: Any, version: Any, people: People) -> Item:
    operation = "CREATE" if version.number == 1 else "UPDATE"
    resource: dict[str, Any] = {
        "resourceType": "Provenance",
        "id": f"programme-{programme.id}-v{version.number}",
        "meta": _meta(version.created_at),
        "target": [_ref("CarePlan", f"programme-{programme.id}")],
        "recorded": instant(version.created_at),
        "activity": _concept(_coding(codes.DATA_OPERATION, operation, operation.lower())),
        "agent": [{"who": people.ref(version.created_by_id)}],
    }
    if version.override_reason:
        resource["reason"] = [{"text": f"Contraindication override: {version.override_reason}"}]
    return Item(resource, version.created_at)


def _detected_issues(programme: Any, version: Any, patient: User, people: People) -> list[Item]:
    items = []
    for n, override in enumerate(version.overridden or [], start=1):
        reasons = ", ".join(override.get("reasons", []))
        author = people.ref(version.created_by_id)
        resource: dict[str, Any] = {
            "resourceType": "DetectedIssue",
            "id": f"programme-{programme.id}-v{version.number}-override-{n}",
            "meta": _meta(version.created_at),
            "status": "final",
            "code": _concept(
                _coding(codes.ISSUE_TYPE, "contraindication", "Exercise contraindicated"),
            ),
            "severity": "high",
            "patient": _ref("Patient", patient.id),
            "identifiedDateTime": instant(version.created_at),
            "implicated": [_ref("CarePlan", f"programme-{programme.id}")],
            "detail": (
                f"{override.get('exercise')} is contraindicated for: {reasons}; "
                "prescribed by overriding the contraindication."
            ),
            "mitigation": [
                {
                    "action": _concept(
                        _coding(codes.ISSUE_TYPE, "clinician-override", "Overridden by clinician"),
                        text=version.override_reason,
                    ),
                    "date": instant(version.created_at),
                }
            ],
        }
        if "reference" in author:
            resource["author"] = author
            resource["mitigation"][0]["author"] = author
        items.append(Item(resource, version.created_at))
    return items


def _observation(
    ident: str,
    patient: User,
    code: dict[str, Any],
    changed: dt.datetime,
    effective: dt.date,
    category: str = "survey",
    **value: Any,
) -> Item:
    resource = {
        "resourceType": "Observation",
        "id": ident,
        "meta": _meta(changed),
        "status": "final",
        "category": [_concept(_coding(codes.OBSERVATION_CATEGORY, category, category.title()))],
        "code": code,
        "subject": _ref("Patient", patient.id),
        "effectiveDateTime": effective.isoformat(),
        **value,
    }
    return Item(resource, changed)


def _score(value: int) -> dict[str, Any]:
    return {"valueInteger": value}


def _check_in(check_in: Any, patient: User) -> list[Item]:
    changed = check_in.updated_at
    day = check_in.local_date
    prefix = f"checkin-{check_in.id}"
    items = [
        _observation(
            f"{prefix}-pain",
            patient,
            _concept(codes.PAIN_SEVERITY),
            changed,
            day,
            **_score(check_in.pain),
        )
    ]
    for field, display in codes.OTHER_SCORES.items():
        value = getattr(check_in, field)
        if value is not None:
            code = _concept(_coding(codes.CHECKIN_SCORE, field, display))
            items.append(
                _observation(
                    f"{prefix}-{field.replace('_', '-')}",
                    patient,
                    code,
                    changed,
                    day,
                    **_score(value),
                )
            )
    for symptom in check_in.symptoms or []:
        code = _concept(_coding(codes.SYMPTOM, symptom, SYMPTOMS.get(symptom)))
        items.append(
            _observation(
                f"{prefix}-symptom-{symptom.replace('_', '-')}",
                patient,
                code,
                changed,
                day,
                valueBoolean=True,
            )
        )
    return items


def _outcome(outcome: Any, first: Any, patient: User) -> list[Item]:
    changed = outcome.created_at
    instrument = outcome.instrument
    if instrument == "ndi":
        answers = [
            {
                "linkId": item,
                "text": NDI_ITEM_TEXT[item],
                "answer": [{"valueInteger": outcome.answers[item]}],
            }
            if outcome.answers.get(item) is not None
            else {"linkId": item, "text": NDI_ITEM_TEXT[item]}
            for item in scoring.NDI_ITEMS
        ]
        title = "Neck Disability Index total (0-50)"
    else:
        answers = [
            {
                "linkId": f"activity-{n}",
                "text": activity["activity"],
                "answer": [{"valueInteger": activity["score"]}],
            }
            for n, activity in enumerate(outcome.answers.get("activities", []), start=1)
        ]
        title = "Patient-Specific Functional Scale mean (0-10)"
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": f"outcome-{outcome.id}",
        "meta": _meta(changed),
        "questionnaire": codes.QUESTIONNAIRE[instrument],
        "status": "completed",
        "subject": _ref("Patient", patient.id),
        "authored": outcome.completed_on.isoformat(),
        "author": _ref("Patient", patient.id),
        "item": answers,
    }
    change = (
        scoring.change(instrument, first.score, outcome.score) if first.id != outcome.id else None
    )
    interpretation = []
    if outcome.band:
        interpretation.append(
            _concept(
                _coding(
                    codes.OUTCOME_INTERPRETATION,
                    f"band-{outcome.band}",
                    f"NDI band: {outcome.band}",
                )
            )
        )
    if change is not None:
        interpretation.append(
            _concept(
                _coding(
                    codes.OUTCOME_INTERPRETATION,
                    f"change-{change}",
                    f"Meaningful change since the first {instrument.upper()}: {change}",
                ),
            )
        )
    value: dict[str, Any] = {
        "valueQuantity": {
            "value": outcome.score,
            "unit": "{score}",
            "system": codes.UCUM,
            "code": "{score}",
        },
        "derivedFrom": [_ref("QuestionnaireResponse", f"outcome-{outcome.id}")],
    }
    if interpretation:
        value["interpretation"] = interpretation
    if outcome.percent is not None:
        value["component"] = [
            {
                "code": _concept(_coding(codes.OUTCOME_MEASURE, "ndi-percent", "NDI percent")),
                "valueQuantity": {
                    "value": outcome.percent,
                    "unit": "%",
                    "system": codes.UCUM,
                    "code": "%",
                },
            }
        ]
    observation = _observation(
        f"outcome-{outcome.id}-total",
        patient,
        _concept(_coding(codes.OUTCOME_MEASURE, instrument, title)),
        changed,
        outcome.completed_on,
        **value,
    )
    return [Item(response, changed), observation]


def _session(session: Any, patient: User, programme_ids: set[int]) -> Item:
    notes = []
    for entry in session.entries:
        parts = [f"{entry.exercise_slug}: {entry.sets_done} sets"]
        if entry.reps_done is not None:
            parts.append(f"{entry.reps_done} reps")
        if entry.hold_seconds:
            parts.append(f"hold {entry.hold_seconds} s")
        if entry.load:
            parts.append(f"load {entry.load}")
        if entry.pain_during is not None:
            parts.append(f"pain {entry.pain_during}/10")
        if entry.effort is not None:
            parts.append(f"effort {entry.effort}/10")
        text = ", ".join(parts)
        if entry.notes:
            text += f". {entry.notes}"
        notes.append({"text": text})
    if session.notes:
        notes.append({"text": session.notes})
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": f"session-{session.id}",
        "meta": _meta(session.created_at),
        "status": "completed",
        "code": _concept(codes.EXERCISE_THERAPY),
        "subject": _ref("Patient", patient.id),
        "performedPeriod": _period(session.started_at, session.ended_at),
        "performer": [{"actor": _ref("Patient", patient.id)}],
    }
    if session.programme_id is not None and session.programme_id in programme_ids:
        resource["basedOn"] = [_ref("CarePlan", f"programme-{session.programme_id}")]
    if notes:
        resource["note"] = notes
    return Item(resource, session.created_at)


def _flag(alert: Any, patient: User) -> Item:
    resource: dict[str, Any] = {
        "resourceType": "Flag",
        "id": f"alert-{alert.id}",
        "meta": _meta(alert.updated_at),
        "extension": [
            {
                "url": codes.RULE_EXTENSION,
                "extension": [
                    {"url": "id", "valueString": alert.rule_id},
                    {"url": "version", "valueInteger": alert.rule_version},
                    {"url": "source", "valueString": alert.source},
                    {"url": "level", "valueCode": alert.level},
                    {"url": "status", "valueCode": alert.status},
                ],
            }
        ],
        "status": "inactive" if alert.status == "resolved" else "active",
        "category": [_concept(_coding(codes.FLAG_CATEGORY, "clinical", "Clinical"))],
        "code": _concept(_coding(codes.TRIAGE_RULE, alert.rule_id, alert.title), text=alert.title),
        "subject": _ref("Patient", patient.id),
        "period": _period(alert.created_at, alert.resolved_at),
    }
    return Item(resource, alert.updated_at)


def _audit(entry: Any, patient: User, people: People) -> Item:
    what = entry.resource + (f" {entry.resource_id}" if entry.resource_id is not None else "")
    resource = {
        "resourceType": "AuditEvent",
        "id": f"access-{entry.id}",
        "meta": _meta(entry.accessed_at),
        "type": _coding(codes.AUDIT_EVENT_TYPE, "rest", "RESTful Operation"),
        "subtype": [_coding(codes.RESTFUL_INTERACTION, "read", "read")],
        "action": "R",
        "recorded": instant(entry.accessed_at),
        "outcome": "0",
        "agent": [
            {
                "type": _concept(
                    _coding(codes.PARTICIPATION_TYPE, "IRCP", "information recipient")
                ),
                "who": people.ref(entry.therapist_id, entry.therapist_name),
                "requestor": True,
            }
        ],
        "source": {"observer": {"display": "Upright"}},
        "entity": [
            {
                "what": _ref("Patient", patient.id),
                "type": _coding(codes.AUDIT_ENTITY_TYPE, "1", "Person"),
                "role": _coding(codes.OBJECT_ROLE, "1", "Patient"),
            },
            {
                "what": {"display": what},
                "type": _coding(codes.AUDIT_ENTITY_TYPE, "2", "System Object"),
                "role": _coding(codes.OBJECT_ROLE, "4", "Domain Resource"),
            },
        ],
    }
    return Item(resource, entry.accessed_at)


# --- the export ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    """The rows of a patient's record, each kind in the order it is exported (the
    domains' own rows, read through their ``bulk`` modules)."""

    links: Sequence[Any]
    programmes: Sequence[Any]
    check_ins: Sequence[Any]
    outcomes: Sequence[Any]
    sessions: Sequence[Any]
    alerts: Sequence[Any]
    access: Sequence[Any]


def _load_record(db_session: Session, pid: int) -> _Record:
    """One query per kind of row."""
    return _Record(
        links=accounts.links_of_patient(db_session, patient_id=pid),
        programmes=programmes.of_patient(db_session, patient_id=pid),
        check_ins=checkins.of_patient(db_session, patient_id=pid),
        outcomes=outcomes.of_patient(db_session, patient_id=pid),
        sessions=sessions.of_patient(db_session, patient_id=pid),
        alerts=alerts.of_patient(db_session, patient_id=pid),
        access=accounts.access_log(db_session, patient_id=pid),
    )


def _therapists(db_session: Session, patient: User, record: _Record) -> dict[int, User]:
    """The therapists the record names: linked ones, programme authors and readers (one
    query for those the care links did not load)."""
    therapists = {link.therapist_id: link.therapist for link in record.links}
    wanted = {p.created_by_id for p in record.programmes}
    wanted |= {v.created_by_id for p in record.programmes for v in p.versions}
    wanted |= {entry.therapist_id for entry in record.access}
    wanted -= {None, patient.id, *therapists}
    if wanted:
        therapists.update(
            (user.id, user)
            for user in db_session.scalars(
                select(User).where(User.id.in_(wanted), User.role == Role.therapist)
            )
        )
    return therapists


def collect(*, db_session: Session, patient: User) -> list[Item]:
    """Every resource of ``patient``'s record, in a fixed number of queries."""
    record = _load_record(db_session, patient.id)
    items = _resources(patient, record, _therapists(db_session, patient, record))
    order = {kind: n for n, kind in enumerate(RESOURCE_TYPES)}
    return sorted(items, key=lambda item: order[item.type])  # stable: keeps row order


def _resources(patient: User, record: _Record, therapists: dict[int, User]) -> list[Item]:
    """The record's rows as FHIR resources, kind by kind."""
    people = People(patient, therapists.values())
    items = [Item(patient_resource(patient), patient.updated_at)]
    items += [_practitioner(user) for _, user in sorted(therapists.items())]
    for link in record.links:
        items += _care_link(link, patient)
    for programme in record.programmes:
        items += _programme(programme, patient, people)
    for check_in in record.check_ins:
        items += _check_in(check_in, patient)
    first: dict[str, Any] = {}
    for outcome in record.outcomes:
        first.setdefault(outcome.instrument, outcome)
        items += _outcome(outcome, first[outcome.instrument], patient)
    programme_ids = {p.id for p in record.programmes}
    items += [_session(s, patient, programme_ids) for s in record.sessions]
    items += [_flag(alert, patient) for alert in record.alerts]
    items += [_audit(entry, patient, people) for entry in record.access]
    return items


def select_items(
    items: list[Item], *, since: dt.datetime | None, types: set[str] | None
) -> list[Item]:
    """``_type`` and ``_since`` filters (the Patient always answers ``_since``)."""
    chosen = []
    for item in items:
        if types is not None and item.type not in types:
            continue
        if since is not None and item.type != "Patient" and item.changed < since:
            continue
        chosen.append(item)
    return chosen


def searchset(
    items: list[Item],
    *,
    base_url: str,
    self_url: str,
    next_url: str | None,
    total: int,
    now: dt.datetime,
) -> dict[str, Any]:
    """A ``searchset`` Bundle of one page of an export."""
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "meta": {"lastUpdated": instant(now)},
        "timestamp": instant(now),
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base_url}/{item.type}/{item.resource['id']}",
                "resource": item.resource,
                "search": {"mode": "match"},
            }
            for item in items
        ],
    }


def capability_statement(*, now: dt.datetime) -> dict[str, Any]:
    """What the FHIR export offers (R4, 4.0.1, read-only, JSON)."""
    everything = {
        "name": "everything",
        "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
        "documentation": (
            "The patient's whole record: `_since` (instant), `_type` (comma list), "
            f"`_count` (1-{MAX_COUNT}, default {DEFAULT_COUNT}) with `next` links."
        ),
    }
    others = [
        {"type": kind, "documentation": "Exported through Patient/$everything only."}
        for kind in RESOURCE_TYPES
        if kind != "Patient"
    ]
    return {
        "resourceType": "CapabilityStatement",
        "id": "upright",
        "status": "active",
        "date": instant(now),
        "publisher": "Upright",
        "kind": "instance",
        "software": {"name": "Upright"},
        "implementation": {"description": "Upright FHIR R4 export (read-only)"},
        "fhirVersion": codes.FHIR_VERSION,
        "format": [codes.MEDIA_TYPE, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Sign in with a bearer token: a patient reads their own record, a linked "
                    "therapist their patient's (each read is written to the access log)."
                ),
                "security": {
                    "description": "Bearer access token from POST /api/v1/auth/login.",
                },
                "resource": [
                    {
                        "type": "Patient",
                        "interaction": [{"code": "read"}],
                        "operation": [everything],
                    },
                    *others,
                ],
            }
        ],
    }
