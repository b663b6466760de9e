"""The red-flag rules: data, one ``Rule`` per row (or part of a row) of the red-flag reference.

Every rule has a stable id, a version (bump it whenever what fires it or its level
changes), a level, a plain-words title, the answers that make it fire
(``fires_when``), its source, a patient and a clinician message, and a predicate
that returns the evidence dict (the answers that fired it) or ``None``.

``RULES`` is the registry, in the order they are reported within a level.

Definitions used by the predicates (documented here once):

- **Age** is ``check_in.date.year - birth_year``. Without a birth date it can be
  one year too high before the birthday in the year of the check-in. Every
  age threshold is therefore at most one year early, which errs on the side of
  flagging. With no ``birth_year`` no age-based part can fire, and the result
  lists those rules in ``checks_not_run``.
- **Non-usual pain** is ``pain_onset`` ``first_ever``, ``new_episode`` or
  ``changed``. ``usual`` and a missing onset are not. Location-based concern
  (pain between the shoulder blades, the red-flag reference) applies only to non-usual pain.
- **Neurological signs**: the ten symptom codes in ``NEURO_SIGNS``.
- **Leg signs**: ``leg_weakness``, ``numbness_both_legs``, ``unsteady_walking``.
- **Episode** (for the 4-week rules): see ``episode_of``.
- **Not improving** (meaningful change, Farrar 2001; Ostelo 2008): today's pain is
  not at least 2 points, and not at least 30 %, below the first pain recorded in
  this episode, and today's pain is at least 1/10.

Choices made where the red-flag reference is silent (each rule's ``source`` says "extended"
where it goes beyond a row):

- ``leg_weakness`` alone: urgent (RF-NEURO-01; CKS: significant/progressive motor
  deficit needs urgent referral). ``chest_band_numbness`` alone: soon
  (RF-NEURO-02; without limb signs it is most often a thoracic root, like the
  one-arm row), urgent with a leg sign (RF-MYEL-03) or an arm sign (RF-MYEL-04).
- ``pain_spreads_arm_jaw`` + ``sweating_nausea`` without chest pain: emergency
  (RF-CARD-02); with known ``heart_disease`` and new or changed pain, either one
  is enough (RF-CARD-03); a smoker aged 60+ with new or changed pain and
  ``sweating_nausea`` needs no spread either (RF-CARD-03 version 2, see its source).
- ``coughing_blood`` at any age: emergency (RF-LUNG-02 version 2: NHS "Coughing up
  blood" sends coughing up blood with upper-back pain to 999 or A&E, and every
  Upright user has upper-back pain); RF-LUNG-01 (soon, NICE NG12) still fires for
  40+ or smokers so the clinician sees the suspected-cancer pathway.
- ``pain_on_breathing`` without fever or sudden breathlessness: urgent (RF-RESP-02,
  NHS "Pleurisy"); with fever it is RF-RESP-01, with sudden breathlessness RF-PE-01.
- ``new_sexual_dysfunction`` is a cauda equina sign (RF-CES-01 version 2); it is not
  added to ``NEURO_SIGNS``, so the rules that count neurological signs keep their
  meaning (RF-CES-01, an emergency, fires whenever it is answered).
- **Unassessed new pain** (RF-ASSESS-01): ``first_ever`` or ``new_episode`` pain when
  the profile does not say a clinician assessed it and no therapist is linked, once
  per episode: it does not fire again while an earlier check-in of the same episode
  (the current run of non-usual check-ins, see ``current_run``, dated on or after the
  episode's start, see ``episode_of``) already fired it.
- "Sudden pain" for the fragility-fracture row: any non-usual onset (including
  ``changed``: a vertebral fracture on top of chronic pain feels "different").
- The 4-week rules use all non-usual onsets, including ``first_ever``.
- Weak-flag combination (RF-COMB-01): 2 or more of age 50+ (Deyo & Diehl 1988
  use 50 or over), cancer, weight loss, not improving over 4+ weeks, only with
  non-usual pain: urgent. Thoracic location is not counted as a flag because
  every Upright user has it; the location principle is applied by requiring
  non-usual pain.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from .facts import CheckInFacts, PastCheckIn, ProfileFacts
from .vocabulary import LEVEL_RANK

NON_USUAL_ONSETS: frozenset[str] = frozenset({"first_ever", "new_episode", "changed"})
CES_SIGNS: tuple[str, ...] = (
    "bladder_change",
    "bowel_incontinence",
    "saddle_numbness",
    "new_sexual_dysfunction",
)
LEG_SIGNS: tuple[str, ...] = ("leg_weakness", "numbness_both_legs", "unsteady_walking")
ARM_SIGNS: tuple[str, ...] = ("arm_numbness", "arm_weakness")
NEURO_SIGNS: tuple[str, ...] = (
    "leg_weakness",
    "unsteady_walking",
    "numbness_both_legs",
    "saddle_numbness",
    "bladder_change",
    "bowel_incontinence",
    "arm_weakness",
    "arm_numbness",
    "chest_band_numbness",
    "hand_clumsiness",
)
#: Onsets at which pain nobody has assessed should be assessed (RF-ASSESS-01).
ASSESSMENT_ONSETS: frozenset[str] = frozenset({"first_ever", "new_episode"})
ASSESSMENT_RULE_ID = "RF-ASSESS-01"
#: RF-CARD-03 version 2: a smoker this old with sweating or nausea needs no arm/jaw spread.
CARDIAC_RISK_AGE = 60
FRACTURE_RISK_HISTORY: tuple[str, ...] = ("osteoporosis", "long_term_steroids")
INFECTION_RISK_HISTORY: tuple[str, ...] = ("immunosuppressed", "iv_drug_use")

#: The 4-week rules.
EPISODE_MIN_DAYS = 28
#: Pain 7/10 or more counts as severe for the 4-week rule.
SEVERE_PAIN = 7
#: A run of non-usual check-ins is broken by a gap longer than this.
MAX_GAP_DAYS = 14
#: "Not improving" needs a first recorded pain at least this long before today.
MIN_TREND_DAYS = 14

#: Where an episode's start date came from (``Episode.source``).
EPISODE_SOURCES = ("check_in", "history", "history_run", "this_check_in")
#: The weak flags that ``weak_flags`` can report.
WEAK_FLAGS = ("age", "health_history", "symptoms", "not_improving")


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class Episode:
    """The current bout of non-usual pain, as far as the answers tell.

    ``started_on`` comes from, in order: ``episode_started_on`` on this check-in
    (source ``"check_in"``); the ``episode_started_on`` of the latest earlier
    check-in in the current run (``"history"``); the date of the earliest
    check-in of the current run (``"history_run"``, a lower bound on the
    duration). The *current run* is the unbroken sequence of earlier check-ins,
    walking back from today, whose ``pain_onset`` is non-usual, with no gap of
    more than ``MAX_GAP_DAYS`` days between neighbours; a ``usual`` or missing
    onset ends it. If the run is empty, the episode starts today
    (``"this_check_in"``).

    ``baseline_*`` is the first pain recorded in the episode (the earliest earlier
    check-in dated on or after ``started_on``), used for "not improving".
    """

    started_on: datetime.date
    source: str
    days: int
    baseline_pain: int | None
    baseline_date: datetime.date | None


@dataclass(frozen=True)
class Context:
    check_in: CheckInFacts
    profile: ProfileFacts
    history: tuple[PastCheckIn, ...]  # earlier check-ins, dated on or before today, by date
    age: int | None

    @property
    def symptoms(self) -> frozenset[str]:
        return self.check_in.symptoms

    @property
    def conditions(self) -> frozenset[str]:
        return self.profile.health_history

    @property
    def onset(self) -> str | None:
        return self.check_in.pain_onset

    @property
    def non_usual(self) -> bool:
        return self.onset in NON_USUAL_ONSETS

    def present(self, codes: Sequence[str]) -> list[str]:
        """The symptom codes of ``codes`` present today, sorted."""
        return sorted(set(codes) & self.symptoms)

    def history_present(self, codes: Sequence[str]) -> list[str]:
        return sorted(set(codes) & self.conditions)

    @cached_property
    def episode(self) -> Episode:
        return episode_of(self.check_in, self.history)


def compute_age(check_in_date: datetime.date, birth_year: int | None) -> int | None:
    """``check_in_date.year - birth_year``; may be one year high before the birthday."""
    if birth_year is None:
        return None
    return check_in_date.year - birth_year


def current_run(check_in: CheckInFacts, history: Sequence[PastCheckIn]) -> list[PastCheckIn]:
    """Earlier check-ins of the current run of non-usual pain, latest first."""
    run: list[PastCheckIn] = []
    previous = check_in.date
    for past in sorted(history, key=lambda p: p.date, reverse=True):
        if past.date > check_in.date:
            continue
        if past.pain_onset not in NON_USUAL_ONSETS:
            break
        if (previous - past.date).days > MAX_GAP_DAYS:
            break
        run.append(past)
        previous = past.date
    return run


def episode_of(check_in: CheckInFacts, history: Sequence[PastCheckIn]) -> Episode:
    """The current episode; see ``Episode``."""
    today = check_in.date
    run = current_run(check_in, history)
    if check_in.episode_started_on is not None:
        started_on, source = check_in.episode_started_on, "check_in"
    else:
        dated = [p for p in run if p.episode_started_on is not None]
        if dated:
            latest = max(dated, key=lambda p: p.date)
            started_on, source = min(latest.episode_started_on, today), "history"
        elif run:
            started_on, source = run[-1].date, "history_run"
        else:
            started_on, source = today, "this_check_in"
    in_episode = sorted(
        (p for p in history if started_on <= p.date <= today), key=lambda p: (p.date, p.pain)
    )
    baseline = in_episode[0] if in_episode else None
    return Episode(
        started_on=started_on,
        source=source,
        days=(today - started_on).days,
        baseline_pain=baseline.pain if baseline else None,
        baseline_date=baseline.date if baseline else None,
    )


def meaningfully_improved(baseline_pain: int, pain: int) -> bool:
    """At least 2 points or 30 % lower than the baseline (Farrar 2001)."""
    drop = baseline_pain - pain
    return drop >= 2 or (baseline_pain > 0 and 10 * drop >= 3 * baseline_pain)


def not_improving(ctx: Context) -> dict[str, Any] | None:
    """Evidence that non-usual pain has not improved over 4+ weeks, else ``None``."""
    if not ctx.non_usual:
        return None
    ep = ctx.episode
    if ep.days < EPISODE_MIN_DAYS or ep.baseline_pain is None or ep.baseline_date is None:
        return None
    if (ctx.check_in.date - ep.baseline_date).days < MIN_TREND_DAYS:
        return None
    pain = ctx.check_in.pain
    if pain < 1 or meaningfully_improved(ep.baseline_pain, pain):
        return None
    return {
        "pain_onset": ctx.onset,
        "pain": pain,
        "first_pain_in_episode": ep.baseline_pain,
        "first_pain_recorded_on": ep.baseline_date.isoformat(),
        **_episode_evidence(ep),
    }


def trend_not_checkable(ctx: Context) -> bool:
    """True when the episode is 4+ weeks old but there is no earlier pain to compare."""
    if not ctx.non_usual:
        return False
    ep = ctx.episode
    if ep.days < EPISODE_MIN_DAYS:
        return False
    return ep.baseline_date is None or (ctx.check_in.date - ep.baseline_date).days < MIN_TREND_DAYS


def _episode_evidence(ep: Episode) -> dict[str, Any]:
    return {
        "episode_started_on": ep.started_on.isoformat(),
        "episode_days": ep.days,
        "episode_start_from": ep.source,
    }


# --------------------------------------------------------------------------- rules


Predicate = Callable[[Context], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    level: str
    title: str
    fires_when: str
    source: str
    patient_message: str
    clinician_message: str
    predicate: Predicate
    #: Plain description of the age-based part, if any (listed when age is unknown).
    age_check: str | None = None
    #: True if the rule needs ``pain_onset`` (listed when it is missing).
    needs_onset: bool = False

    def __post_init__(self) -> None:
        if self.level not in LEVEL_RANK or self.level == "none":
            raise ValueError(f"{self.id}: invalid rule level {self.level!r}")

    def evaluate(self, ctx: Context) -> dict[str, Any] | None:
        return self.predicate(ctx)


def _symptoms(ctx: Context, codes: Sequence[str]) -> dict[str, Any] | None:
    found = ctx.present(codes)
    return {"symptoms": found} if found else None


def _ces(ctx: Context) -> dict[str, Any] | None:
    return _symptoms(ctx, CES_SIGNS)


def _both_legs(ctx: Context) -> dict[str, Any] | None:
    return _symptoms(ctx, ("numbness_both_legs",))


def _myelopathy_hands_gait(ctx: Context) -> dict[str, Any] | None:
    return _symptoms(ctx, ("hand_clumsiness", "unsteady_walking"))


def _with_leg_sign(ctx: Context, sign: str) -> dict[str, Any] | None:
    legs = ctx.present(LEG_SIGNS)
    if sign in ctx.symptoms and legs:
        return {"symptoms": sorted({sign, *legs})}
    return None


def _chest_band_with_arm_sign(ctx: Context) -> dict[str, Any] | None:
    arms = ctx.present(ARM_SIGNS)
    if "chest_band_numbness" in ctx.symptoms and arms:
        return {"symptoms": sorted({"chest_band_numbness", *arms})}
    return None


def _leg_weakness(ctx: Context) -> dict[str, Any] | None:
    return _symptoms(ctx, ("leg_weakness",))


def _chest_band_alone(ctx: Context) -> dict[str, Any] | None:
    others = set(ctx.present(NEURO_SIGNS)) - {"chest_band_numbness"}
    if "chest_band_numbness" in ctx.symptoms and not others:
        return {"symptoms": ["chest_band_numbness"]}
    return None


def _cancer_new_pain(ctx: Context) -> dict[str, Any] | None:
    if "cancer" in ctx.conditions and ctx.non_usual:
        return {"health_history": ["cancer"], "pain_onset": ctx.onset}
    return None


def _cancer_neuro(ctx: Context) -> dict[str, Any] | None:
    neuro = ctx.present(NEURO_SIGNS)
    if "cancer" in ctx.conditions and neuro:
        return {"health_history": ["cancer"], "symptoms": neuro}
    return None


def _fever_neuro(ctx: Context) -> dict[str, Any] | None:
    neuro = ctx.present(NEURO_SIGNS)
    if "fever" in ctx.symptoms and neuro:
        return {"symptoms": sorted({"fever", *neuro})}
    return None


def _infection_risk(ctx: Context, with_fever: bool) -> dict[str, Any] | None:
    risks = ctx.history_present(INFECTION_RISK_HISTORY)
    if not risks or not ctx.non_usual or ("fever" in ctx.symptoms) != with_fever:
        return None
    evidence: dict[str, Any] = {"health_history": risks, "pain_onset": ctx.onset}
    if with_fever:
        evidence["symptoms"] = ["fever"]
    return evidence


def _fragility_fracture(ctx: Context) -> dict[str, Any] | None:
    triggers: dict[str, Any] = {}
    if "minor_trauma" in ctx.symptoms:
        triggers["symptoms"] = ["minor_trauma"]
    if ctx.non_usual:
        triggers["pain_onset"] = ctx.onset
    if not triggers:
        return None
    risks = ctx.history_present(FRACTURE_RISK_HISTORY)
    old = ctx.age is not None and ctx.age >= 70
    if not risks and not old:
        return None
    evidence = dict(triggers)
    if risks:
        evidence["health_history"] = risks
    if old:
        evidence["age"] = ctx.age
    return evidence


def _chest_pain(ctx: Context) -> dict[str, Any] | None:
    if "chest_pain" not in ctx.symptoms:
        return None
    associated = ("pain_spreads_arm_jaw", "sweating_nausea", "sudden_breathlessness")
    return {"symptoms": ["chest_pain", *ctx.present(associated)]}


def _cardiac_without_chest_pain(ctx: Context) -> dict[str, Any] | None:
    if "chest_pain" in ctx.symptoms:
        return None
    both = ("pain_spreads_arm_jaw", "sweating_nausea")
    if all(code in ctx.symptoms for code in both):
        return {"symptoms": sorted(both)}
    return None


def _cardiac_risk(ctx: Context) -> dict[str, Any] | None:
    """Version 2: known heart disease with spread or sweating/nausea, or a smoker aged
    60+ with sweating/nausea; always new or changed pain and no chest pain."""
    if "chest_pain" in ctx.symptoms or not ctx.non_usual:
        return None
    if "heart_disease" in ctx.conditions:
        found = ctx.present(("pain_spreads_arm_jaw", "sweating_nausea"))
        if found:
            return {"health_history": ["heart_disease"], "symptoms": found, "pain_onset": ctx.onset}
        return None
    older_smoker = (
        "smoker" in ctx.conditions and ctx.age is not None and ctx.age >= CARDIAC_RISK_AGE
    )
    if older_smoker and "sweating_nausea" in ctx.symptoms:
        return {
            "health_history": ["smoker"],
            "age": ctx.age,
            "symptoms": ["sweating_nausea"],
            "pain_onset": ctx.onset,
        }
    return None


def _sudden_breathlessness(ctx: Context) -> dict[str, Any] | None:
    if "sudden_breathlessness" not in ctx.symptoms:
        return None
    return {"symptoms": ctx.present(("sudden_breathlessness", "pain_on_breathing"))}


def _pleuritic_pain_alone(ctx: Context) -> dict[str, Any] | None:
    if "pain_on_breathing" not in ctx.symptoms:
        return None
    if ctx.symptoms & {"fever", "sudden_breathlessness"}:
        return None  # RF-RESP-01 or RF-PE-01
    return {"symptoms": ctx.present(("pain_on_breathing", "productive_cough"))}


def _unassessed_new_pain(ctx: Context) -> dict[str, Any] | None:
    """New pain nobody has assessed, once per episode (see the module docstring)."""
    profile = ctx.profile
    if ctx.onset not in ASSESSMENT_ONSETS or profile.pain_assessed_by_clinician is True:
        return None
    if profile.therapist_linked is not False:
        return None  # linked, or not told (listed in checks_not_run)
    ep = ctx.episode
    same_episode = [p for p in current_run(ctx.check_in, ctx.history) if p.date >= ep.started_on]
    if any(ASSESSMENT_RULE_ID in past.rule_ids for past in same_episode):
        return None
    return {
        "pain_onset": ctx.onset,
        "pain_assessed_by_clinician": profile.pain_assessed_by_clinician,
        "therapist_linked": False,
        **_episode_evidence(ep),
    }


def _chest_infection(ctx: Context) -> dict[str, Any] | None:
    if {"pain_on_breathing", "fever"} <= ctx.symptoms:
        return {"symptoms": ctx.present(("pain_on_breathing", "fever", "productive_cough"))}
    return None


def _haemoptysis_cancer_pathway(ctx: Context) -> dict[str, Any] | None:
    if "coughing_blood" not in ctx.symptoms:
        return None
    evidence: dict[str, Any] = {"symptoms": ["coughing_blood"]}
    smoker = "smoker" in ctx.conditions
    over_40 = ctx.age is not None and ctx.age >= 40
    if not smoker and not over_40:
        return None
    if smoker:
        evidence["health_history"] = ["smoker"]
    if over_40:
        evidence["age"] = ctx.age
    return evidence


def _nerve_root_arm(ctx: Context) -> dict[str, Any] | None:
    arms = ctx.present(ARM_SIGNS)
    others = set(ctx.present(NEURO_SIGNS)) - set(ARM_SIGNS)
    if arms and not others:
        return {"symptoms": arms}
    return None


def _age_first_ever(ctx: Context) -> dict[str, Any] | None:
    if ctx.onset != "first_ever" or ctx.age is None:
        return None
    if ctx.age >= 60 or ctx.age < 16:
        return {"pain_onset": "first_ever", "age": ctx.age}
    return None


def _severe_for_four_weeks(ctx: Context) -> dict[str, Any] | None:
    if not ctx.non_usual or ctx.check_in.pain < SEVERE_PAIN:
        return None
    ep = ctx.episode
    if ep.days < EPISODE_MIN_DAYS:
        return None
    return {"pain_onset": ctx.onset, "pain": ctx.check_in.pain, **_episode_evidence(ep)}


def weak_flags(ctx: Context) -> dict[str, Any]:
    """The weak flags present (the red-flag reference "Combinations raise concern")."""
    flags: dict[str, Any] = {}
    if ctx.age is not None and ctx.age >= 50:
        flags["age"] = ctx.age
    if "cancer" in ctx.conditions:
        flags["health_history"] = ["cancer"]
    if "weight_loss" in ctx.symptoms:
        flags["symptoms"] = ["weight_loss"]
    stalled = not_improving(ctx)
    if stalled is not None:
        flags["not_improving"] = stalled
    return flags


def _weak_flag_combination(ctx: Context) -> dict[str, Any] | None:
    if not ctx.non_usual:
        return None
    flags = weak_flags(ctx)
    if len(flags) < 2:
        return None
    evidence = {"pain_onset": ctx.onset, "weak_flags": sorted(flags), **flags}
    if ctx.check_in.pain_areas:
        evidence["pain_areas"] = sorted(ctx.check_in.pain_areas)
    return evidence


# Sources, cited once.
NHS_BACK_999 = (
    "NHS back pain page: 'call 999 or go to A&E' list (https://www.nhs.uk/conditions/back-pain/)"
)
NHS_BACK_111 = (
    "NHS back pain page: 'urgent GP appointment or NHS 111' list "
    "(https://www.nhs.uk/conditions/back-pain/)"
)
CKS_RED_FLAGS = "NICE CKS Back pain - low (without radiculopathy): red flags"
CKS_NECK = "NICE CKS Neck pain - cervical radiculopathy / myelopathy: red flags"
BMJ_CES = "BMJ Best Practice: cauda equina syndrome"
GIRFT_CES = (
    "GIRFT National Suspected Cauda Equina Syndrome Pathway (NHS England, 2023), presentation in "
    "primary and community care: 'New (within 14 days) or deteriorating sexual dysfunction "
    "(achievement of erection or ability to ejaculate, loss of genital sensation)' "
    "(https://girft-interactivepathways.org.uk/cauda-equina-1/); the pathway adds that back pain "
    "with sexual dysfunction as the only other feature is unlikely to be CES, but "
    "new_sexual_dysfunction also asks about new genital numbness (altered S2-S5 sensation, a "
    "criterion on its own), so a yes is treated as that sign"
)
NHS_HEART_ATTACK = (
    "NHS heart attack page (https://www.nhs.uk/conditions/heart-attack/symptoms/): 'Some people "
    "may have other symptoms such as shortness of breath, feeling or being sick and back or jaw "
    "pain without any chest pain'"
)
CARDIAC_NO_CHEST_PAIN = (
    "Canto et al. JAMA 2000;283(24):3223-3229 (a third of myocardial infarctions present without "
    "chest pain, more often in older people); Perona et al. Eur Cardiol Rev 2024 (advancing age "
    "independently associated with acute coronary syndrome without chest pain)"
)
SPINAL_PATHWAY = "National Low Back and Radicular Pain Pathway (NHS England), red flags"
NICE_MSCC = (
    "NICE NG234 (2023, replaced CG75): spinal metastases and MSCC, recognition and referral; "
    "NICE QS56"
)
IDSA = "IDSA 2015 native vertebral osteomyelitis guideline (Berbari et al.)"
FARRAR = "Farrar et al. 2001 (Pain): 2 points or 30% is a meaningful change on the NRS"
COMBINATIONS = (
    "Greenhalgh & Selfe 2006; Deyo & Diehl 1988 (age 50+, cancer, weight loss, no improvement "
    "in 1 month); Cochrane CD008686; Downie et al. BMJ 2013; Finucane et al. JOSPT 2020 (IFOMPT)"
)

_NEURO_LIST = ", ".join(NEURO_SIGNS)

RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- emergency
    Rule(
        id="RF-CES-01",
        version=2,  # 2: new_sexual_dysfunction added
        level="emergency",
        title="cauda equina syndrome or spinal cord compression",
        fires_when="bladder_change, bowel_incontinence, saddle_numbness or new_sexual_dysfunction",
        source=(
            f"red-flag table row 1; {NHS_BACK_999}; {BMJ_CES}; {CKS_RED_FLAGS}; "
            f"new_sexual_dysfunction: {GIRFT_CES}"
        ),
        patient_message=(
            "Changes in bladder or bowel control, numbness around your genitals or buttocks, "
            "or new problems with erections or sensation during sex can mean the nerves at the "
            "bottom of the spine are being squeezed. This needs checking in hospital straight "
            "away."
        ),
        clinician_message=(
            "Possible cauda equina syndrome / cord compression: sphincter, saddle or sexual "
            "function symptoms reported. Emergency assessment and MRI."
        ),
        predicate=_ces,
    ),
    Rule(
        id="RF-CORD-01",
        version=1,
        level="emergency",
        title="spinal cord compression",
        fires_when="numbness_both_legs",
        source=f"red-flag table row 2; {NHS_BACK_999}",
        patient_message=(
            "Numbness, tingling or weakness in both legs can mean pressure on the spinal cord. "
            "This needs checking in hospital straight away."
        ),
        clinician_message=(
            "Bilateral leg sensory/motor symptoms: possible cord compression. Emergency assessment."
        ),
        predicate=_both_legs,
    ),
    Rule(
        id="RF-MSCC-02",
        version=1,
        level="emergency",
        title="metastatic spinal cord compression",
        fires_when=f"cancer history and any neurological sign ({_NEURO_LIST})",
        source=f"red-flag table row 5; {NICE_MSCC}",
        patient_message=(
            "With your history of cancer, new numbness, weakness, walking or bladder and bowel "
            "changes must be checked straight away, in case the spine is affected."
        ),
        clinician_message=(
            "Cancer history with neurological symptoms: suspected MSCC, an oncological "
            "emergency. Contact the acute oncology / MSCC team immediately; whole-spine MRI."
        ),
        predicate=_cancer_neuro,
    ),
    Rule(
        id="RF-INF-02",
        version=1,
        level="emergency",
        title="spinal epidural abscess",
        fires_when=f"fever and any neurological sign ({_NEURO_LIST})",
        source=f"red-flag table row 7; {IDSA}; {NHS_BACK_999}",
        patient_message=(
            "A high temperature together with numbness, weakness or other nerve symptoms can "
            "be a sign of an infection pressing on the spine. This needs hospital care now."
        ),
        clinician_message=(
            "Fever with neurological symptoms: exclude spinal epidural abscess. Emergency "
            "assessment, bloods/cultures, urgent MRI."
        ),
        predicate=_fever_neuro,
    ),
    Rule(
        id="RF-TRA-01",
        version=1,
        level="emergency",
        title="traumatic spinal fracture",
        fires_when="major_trauma",
        source=f"red-flag table row 9; {NHS_BACK_999}; ambulance service guidance",
        patient_message=(
            "Back pain after a serious accident, such as a car crash, a fall from a height or "
            "a heavy blow, needs checking in hospital for a broken bone."
        ),
        clinician_message="Pain after major trauma: exclude vertebral fracture (imaging).",
        predicate=lambda ctx: _symptoms(ctx, ("major_trauma",)),
    ),
    Rule(
        id="RF-CARD-01",
        version=1,
        level="emergency",
        title="heart attack",
        fires_when=(
            "chest_pain (with or without pain_spreads_arm_jaw, sweating_nausea, "
            "sudden_breathlessness)"
        ),
        source=f"red-flag table row 11; {NHS_BACK_999}; HSE chest pain",
        patient_message=(
            "Back pain with pain, pressure or tightness in your chest can be a heart attack. "
            "Do not wait to see if it passes."
        ),
        clinician_message="Chest pain with back pain: exclude acute coronary syndrome.",
        predicate=_chest_pain,
    ),
    Rule(
        id="RF-CARD-02",
        version=1,
        level="emergency",
        title="heart attack without chest pain",
        fires_when="pain_spreads_arm_jaw and sweating_nausea, without chest_pain",
        source=(
            "red-flag table row 11 (extended); NHS heart attack page (pain spreading to the arms, "
            "neck, jaw or back; sweating, feeling sick or light-headed); atypical ACS "
            "presentations; without cardiac risk factors both signs are needed (with them, "
            "see RF-CARD-03)"
        ),
        patient_message=(
            "Pain spreading into your arm, neck or jaw together with sweating, feeling sick "
            "or light-headed can be a heart attack, even without chest pain."
        ),
        clinician_message=(
            "Radiating pain with autonomic symptoms, no chest pain reported: exclude "
            "atypical acute coronary syndrome."
        ),
        predicate=_cardiac_without_chest_pain,
    ),
    Rule(
        id="RF-CARD-03",
        version=2,  # 2: a smoker aged 60+ with sweating_nausea, no spread needed
        level="emergency",
        title="heart attack in someone with heart disease or cardiac risk factors",
        fires_when=(
            "new or changed pain without chest_pain, and heart_disease history with "
            "pain_spreads_arm_jaw or sweating_nausea, or sweating_nausea in a smoker aged 60+"
        ),
        source=(
            f"red-flag table row 11 (extended); {NHS_HEART_ATTACK}; {CARDIAC_NO_CHEST_PAIN}; "
            "higher pre-test probability with known heart disease. Decision (version 2): with "
            "cardiac risk factors (known heart disease, or a smoker aged 60 or over) new or "
            "changed back pain with sweating, nausea or light-headedness fires without arm or "
            "jaw spread; age or smoking alone does not, and without risk factors RF-CARD-02 "
            "still needs spread and sweating together, because nausea (often from painkillers) "
            "and light-headedness with strong back pain are common and the rule would send many "
            "people with ordinary back pain to the emergency number"
        ),
        patient_message=(
            "With your heart history or risk factors, new or changed back pain that comes with "
            "sweating, feeling sick or light-headed, or spreads into your arm, neck or jaw, can "
            "be a heart attack, even without chest pain."
        ),
        clinician_message=(
            "Cardiac risk (known heart disease, or smoker aged 60+) with new/changed thoracic "
            "pain and autonomic symptoms or radiation, no chest pain: exclude acute coronary "
            "syndrome."
        ),
        predicate=_cardiac_risk,
        age_check="age 60 or over (smokers with sweating or nausea)",
        needs_onset=True,
    ),
    Rule(
        id="RF-AORTA-01",
        version=1,
        level="emergency",
        title="aortic dissection",
        fires_when="tearing_pain",
        source=(
            "red-flag table row 12; thoracic red-flag charts (physio-pedia); weak sourcing, but a "
            "miss can be fatal"
        ),
        patient_message=(
            "Sudden, severe, tearing pain between the shoulder blades can come from the main "
            "blood vessel of the body. It needs emergency care."
        ),
        clinician_message="Sudden tearing interscapular pain: exclude aortic dissection.",
        predicate=lambda ctx: _symptoms(ctx, ("tearing_pain",)),
    ),
    Rule(
        id="RF-PE-01",
        version=1,
        level="emergency",
        title="pulmonary embolism or collapsed lung",
        fires_when="sudden_breathlessness (with or without pain_on_breathing)",
        source="red-flag table row 13; ambulance service 999 guidance",
        patient_message=(
            "Sudden shortness of breath, especially with sharp pain on breathing in, can be a "
            "blood clot in the lung or a collapsed lung."
        ),
        clinician_message=(
            "Sudden dyspnoea (± pleuritic pain): exclude pulmonary embolism / pneumothorax."
        ),
        predicate=_sudden_breathlessness,
    ),
    Rule(
        id="RF-LUNG-02",
        version=2,  # 2: emergency (was urgent)
        level="emergency",
        title="coughing up blood with upper-back pain",
        fires_when="coughing_blood (any age: every Upright user reports upper-back pain)",
        source=(
            "red-flag table row 15 (extended to every age); NHS 'Coughing up blood' page "
            "(https://www.nhs.uk/symptoms/coughing-up-blood/): 'Call 999 or go to A&E "
            "immediately if ... you're coughing up blood and finding it hard to breathe, have a "
            "very fast heartbeat or have pain in your chest or upper back' (a blood clot in the "
            "lungs is possible); the suspected-cancer pathway (NICE NG12) stays RF-LUNG-01's "
            "clinician message"
        ),
        patient_message=(
            "Coughing up blood together with pain in your upper back or chest can be a sign of "
            "a blood clot in the lungs. It needs checking in hospital straight away."
        ),
        clinician_message=(
            "Haemoptysis with thoracic pain: emergency assessment, exclude pulmonary embolism. "
            "Aged 40+ or a smoker: see RF-LUNG-01 (suspected lung cancer pathway, NICE NG12)."
        ),
        predicate=lambda ctx: _symptoms(ctx, ("coughing_blood",)),
    ),
    # ---------------------------------------------------------------- urgent
    Rule(
        id="RF-MYEL-01",
        version=1,
        level="urgent",
        title="myelopathy (spinal cord compression in the neck or upper back)",
        fires_when="hand_clumsiness or unsteady_walking",
        source=f"red-flag table row 3; {SPINAL_PATHWAY}; {CKS_NECK}",
        patient_message=(
            "New clumsy hands or unsteady walking can mean pressure on the spinal cord. "
            "A doctor should see you today."
        ),
        clinician_message=(
            "Possible myelopathy (hand clumsiness / gait disturbance): same-day assessment, "
            "consider urgent spinal referral and MRI. Some pathways treat this as an emergency."
        ),
        predicate=_myelopathy_hands_gait,
    ),
    Rule(
        id="RF-MYEL-02",
        version=1,
        level="urgent",
        title="myelopathy (arm and leg signs together)",
        fires_when="arm_weakness with a leg sign (leg_weakness, numbness_both_legs, "
        "unsteady_walking)",
        source=f"red-flag table row 3; {SPINAL_PATHWAY}; {CKS_NECK}",
        patient_message=(
            "Weakness in an arm together with leg symptoms can mean pressure on the spinal "
            "cord. A doctor should see you today."
        ),
        clinician_message=(
            "Upper and lower limb signs: possible cervical/thoracic myelopathy. Same-day "
            "assessment and urgent spinal referral."
        ),
        predicate=partial(_with_leg_sign, sign="arm_weakness"),
    ),
    Rule(
        id="RF-MYEL-03",
        version=1,
        level="urgent",
        title="thoracic myelopathy (band-like trunk numbness with leg signs)",
        fires_when="chest_band_numbness with a leg sign (leg_weakness, numbness_both_legs, "
        "unsteady_walking)",
        source=f"red-flag table row 3; {SPINAL_PATHWAY}",
        patient_message=(
            "A band of numbness or tightness around your trunk together with leg symptoms can "
            "mean pressure on the spinal cord in the upper back. A doctor should see you today."
        ),
        clinician_message=(
            "Thoracic sensory level with lower limb signs: possible thoracic myelopathy. "
            "Same-day assessment and urgent spinal referral."
        ),
        predicate=partial(_with_leg_sign, sign="chest_band_numbness"),
    ),
    Rule(
        id="RF-MYEL-04",
        version=1,
        level="urgent",
        title="myelopathy (trunk and arm signs together)",
        fires_when="chest_band_numbness with arm_numbness or arm_weakness",
        source=(
            "red-flag table row 3 (extended: signs at two spinal levels); "
            f"{SPINAL_PATHWAY}; {CKS_NECK}"
        ),
        patient_message=(
            "Numbness or tightness around your trunk together with arm symptoms can mean "
            "pressure on the spinal cord. A doctor should see you today."
        ),
        clinician_message=(
            "Trunk band-like symptoms plus upper limb symptoms: signs at more than one level, "
            "consider cervical/thoracic myelopathy. Same-day assessment."
        ),
        predicate=_chest_band_with_arm_sign,
    ),
    Rule(
        id="RF-NEURO-01",
        version=1,
        level="urgent",
        title="nerve or spinal cord compression (new leg weakness)",
        fires_when="leg_weakness",
        source=(
            f"red-flag table row 3 (leg sign); {CKS_RED_FLAGS} (significant or progressive motor "
            f"deficit: urgent referral); {SPINAL_PATHWAY}"
        ),
        patient_message=(
            "New weakness in a leg or foot, or a leg giving way, needs a doctor's check today."
        ),
        clinician_message=(
            "New lower limb weakness: same-day neurological examination; exclude progressive "
            "deficit / cord or root compression."
        ),
        predicate=_leg_weakness,
    ),
    Rule(
        id="RF-MSCC-01",
        version=1,
        level="urgent",
        title="spinal metastases",
        fires_when="cancer history and pain_onset first_ever, new_episode or changed",
        source=(
            f"red-flag table row 4; {NICE_MSCC} (CG75 named thoracic pain; NG234 lists pain "
            "characteristics: re-check wording)"
        ),
        patient_message=(
            "Because you have had cancer, new or changed back pain should be checked by a "
            "doctor today."
        ),
        clinician_message=(
            "Cancer history with new/changed spinal pain: suspected spinal metastases. "
            "Contact the MSCC/acute oncology team within 24 hours."
        ),
        predicate=_cancer_new_pain,
        needs_onset=True,
    ),
    Rule(
        id="RF-MAL-01",
        version=1,
        level="urgent",
        title="cancer or infection (unexplained weight loss)",
        fires_when="weight_loss",
        source=f"red-flag table row 6; {NHS_BACK_111}",
        patient_message="Back pain with weight loss you can't explain should be checked today.",
        clinician_message="Unexplained weight loss with back pain: exclude malignancy/infection.",
        predicate=lambda ctx: _symptoms(ctx, ("weight_loss",)),
    ),
    Rule(
        id="RF-MAL-02",
        version=1,
        level="urgent",
        title="cancer or infection (night or rest pain)",
        fires_when="night_pain",
        source=f"red-flag table row 6; {NHS_BACK_111}",
        patient_message=(
            "Pain that is worse at night or not eased at all by rest should be checked today."
        ),
        clinician_message="Non-mechanical night/rest pain: exclude malignancy/infection.",
        predicate=lambda ctx: _symptoms(ctx, ("night_pain",)),
    ),
    Rule(
        id="RF-MAL-03",
        version=1,
        level="urgent",
        title="cancer, infection or fracture (lump or change in back shape)",
        fires_when="back_shape_change",
        source=f"red-flag table row 6; {NHS_BACK_111}",
        patient_message="A new lump, swelling or change in the shape of your back should be "
        "checked today.",
        clinician_message="New spinal deformity or swelling: exclude malignancy, infection, "
        "fracture.",
        predicate=lambda ctx: _symptoms(ctx, ("back_shape_change",)),
    ),
    Rule(
        id="RF-INF-01",
        version=1,
        level="urgent",
        title="spinal infection",
        fires_when="fever",
        source=f"red-flag table row 7; {NHS_BACK_111}; {IDSA}",
        patient_message="Back pain with a high temperature should be checked by a doctor today.",
        clinician_message="Fever with spinal pain: exclude discitis / vertebral osteomyelitis.",
        predicate=lambda ctx: _symptoms(ctx, ("fever",)),
    ),
    Rule(
        id="RF-INF-04",
        version=1,
        level="urgent",
        title="spinal infection in someone at higher risk",
        fires_when="immunosuppressed or iv_drug_use, new or changed pain, and fever",
        source=f"red-flag table row 8; {SPINAL_PATHWAY}; {IDSA}",
        patient_message=(
            "With a weakened immune system or injecting drug use, new back pain with a high "
            "temperature needs a doctor's check today."
        ),
        clinician_message=(
            "Infection risk factor + new spinal pain + fever: exclude spinal infection "
            "(bloods, cultures, MRI)."
        ),
        predicate=partial(_infection_risk, with_fever=True),
        needs_onset=True,
    ),
    Rule(
        id="RF-RESP-01",
        version=1,
        level="urgent",
        title="chest infection or pleurisy",
        fires_when="pain_on_breathing and fever (with or without productive_cough)",
        source="red-flag table row 14; NHS urgent list; HSE",
        patient_message=(
            "Sharp pain on breathing in with a high temperature can be a chest infection. "
            "Speak to a doctor today."
        ),
        clinician_message="Pleuritic pain with fever (± productive cough): assess for "
        "pneumonia/pleurisy.",
        predicate=_chest_infection,
    ),
    Rule(
        id="RF-RESP-02",
        version=1,
        level="urgent",
        title="pleurisy, a blood clot in the lung or a heart attack (sharp pain on breathing in)",
        fires_when=(
            "pain_on_breathing without fever or sudden_breathlessness (with or without "
            "productive_cough)"
        ),
        source=(
            "red-flag table (pain_on_breathing alone); NHS 'Pleurisy' page "
            "(https://www.nhs.uk/conditions/pleurisy/): sharp chest pain when you breathe in, "
            "ask for an urgent GP appointment or call 111; 'These symptoms could be a sign of a "
            "more serious problem, such as a heart attack or a blood clot in the lungs "
            "(pulmonary embolism)'"
        ),
        patient_message=(
            "Sharp pain when you breathe in should be checked by a doctor today: it is often "
            "pleurisy, but it can come from a blood clot in the lung or from the heart. If you "
            "become short of breath, call the emergency number."
        ),
        clinician_message=(
            "Pleuritic pain without fever or sudden dyspnoea: same-day assessment; consider "
            "pulmonary embolism, acute coronary syndrome, pneumothorax and pleurisy."
        ),
        predicate=_pleuritic_pain_alone,
    ),
    Rule(
        id="RF-NEURO-03",
        version=1,
        level="urgent",
        title="nerve root or spinal cord compression (pain worse on coughing, sneezing or "
        "straining)",
        fires_when="worse_on_cough_sneeze_strain",
        source=(
            f"red-flag table (worse_on_cough_sneeze_strain); {NHS_BACK_111}: 'the pain is made "
            "worse when sneezing, coughing or pooing'"
        ),
        patient_message=(
            "Back pain that gets worse when you cough, sneeze or strain on the toilet should be "
            "checked by a doctor today."
        ),
        clinician_message=(
            "Pain aggravated by coughing, sneezing or straining (raised intraspinal pressure): "
            "same-day assessment with neurological examination; consider root or cord "
            "compression or a space-occupying lesion."
        ),
        predicate=lambda ctx: _symptoms(ctx, ("worse_on_cough_sneeze_strain",)),
    ),
    Rule(
        id="RF-COMB-01",
        version=1,
        level="urgent",
        title="serious disease (several weak warning signs together)",
        fires_when=(
            "new or changed pain with 2 or more of: age 50+, cancer history, weight_loss, "
            "not improving over 4+ weeks"
        ),
        source=f"red-flag table 'Combinations raise concern'; {COMBINATIONS}",
        patient_message=(
            "Several of your answers together are worth a doctor's opinion today, even though "
            "each on its own is usually nothing serious."
        ),
        clinician_message=(
            "Two or more weak red flags with new/changed pain (see weak_flags): raised "
            "suspicion of serious pathology (malignancy). Same-day review."
        ),
        predicate=_weak_flag_combination,
        age_check="age 50 or over",
        needs_onset=True,
    ),
    Rule(
        id=ASSESSMENT_RULE_ID,
        version=1,
        level="urgent",
        title="new pain between the shoulders that no clinician has assessed",
        fires_when=(
            "pain_onset first_ever or new_episode, pain_assessed_by_clinician not true and no "
            "active therapist link; once per episode"
        ),
        source=(
            "red-flag table (first_ever or new_episode pain never assessed); NHS back pain page "
            "(https://www.nhs.uk/conditions/back-pain/), 'Ask for an urgent GP appointment or "
            "call 111 if ... the pain is coming from the top of your back (between your "
            "shoulders), rather than your lower back'; applied once per episode, not daily"
        ),
        patient_message=(
            "This is a new bout of pain between your shoulders and no doctor or physiotherapist "
            "has assessed it yet. Pain in the upper back should be assessed by a doctor before "
            "you rely on exercises alone. "
            "{urgent_care} Once a clinician has assessed it, say so in your profile."
        ),
        clinician_message=(
            "New episode of thoracic pain, not assessed by a clinician and no therapist linked: "
            "GP assessment advised (NHS: upper rather than lower back pain warrants an urgent "
            "GP appointment)."
        ),
        predicate=_unassessed_new_pain,
        needs_onset=True,
    ),
    # ---------------------------------------------------------------- soon
    Rule(
        id="RF-INF-03",
        version=1,
        level="soon",
        title="spinal infection in someone at higher risk",
        fires_when="immunosuppressed or iv_drug_use and new or changed pain, no fever",
        source=f"red-flag table row 8; {SPINAL_PATHWAY}",
        patient_message=(
            "With a weakened immune system or injecting drug use, new back pain should be "
            "checked within 2 weeks. If you get a temperature, speak to a doctor today."
        ),
        clinician_message=(
            "Infection risk factor + new spinal pain, afebrile: priority review within 2 weeks."
        ),
        predicate=partial(_infection_risk, with_fever=False),
        needs_onset=True,
    ),
    Rule(
        id="RF-FRAC-01",
        version=1,
        level="soon",
        title="osteoporotic (fragility) fracture",
        fires_when=(
            "minor_trauma, or pain_onset first_ever, new_episode or changed, with osteoporosis, "
            "long_term_steroids or age 70+"
        ),
        source=(
            f"red-flag table row 10; {SPINAL_PATHWAY}; Cochrane CD008643; Downie et al. BMJ 2013"
        ),
        patient_message=(
            "New back pain, or pain after a minor fall or strain, in someone with thinner bones "
            "can be a small break in a bone of the spine. Book a check (possibly an X-ray) "
            "within 2 weeks."
        ),
        clinician_message=(
            "Fragility-fracture risk with minor trauma or new pain: consider imaging for "
            "vertebral compression fracture."
        ),
        predicate=_fragility_fracture,
        age_check="age 70 or over",
    ),
    Rule(
        id="RF-LUNG-01",
        version=1,
        level="soon",
        title="lung cancer",
        fires_when="coughing_blood with age 40+ or smoker",
        source="red-flag table row 15; NICE NG12 1.1.1 (suspected cancer pathway, 40+ haemoptysis)",
        patient_message=(
            "Coughing up blood at your age or as a smoker should be investigated. Your doctor "
            "may arrange a chest X-ray or a referral."
        ),
        clinician_message=(
            "Haemoptysis aged 40+ or smoker: consider suspected lung cancer pathway (NICE NG12)."
        ),
        predicate=_haemoptysis_cancer_pathway,
        age_check="age 40 or over",
    ),
    Rule(
        id="RF-ROOT-01",
        version=1,
        level="soon",
        title="nerve root irritation (arm)",
        fires_when="arm_numbness or arm_weakness, with no other neurological sign",
        source="red-flag table row 16; NHS / community physiotherapy leaflets",
        patient_message=(
            "New numbness or weakness in an arm is often from an irritated nerve. Book a check "
            "within 2 weeks; speak to a doctor today if it spreads, gets worse, or your legs "
            "are affected."
        ),
        clinician_message="Arm sensory/motor symptoms without other signs: likely radicular; "
        "neurological examination within 2 weeks.",
        predicate=_nerve_root_arm,
    ),
    Rule(
        id="RF-NEURO-02",
        version=1,
        level="soon",
        title="thoracic nerve root irritation (band-like trunk numbness)",
        fires_when="chest_band_numbness with no other neurological sign",
        source=(
            "red-flag table row 3 (myelopathy needs leg signs) and row 16 (a single root: soon); "
            f"{SPINAL_PATHWAY}"
        ),
        patient_message=(
            "A band of numbness or tightness around your chest or trunk is often from an "
            "irritated nerve. Book a check within 2 weeks; speak to a doctor today if your "
            "legs or walking are affected."
        ),
        clinician_message=(
            "Band-like trunk symptoms without limb signs: likely thoracic radiculopathy; "
            "examine for a sensory level and long-tract signs."
        ),
        predicate=_chest_band_alone,
    ),
    Rule(
        id="RF-AGE-01",
        version=1,
        level="soon",
        title="cancer or fracture (first back pain at an older or young age)",
        fires_when="pain_onset first_ever with age 60+ or under 16",
        source=f"red-flag table row 17; {SPINAL_PATHWAY}",
        patient_message=(
            "Back pain for the first time at your age is worth a check by a doctor or "
            "physiotherapist within 2 weeks."
        ),
        clinician_message="First-ever back pain aged 60+ or under 16: review within 2 weeks.",
        predicate=_age_first_ever,
        age_check="age 60 or over, or under 16",
        needs_onset=True,
    ),
    Rule(
        id="RF-DUR-01",
        version=1,
        level="soon",
        title="needs review (severe pain for 4 weeks or more)",
        fires_when="new or changed pain 7+/10 today, in an episode 28+ days old",
        source=(
            f"red-flag table row 18; NHS back pain page (see a GP if it does not improve); {FARRAR}"
        ),
        patient_message=(
            "This bout of pain has been strong for 4 weeks or more. Book a check with a doctor "
            "or physiotherapist within 2 weeks."
        ),
        clinician_message="Severe (7+/10) new/changed pain for 4+ weeks: review.",
        predicate=_severe_for_four_weeks,
        needs_onset=True,
    ),
    Rule(
        id="RF-DUR-02",
        version=1,
        level="soon",
        title="needs review (not improving over 4 weeks or more)",
        fires_when=(
            "new or changed pain in an episode 28+ days old, not at least 2 points or 30% below "
            "the first pain recorded in the episode (14+ days earlier)"
        ),
        source=f"red-flag table row 18; NHS back pain page; {FARRAR}",
        patient_message=(
            "This bout of pain has not eased over 4 weeks or more. Book a check with a doctor "
            "or physiotherapist within 2 weeks."
        ),
        clinician_message="New/changed pain not meaningfully improved after 4+ weeks: review.",
        predicate=not_improving,
        needs_onset=True,
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
if len(RULES_BY_ID) != len(RULES):  # pragma: no cover - guarded by tests too
    raise RuntimeError("duplicate rule ids in RULES")
