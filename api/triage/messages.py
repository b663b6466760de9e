"""Level wording for the patient: headline, advice and the disclaimer.

Wording follows the the red-flag reference "Levels" table:

- emergency: call the emergency number now, or go to an emergency department;
- urgent: speak to a doctor today, through the services of the person's country
  (``urgent_care.py``: 111 only in Great Britain; neutral wording where unknown);
- soon: book a doctor or physiotherapist appointment within about 2 weeks;
- none: carry on, with normal safety-net advice.

The exercise programme is paused for urgent and emergency (the red-flag reference "Levels").
Each rule carries its own patient and clinician message in ``rules.py``.
"""

from __future__ import annotations

from .emergency import emergency_number_phrase
from .urgent_care import urgent_care_advice
from .vocabulary import LEVELS

DISCLAIMER = (
    "Upright gives guidance, not a diagnosis. If you feel seriously unwell, get medical help "
    "straight away, whatever the app says."
)

#: Levels at which the exercise programme is paused until a clinician clears it.
PAUSING_LEVELS: frozenset[str] = frozenset({"urgent", "emergency"})


def _call(number: str | None) -> str:
    return f"Call {emergency_number_phrase(number)}"


def headline(level: str, number: str | None) -> str:
    """One line for the patient; for emergency it names the number to call."""
    _check_level(level)
    if level == "emergency":
        return f"{_call(number)} now or go to the nearest emergency department."
    if level == "urgent":
        return "Speak to a doctor today."
    if level == "soon":
        return "Book an appointment with a doctor or physiotherapist within about 2 weeks."
    return "No warning signs in today's answers."


def advice(level: str, number: str | None, country: str | None = None) -> str:
    """What to do now, for the patient; services are named for ``country`` only."""
    _check_level(level)
    call = _call(number)
    if level == "emergency":
        return (
            "Some of your answers can be a sign of a serious problem that needs care straight "
            f"away. {call} now or go to the nearest emergency department. Do not drive yourself. "
            "Stop your exercises until a clinician tells you it is safe to restart."
        )
    if level == "urgent":
        return (
            f"Some of your answers need a doctor's opinion today. {urgent_care_advice(country)} "
            "Pause your exercises until a clinician has checked you. If you get worse or feel "
            f"seriously unwell, {call.lower()} now."
        )
    if level == "soon":
        return (
            "Some of your answers are worth checking with a doctor or physiotherapist. Book an "
            "appointment within about 2 weeks. You can carry on with your exercises gently. Get "
            "help sooner if your symptoms get worse or you notice anything new, and "
            f"{call.lower()} if you feel seriously unwell."
        )
    return (
        "Carry on with your programme. Pain on its own, even strong pain, is not a warning sign. "
        "Check in again if your pain changes or you notice anything new, such as numbness, "
        "weakness, problems peeing or pooing, chest pain, a fever or weight loss you can't "
        "explain."
    )


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown triage level {level!r}; valid: {', '.join(LEVELS)}")
