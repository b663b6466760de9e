"""The engine's contract: result shape, wording, ordering and input validation."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.triage import (
    DISCLAIMER,
    LEVEL_RANK,
    LEVELS,
    RULES,
    CheckInFacts,
    PastCheckIn,
    ProfileFacts,
    TriageResult,
    evaluate,
    rules_table_markdown,
)

TODAY = datetime.date(2025, 6, 15)
PROFILE = ProfileFacts(birth_year=1980, country="GB")
ROOT = Path(__file__).resolve().parents[2]


def check_in(*symptoms: str, **kwargs) -> CheckInFacts:
    kwargs.setdefault("pain_onset", "usual")
    return CheckInFacts(
        date=TODAY, pain=kwargs.pop("pain", 4), symptoms=frozenset(symptoms), **kwargs
    )


BY_LEVEL = {
    "none": check_in(),
    "soon": check_in("arm_numbness"),
    "urgent": check_in("fever"),
    "emergency": check_in("bladder_change"),
}

FIRED_RULE_KEYS = {
    "id",
    "version",
    "level",
    "title",
    "evidence",
    "patient_message",
    "clinician_message",
    "source",
}


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_is_reachable(level):
    assert evaluate(BY_LEVEL[level], PROFILE).level == level


def test_to_dict_shape_is_json_able():
    result = evaluate(
        check_in("fever", "leg_weakness", "weight_loss", pain_onset="changed"), PROFILE
    )
    data = result.to_dict()
    assert set(data) == {
        "level",
        "headline",
        "advice",
        "disclaimer",
        "rules",
        "checks_not_run",
        "emergency_number",
        "pause_exercise",
    }
    assert data["level"] == "emergency"
    assert isinstance(data["rules"], list) and data["rules"]
    for rule in data["rules"]:
        assert set(rule) == FIRED_RULE_KEYS
        assert isinstance(rule["evidence"], dict) and rule["evidence"]
        assert isinstance(rule["version"], int)
    assert isinstance(data["checks_not_run"], list)
    assert json.loads(json.dumps(data)) == data


def test_to_dict_with_dates_in_evidence_is_json_able():
    result = evaluate(
        check_in(pain=8, pain_onset="new_episode", episode_started_on=TODAY.replace(month=4)),
        PROFILE,
    )
    assert result.rule_ids == ("RF-DUR-01",)
    json.dumps(result.to_dict())


@pytest.mark.parametrize("level", LEVELS)
def test_disclaimer_always_present(level):
    result = evaluate(BY_LEVEL[level], PROFILE)
    assert result.disclaimer == DISCLAIMER
    assert "not a diagnosis" in result.disclaimer
    assert "whatever the app says" in result.disclaimer
    assert result.headline and result.advice


@pytest.mark.parametrize(
    ("level", "paused"), [("none", False), ("soon", False), ("urgent", True), ("emergency", True)]
)
def test_pause_exercise(level, paused):
    assert evaluate(BY_LEVEL[level], PROFILE).pause_exercise is paused


@pytest.mark.parametrize(
    ("level", "words"),
    [
        ("emergency", "Call 999 now or go to the nearest emergency department."),
        ("urgent", "Speak to a doctor today."),
        ("soon", "within about 2 weeks"),
        ("none", "No warning signs"),
    ],
)
def test_headline_wording_per_level(level, words):
    assert words in evaluate(BY_LEVEL[level], PROFILE).headline


def test_urgent_advice_names_same_day_routes():
    advice = evaluate(BY_LEVEL["urgent"], PROFILE).advice  # GB
    for words in ("GP practice for an urgent appointment", "111", "call 999 now"):
        assert words in advice


def test_rules_sorted_most_severe_first():
    result = evaluate(
        check_in("arm_numbness", "night_pain", "tearing_pain", "coughing_blood", "minor_trauma"),
        ProfileFacts(birth_year=1950, health_history=frozenset({"osteoporosis"})),
    )
    ranks = [LEVEL_RANK[rule.level] for rule in result.rules]
    assert ranks == sorted(ranks, reverse=True)
    assert result.level == result.rules[0].level == "emergency"
    assert len(result.rules) >= 5


def test_none_result_has_no_rules():
    result = evaluate(BY_LEVEL["none"], PROFILE)
    assert result.rules == ()
    assert result.pause_exercise is False


def test_result_is_frozen():
    result = evaluate(BY_LEVEL["none"], PROFILE)
    assert isinstance(result, TriageResult)
    with pytest.raises(AttributeError):
        result.level = "emergency"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("facts", "profile", "history", "message"),
    [
        pytest.param(check_in("back_ache"), PROFILE, (), "back_ache", id="unknown-symptom"),
        pytest.param(check_in(pain_onset="sudden"), PROFILE, (), "sudden", id="unknown-onset"),
        pytest.param(
            check_in(pain_areas=frozenset({"knee"})), PROFILE, (), "knee", id="unknown-area"
        ),
        pytest.param(
            check_in(),
            ProfileFacts(health_history=frozenset({"diabetes"})),
            (),
            "diabetes",
            id="unknown-history",
        ),
        pytest.param(
            check_in(),
            PROFILE,
            (PastCheckIn(TODAY, 3, pain_onset="weird"),),
            "weird",
            id="unknown-history-onset",
        ),
        pytest.param(check_in(pain=11), PROFILE, (), "pain", id="pain-too-high"),
        pytest.param(check_in(pain=-1), PROFILE, (), "pain", id="pain-negative"),
        pytest.param(check_in(worst_pain=12), PROFILE, (), "worst_pain", id="worst-pain"),
        pytest.param(
            check_in(), PROFILE, (PastCheckIn(TODAY, 20),), "history pain", id="history-pain"
        ),
        pytest.param(
            check_in(episode_started_on=TODAY + datetime.timedelta(days=1)),
            PROFILE,
            (),
            "episode_started_on",
            id="episode-in-future",
        ),
        pytest.param(
            check_in(), ProfileFacts(birth_year=TODAY.year + 1), (), "birth_year", id="unborn"
        ),
        pytest.param(check_in(), ProfileFacts(country="GBR"), (), "country", id="bad-country"),
    ],
)
def test_invalid_input_raises_value_error(facts, profile, history, message):
    with pytest.raises(ValueError, match=message):
        evaluate(facts, profile, history)


def test_unknown_code_error_lists_valid_codes():
    with pytest.raises(ValueError, match="bladder_change"):
        evaluate(check_in("back_ache"), PROFILE)


def test_rule_registry_is_well_formed():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.id.startswith("RF-")
        assert rule.version >= 1
        assert rule.level in LEVELS and rule.level != "none"
        for text in (
            rule.title,
            rule.fires_when,
            rule.source,
            rule.patient_message,
            rule.clinician_message,
        ):
            assert text.strip()
        assert "red-flag table" in rule.source


def test_rules_table_lists_every_rule():
    table = rules_table_markdown()
    assert table.splitlines()[0] == (
        "| id | version | level | fires when | may point to | source |"
    )
    for rule in RULES:
        assert f"| {rule.id} | {rule.version} | {rule.level} |" in table
    assert len(table.strip().splitlines()) == len(RULES) + 2


def test_table_module_prints_the_table():
    completed = subprocess.run(
        [sys.executable, "-m", "api.triage.table"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout == rules_table_markdown()
