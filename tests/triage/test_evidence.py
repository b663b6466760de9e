"""What each rule says fired it: the exact evidence of every firing case in test_rules (the
clinician reads it), the checks that could not run, and the wording of each level."""

from __future__ import annotations

import datetime

import pytest

from api.triage import LEVELS, RULES_BY_ID, CheckInFacts, PastCheckIn, evaluate, messages
from api.triage.rules import Rule, current_run
from api.triage.table import rules_table_markdown
from tests.triage.helpers import AGE_UNKNOWN, TODAY, ci, days_ago, pf
from tests.triage.test_rules import FIRING

# RF-DUR-02 on the stalled history of tests/triage/test_rules.py, alone or with a weak flag.
STALLED = {
    "pain_onset": "new_episode",
    "pain": 5,
    "first_pain_in_episode": 6,
    "first_pain_recorded_on": "2025-05-16",
    "episode_started_on": "2025-05-16",
    "episode_days": 30,
    "episode_start_from": "history_run",
}

EVIDENCE = {
    "RF-CES-01-bladder": {"symptoms": ["bladder_change"]},
    "RF-CES-01-bowel": {"symptoms": ["bowel_incontinence"]},
    "RF-CES-01-saddle": {"symptoms": ["saddle_numbness"]},
    "RF-CES-01-sexual-dysfunction": {"symptoms": ["new_sexual_dysfunction"]},
    "RF-CORD-01-both-legs": {"symptoms": ["numbness_both_legs"]},
    "RF-MSCC-02-cancer-leg-weakness": {"health_history": ["cancer"], "symptoms": ["leg_weakness"]},
    "RF-MSCC-02-cancer-arm-numbness-usual": {
        "health_history": ["cancer"],
        "symptoms": ["arm_numbness"],
    },
    "RF-MSCC-02-cancer-chest-band": {
        "health_history": ["cancer"],
        "symptoms": ["chest_band_numbness"],
    },
    "RF-MSCC-02-cancer-bladder": {"health_history": ["cancer"], "symptoms": ["bladder_change"]},
    "RF-INF-02-fever-clumsy": {"symptoms": ["fever", "hand_clumsiness"]},
    "RF-INF-02-fever-arm-numbness": {"symptoms": ["arm_numbness", "fever"]},
    "RF-TRA-01-major-trauma": {"symptoms": ["major_trauma"]},
    "RF-CARD-01-chest-pain-alone": {"symptoms": ["chest_pain"]},
    "RF-CARD-01-chest-pain-all": {
        "symptoms": [
            "chest_pain",
            "pain_spreads_arm_jaw",
            "sudden_breathlessness",
            "sweating_nausea",
        ]
    },
    "RF-CARD-02-spread-sweat": {"symptoms": ["pain_spreads_arm_jaw", "sweating_nausea"]},
    "RF-CARD-03-heart-disease-spread": {
        "health_history": ["heart_disease"],
        "symptoms": ["pain_spreads_arm_jaw"],
        "pain_onset": "new_episode",
    },
    "RF-CARD-03-heart-disease-sweat": {
        "health_history": ["heart_disease"],
        "symptoms": ["sweating_nausea"],
        "pain_onset": "changed",
    },
    "RF-CARD-03-smoker-60-sweat-no-spread": {
        "health_history": ["smoker"],
        "age": 60,
        "symptoms": ["sweating_nausea"],
        "pain_onset": "changed",
    },
    "RF-CARD-03-smoker-72-sweat-first-ever": {
        "health_history": ["smoker"],
        "age": 72,
        "symptoms": ["sweating_nausea"],
        "pain_onset": "first_ever",
    },
    "RF-AORTA-01-tearing": {"symptoms": ["tearing_pain"]},
    "RF-PE-01-sudden-breathless": {"symptoms": ["sudden_breathlessness"]},
    "RF-PE-01-breathless-pleuritic": {"symptoms": ["pain_on_breathing", "sudden_breathlessness"]},
    "RF-MYEL-01-clumsy-hands": {"symptoms": ["hand_clumsiness"]},
    "RF-MYEL-01-unsteady": {"symptoms": ["unsteady_walking"]},
    "RF-MYEL-02-arm-weak-leg-weak": {"symptoms": ["arm_weakness", "leg_weakness"]},
    "RF-MYEL-02-arm-weak-unsteady": {"symptoms": ["arm_weakness", "unsteady_walking"]},
    "RF-MYEL-02-arm-weak-both-legs": {"symptoms": ["arm_weakness", "numbness_both_legs"]},
    "RF-MYEL-03-band-leg-weak": {"symptoms": ["chest_band_numbness", "leg_weakness"]},
    "RF-MYEL-03-band-unsteady": {"symptoms": ["chest_band_numbness", "unsteady_walking"]},
    "RF-MYEL-04-band-arm-numb": {"symptoms": ["arm_numbness", "chest_band_numbness"]},
    "RF-MYEL-04-band-arm-weak": {"symptoms": ["arm_weakness", "chest_band_numbness"]},
    "RF-NEURO-01-leg-weakness": {"symptoms": ["leg_weakness"]},
    "RF-MSCC-01-cancer-new": {"health_history": ["cancer"], "pain_onset": "new_episode"},
    "RF-MSCC-01-cancer-changed": {"health_history": ["cancer"], "pain_onset": "changed"},
    "RF-MSCC-01-cancer-first": {"health_history": ["cancer"], "pain_onset": "first_ever"},
    "RF-MAL-01-weight-loss": {"symptoms": ["weight_loss"]},
    "RF-MAL-02-night-pain": {"symptoms": ["night_pain"]},
    "RF-MAL-03-shape-change": {"symptoms": ["back_shape_change"]},
    "RF-INF-01-fever": {"symptoms": ["fever"]},
    "RF-INF-04-immuno-fever": {
        "health_history": ["immunosuppressed"],
        "pain_onset": "new_episode",
        "symptoms": ["fever"],
    },
    "RF-INF-04-ivdu-fever": {
        "health_history": ["iv_drug_use"],
        "pain_onset": "changed",
        "symptoms": ["fever"],
    },
    "RF-RESP-01-pleuritic-fever": {"symptoms": ["fever", "pain_on_breathing"]},
    "RF-RESP-01-pleuritic-fever-cough": {
        "symptoms": ["fever", "pain_on_breathing", "productive_cough"]
    },
    "RF-RESP-02-pleuritic-alone": {"symptoms": ["pain_on_breathing"]},
    "RF-RESP-02-pleuritic-cough": {"symptoms": ["pain_on_breathing", "productive_cough"]},
    "RF-NEURO-03-worse-on-cough": {"symptoms": ["worse_on_cough_sneeze_strain"]},
    "RF-ASSESS-01-first-ever": {
        "pain_onset": "first_ever",
        "pain_assessed_by_clinician": None,
        "therapist_linked": False,
        "episode_started_on": "2025-06-15",
        "episode_days": 0,
        "episode_start_from": "this_check_in",
    },
    "RF-ASSESS-01-new-episode": {
        "pain_onset": "new_episode",
        "pain_assessed_by_clinician": None,
        "therapist_linked": False,
        "episode_started_on": "2025-06-15",
        "episode_days": 0,
        "episode_start_from": "this_check_in",
    },
    "RF-ASSESS-01-said-not-assessed": {
        "pain_onset": "new_episode",
        "pain_assessed_by_clinician": False,
        "therapist_linked": False,
        "episode_started_on": "2025-06-15",
        "episode_days": 0,
        "episode_start_from": "this_check_in",
    },
    "RF-LUNG-02-haemoptysis-young": {"symptoms": ["coughing_blood"]},
    "RF-LUNG-02-haemoptysis-old": {"symptoms": ["coughing_blood"]},
    "RF-COMB-01-age-cancer": {
        "pain_onset": "new_episode",
        "weak_flags": ["age", "health_history"],
        "age": 50,
        "health_history": ["cancer"],
    },
    "RF-COMB-01-age-weight": {
        "pain_onset": "changed",
        "weak_flags": ["age", "symptoms"],
        "age": 55,
        "symptoms": ["weight_loss"],
    },
    "RF-COMB-01-cancer-weight": {
        "pain_onset": "first_ever",
        "weak_flags": ["health_history", "symptoms"],
        "health_history": ["cancer"],
        "symptoms": ["weight_loss"],
    },
    "RF-COMB-01-age-stalled": {
        "pain_onset": "new_episode",
        "weak_flags": ["age", "not_improving"],
        "age": 55,
        "not_improving": STALLED,
    },
    "RF-INF-03-immuno-new": {"health_history": ["immunosuppressed"], "pain_onset": "new_episode"},
    "RF-INF-03-ivdu-first": {"health_history": ["iv_drug_use"], "pain_onset": "first_ever"},
    "RF-FRAC-01-minor-trauma-osteo": {
        "symptoms": ["minor_trauma"],
        "health_history": ["osteoporosis"],
    },
    "RF-FRAC-01-new-steroids": {
        "pain_onset": "new_episode",
        "health_history": ["long_term_steroids"],
    },
    "RF-FRAC-01-first-age-70": {"pain_onset": "first_ever", "age": 70},
    "RF-FRAC-01-minor-trauma-age-80": {"symptoms": ["minor_trauma"], "age": 80},
    "RF-FRAC-01-changed-age-75": {"pain_onset": "changed", "age": 75},
    "RF-LUNG-01-haemoptysis-40": {"symptoms": ["coughing_blood"], "age": 40},
    "RF-LUNG-01-haemoptysis-smoker-25": {
        "symptoms": ["coughing_blood"],
        "health_history": ["smoker"],
    },
    "RF-ROOT-01-arm-numb": {"symptoms": ["arm_numbness"]},
    "RF-ROOT-01-arm-weak": {"symptoms": ["arm_weakness"]},
    "RF-ROOT-01-arm-both": {"symptoms": ["arm_numbness", "arm_weakness"]},
    "RF-NEURO-02-band-alone": {"symptoms": ["chest_band_numbness"]},
    "RF-AGE-01-first-60": {"pain_onset": "first_ever", "age": 60},
    "RF-AGE-01-first-15": {"pain_onset": "first_ever", "age": 15},
    "RF-AGE-01-first-85": {"pain_onset": "first_ever", "age": 85},
    "RF-DUR-01-severe-28d": {
        "pain_onset": "new_episode",
        "pain": 7,
        "episode_started_on": "2025-05-18",
        "episode_days": 28,
        "episode_start_from": "check_in",
    },
    "RF-DUR-01-severe-changed-90d": {
        "pain_onset": "changed",
        "pain": 9,
        "episode_started_on": "2025-03-17",
        "episode_days": 90,
        "episode_start_from": "check_in",
    },
    "RF-DUR-01-severe-from-history": {
        "pain_onset": "new_episode",
        "pain": 8,
        "episode_started_on": "2025-05-15",
        "episode_days": 31,
        "episode_start_from": "history",
    },
    "RF-DUR-02-stalled": STALLED,
    "RF-DUR-02-worse": {
        "pain_onset": "changed",
        "pain": 7,
        "first_pain_in_episode": 6,
        "first_pain_recorded_on": "2025-05-16",
        "episode_started_on": "2025-05-16",
        "episode_days": 30,
        "episode_start_from": "history_run",
    },
    "RF-DUR-02-one-point-drop": {
        "pain_onset": "new_episode",
        "pain": 4,
        "first_pain_in_episode": 5,
        "first_pain_recorded_on": "2025-05-11",
        "episode_started_on": "2025-05-06",
        "episode_days": 40,
        "episode_start_from": "check_in",
    },
}


