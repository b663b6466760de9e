"""Examples for the OpenAPI document: request and response bodies, by operation.

They come from real answers of the API (names, ids, dates and tokens made up; long lists
cut short) and tests/test_openapi_contract.py checks each one against its schema.
"""

from __future__ import annotations

from typing import Any

HEALTH: Any = {"status": "ok"}

READY: Any = {"database": "ok", "status": "ok"}

REGISTER: Any = {
    "email": "sam.patient@example.org",
    "password": "a sturdy passphrase 42",
    "display_name": "Sam",
    "timezone": "Europe/London",
    "country": "GB",
    "birth_year": 1968,
}

PROFILE: Any = {
    "birth_year": 1968,
    "conditions": ["poor-posture"],
    "country": "GB",
    "created_at": "2026-11-23T07:47:58+00:00",
    "display_name": "Sam",
    "email": "sam.patient@example.org",
    "exercise_hold": {"active": False, "level": None, "reason": None, "since": None},
    "health_history": ["osteoporosis"],
    "id": 2,
    "pain_assessed_by_clinician": None,
    "spinal_surgery_year": None,
    "role": "patient",
    "timezone": "Europe/London",
}

PROFILE_UPDATE: Any = {"health_history": ["osteoporosis"], "conditions": ["poor-posture"]}

LOGIN: Any = {"email": "sam.patient@example.org", "password": "a sturdy passphrase 42"}

TOKEN_PAIR: Any = {
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIiwidHlwZSI6ImFjY2VzcyJ9.c2lnbmF0dXJl",
    "expires_in": 900,
    "refresh_token": "q3J8mZx0t2Vb7Wn1Lp5Ks9Hd4Fg6Yc8Re0Tu2Io4Pa6",
    "token_type": "Bearer",
}

REFRESH: Any = {"refresh_token": "q3J8mZx0t2Vb7Wn1Lp5Ks9Hd4Fg6Yc8Re0Tu2Io4Pa6"}

DELETE_ACCOUNT: Any = {"password": "a sturdy passphrase 42"}

THERAPIST_CREATE: Any = {
    "email": "alex.therapist@example.org",
    "password": "another sturdy passphrase",
    "display_name": "Alex Morgan",
}

THERAPIST_PROFILE: Any = {
    "birth_year": None,
    "conditions": [],
    "country": None,
    "created_at": "2026-11-23T07:47:58+00:00",
    "display_name": "Alex Morgan",
    "email": "alex.therapist@example.org",
    "exercise_hold": {"active": False, "level": None, "reason": None, "since": None},
    "health_history": [],
    "id": 3,
    "pain_assessed_by_clinician": None,
    "spinal_surgery_year": None,
    "role": "therapist",
    "timezone": "UTC",
}


ACCESS_LOG: Any = [
    {
        "accessed_at": "2026-11-23T07:47:59+00:00",
        "id": 5,
        "resource": "progress",
        "resource_id": None,
        "therapist_id": 3,
        "therapist_name": "Alex Morgan",
    },
    {
        "accessed_at": "2026-11-23T07:47:59+00:00",
        "id": 4,
        "resource": "profile",
        "resource_id": None,
        "therapist_id": 3,
        "therapist_name": "Alex Morgan",
    },
]

INVITE: Any = {"code": "QNAP-R9N5", "expires_at": "2026-11-30T07:47:59+00:00"}

INVITE_REDEEM: Any = {"code": "QNAP-R9N5"}

CARE_LINK: Any = {
    "active": True,
    "created_at": "2026-11-23T07:47:59+00:00",
    "ended_at": None,
    "id": 1,
    "patient": {"display_name": "Sam", "id": 2},
    "therapist": {"display_name": "Alex Morgan", "id": 3},
}

CARE_LINK_ENDED: Any = {
    "active": False,
    "created_at": "2026-11-23T07:47:59+00:00",
    "ended_at": "2026-11-23T07:47:59+00:00",
    "id": 1,
    "patient": {"display_name": "Sam", "id": 2},
    "therapist": {"display_name": "Alex Morgan", "id": 3},
}

PATIENT_SUMMARIES: Any = [
    {
        "display_name": "Sam",
        "email": "sam.patient@example.org",
        "exercise_hold": {"active": False, "level": None, "reason": None, "since": None},
        "highest_open_level": None,
        "id": 2,
        "linked_since": "2026-11-23T07:47:59+00:00",
        "open_alerts": 0,
    }
]

PATIENT_DETAIL: Any = {**PROFILE, "linked_since": "2026-11-23T07:47:59+00:00"}

