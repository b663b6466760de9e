"""The clinical safety review's triage findings: new and changed rules, their versions
and levels, once-per-episode advice, and advice that names the services of the
patient's country."""

from __future__ import annotations

import datetime

import pytest

from api.triage import RULES_BY_ID, SYMPTOMS, CheckInFacts, PastCheckIn, ProfileFacts, evaluate
from api.triage.urgent_care import GENERIC_URGENT_CARE

TODAY = datetime.date(2025, 6, 15)


def ci(*symptoms: str, onset: str | None = "usual", **kwargs) -> CheckInFacts:
    return CheckInFacts(
        date=kwargs.pop("date", TODAY),
        pain=kwargs.pop("pain", 4),
        symptoms=frozenset(symptoms),
        pain_onset=onset,
        **kwargs,
    )


def pf(*history: str, age: int | None = 45, country: str | None = "GB", **kwargs) -> ProfileFacts:
    return ProfileFacts(
        birth_year=None if age is None else TODAY.year - age,
        health_history=frozenset(history),
        country=country,
        **kwargs,
    )


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def self_guided(**kwargs) -> ProfileFacts:
    return pf(therapist_linked=False, **kwargs)


# --------------------------------------------------------------------------- versions and levels


@pytest.mark.parametrize(
    ("rule_id", "version", "level"),
    [
        ("RF-CES-01", 2, "emergency"),  # new_sexual_dysfunction added
        ("RF-LUNG-02", 2, "emergency"),  # was urgent
        ("RF-CARD-03", 2, "emergency"),  # smoker aged 60+ with sweating or nausea
        ("RF-RESP-02", 1, "urgent"),  # new: pain on breathing in, alone
        ("RF-NEURO-03", 1, "urgent"),  # new: worse on coughing, sneezing, straining
        ("RF-ASSESS-01", 1, "urgent"),  # new: unassessed new pain, once per episode
        ("RF-LUNG-01", 1, "soon"),  # unchanged: its NG12 message stays the therapist's reason
        ("RF-CARD-02", 1, "emergency"),  # unchanged firing (source text only)
    ],
)
def test_changed_and_new_rules_are_pinned(rule_id, version, level):
    rule = RULES_BY_ID[rule_id]
    assert (rule.version, rule.level) == (version, level)


def test_new_symptom_codes_are_added_and_none_renamed():
    codes = list(SYMPTOMS)
    assert codes[-2:] == ["worse_on_cough_sneeze_strain", "new_sexual_dysfunction"]
    assert len(codes) == 26  # the 24 earlier codes are all still there (see test_rules)
    assert "minor_trauma" in codes and "coughing_blood" in codes


# --------------------------------------------------------------------------- 1. coughing blood


@pytest.mark.parametrize(("age", "history"), [(25, ()), (45, ()), (30, ("smoker",))])
def test_coughing_blood_is_an_emergency_at_any_age(age, history):
    result = evaluate(ci("coughing_blood"), pf(*history, age=age))
    assert result.level == "emergency"
    assert result.rules[0].id == "RF-LUNG-02" and result.rules[0].version == 2
    assert "999" in result.headline


def test_coughing_blood_at_40_keeps_the_cancer_pathway_message_for_the_therapist():
    result = evaluate(ci("coughing_blood"), pf(age=40))
    assert result.rule_ids == ("RF-LUNG-02", "RF-LUNG-01")
    pathway = result.rules[1]
    assert pathway.level == "soon" and "NICE NG12" in pathway.clinician_message
    assert "suspected lung cancer pathway" in pathway.clinician_message


def test_coughing_blood_at_39_non_smoker_has_no_cancer_pathway_rule():
    assert evaluate(ci("coughing_blood"), pf(age=39)).rule_ids == ("RF-LUNG-02",)


# --------------------------------------------------------------------------- 2. pain on breathing


@pytest.mark.parametrize(
    ("symptoms", "level", "rule_ids"),
    [
        pytest.param(("pain_on_breathing",), "urgent", ("RF-RESP-02",), id="alone"),
        pytest.param(
            ("pain_on_breathing", "productive_cough"), "urgent", ("RF-RESP-02",), id="with-cough"
        ),
        pytest.param(
            ("pain_on_breathing", "fever"),
            "urgent",
            ("RF-INF-01", "RF-RESP-01"),
            id="with-fever-chest-infection",
        ),
        pytest.param(
            ("pain_on_breathing", "sudden_breathlessness"),
            "emergency",
            ("RF-PE-01",),
            id="with-breathlessness-emergency",
        ),
    ],
)
def test_pain_on_breathing(symptoms, level, rule_ids):
    result = evaluate(ci(*symptoms), pf())
    assert result.level == level
    assert result.rule_ids == rule_ids


# --------------------------------------------------------------------------- 4. new codes