def test_every_firing_case_has_its_evidence():
    assert [param.id for param in FIRING] == list(EVIDENCE)


@pytest.mark.parametrize(
    ("rule_id", "check_in", "profile", "history", "evidence"),
    [pytest.param(*param.values, EVIDENCE[param.id], id=param.id) for param in FIRING],
)
def test_evidence_names_the_answers_that_fired_the_rule(
    rule_id, check_in, profile, history, evidence
):
    result = evaluate(check_in, profile, history)
    fired = next(rule for rule in result.rules if rule.id == rule_id)
    assert fired.evidence == evidence
    rule = RULES_BY_ID[rule_id]
    assert (fired.version, fired.level, fired.title) == (rule.version, rule.level, rule.title)
    assert (fired.clinician_message, fired.source) == (rule.clinician_message, rule.source)


# --------------------------------------------------------------------------- checks not run

NO_ONSET = "not checked: not told whether the pain is new, changed or usual"
NO_BIRTH_YEAR = "not checked: year of birth unknown"


def test_checks_not_run_say_what_is_missing_in_plain_words():
    result = evaluate(
        ci(onset="first_ever", pain=6, episode_started_on=days_ago(45)), pf(age=AGE_UNKNOWN)
    )
    assert result.checks_not_run == (
        "RF-CARD-03 (heart attack in someone with heart disease or cardiac risk factors): "
        f"age 60 or over (smokers with sweating or nausea) {NO_BIRTH_YEAR}",
        f"RF-COMB-01 (serious disease (several weak warning signs together)): age 50 or over "
        f"{NO_BIRTH_YEAR}",
        "RF-ASSESS-01 (new pain between the shoulders that no clinician has assessed): "
        "not checked: not told whether a therapist is linked",
        f"RF-FRAC-01 (osteoporotic (fragility) fracture): age 70 or over {NO_BIRTH_YEAR}",
        f"RF-LUNG-01 (lung cancer): age 40 or over {NO_BIRTH_YEAR}",
        "RF-AGE-01 (cancer or fracture (first back pain at an older or young age)): "
        f"age 60 or over, or under 16 {NO_BIRTH_YEAR}",
        "RF-DUR-02 (needs review (not improving over 4 weeks or more)): not checked: no pain "
        "recorded at least 2 weeks earlier in this bout to compare with",
    )