CAUSES: Any = [
    {
        "description": "A break in one of the bones of the spine (a vertebra). It can follow "
        "a serious accident, or happen after a minor fall, a lift, or even a "
        "cough when bones are thin (osteopenia or osteoporosis). Small "
        "fractures can cause long-lasting pain.",
        "exercise_allowed": False,
        "name": "Fracture of a vertebra",
        "see_doctor_first": "A suspected or recent fracture needs a doctor's assessment "
        "first. Please see a doctor before starting any exercises; once "
        "they have cleared you, a physiotherapist can set exercises that "
        "protect your spine.",
        "slug": "fracture",
    },
    {
        "description": "Strain of the muscles, tendons or joints of the upper back from "
        "sport, heavy work or repeating the same movement, including older "
        "injuries that did not heal well. Most settle with relative rest and "
        "then a gradual return to activity.",
        "exercise_allowed": True,
        "name": "Sports or overuse injury",
        "see_doctor_first": None,
        "slug": "sports-overuse-injury",
    },
]

EXERCISES: Any = [
    {
        "category": "strengthening",
        "causes": ["poor-posture", "neck-shoulder-strain"],
        "contraindications": [],
        "difficulty": 1,
        "dose": {
            "days_per_week": 3,
            "hold_seconds": None,
            "reps": 12,
            "rest_seconds": 60,
            "sets": 2,
            "times_per_day": 1,
        },
        "equipment": ["resistance_band"],
        "name": "Band pull-apart",
        "region": "scapular",
        "slug": "band-pull-apart",
        "summary": "Stretch a resistance band across your chest by drawing the shoulder "
        "blades together.",
        "target_muscles": ["middle_trapezius", "rhomboids"],
    }
]

CAUSE_DETAIL: Any = {
    "description": "Sitting slumped for long periods, with the chin poking forward and "
    "the shoulders creeping up, overloads the muscles of the upper back "
    "and neck. Stress makes it worse. The muscles tire and ache, but "
    "respond well to movement breaks, a better set-up and exercise.",
    "doctor_treatments": [
        "Pain medications such as ibuprofen, naproxen or acetaminophen "
        "(paracetamol) for a short time"
    ],
    "exercise_allowed": True,
    "exercises": [
        *EXERCISES,
        {
            "category": "mobility",
            "causes": ["poor-posture", "osteoarthritis"],
            "contraindications": ["osteoporosis", "osteopenia"],
            "difficulty": 1,
            "dose": {
                "days_per_week": 5,
                "hold_seconds": None,
                "reps": 10,
                "rest_seconds": 30,
                "sets": 1,
                "times_per_day": 1,
            },
            "equipment": ["mat"],
            "name": "Cat-camel",
            "region": "thoracic",
            "slug": "cat-camel",
            "summary": "On hands and knees, slowly round and then gently arch your "
            "back to move the whole spine.",
            "target_muscles": ["thoracic_erector_spinae", "core"],
        },
    ],
    "name": "Poor posture or desk set-up",
    "see_doctor_first": None,
    "self_care": [
        "Take a short movement break every 30 to 60 minutes",
        "Set the screen at eye level, the keyboard close, and sit with your back supported",
    ],
    "slug": "poor-posture",
    "sources": [
        'PainDoctor.com, "Upper Back Pain" (seed article)',
        "Harman K, Hubley-Kozey CL, Butler H. Effectiveness of an exercise "
        "program to improve forward head posture in normal adults. J Man Manip "
        "Ther 2005;13(3):163-176",
    ],
    "typical_symptoms": [
        "Aching between the shoulder blades or across the shoulders, worse by the end of the day",
        "Stiffness in the upper back after sitting",
    ],
    "when_to_see_doctor": [
        "The pain is not improving after a few weeks of changes and exercise",
        "You have numbness or tingling in your arms or hands",
    ],
}


EXERCISE_DETAIL: Any = {
    "category": "strengthening",
    "causes": [
        {
            "cause": "poor-posture",
            "name": "Poor posture or desk set-up",
            "why": "Retrains the deep neck flexors to correct a forward head position.",
        },
        {
            "cause": "neck-shoulder-strain",
            "name": "Neck or shoulder strain",
            "why": "Takes load off the muscles at the back of the neck and top of the shoulders.",
        },
    ],
    "common_mistakes": [
        "Nodding the head down instead of sliding it back.",
        "Tilting the head back and looking up at the ceiling.",
    ],
    "contraindications": [],
    "cues": ['Think "head back", not "head down".', "Keep your jaw and shoulders relaxed."],
    "difficulty": 1,
    "dose": {
        "days_per_week": 4,
        "hold_seconds": None,
        "reps": 12,
        "rest_seconds": 30,
        "sets": 3,
        "times_per_day": 1,
    },
    "equipment": ["none"],
    "evidence": {
        "level": "rct",
        "source": "Harman K, Hubley-Kozey CL, Butler H. Effectiveness of an "
        "exercise program to improve forward head posture in normal "
        "adults: a randomized, controlled 10-week trial. J Man Manip "
        "Ther 2005;13(3):163-176",
    },
    "media": [],
    "movement_flags": [],
    "name": "Chin tuck",
    "precautions": [
        {
            "code": None,
            "text": "Stop and seek advice if the movement causes dizziness, or "
            "pain or tingling spreading into an arm.",
        }
    ],
    "progressions": [
        {"difficulty": 2, "name": "Chin tuck with head lift", "slug": "chin-tuck-head-lift"}
    ],
    "region": "cervical",
    "regressions": [],
    "retired": False,
    "slug": "chin-tuck",
    "steps": [
        "Sit or stand tall with your shoulders relaxed and your eyes looking straight ahead.",
        "Gently draw your chin straight back, as if making a double chin, keeping your eyes level.",
    ],
    "summary": "Glide the head straight back to wake up the deep neck muscles that hold "
    "the head over the shoulders.",
    "target_muscles": ["deep_neck_flexors"],
}