def test_new_sexual_dysfunction_is_the_cauda_equina_emergency():
    result = evaluate(ci("new_sexual_dysfunction"), pf())
    assert result.level == "emergency"
    assert result.rule_ids == ("RF-CES-01",)
    assert result.rules[0].version == 2
    assert result.rules[0].evidence == {"symptoms": ["new_sexual_dysfunction"]}
    assert "GIRFT" in result.rules[0].source


def test_pain_worse_on_coughing_sneezing_or_straining_is_urgent():
    result = evaluate(ci("worse_on_cough_sneeze_strain"), pf())
    assert result.level == "urgent"
    assert result.rule_ids == ("RF-NEURO-03",)
    assert "sneezing, coughing or pooing" in result.rules[0].source


# --------------------------------------------------------------------------- 11d. cardiac risk


def test_smoker_over_60_with_changed_pain_and_sweating_no_chest_pain_is_an_emergency():
    result = evaluate(ci("sweating_nausea", onset="changed"), pf("smoker", age=64))
    assert result.level == "emergency"
    assert result.rule_ids == ("RF-CARD-03",)
    assert result.rules[0].evidence == {
        "health_history": ["smoker"],
        "age": 64,
        "symptoms": ["sweating_nausea"],
        "pain_onset": "changed",
    }
    assert "without any chest pain" in result.rules[0].source
    assert "Decision (version 2)" in result.rules[0].source


@pytest.mark.parametrize(("age", "fires"), [(59, False), (60, True)])
def test_cardiac_risk_age_boundary(age, fires):
    result = evaluate(ci("sweating_nausea", onset="changed"), pf("smoker", age=age))
    assert ("RF-CARD-03" in result.rule_ids) is fires


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(pf(age=75), id="age-alone"),
        pytest.param(pf("smoker", age=35), id="smoking-alone"),
        pytest.param(pf("lung_condition", age=70), id="other-history"),
    ],
)
def test_one_risk_marker_with_sweating_does_not_fire_without_spread(profile):
    result = evaluate(ci("sweating_nausea", onset="changed"), profile)
    assert "RF-CARD-03" not in result.rule_ids
    assert result.level != "emergency"  # at 75, the fragility-fracture rule: soon


def test_unknown_age_lists_the_cardiac_risk_check_as_not_run():
    result = evaluate(ci("sweating_nausea", onset="changed"), pf("smoker", age=None))
    assert any(item.startswith("RF-CARD-03") for item in result.checks_not_run)


# --------------------------------------------------------------------------- 3. unassessed pain


def test_unassessed_new_pain_advises_a_gp_with_111_in_great_britain():
    result = evaluate(ci(onset="first_ever"), self_guided(country="GB"))
    assert result.level == "urgent" and result.pause_exercise
    fired = result.rules[0]
    assert fired.id == "RF-ASSESS-01"
    assert "GP" in fired.patient_message and "111" in fired.patient_message
    assert "{urgent_care}" not in fired.patient_message
    assert fired.evidence["pain_assessed_by_clinician"] is None
    assert fired.evidence["therapist_linked"] is False
    assert fired.evidence["episode_start_from"] == "this_check_in"


@pytest.mark.parametrize(
    ("country", "words"),
    [("US", "urgent care clinic"), ("IE", "out-of-hours"), ("AU", "1800 022 222"), (None, "")],
)
def test_unassessed_new_pain_names_the_countrys_services(country, words):
    message = evaluate(ci(onset="new_episode"), self_guided(country=country)).rules[0]
    assert "111" not in message.patient_message
    assert words in message.patient_message
    if country is None:
        assert GENERIC_URGENT_CARE in message.patient_message


def test_unassessed_pain_is_advised_once_per_episode():
    advised = PastCheckIn(days_ago(2), 5, "first_ever", rule_ids=frozenset({"RF-ASSESS-01"}))
    later = PastCheckIn(days_ago(1), 5, "new_episode")
    result = evaluate(ci(onset="new_episode"), self_guided(), [advised, later])
    assert "RF-ASSESS-01" not in result.rule_ids


class _Day(datetime.date):
    """A date of a subclass: valid, though not what a database read gives."""


class _Pain(int):
    """An int of a subclass: valid, though not what a database read gives."""


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda ids: list(ids), id="rule-ids-as-list"),
        pytest.param(lambda ids: tuple(ids), id="rule-ids-as-tuple"),
        pytest.param(lambda ids: set(ids), id="rule-ids-as-set"),
    ],
)
def test_history_in_any_valid_shape_is_read_as_the_plain_one(shape):
    """The engine checks plain history entries without its per-field checks; an entry of
    other valid types goes through them and counts the same."""
    plain = [
        PastCheckIn(days_ago(2), 5, "first_ever", rule_ids=frozenset({"RF-ASSESS-01"})),
        PastCheckIn(days_ago(1), 5, "new_episode", days_ago(2)),
    ]
    unusual = [
        PastCheckIn(
            _Day(*days_ago(2).timetuple()[:3]),
            _Pain(5),
            "first_ever",
            rule_ids=shape({"RF-ASSESS-01"}),
        ),
        PastCheckIn(days_ago(1), 5, "new_episode", _Day(*days_ago(2).timetuple()[:3])),
    ]
    expected = evaluate(ci(onset="new_episode"), self_guided(), plain)
    assert "RF-ASSESS-01" not in expected.rule_ids  # advised once in this episode
    assert evaluate(ci(onset="new_episode"), self_guided(), unusual) == expected


