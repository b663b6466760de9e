"""The domains' bulk reads (``api/<domain>/bulk.py``) that the sync pull feed and the FHIR
export go through: a page and its records are the asked patients' only, in id order."""

from __future__ import annotations

from api.accounts import bulk as care_links
from api.checkins import bulk as check_ins
from api.database import get_session

CHECK_IN = {"pain": 3, "pain_areas": ["upper_back"], "symptoms": [], "pain_onset": "usual"}


def _check_in(client, make, patient_id: int) -> int:
    response = client.post("/api/v1/check-ins", json=CHECK_IN, headers=make.headers(patient_id))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_page_and_its_records_are_the_asked_patients_only(app, client, make):
    mine, theirs = make.patient(), make.patient()
    therapist = make.therapist()
    my_link, their_link = make.link(therapist, mine), make.link(therapist, theirs)
    my_check_in, their_check_in = _check_in(client, make, mine), _check_in(client, make, theirs)
    with app.app_context():
        session = get_session()
        for domain, ours, other in (
            (check_ins, my_check_in, their_check_in),
            (care_links, my_link, their_link),
        ):
            assert domain.page_ids(session, patient_ids=[mine], after_id=0, limit=10) == [ours]
            assert domain.page_ids(session, patient_ids=[mine], after_id=ours, limit=10) == []
            both = domain.page_ids(session, patient_ids=[mine, theirs], after_id=0, limit=1)
            assert both == [min(ours, other)]
            records = domain.records_by_id(session, patient_ids=[mine], ids=[ours, other])
            assert list(records) == [ours]
            assert records[ours].patient_id == mine