LIFESTYLE_ADVICE: Any = [
    {
        "advice": "Set the top of the screen at about eye level and an arm's length away, "
        "keep the keyboard and mouse close, support your lower back, and rest your "
        "feet flat. Above all, change position: stand up and move for a minute "
        "every 30 to 60 minutes.",
        "factor": "Poor ergonomic set-up at work",
        "related_exercises": ["posture-micro-break", "chin-tuck"],
        "slug": "desk-set-up",
        "source": 'Health and Safety Executive, "Working safely with display screen equipment"',
    },
    {
        "advice": "Heavy bags on one shoulder pull the shoulders and upper back out of line. "
        "Carry only what you need, use a backpack with both straps or a wheeled "
        "bag, and switch sides often if you must use a shoulder bag.",
        "factor": "Carrying bags that are too heavy",
        "related_exercises": ["scapular-retraction", "upper-trapezius-stretch"],
        "slug": "heavy-bags",
        "source": 'NHS, "Back pain" (prevention advice)',
    },
]

# A check-in reporting a fever: urgent triage, exercise paused, an alert raised.
CHECK_IN_WITH_RED_FLAG: Any = {
    "client_id": "7f3c2a10-day-1",
    "pain": 6,
    "worst_pain": 7,
    "sleep_quality": 4,
    "pain_areas": ["upper_back"],
    "pain_onset": "usual",
    "symptoms": ["fever"],
}

CHECK_IN_TRIAGED: Any = {
    "client_id": "7f3c2a10-day-1",
    "created_at": "2026-11-23T07:47:59+00:00",
    "date": "2026-11-23",
    "episode_started_on": None,
    "id": 1,
    "interference": None,
    "medication_taken": None,
    "mood": None,
    "notes": None,
    "pain": 6,
    "pain_areas": ["upper_back"],
    "pain_onset": "usual",
    "patient_id": 2,
    "sleep_quality": 4,
    "stiffness": None,
    "symptoms": ["fever"],
    "triage": {
        "advice": "Some of your answers need a doctor's opinion today. Ask your GP "
        "practice for an urgent appointment, or call 111 (England, "
        "Scotland and Wales; in Northern Ireland, your GP out-of-hours "
        "service when the practice is closed). Pause your exercises "
        "until a clinician has checked you. If you get worse or feel "
        "seriously unwell, call 999 now.",
        "checks_not_run": [],
        "disclaimer": "Upright gives guidance, not a diagnosis. If you feel "
        "seriously unwell, get medical help straight away, whatever "
        "the app says.",
        "emergency_number": "999",
        "headline": "Speak to a doctor today.",
        "level": "urgent",
        "pause_exercise": True,
        "rules": [
            {
                "clinician_message": "Fever with spinal pain: exclude discitis "
                "/ vertebral osteomyelitis.",
                "evidence": {"symptoms": ["fever"]},
                "id": "RF-INF-01",
                "level": "urgent",
                "patient_message": "Back pain with a high temperature should be "
                "checked by a doctor today.",
                "source": "red-flag table row 7; NHS back pain page: 'urgent GP "
                "appointment or NHS 111' list "
                "(https://www.nhs.uk/conditions/back-pain/); IDSA "
                "2015 native vertebral osteomyelitis guideline "
                "(Berbari et al.)",
                "title": "spinal infection",
                "version": 1,
            }
        ],
    },
    "updated_at": "2026-11-23T07:47:59+00:00",
    "worst_pain": 7,
}

CHECK_IN_UPDATE: Any = {"pain": 5, "notes": "Better after a walk."}

CHECK_IN_AMENDED: Any = {**CHECK_IN_TRIAGED, **CHECK_IN_UPDATE}