def test_unassessed_pain_is_advised_again_in_a_new_episode_after_usual_pain():
    history = [
        PastCheckIn(days_ago(20), 5, "first_ever", rule_ids=frozenset({"RF-ASSESS-01"})),
        PastCheckIn(days_ago(10), 2, "usual"),
    ]
    assert "RF-ASSESS-01" in evaluate(ci(onset="new_episode"), self_guided(), history).rule_ids


def test_unassessed_pain_is_advised_again_after_a_gap_of_more_than_two_weeks():
    history = [PastCheckIn(days_ago(15), 5, "first_ever", rule_ids=frozenset({"RF-ASSESS-01"}))]
    assert "RF-ASSESS-01" in evaluate(ci(onset="new_episode"), self_guided(), history).rule_ids


def test_unassessed_pain_is_advised_again_when_the_patient_dates_a_new_episode_today():
    history = [PastCheckIn(days_ago(3), 5, "first_ever", rule_ids=frozenset({"RF-ASSESS-01"}))]
    check_in = ci(onset="new_episode", episode_started_on=TODAY)
    assert "RF-ASSESS-01" in evaluate(check_in, self_guided(), history).rule_ids


def test_earlier_check_ins_of_the_episode_that_did_not_advise_do_not_stop_it():
    # e.g. a therapist was linked then; the link has ended since
    history = [PastCheckIn(days_ago(3), 5, "first_ever", rule_ids=frozenset({"RF-MAL-02"}))]
    assert "RF-ASSESS-01" in evaluate(ci(onset="new_episode"), self_guided(), history).rule_ids


@pytest.mark.parametrize(
    "profile",
    [
        pytest.param(pf(therapist_linked=True), id="therapist-linked"),
        pytest.param(self_guided(pain_assessed_by_clinician=True), id="clinician-assessed"),
    ],
)
def test_a_linked_therapist_or_a_clinicians_assessment_ends_it(profile):
    result = evaluate(ci(onset="first_ever"), profile)
    assert result.level == "none" and result.rules == ()


def test_not_told_about_a_therapist_link_lists_the_check_as_not_run():
    result = evaluate(ci(onset="first_ever"), pf())
    assert result.level == "none"
    assert any("not told whether a therapist is linked" in item for item in result.checks_not_run)


@pytest.mark.parametrize(
    ("profile", "history", "message"),
    [
        (pf(pain_assessed_by_clinician="yes"), (), "pain_assessed_by_clinician"),
        (pf(therapist_linked=1), (), "therapist_linked"),
        (pf(), (PastCheckIn(days_ago(1), 3, rule_ids="RF-ASSESS-01"),), "rule_ids"),
        (pf(), (PastCheckIn(days_ago(1), 3, rule_ids=frozenset({1})),), "rule_ids"),
    ],
)
def test_bad_new_facts_raise_value_error(profile, history, message):
    with pytest.raises(ValueError, match=message):
        evaluate(ci(), profile, history)


# --------------------------------------------------------------------------- 11c. services


@pytest.mark.parametrize(
    ("country", "present", "absent"),
    [
        ("GB", ("111", "GP", "Northern Ireland"), ()),
        ("IE", ("GP out-of-hours",), ("111",)),
        ("US", ("primary care", "urgent care"), ("111",)),
        ("CA", ("811",), ("111",)),
        ("AU", ("healthdirect",), ("111",)),
        ("NZ", ("Healthline", "0800 611 116"), ()),  # NZ's emergency number is 111
        ("DE", ("116117",), ("111",)),
        ("FR", (GENERIC_URGENT_CARE,), ("111", "GP")),
        (None, (GENERIC_URGENT_CARE,), ("111", "GP")),
    ],
)
def test_urgent_advice_names_the_services_of_the_patients_country(country, present, absent):
    advice = evaluate(ci("fever"), pf(country=country)).advice
    for words in present:
        assert words in advice
    for words in absent:
        assert words not in advice


def test_no_rule_message_names_111_or_a_countrys_service_itself():
    for rule in RULES_BY_ID.values():
        for text in (rule.patient_message, rule.clinician_message):
            assert "111" not in text and "999" not in text, rule.id
