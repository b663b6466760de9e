"""The fixed vocabulary of the exercise catalogue.

Cause slugs are part of the public API contract (profiles store them); the other
lists are the values the catalogue files may use. Source for the causes: the seed
article on upper back pain; for the rest: ``clinical/EXERCISES.md``.
"""

from __future__ import annotations

from api.triage.vocabulary import HEALTH_HISTORY

#: Every cause of upper back pain that the seed article names, in its order.
CAUSE_SLUGS: tuple[str, ...] = (
    "fracture",
    "sports-overuse-injury",
    "poor-posture",
    "neck-shoulder-strain",
    "osteoarthritis",
    "scoliosis-kyphosis",
    "herniated-disc",
    "degenerative-disc-disease",
    "spinal-stenosis",
    "osteopenia",
    "osteoporosis",
    "cancer-or-infection",
)

CATEGORIES: tuple[str, ...] = (
    "strengthening",
    "mobility",
    "stretching",
    "posture",
    "breathing",
    "aerobic",
)

REGIONS: tuple[str, ...] = (
    "thoracic",
    "cervical",
    "scapular",
    "shoulder",
    "core",
    "lumbar",
    "whole_body",
)

#: Thoracic-aware muscle list; ``glutes``, ``quadriceps`` and ``diaphragm`` cover the
#: few whole-body and breathing exercises.
MUSCLES: tuple[str, ...] = (
    "upper_trapezius",
    "middle_trapezius",
    "lower_trapezius",
    "rhomboids",
    "serratus_anterior",
    "deep_neck_flexors",
    "thoracic_erector_spinae",
    "pectoralis_major",
    "pectoralis_minor",
    "latissimus_dorsi",
    "rotator_cuff",
    "levator_scapulae",
    "core",
    "glutes",
    "quadriceps",
    "diaphragm",
)

EQUIPMENT: tuple[str, ...] = (
    "none",
    "wall",
    "chair",
    "towel",
    "resistance_band",
    "foam_roller",
    "dumbbell",
    "mat",
)

#: Movement features that explain contraindications. An exercise with any of
#: FLEXION_TWIST_FLAGS must list ``osteoporosis`` as a contraindication. ``rotation``
#: marks any exercise whose purpose is to turn the spine, however gently;
#: ``forceful_rotation`` one where body weight or leverage holds it at the end of a twist.
MOVEMENT_FLAGS: tuple[str, ...] = (
    "loaded_flexion",
    "end_range_flexion",
    "forceful_rotation",
    "end_range_extension",
    "overhead",
    "impact",
    "prone_lying",
    "rotation",
)

#: Royal Osteoporosis Society consensus (Brooke-Wavell et al., Br J Sports Med 2022):
#: loaded or end-range spinal flexion and forceful twisting are avoided with osteoporosis.
FLEXION_TWIST_FLAGS: frozenset[str] = frozenset(
    {"loaded_flexion", "end_range_flexion", "forceful_rotation"}
)

#: The code that FLEXION_TWIST_FLAGS require. It is both a health-history code and a
#: cause slug, so one entry covers both.
OSTEOPOROSIS_CODE = "osteoporosis"

EVIDENCE_LEVELS: tuple[str, ...] = (
    "rct",
    "systematic_review",
    "guideline",
    "consensus",
    "trial_use",
    "clinical_practice",
    "common_practice",
)

MEDIA_TYPES: tuple[str, ...] = ("image", "video")

DAYS_OF_WEEK: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

MIN_EXERCISES_PER_CAUSE = 3

HEALTH_HISTORY_CODES: tuple[str, ...] = tuple(HEALTH_HISTORY)

#: Codes Upright works out from the profile instead of asking for them: the first year
#: after spine surgery is ``spinal_surgery`` in ``health_history`` with a
#: ``spinal_surgery_year`` of this year or last year (so the first 12 months are always
#: covered). ``exercises/data/health_history.yaml`` says what each one rules out.
SPINAL_SURGERY_FIRST_YEAR = "spinal_surgery_first_year"
DERIVED_CODES: tuple[str, ...] = (SPINAL_SURGERY_FIRST_YEAR,)

#: What an entry of ``health_history.yaml`` declares for its code: ``listed`` (exercises
#: name the code themselves), ``rules`` (the entry's rules apply it to exercises) or
#: ``none`` (it changes no exercise, for the reason the entry records).
HISTORY_EFFECTS: tuple[str, ...] = ("listed", "rules", "none")

#: Codes allowed in ``contraindications`` and precaution ``code``: a health-history
#: code, a cause slug or a derived code.
CONTRAINDICATION_CODES: frozenset[str] = (
    frozenset(HEALTH_HISTORY_CODES) | frozenset(CAUSE_SLUGS) | frozenset(DERIVED_CODES)
)

#: Dose bounds (inclusive) shared by exercise doses and template items.
DOSE_BOUNDS: dict[str, tuple[int, int]] = {
    "sets": (1, 10),
    "reps": (1, 100),
    "hold_seconds": (1, 300),
    "rest_seconds": (0, 600),
    "times_per_day": (1, 10),
    "days_per_week": (1, 7),
}

DIFFICULTY_RANGE: tuple[int, int] = (1, 3)
DURATION_WEEKS_RANGE: tuple[int, int] = (1, 52)