ALERT: Any = {
    "clinician_message": "Fever with spinal pain: exclude discitis / vertebral osteomyelitis.",
    "created_at": "2026-11-23T07:47:59+00:00",
    "events": [
        {
            "action": "raised",
            "actor_id": None,
            "actor_name": None,
            "at": "2026-11-23T07:47:59+00:00",
            "check_in_id": 1,
            "note": None,
            "outcome": None,
        }
    ],
    "evidence": [{"answers": {"symptoms": ["fever"]}, "check_in_id": 1, "date": "2026-11-23"}],
    "id": 1,
    "kind": "alert",
    "escalated_at": None,
    "assessed_by": None,
    "assessed_on": None,
    "resolved_by": None,
    "level": "urgent",
    "outcome": None,
    "patient_id": 2,
    "patient_message": "Back pain with a high temperature should be checked by a doctor today.",
    "resolved_at": None,
    "rule_id": "RF-INF-01",
    "rule_version": 1,
    "source": "red-flag table row 7; NHS back pain page: 'urgent GP appointment or NHS "
    "111' list (https://www.nhs.uk/conditions/back-pain/); IDSA 2015 native "
    "vertebral osteomyelitis guideline (Berbari et al.)",
    "status": "open",
    "title": "spinal infection",
    "updated_at": "2026-11-23T07:47:59+00:00",
}

ACKNOWLEDGE: Any = {"note": "Called the patient; GP appointment today."}

ALERT_ACKNOWLEDGED: Any = {
    **ALERT,
    "events": [
        *ALERT["events"],
        {
            "action": "acknowledged",
            "actor_id": 3,
            "actor_name": "Alex Morgan",
            "at": "2026-11-23T07:47:59+00:00",
            "check_in_id": None,
            "note": ACKNOWLEDGE["note"],
            "outcome": None,
        },
    ],
    "status": "acknowledged",
}

RESOLVE: Any = {
    "note": "Seen by GP: viral infection, back pain unchanged.",
    "outcome": "assessed_safe_to_continue",
}

ALERT_RESOLVED: Any = {
    **ALERT_ACKNOWLEDGED,
    "events": [
        *ALERT_ACKNOWLEDGED["events"],
        {
            "action": "resolved",
            "actor_id": 3,
            "actor_name": "Alex Morgan",
            "at": "2026-11-23T07:47:59+00:00",
            "check_in_id": None,
            **RESOLVE,
        },
    ],
    "resolved_by": "therapist",
    "outcome": RESOLVE["outcome"],
    "resolved_at": "2026-11-23T07:47:59+00:00",
    "status": "resolved",
}

TEMPLATE: Any = {
    "built_in": True,
    "causes": ["poor-posture", "neck-shoulder-strain"],
    "days_of_week": ["mon", "tue"],
    "duration_weeks": 10,
    "items": [
        {
            "days_of_week": ["mon", "tue"],
            "exercise": "posture-micro-break",
            "hold_seconds": 60,
            "notes": "Every 30 to 60 minutes of sitting, on working days.",
            "reps": None,
            "rest_seconds": 0,
            "sets": 1,
            "times_per_day": 8,
        },
        {
            "days_of_week": None,
            "exercise": "chin-tuck",
            "hold_seconds": None,
            "notes": None,
            "reps": 12,
            "rest_seconds": 30,
            "sets": 3,
            "times_per_day": 1,
        },
    ],
    "name": "Desk posture reset",
    "owner_id": None,
    "slug": "desk-posture-reset",
    "source": "Harman K, Hubley-Kozey CL, Butler H. J Man Manip Ther 2005;13(3):163-176 "
    "(3 x 12 and 30-second stretches, 4 days a week for 10 weeks); Health and "
    'Safety Executive, "Working safely with display screen equipment"',
    "summary": "Short daily breaks and a four-day-a-week routine for the neck, shoulder "
    "blades and chest of desk workers.",
}

TEMPLATE_CREATE: Any = {
    "name": "Morning mobility",
    "summary": "Three gentle moves before work.",
    "duration_weeks": 4,
    "days_of_week": ["mon", "wed", "fri"],
    "items": [
        {"exercise": "chin-tuck", "sets": 2, "reps": 10},
        {"exercise": "cat-camel", "sets": 2, "reps": 8},
    ],
}

TEMPLATE_CREATED: Any = {
    "built_in": False,
    "causes": [],
    "days_of_week": ["mon", "wed"],
    "duration_weeks": 4,
    "items": [
        {
            "days_of_week": None,
            "exercise": "chin-tuck",
            "hold_seconds": None,
            "notes": None,
            "reps": 10,
            "rest_seconds": 30,
            "sets": 2,
            "times_per_day": 1,
        },
        {
            "days_of_week": None,
            "exercise": "cat-camel",
            "hold_seconds": None,
            "notes": None,
            "reps": 8,
            "rest_seconds": 30,
            "sets": 2,
            "times_per_day": 1,
        },
    ],
    "name": "Morning mobility",
    "owner_id": 3,
    "slug": "morning-mobility-3e9ce5",
    "source": "Therapist's own template",
    "summary": "Three gentle moves before work.",
}

TEMPLATE_UPDATE: Any = {"duration_weeks": 6}

