"""The exercise catalogue: shipped content is sound, and each kind of bad file is caught."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.triage.vocabulary import HEALTH_HISTORY
from exercises.content import DEFAULT_ROOT, ContentError, content_hash, load_content, read_content
from exercises.validate import main, validate
from exercises.vocabulary import (
    CAUSE_SLUGS,
    CONTRAINDICATION_CODES,
    DERIVED_CODES,
    FLEXION_TWIST_FLAGS,
    MIN_EXERCISES_PER_CAUSE,
)

NO_EXERCISE_CAUSES = ("fracture", "cancer-or-infection")


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the shipped data directory, safe to corrupt."""
    root = tmp_path / "data"
    shutil.copytree(DEFAULT_ROOT, root)
    return root


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(path: Path, value: Any) -> None:
    path.write_text(yaml.safe_dump(value, sort_keys=False, allow_unicode=True), encoding="utf-8")


def edit(path: Path, change: Callable[[Any], None]) -> None:
    value = _load(path)
    change(value)
    _dump(path, value)


def exercise_file(root: Path, slug: str) -> Path:
    return root / "exercises" / f"{slug}.yaml"


def template_file(root: Path, slug: str) -> Path:
    return root / "templates" / f"{slug}.yaml"


def problems_of(root: Path) -> list[str]:
    """Problems from reading or validating ``root`` (the load_content path)."""
    with pytest.raises(ContentError) as caught:
        load_content(root)
    problems = caught.value.problems
    assert problems, "ContentError must carry at least one problem"
    return problems


def assert_problem(problems: list[str], *fragments: str) -> str:
    """Some single problem message contains every fragment; return it."""
    for problem in problems:
        if all(fragment in problem for fragment in fragments):
            return problem
    raise AssertionError(f"no problem containing {fragments!r} in:\n" + "\n".join(problems))


# --------------------------------------------------------------------------- shipped content


@pytest.fixture(scope="module")
def content():
    return load_content()


def test_shipped_content_loads_and_validates(content) -> None:
    assert validate(content) == []


def test_shipped_counts(content) -> None:
    assert len(content.exercises) >= 38
    assert len(content.templates) >= 6
    assert set(content.causes) == set(CAUSE_SLUGS)
    for slug, cause in content.causes.items():
        linked = content.exercises_for_cause(slug)
        if cause.exercise_allowed:
            assert len(linked) >= MIN_EXERCISES_PER_CAUSE, slug
        else:
            assert linked == [], slug


@pytest.mark.parametrize("slug", NO_EXERCISE_CAUSES)
def test_serious_causes_send_people_to_a_doctor_first(content, slug: str) -> None:
    cause = content.causes[slug]
    assert cause.exercise_allowed is False
    assert "see a doctor" in cause.see_doctor_first.lower()
    assert content.exercises_for_cause(slug) == []


def test_required_templates_are_shipped(content) -> None:
    assert {
        "desk-posture-reset",
        "thoracic-mobility-routine",
        "bone-safe-strength",
        "scapular-stability-progression",
        "flare-up-gentle-start",
        "core-routine",
    } <= set(content.templates)


def test_shipped_bone_safe_template_avoids_flexion_and_twisting(content) -> None:
    template = content.templates["bone-safe-strength"]
    assert "osteoporosis" in template.causes
    for item in template.items:
        exercise = content.exercises[item.exercise]
        assert "osteoporosis" not in exercise.contraindications, item.exercise
        assert not FLEXION_TWIST_FLAGS.intersection(exercise.movement_flags), item.exercise


def test_flexion_and_twisting_exercises_exclude_osteoporosis(content) -> None:
    flagged = [e for e in content.exercises.values() if FLEXION_TWIST_FLAGS & set(e.movement_flags)]
    assert {"abdominal-curl-up", "seated-forward-flexion-stretch", "cat-camel"} <= {
        e.slug for e in flagged
    }
    for exercise in flagged:
        assert "osteoporosis" in exercise.contraindications, exercise.slug


def test_every_code_is_in_the_vocabulary(content) -> None:
    for exercise in content.exercises.values():
        assert set(exercise.contraindications) <= CONTRAINDICATION_CODES
        for precaution in exercise.precautions:
            assert precaution.code is None or precaution.code in CONTRAINDICATION_CODES


