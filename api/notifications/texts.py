"""What each kind of notification says on a lock screen.

Privacy rule: a title or body can be read by anyone who glances at the phone, so
it never holds a symptom, a rule, a condition or a triage level, and a
therapist's push never names the patient ("a patient"). The app fetches the
details after sign-in, following the ids and the deep-link path in ``data``.
A test renders every kind and checks it against the triage vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.notifications.models import Kind
from api.triage.emergency import emergency_number, emergency_number_phrase


@dataclass(frozen=True)
class Text:
    title: str
    body: str


def alert_raised() -> Text:
    return Text("Upright", "A patient's check-in needs your attention.")


def alert_escalated() -> Text:
    return Text("Upright", "A patient's alert is still waiting to be acknowledged.")


def alert_follow_up(country: str | None) -> Text:
    number = emergency_number_phrase(emergency_number(country))
    return Text(
        "Upright",
        f"Have you been able to get medical help? If you need help now, call {number}.",
    )


def soon_digest(patients: int) -> Text:
    if patients == 1:
        return Text("Upright", "One patient's check-in is waiting for your review.")
    return Text("Upright", f"{patients} patients' check-ins are waiting for your review.")


def check_in_reminder() -> Text:
    return Text("Upright", "Time for your daily check-in. It takes about a minute.")


def exercise_reminder() -> Text:
    return Text("Upright", "Your exercises for today are ready.")


def missed_sessions(days: int) -> Text:
    return Text(
        "Upright",
        f"No exercises logged for {days} days. A short session today helps you keep going.",
    )


def programme_changed() -> Text:
    return Text("Upright", "Your therapist has updated your exercise programme.")


def hold_lifted() -> Text:
    return Text("Upright", "Your exercise programme is available again.")


def link_ended() -> Text:
    return Text("Upright", "A patient has ended their care link with you.")


#: Every kind, rendered with sample values (for the privacy test and the README).
SAMPLES: dict[Kind, Text] = {
    Kind.alert_raised: alert_raised(),
    Kind.alert_escalated: alert_escalated(),
    Kind.alert_follow_up: alert_follow_up("GB"),
    Kind.soon_digest: soon_digest(3),
    Kind.check_in_reminder: check_in_reminder(),
    Kind.exercise_reminder: exercise_reminder(),
    Kind.missed_sessions: missed_sessions(2),
    Kind.programme_changed: programme_changed(),
    Kind.hold_lifted: hold_lifted(),
    Kind.link_ended: link_ended(),
}

#: Kinds sent to therapists about alerts: never held back by the recipient's quiet hours.
THERAPIST_ALERT_KINDS = frozenset(
    {Kind.alert_raised, Kind.alert_escalated, Kind.soon_digest, Kind.link_ended}
)