TEMPLATE_UPDATED: Any = {**TEMPLATE_CREATED, **TEMPLATE_UPDATE}

# A therapist assigns a built-in template to a linked patient, every day of the week.
PROGRAMME_ASSIGNMENT: Any = {
    "patient_id": 2,
    "template": "desk-posture-reset",
    "starts_on": "2026-11-23",
    "days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
}

PROGRAMME: Any = {
    "created_at": "2026-11-23T07:47:59+00:00",
    "created_by_id": 3,
    "current_version": 1,
    "ends_on": "2027-01-31",
    "id": 1,
    "patient_id": 2,
    "paused_by": None,
    "starts_on": "2026-11-23",
    "status": "active",
    "template": "desk-posture-reset",
    "title": "Desk posture reset",
    "updated_at": "2026-11-23T07:47:59+00:00",
    "version": {
        "created_at": "2026-11-23T07:47:59+00:00",
        "created_by_id": 3,
        "days_of_week": ["mon", "tue"],
        "items": [
            {
                "days_of_week": ["mon", "tue"],
                "exercise": "posture-micro-break",
                "hold_seconds": 60,
                "id": 1,
                "load": None,
                "notes": "Every 30 to 60 minutes of sitting, on working days.",
                "position": 0,
                "reps": None,
                "rest_seconds": 0,
                "sets": 1,
                "side": None,
                "times_per_day": 8,
            },
            {
                "days_of_week": ["mon", "tue"],
                "exercise": "chin-tuck",
                "hold_seconds": None,
                "id": 2,
                "load": None,
                "notes": None,
                "position": 1,
                "reps": 12,
                "rest_seconds": 30,
                "sets": 3,
                "side": None,
                "times_per_day": 1,
            },
        ],
        "number": 1,
        "overridden": [],
        "override_reason": None,
        "warnings": [
            {
                "code": None,
                "exercise": "chin-tuck",
                "text": "Stop and seek advice if the movement causes "
                "dizziness, or pain or tingling spreading into an "
                "arm.",
            },
            {
                "code": None,
                "exercise": "doorway-pec-stretch",
                "text": "Take care after a shoulder dislocation or with a "
                "frozen shoulder; keep the arms low and ask your "
                "physiotherapist first.",
            },
        ],
    },
}

# Every item is sent again (items replace the list); only the chin tuck dose changes.
PROGRAMME_UPDATE: Any = {
    "items": [
        {
            "days_of_week": ["mon", "tue", "wed", "thu", "fri"],
            "exercise": "posture-micro-break",
            "hold_seconds": 60,
            "load": None,
            "notes": "Every 30 to 60 minutes of sitting, on working days.",
            "reps": None,
            "rest_seconds": 0,
            "sets": 1,
            "side": None,
            "times_per_day": 8,
        },
        {
            "days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "exercise": "chin-tuck",
            "hold_seconds": None,
            "load": None,
            "notes": None,
            "reps": 15,
            "rest_seconds": 30,
            "sets": 3,
            "side": None,
            "times_per_day": 1,
        },
        {
            "days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "exercise": "scapular-retraction",
            "hold_seconds": None,
            "load": None,
            "notes": None,
            "reps": 12,
            "rest_seconds": 30,
            "sets": 3,
            "side": None,
            "times_per_day": 1,
        },
        {
            "days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "exercise": "doorway-pec-stretch",
            "hold_seconds": 30,
            "load": None,
            "notes": None,
            "reps": None,
            "rest_seconds": 15,
            "sets": 3,
            "side": None,
            "times_per_day": 1,
        },
        {
            "days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "exercise": "thoracic-extension-chair",
            "hold_seconds": None,
            "load": None,
            "notes": None,
            "reps": 10,
            "rest_seconds": 30,
            "sets": 2,
            "side": None,
            "times_per_day": 1,
        },
        {
            "days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "exercise": "standing-band-row",
            "hold_seconds": None,
            "load": None,
            "notes": "Move to a stronger band when 12 repetitions feel easy.",
            "reps": 12,
            "rest_seconds": 60,
            "sets": 3,
            "side": None,
            "times_per_day": 1,
        },
    ]
}

PROGRAMME_UPDATED: Any = {
    **PROGRAMME,
    "current_version": 2,
    "version": {
        **PROGRAMME["version"],
        "items": [
            {**PROGRAMME["version"]["items"][0], "id": 7},
            {**PROGRAMME["version"]["items"][1], "id": 8, "reps": 15},
        ],
        "number": 2,
    },
}

PROGRAMME_VERSIONS: Any = [PROGRAMME["version"], PROGRAMME_UPDATED["version"]]