def test_a_missing_onset_is_listed_for_every_rule_that_needs_it():
    result = evaluate(ci(onset=None), pf())
    listed = [item for item in result.checks_not_run if item.endswith(NO_ONSET)]
    assert [item.split(" ")[0] for item in listed] == [
        "RF-CARD-03",
        "RF-MSCC-01",
        "RF-INF-04",
        "RF-COMB-01",
        "RF-ASSESS-01",
        "RF-INF-03",
        "RF-AGE-01",
        "RF-DUR-01",
        "RF-DUR-02",
    ]
    assert listed[1] == f"RF-MSCC-01 (spinal metastases): {NO_ONSET}"


@pytest.mark.parametrize(
    ("check_in", "history", "listed"),
    [
        pytest.param(
            ci(onset="new_episode", pain=6, episode_started_on=days_ago(28)), (), True, id="28d"
        ),
        pytest.param(
            ci(onset="new_episode", pain=6, episode_started_on=days_ago(27)), (), False, id="27d"
        ),
        pytest.param(
            ci(onset="usual", pain=6, episode_started_on=days_ago(60)), (), False, id="usual"
        ),
        pytest.param(
            ci(onset="new_episode", pain=2, episode_started_on=days_ago(40)),
            (PastCheckIn(days_ago(14), 6, "new_episode"),),
            False,
            id="first-pain-14-days-back-improved",
        ),
        pytest.param(
            ci(onset="new_episode", pain=2, episode_started_on=days_ago(40)),
            (PastCheckIn(days_ago(13), 6, "new_episode"),),
            True,
            id="first-pain-13-days-back",
        ),
    ],
)
def test_not_improving_is_listed_as_not_run_only_without_an_old_enough_pain(
    check_in, history, listed
):
    result = evaluate(check_in, pf(), history)
    assert "RF-DUR-02" not in result.rule_ids
    assert any(item.startswith("RF-DUR-02") for item in result.checks_not_run) is listed