def test_article_medications_are_named(content) -> None:
    text = " ".join(t for c in content.causes.values() for t in c.doctor_treatments).lower()
    for name in ("naproxen", "ibuprofen", "acetaminophen", "carbamazepine", "discectomy"):
        assert name in text
    assert "vertebroplasty" in text and "facet joint injections" in text


def test_to_dict_is_json_and_hash_is_stable(content) -> None:
    as_dict = content.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    chin_tuck = as_dict["exercises"]["chin-tuck"]
    assert chin_tuck["dose"] == {
        "sets": 3,
        "reps": 12,
        "hold_seconds": None,
        "rest_seconds": 30,
        "times_per_day": 1,
        "days_per_week": 4,
    }
    assert "path" not in chin_tuck
    exercise = content.exercises["chin-tuck"]
    assert content_hash(exercise) == exercise.fingerprint() == content_hash(exercise.to_dict())
    assert len(content.fingerprint()) == 64
    assert content_hash(exercise) != content_hash(content.exercises["chin-tuck-head-lift"])


def test_hash_changes_when_content_changes(data: Path) -> None:
    before = read_content(data).exercises["chin-tuck"].fingerprint()
    edit(exercise_file(data, "chin-tuck"), lambda d: d["cues"].append("Smile."))
    assert read_content(data).exercises["chin-tuck"].fingerprint() != before


def test_command_line_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "exercises per cause:" in out and "exercises per category:" in out
    assert "fracture" in out and "(see a doctor first)" in out