TODAY: Any = {
    "date": "2026-11-23",
    "items": [
        {
            "done": False,
            "exercise": "posture-micro-break",
            "exercise_name": "Posture micro-break",
            "hold_seconds": 60,
            "load": None,
            "notes": "Every 30 to 60 minutes of sitting, on working days.",
            "programme_id": 1,
            "programme_item_id": 7,
            "programme_title": "Desk posture reset",
            "reps": None,
            "rest_seconds": 0,
            "sessions_done": 0,
            "sets": 1,
            "side": None,
            "times_per_day": 8,
        },
        {
            "done": True,
            "exercise": "chin-tuck",
            "exercise_name": "Chin tuck",
            "hold_seconds": None,
            "load": None,
            "notes": None,
            "programme_id": 1,
            "programme_item_id": 8,
            "programme_title": "Desk posture reset",
            "reps": 15,
            "rest_seconds": 30,
            "sessions_done": 1,
            "sets": 3,
            "side": None,
            "times_per_day": 1,
        },
    ],
    "safety_banner": None,
}

# A session tied to a programme item, so that getToday counts it as done.
SESSION_CREATE: Any = {
    "client_id": "phone-7f3a-0001",
    "programme_id": 1,
    "started_at": "2026-11-23T07:27:59+00:00",
    "ended_at": "2026-11-23T07:42:59+00:00",
    "pain_before": 4,
    "pain_after": 3,
    "entries": [
        {
            "exercise": "chin-tuck",
            "programme_item": 8,
            "sets_done": 3,
            "reps_done": 15,
            "pain_during": 6,
            "effort": 5,
        }
    ],
}

SESSION: Any = {
    "advice": [
        {
            "exercise": "chin-tuck",
            "exercise_name": "Chin tuck",
            "kind": "reduce_dose",
            "message": "Your pain during Chin tuck reached 6/10. Above 5/10 is more "
            "than exercise should hurt, and pushing through pain brings no "
            "extra benefit. Next time do a lower dose: fewer sets or "
            "repetitions, a shorter hold or a smaller range, so that pain "
            "stays at 5/10 or below. Your therapist will see this note. If "
            "the pain does not settle, contact them.",
            "rule": "pain_during",
            "source": "Silbernagel KG et al. Am J Sports Med 2007;35(6):897-906 "
            "(pain-monitoring model: pain during exercise above 5/10 is too "
            "much; the 24-hour response decides); Smith BE et al. Br J "
            "Sports Med 2017;51(23):1679-1687 (painful exercise gives at "
            "most a small short-term benefit)",
            "suggestion": None,
        }
    ],
    "client_id": "phone-7f3a-0001",
    "created_at": "2026-11-23T07:47:59+00:00",
    "date": "2026-11-23",
    "ended_at": "2026-11-23T07:42:59+00:00",
    "entries": [
        {
            "effort": 5,
            "exercise": "chin-tuck",
            "hold_seconds": None,
            "load": None,
            "notes": None,
            "pain_during": 6,
            "position": 0,
            "programme_item": 8,
            "reps_done": 15,
            "sets_done": 3,
        }
    ],
    "id": 1,
    "logged_during_hold": False,
    "notes": None,
    "pain_after": 3,
    "pain_before": 4,
    "patient_id": 2,
    "programme_id": 1,
    "programme_version": 2,
    "safety": None,
    "started_at": "2026-11-23T07:27:59+00:00",
}

# NDI with one item unanswered (pro-rated).
OUTCOME_NDI_CREATE: Any = {
    "instrument": "ndi",
    "answers": {
        "pain_intensity": 2,
        "personal_care": 1,
        "lifting": 2,
        "reading": 2,
        "headaches": 1,
        "concentration": 1,
        "work": 2,
        "driving": 2,
        "sleeping": 2,
        "recreation": None,
    },
}

OUTCOME_NDI: Any = {
    "answers": {
        "concentration": 1,
        "driving": 2,
        "headaches": 1,
        "lifting": 2,
        "pain_intensity": 2,
        "personal_care": 1,
        "reading": 2,
        "recreation": None,
        "sleeping": 2,
        "work": 2,
    },
    "band": "moderate",
    "completed_on": "2026-11-23",
    "created_at": "2026-11-23T07:47:59+00:00",
    "id": 1,
    "instrument": "ndi",
    "interpretation": {
        "better": "lower",
        "detectable_change": None,
        "meaningful_change": "10 points of 50 (Young 2009: the MDC as the MCID)",
        "scope": "The NDI was developed and validated for neck pain, not "
        "thoracic pain, and no questionnaire has been validated "
        "for thoracic pain alone (Leahy et al. 2016 found only "
        "whole-spine ones). Upright offers it because upper-back "
        "pain often involves the neck and shoulders; for pain "
        "confined to the upper back read its score and the "
        "10-point change with caution and prefer the PSFS, which "
        "is not tied to a body region.",
        "source": "Vernon H, Mior S. J Manipulative Physiol Ther "
        "1991;14(7):409-415 (scoring, bands); Vernon H. J "
        "Manipulative Physiol Ther 2008;31(7):491-502 (missing "
        "items); Young BA et al. Spine J 2009;9(10):802-808 "
        "(MCID 7.5, MDC 10.2: 'Because the MCID is within the "
        "bounds of measurement error, a 10-point change (the "
        "MDC) should be used as the MCID.'); MacDermid JC et al. "
        "J Orthop Sports Phys Ther 2009;39(5):400-417 "
        "(measurement properties, in neck pain); Leahy E et al. "
        "Man Ther 2016;22:22-30 (no questionnaire validated for "
        "thoracic pain)",
    },
    "patient_id": 2,
    "percent": 33.33,
    "score": 16.67,
    "unanswered": ["recreation"],
}