# --------------------------------------------------------------------------- wording by level

GB_WORDS = {
    "emergency": (
        "Call 999 now or go to the nearest emergency department.",
        "Some of your answers can be a sign of a serious problem that needs care straight away. "
        "Call 999 now or go to the nearest emergency department. Do not drive yourself. Stop "
        "your exercises until a clinician tells you it is safe to restart.",
    ),
    "urgent": (
        "Speak to a doctor today.",
        "Some of your answers need a doctor's opinion today. Ask your GP practice for an urgent "
        "appointment, or call 111 (England, Scotland and Wales; in Northern Ireland, your GP "
        "out-of-hours service when the practice is closed). Pause your exercises until a "
        "clinician has checked you. If you get worse or feel seriously unwell, call 999 now.",
    ),
    "soon": (
        "Book an appointment with a doctor or physiotherapist within about 2 weeks.",
        "Some of your answers are worth checking with a doctor or physiotherapist. Book an "
        "appointment within about 2 weeks. You can carry on with your exercises gently. Get "
        "help sooner if your symptoms get worse or you notice anything new, and call 999 if you "
        "feel seriously unwell.",
    ),
    "none": (
        "No warning signs in today's answers.",
        "Carry on with your programme. Pain on its own, even strong pain, is not a warning "
        "sign. Check in again if your pain changes or you notice anything new, such as "
        "numbness, weakness, problems peeing or pooing, chest pain, a fever or weight loss you "
        "can't explain.",
    ),
}


@pytest.mark.parametrize("level", LEVELS)
def test_wording_of_each_level_in_great_britain(level):
    assert (messages.headline(level, "999"), messages.advice(level, "999", "GB")) == GB_WORDS[level]


@pytest.mark.parametrize("level", LEVELS)
def test_wording_without_a_country_names_no_service(level):
    headline, advice = GB_WORDS[level]
    local = "your local emergency number"
    assert messages.headline(level, None) == headline.replace("999", local)
    expected = advice.replace("999", local)
    if level == "urgent":
        expected = expected.replace(
            "Ask your GP practice for an urgent appointment, or call 111 (England, Scotland and "
            "Wales; in Northern Ireland, your GP out-of-hours service when the practice is "
            "closed).",
            "Contact your doctor or your local urgent care service today.",
        )
    assert messages.advice(level, None) == expected