def test_command_line_reports_problems(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(exercise_file(data, "chin-tuck"), lambda d: d.update(category="yoga"))
    assert main([str(data)]) == 1
    assert "unknown category 'yoga'" in capsys.readouterr().out


# --------------------------------------------------------------------------- bad files


def _set_path(value: dict, dotted: str, new: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        value = value[key[:-3]][int(key[-2])] if key.endswith("]") else value[key]
    value[last] = new


@pytest.mark.parametrize(
    ("file", "dotted", "bad", "fragments"),
    [
        (
            "exercises/chin-tuck.yaml",
            "progressions",
            ["no-such-exercise"],
            ("exercises/chin-tuck.yaml", "progressions[0]", "unknown exercise 'no-such-exercise'"),
        ),
        (
            "exercises/cat-camel.yaml",
            "regressions",
            ["no-such-exercise"],
            ("exercises/cat-camel.yaml", "regressions[0]", "unknown exercise 'no-such-exercise'"),
        ),
        (
            "templates/core-routine.yaml",
            "items[0].exercise",
            "no-such-exercise",
            ("templates/core-routine.yaml", "items[0].exercise", "unknown exercise"),
        ),
        (
            "templates/core-routine.yaml",
            "causes",
            ["back-ache"],
            ("templates/core-routine.yaml", "causes[0]", "unknown cause 'back-ache'"),
        ),
    ],
)
def test_unknown_slug_in_link(
    data: Path, file: str, dotted: str, bad: Any, fragments: tuple[str, ...]
) -> None:
    edit(data / file, lambda d: _set_path(d, dotted, bad))
    assert_problem(problems_of(data), *fragments)


def test_unknown_cause_in_exercise_link(data: Path) -> None:
    edit(exercise_file(data, "bridge"), lambda d: d["causes"].append({"cause": "gout", "why": "x"}))
    assert_problem(problems_of(data), "exercises/bridge.yaml", "causes[", "unknown cause 'gout'")


def test_unknown_lifestyle_related_exercise(data: Path) -> None:
    def change(entries: list[dict]) -> None:
        entries[0]["related_exercises"].append("jogging")

    edit(data / "lifestyle.yaml", change)
    assert_problem(problems_of(data), "lifestyle.yaml", "related_exercises", "'jogging'")


def test_ladder_cycle(data: Path) -> None:
    # chin-tuck -> chin-tuck-head-lift already; closing the loop makes a cycle.
    edit(exercise_file(data, "chin-tuck-head-lift"), lambda d: d.update(progressions=["chin-tuck"]))
    problem = assert_problem(problems_of(data), "ladder cycle")
    assert "chin-tuck -> chin-tuck-head-lift -> chin-tuck" in problem


def test_longer_ladder_cycle_through_regressions(data: Path) -> None:
    # prone-w < prone-t < prone-y; claiming prone-w is harder than prone-y closes a loop.
    edit(exercise_file(data, "prone-w-raise"), lambda d: d["regressions"].append("prone-y-raise"))
    problem = assert_problem(problems_of(data), "ladder cycle")
    assert {"prone-w-raise", "prone-t-raise", "prone-y-raise"} <= set(problem.split(" "))


def test_asymmetric_ladder(data: Path) -> None:
    edit(exercise_file(data, "chin-tuck-head-lift"), lambda d: d.update(regressions=[]))
    assert_problem(
        problems_of(data),
        "exercises/chin-tuck.yaml",
        "progressions[0]",
        "'chin-tuck-head-lift' does not list 'chin-tuck'",
        "asymmetric",
    )


@pytest.mark.parametrize("field", ["contraindications", "precautions"])
def test_unknown_contraindication_code(data: Path, field: str) -> None:
    def change(d: dict) -> None:
        if field == "contraindications":
            d["contraindications"].append("pregnancy")
        else:
            d["precautions"].append({"code": "pregnancy", "text": "Take care."})

    edit(exercise_file(data, "bridge"), change)
    assert_problem(problems_of(data), "exercises/bridge.yaml", field, "'pregnancy'")


@pytest.mark.parametrize(
    ("file", "remove", "fragments"),
    [
        ("exercises/plank.yaml", ("steps",), ("exercises/plank.yaml", "steps", "missing required")),
        (
            "exercises/plank.yaml",
            ("dose", "sets"),
            ("exercises/plank.yaml", "dose.sets", "missing"),
        ),
        ("exercises/plank.yaml", ("evidence", "source"), ("evidence.source", "missing required")),
        ("templates/core-routine.yaml", ("items",), ("core-routine.yaml", "items", "missing")),
    ],
)
def test_missing_required_field(
    data: Path, file: str, remove: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    def change(d: dict) -> None:
        for key in remove[:-1]:
            d = d[key]
        del d[remove[-1]]

    edit(data / file, change)
    with pytest.raises(ContentError) as caught:
        read_content(data)
    assert_problem(caught.value.problems, *fragments)


def test_missing_cause_field(data: Path) -> None:
    edit(data / "causes.yaml", lambda causes: causes[2].pop("description"))
    assert_problem(problems_of(data), "causes.yaml", "[2].description", "missing required field")


@pytest.mark.parametrize(
    ("key", "bad", "fragment"),
    [
        ("difficulty", "hard", "expected an integer"),
        ("steps", "Do it.", "expected a list of strings"),
        ("equipment", [], "must not be empty"),
    ],
)
def test_wrong_type(data: Path, key: str, bad: Any, fragment: str) -> None:
    edit(exercise_file(data, "bridge"), lambda d: d.update({key: bad}))
    assert_problem(problems_of(data), "exercises/bridge.yaml", key, fragment)


def test_see_doctor_first_required_when_exercise_not_allowed(data: Path) -> None:
    edit(data / "causes.yaml", lambda causes: causes[0].pop("see_doctor_first"))
    assert_problem(problems_of(data), "fracture.see_doctor_first", "required")


def test_cause_without_enough_exercises(data: Path) -> None:
    linked = [p for p in (data / "exercises").glob("*.yaml") if "herniated-disc" in p.read_text()]
    for path in linked:

        def drop(d: dict) -> None:
            d["causes"] = [c for c in d["causes"] if c["cause"] != "herniated-disc"]

        edit(path, drop)
    problem = assert_problem(problems_of(data), "herniated-disc", "only 0 exercise(s)")
    assert f"at least {MIN_EXERCISES_PER_CAUSE}" in problem


def test_exercise_linked_to_a_see_a_doctor_cause(data: Path) -> None:
    edit(
        exercise_file(data, "walking"),
        lambda d: d["causes"].append({"cause": "fracture", "why": "Gentle activity."}),
    )
    assert_problem(problems_of(data), "exercises/walking.yaml", "'fracture' does not allow")


@pytest.mark.parametrize(
    ("key", "bad", "fragment"),
    [
        ("category", "yoga", "unknown category 'yoga'"),
        ("region", "knee", "unknown region 'knee'"),
        ("target_muscles", ["biceps"], "unknown muscle 'biceps'"),
        ("equipment", ["kettlebell"], "unknown equipment 'kettlebell'"),
        ("movement_flags", ["jumping"], "unknown movement flag 'jumping'"),
        ("evidence", {"level": "anecdote", "source": "x"}, "unknown evidence level 'anecdote'"),
    ],
)
def test_bad_enum_in_exercise(data: Path, key: str, bad: Any, fragment: str) -> None:
    edit(exercise_file(data, "bridge"), lambda d: d.update({key: bad}))
    assert_problem(problems_of(data), "exercises/bridge.yaml", fragment)


def test_bad_day_in_template(data: Path) -> None:
    edit(template_file(data, "core-routine"), lambda d: d.update(days_of_week=["monday"]))
    assert_problem(problems_of(data), "core-routine.yaml", "days_of_week[0]", "unknown day")


@pytest.mark.parametrize(
    ("dose", "fragment"),
    [
        ({"sets": 0}, "dose.sets: 0 is out of range (1-10)"),
        ({"reps": 500}, "dose.reps: 500 is out of range (1-100)"),
        ({"rest_seconds": 900}, "dose.rest_seconds: 900 is out of range (0-600)"),
        ({"days_per_week": 8}, "dose.days_per_week: 8 is out of range (1-7)"),
        ({"reps": None}, "both are null"),
        ({"hold_seconds": 30}, "both are set"),
    ],
)
def test_dose_bounds(data: Path, dose: dict, fragment: str) -> None:
    edit(exercise_file(data, "bridge"), lambda d: d["dose"].update(dose))
    assert_problem(problems_of(data), "exercises/bridge.yaml", fragment)


@pytest.mark.parametrize("kind", ["exercises", "templates"])
def test_slug_file_mismatch(data: Path, kind: str) -> None:
    slug = "bridge" if kind == "exercises" else "core-routine"
    old = data / kind / f"{slug}.yaml"
    old.rename(data / kind / "renamed.yaml")
    assert_problem(
        problems_of(data), f"{kind}/renamed.yaml", f"'{slug}' does not match the file name"
    )


def test_duplicate_slug(data: Path) -> None:
    shutil.copy(exercise_file(data, "bridge"), data / "exercises" / "zz-copy.yaml")
    problems = problems_of(data)
    assert_problem(problems, "exercises/zz-copy.yaml", "duplicate slug 'bridge'")


def test_flexion_flag_requires_osteoporosis_contraindication(data: Path) -> None:
    edit(
        exercise_file(data, "abdominal-curl-up"),
        lambda d: d.update(contraindications=["osteopenia"]),
    )
    assert_problem(
        problems_of(data), "exercises/abdominal-curl-up.yaml", "loaded_flexion", "'osteoporosis'"
    )


def test_bone_safe_template_rejects_osteoporosis_contraindicated_exercise(data: Path) -> None:
    def add_curl_up(d: dict) -> None:
        d["items"].append(
            {
                "exercise": "abdominal-curl-up",
                "sets": 2,
                "reps": 8,
                "rest_seconds": 60,
                "times_per_day": 1,
            }
        )

    edit(template_file(data, "bone-safe-strength"), add_curl_up)
    problem = assert_problem(
        problems_of(data), "templates/bone-safe-strength.yaml", "'abdominal-curl-up'"
    )
    assert "contraindicated for 'osteoporosis'" in problem


def test_exercise_linked_to_a_cause_it_is_contraindicated_for(data: Path) -> None:
    edit(
        exercise_file(data, "cat-camel"),
        lambda d: d["causes"].append({"cause": "osteoporosis", "why": "Mobility."}),
    )
    assert_problem(problems_of(data), "cat-camel.yaml", "'osteoporosis' is also listed")


def test_invalid_yaml_is_reported_with_its_file(data: Path) -> None:
    exercise_file(data, "bridge").write_text("slug: [unclosed\n", encoding="utf-8")
    assert_problem(problems_of(data), "exercises/bridge.yaml", "invalid YAML")


def test_unknown_field_is_reported(data: Path) -> None:
    edit(exercise_file(data, "bridge"), lambda d: d.update(colour="blue"))
    assert_problem(problems_of(data), "exercises/bridge.yaml", "colour", "unknown field")


# --------------------------------------------------------------------------- health history


def history_file(root: Path) -> Path:
    return root / "health_history.yaml"


def _entry(entries: list[dict], code: str) -> dict:
    return next(e for e in entries if e["code"] == code)


def test_every_health_history_code_has_one_entry(content) -> None:
    assert set(content.history) == set(HEALTH_HISTORY) | set(DERIVED_CODES)
    for rule in content.history.values():
        assert rule.why.strip() and rule.sources, rule.code


def test_rules_are_applied_when_the_catalogue_is_read(content) -> None:
    curl_up = content.exercises["abdominal-curl-up"]
    assert {"osteoporosis", "long_term_steroids", "cancer"} <= set(curl_up.contraindications)
    assert "spinal_surgery_first_year" in curl_up.contraindications
    rotation = content.exercises["seated-thoracic-rotation"]
    own = [p.text for p in rotation.precautions if p.code == "osteoporosis"]
    assert own and [p.text for p in rotation.precautions if p.code == "long_term_steroids"] == own
    assert [p.code for p in rotation.precautions].count("spinal_surgery") == 1
    for exercise in content.exercises.values():
        assert len(set(exercise.contraindications)) == len(exercise.contraindications)
        assert [p.code for p in exercise.precautions].count("cancer") >= 1, exercise.slug


def test_a_code_already_listed_by_an_exercise_is_not_added_twice(data: Path) -> None:
    edit(
        exercise_file(data, "abdominal-curl-up"),
        lambda d: d.update(contraindications=[*d["contraindications"], "long_term_steroids"]),
    )
    curl_up = load_content(data).exercises["abdominal-curl-up"]
    assert curl_up.contraindications.count("long_term_steroids") == 1


def test_changing_a_rule_changes_the_exercises_fingerprints(data: Path) -> None:
    before = read_content(data).exercises["chin-tuck"].fingerprint()
    edit(
        history_file(data),
        lambda entries: _entry(entries, "spinal_surgery").update(precaution="Ask first."),
    )
    assert read_content(data).exercises["chin-tuck"].fingerprint() != before


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            lambda entries: entries.remove(_entry(entries, "smoker")),
            ("health_history.yaml", "missing entry for 'smoker'"),
        ),
        (
            lambda entries: _entry(entries, "smoker").update(code="vaper"),
            ("health_history.yaml", "unknown code 'vaper'"),
        ),
        (
            lambda entries: _entry(entries, "smoker").update(effect="maybe"),
            ("smoker.effect", "unknown effect 'maybe'"),
        ),
        (
            lambda entries: _entry(entries, "smoker").update(effect="rules"),
            ("smoker.effect", "'rules' needs same_as"),
        ),
        (
            lambda entries: _entry(entries, "smoker").update(same_as="osteoporosis"),
            ("smoker.effect", "'none' cannot have same_as"),
        ),
        (
            lambda entries: _entry(entries, "heart_disease").update(effect="none"),
            ("heart_disease.effect", "'none' but some exercises name 'heart_disease'"),
        ),
        (
            lambda entries: _entry(entries, "smoker").update(effect="listed"),
            ("smoker.effect", "'listed' but no exercise names 'smoker'"),
        ),
        (
            lambda entries: _entry(entries, "cancer").update(same_as="cancer"),
            ("cancer.same_as", "not another contraindication code"),
        ),
        (
            lambda entries: _entry(entries, "spinal_surgery_first_year").update(
                avoid_movement_flags=["somersault"]
            ),
            ("avoid_movement_flags[0]", "unknown movement flag 'somersault'"),
        ),
        (
            lambda entries: _entry(entries, "smoker").update(sources=[]),
            ("smoker.sources", "must not be empty"),
        ),
        (
            lambda entries: _entry(entries, "smoker").update(why=""),
            ("health_history.yaml", "why", "expected a non-empty string"),
        ),
    ],
)
def test_bad_health_history_entries_are_caught(data: Path, change, fragments) -> None:
    edit(history_file(data), change)
    assert_problem(problems_of(data), *fragments)


def test_missing_health_history_file_is_caught(data: Path) -> None:
    history_file(data).unlink()
    assert_problem(problems_of(data), "health_history.yaml", "file not found")