OUTCOME_PSFS_CREATE: Any = {
    "instrument": "psfs",
    "answers": {
        "activities": [
            {"activity": "Reading for an hour", "score": 4},
            {"activity": "Carrying the shopping", "score": 6},
            {"activity": "Sleeping through the night", "score": 8},
        ]
    },
}

OUTCOME_PSFS: Any = {
    "answers": {
        "activities": [
            {"activity": "Reading for an hour", "score": 4},
            {"activity": "Carrying the shopping", "score": 6},
            {"activity": "Sleeping through the night", "score": 8},
        ]
    },
    "completed_on": "2026-11-23",
    "created_at": "2026-11-23T07:47:59+00:00",
    "id": 2,
    "instrument": "psfs",
    "interpretation": {
        "better": "higher",
        "detectable_change": "3 points on one activity (Stratford 1995), "
        "reported as detectable_activity_changes, not "
        "as a label",
        "meaningful_change": "2 points on the mean (Abbott & Schmitt 2014: 1.3 to 2.7)",
        "scope": None,
        "source": "Stratford P et al. Physiother Can 1995;47:258-263 "
        "(minimal detectable changes: 2 points on the mean, 3 on "
        "one activity); Abbott JH, Schmitt JS. J Orthop Sports "
        "Phys Ther 2014;44(8):560-564 (minimum important "
        "differences 1.3 to 2.7 on the mean); Horn KK et al. J "
        "Orthop Sports Phys Ther 2012;42(1):30-42 (valid across "
        "body regions)",
    },
    "patient_id": 2,
    "score": 6.0,
}

OUTCOME_CREATE_BY_INSTRUMENT: Any = {
    "ndi": {"summary": "Neck Disability Index", "value": OUTCOME_NDI_CREATE},
    "psfs": {"summary": "Patient-Specific Functional Scale", "value": OUTCOME_PSFS_CREATE},
}

OUTCOME_BY_INSTRUMENT: Any = {
    "ndi": {"summary": "Neck Disability Index", "value": OUTCOME_NDI},
    "psfs": {"summary": "Patient-Specific Functional Scale", "value": OUTCOME_PSFS},
}

PROGRESS: Any = {
    "adherence": {
        "completed": 0,
        "current_streak_days": 0,
        "prescribed": 0,
        "programmes": [
            {
                "ends_on": "2027-01-31",
                "id": 1,
                "starts_on": "2026-11-23",
                "status": "active",
                "title": "Desk posture reset",
            }
        ],
        "rate": None,
        "weeks": [
            {
                "completed": 0,
                "prescribed": 0,
                "rate": None,
                "starts_on": "2026-08-24",
                "week": "2026-W36",
            },
            {
                "completed": 0,
                "prescribed": 0,
                "rate": None,
                "starts_on": "2026-08-31",
                "week": "2026-W37",
            },
        ],
    },
    "from": "2026-08-26",
    "open_alerts": [],
    "outcomes": {
        "ndi": {
            "change": None,
            "scores": [
                {
                    "band": "moderate",
                    "change_from_first": None,
                    "completed_on": "2026-11-23",
                    "id": 1,
                    "percent": 33.33,
                    "score": 16.67,
                }
            ],
        },
        "psfs": {
            "change": None,
            "scores": [
                {
                    "band": None,
                    "change_from_first": None,
                    "completed_on": "2026-11-23",
                    "id": 2,
                    "percent": None,
                    "score": 6.0,
                }
            ],
        },
    },
    "pain": {
        "change": None,
        "series": [
            {
                "date": "2026-11-23",
                "interference": None,
                "pain": 5,
                "rolling_mean_7d": 5.0,
                "sleep_quality": 4,
                "worst_pain": 7,
            }
        ],
    },
    "sessions_during_hold": [],
    "pain_notices": [
        {
            "created_at": "2026-11-23T07:47:59+00:00",
            "exercise": "chin-tuck",
            "id": 1,
            "kind": "reduce_dose",
            "message": "Your pain during Chin tuck reached 6/10. Above 5/10 is "
            "more than exercise should hurt, and pushing through "
            "pain brings no extra benefit. Next time do a lower "
            "dose: fewer sets or repetitions, a shorter hold or a "
            "smaller range, so that pain stays at 5/10 or below. "
            "Your therapist will see this note. If the pain does not "
            "settle, contact them.",
            "session_id": 1,
        }
    ],
    "patient_id": 2,
    "timezone": "Europe/London",
    "to": "2026-11-23",
    "today": "2026-11-23",
}