@pytest.mark.parametrize("wording", [messages.headline, messages.advice])
def test_an_unknown_level_has_no_wording(wording):
    with pytest.raises(ValueError) as raised:
        wording("critical", "999")
    assert str(raised.value) == (
        "unknown triage level 'critical'; valid: none, soon, urgent, emergency"
    )


# --------------------------------------------------------------------------- the registry


@pytest.mark.parametrize("level", ["none", "critical", "Urgent"])
def test_a_rule_cannot_have_level_none_or_an_unknown_level(level):
    with pytest.raises(ValueError) as raised:
        Rule(
            id="RF-TEST-01",
            version=1,
            level=level,
            title="t",
            fires_when="w",
            source="s",
            patient_message="p",
            clinician_message="c",
            predicate=lambda ctx: None,
        )
    assert str(raised.value) == f"RF-TEST-01: invalid rule level {level!r}"


@pytest.mark.parametrize("level", ["soon", "urgent", "emergency"])
def test_a_rule_may_have_any_other_level(level):
    rule = Rule("RF-T", 1, level, "t", "w", "s", "p", "c", predicate=lambda ctx: None)
    assert rule.level == level


def test_the_table_escapes_pipes_and_line_breaks(monkeypatch):
    rule = Rule("RF-T", 1, "soon", "a | b", "x\ny", "s", "p", "c", predicate=lambda ctx: None)
    monkeypatch.setattr("api.triage.table.RULES", (rule,))
    assert rules_table_markdown().splitlines()[2] == "| RF-T | 1 | soon | x y | a \\| b | s |"


# --------------------------------------------------------------------------- the current run


def test_the_current_run_ignores_later_check_ins_and_walks_back_from_today():
    today = CheckInFacts(date=TODAY, pain=5, pain_onset="new_episode")
    later = PastCheckIn(days_ago(-1), 5, "usual")
    earlier = PastCheckIn(days_ago(3), 5, "changed")
    assert current_run(today, [later, earlier]) == [earlier]


def test_same_day_check_ins_give_the_same_verdict_in_any_order():
    advised = PastCheckIn(days_ago(14), 5, "new_episode", rule_ids=frozenset({"RF-ASSESS-01"}))
    usual = PastCheckIn(days_ago(14), 5, "usual")
    profile = pf(linked=False)
    verdicts = {
        evaluate(ci(onset="new_episode"), profile, history).rule_ids
        for history in ([advised, usual], [usual, advised])
    }
    assert verdicts == {()}


def test_same_day_episode_starts_give_the_same_verdict_in_any_order():
    long_ago = PastCheckIn(days_ago(5), 8, "new_episode", episode_started_on=days_ago(40))
    recent = PastCheckIn(days_ago(5), 8, "new_episode", episode_started_on=days_ago(10))
    verdicts = {
        evaluate(ci(onset="new_episode", pain=8), pf(), history).rule_ids
        for history in ([long_ago, recent], [recent, long_ago])
    }
    assert len(verdicts) == 1


def test_dates_are_dates_not_datetimes_in_history():
    with pytest.raises(ValueError, match="history date must be a date"):
        evaluate(ci(), pf(), [PastCheckIn(datetime.datetime(2025, 6, 1, 8), 3)])


@pytest.mark.parametrize(
    "profile", [pf("heart_disease"), pf("smoker", age=65)], ids=["heart-disease", "smoker-65"]
)
def test_with_chest_pain_the_cardiac_risk_rule_gives_way_to_chest_pain(profile):
    check_in = ci("chest_pain", "pain_spreads_arm_jaw", "sweating_nausea", onset="changed")
    result = evaluate(check_in, profile)
    assert "RF-CARD-01" in result.rule_ids
    assert "RF-CARD-03" not in result.rule_ids


def test_weak_flags_evidence_names_the_pain_areas_given():
    check_in = ci("weight_loss", onset="changed", pain_areas=frozenset({"neck", "upper_back"}))
    result = evaluate(check_in, pf("cancer"))
    combination = next(rule for rule in result.rules if rule.id == "RF-COMB-01")
    assert combination.evidence == {
        "pain_onset": "changed",
        "weak_flags": ["health_history", "symptoms"],
        "health_history": ["cancer"],
        "symptoms": ["weight_loss"],
        "pain_areas": ["neck", "upper_back"],
    }


def test_an_episode_cannot_start_after_the_check_in():
    with pytest.raises(ValueError) as raised:
        evaluate(ci(onset="new_episode", episode_started_on=days_ago(-1)), pf())
    assert str(raised.value) == "episode_started_on is after the check-in date"