VALIDATION_ERROR: Any = {
    "code": 422,
    "errors": {"json": {"password": ["Use at least 10 characters."]}},
    "message": "The password is not acceptable.",
    "status": "Unprocessable Entity",
}

NOT_FOUND_ERROR: Any = {"code": 404, "message": "Check-in not found.", "status": "Not Found"}


def _without(example: dict[str, Any], *names: str) -> dict[str, Any]:
    """An example less some fields: the data export shows records without their ids."""
    return {key: value for key, value in example.items() if key not in names}


# Every section is the REST record less the ids, as ``api/accounts/export_schemas.py`` says.
EXPORT: Any = {
    "exported_at": "2026-11-23T07:47:59+00:00",
    "profile": _without(PROFILE, "exercise_hold"),
    "sections": {
        "access_log": [
            {
                "accessed_at": "2026-11-23T07:47:59+00:00",
                "resource": "programmes",
                "resource_id": None,
                "therapist_name": "Alex Morgan",
            }
        ],
        "alerts": [
            {
                "created_at": "2026-11-23T07:47:59+00:00",
                "evidence": [
                    {"answers": {"symptoms": ["fever"]}, "check_in_id": 1, "date": "2026-11-23"}
                ],
                "history": [
                    {
                        "action": "raised",
                        "at": "2026-11-23T07:47:59+00:00",
                        "by": None,
                        "note": None,
                        "outcome": None,
                    }
                ],
                "id": 1,
                "level": "urgent",
                "outcome": "assessed_safe_to_continue",
                "resolved_at": "2026-11-23T07:47:59+00:00",
                "resolved_by": "therapist",
                "escalated_at": None,
                "assessed_by": None,
                "assessed_on": None,
                "rule_id": "RF-INF-01",
                "rule_version": 1,
                "status": "resolved",
                "title": "spinal infection",
            }
        ],
        "devices": [],
        "notifications": [],
        "reminders": {
            "check_in": {"enabled": True, "time": "19:00", "days_of_week": ["mon", "wed", "fri"]},
            "exercise": {"enabled": True, "times": ["08:00", "18:30"]},
            "missed_sessions": {"enabled": True, "after_days": 2},
            "quiet_hours": {"start": "22:00", "end": "07:00"},
            "timezone": "Europe/London",
            "next": {
                "check_in": "2026-11-25T19:00:00+00:00",
                "exercise": "2026-11-25T08:00:00+00:00",
                "missed_sessions": None,
            },
        },
        "care_links": [
            {
                "created_at": "2026-11-23T07:47:59+00:00",
                "ended_at": None,
                "patient": "Sam",
                "therapist": "Alex Morgan",
            }
        ],
        "check_ins": [_without(CHECK_IN_AMENDED, "id", "patient_id", "updated_at")],
        "exercise_holds": [
            {
                "level": "urgent",
                "lifted_at": "2026-11-23T07:47:59+00:00",
                "placed_at": "2026-11-23T07:47:59+00:00",
                "reason": "Speak to a doctor today.",
            }
        ],
        "outcomes": [_without(OUTCOME_NDI, "id", "patient_id", "interpretation", "unanswered")],
        "pain_notices": [
            {
                "created_at": "2026-11-23T07:47:59+00:00",
                "exercise": "chin-tuck",
                "id": 1,
                "kind": "reduce_dose",
                "message": "Your pain during Chin tuck reached 6/10. "
                "Above 5/10 is more than exercise should "
                "hurt, and pushing through pain brings no "
                "extra benefit. Next time do a lower dose: "
                "fewer sets or repetitions, a shorter hold "
                "or a smaller range, so that pain stays at "
                "5/10 or below. Your therapist will see "
                "this note. If the pain does not settle, "
                "contact them.",
                "session_id": 1,
            }
        ],
        "programmes": [
            {
                "ends_on": "2027-01-31",
                "id": 1,
                "starts_on": "2026-11-23",
                "status": "active",
                "template": "desk-posture-reset",
                "title": "Desk posture reset",
                "versions": [
                    {
                        "created_at": "2026-11-23T07:47:59+00:00",
                        "days_of_week": ["mon"],
                        "items": [{**PROGRAMME_UPDATE["items"][0], "days_of_week": ["mon"]}],
                        "number": 1,
                    }
                ],
            }
        ],
        "sessions": [
            {
                **_without(SESSION, "id", "patient_id"),
                "entries": [_without(entry, "position") for entry in SESSION["entries"]],
            }
        ],
    },
}
