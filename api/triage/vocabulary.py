"""The triage vocabulary: the codes are a public API contract.

Source: Upright's clinical red-flag reference. Wording of the
questions may improve; the codes never change.
"""

from __future__ import annotations

LEVELS: tuple[str, ...] = ("none", "soon", "urgent", "emergency")
"""Triage levels from least to most severe."""

LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}

#: Check-in ``symptoms``: new or current signs, asked as yes/no questions.
SYMPTOMS: dict[str, str] = {
    "saddle_numbness": "Numbness or tingling around your genitals, buttocks or inner thighs?",
    "bladder_change": "New difficulty passing urine, or new loss of bladder control?",
    "bowel_incontinence": "New loss of bowel control?",
    "numbness_both_legs": "Numbness, tingling or weakness in both legs?",
    "leg_weakness": "New weakness in a leg or foot, or a leg giving way?",
    "unsteady_walking": "New unsteadiness or difficulty walking?",
    "hand_clumsiness": (
        "New clumsiness of your hands: dropping things, trouble with buttons or writing?"
    ),
    "arm_numbness": "New numbness or tingling in an arm or hand?",
    "arm_weakness": "New weakness in an arm or hand?",
    "chest_band_numbness": ("Numbness, or a tight band-like feeling, around your chest or trunk?"),
    "chest_pain": "Pain, pressure or tightness in your chest?",
    "pain_spreads_arm_jaw": "Pain spreading into your arm, neck or jaw?",
    "sweating_nausea": "Sweating, feeling sick or light-headed with the pain?",
    "sudden_breathlessness": "Sudden shortness of breath?",
    "pain_on_breathing": "Sharp pain when you breathe in?",
    "tearing_pain": ("Sudden, severe, tearing or ripping pain between your shoulder blades?"),
    "coughing_blood": "Coughing up blood?",
    "productive_cough": "A cough bringing up coloured phlegm?",
    "fever": "A temperature of 38 °C or more, or feeling hot and shivery?",
    "weight_loss": "Weight loss that you can't explain?",
    "night_pain": "Pain that is worse at night, or not eased at all by rest or lying down?",
    "back_shape_change": "A new lump, swelling, or change in the shape of your back?",
    "major_trauma": (
        "Did the pain start after a serious accident (car crash, fall from a height, heavy blow)?"
    ),
    "minor_trauma": (
        "Did the pain start after a fall from standing, lifting, or a cough or sneeze?"
    ),
    "worse_on_cough_sneeze_strain": (
        "Is the pain made worse when you sneeze, cough or strain on the toilet?"
    ),
    "new_sexual_dysfunction": (
        "New numbness of the genitals, or new problems getting or keeping an erection or with "
        "sensation during sex?"
    ),
}

#: Profile ``health_history``: long-standing facts.
HEALTH_HISTORY: dict[str, str] = {
    "cancer": "cancer now or in the past",
    "osteoporosis": "osteoporosis or osteopenia (thin bones)",
    "long_term_steroids": "steroid tablets (e.g. prednisolone) for 3 months or more",
    "immunosuppressed": (
        "weakened immune system: chemotherapy, HIV, transplant or similar medicines"
    ),
    "iv_drug_use": "injects drugs",
    "smoker": "smokes now or smoked for years",
    "heart_disease": "known heart disease",
    "lung_condition": "known lung condition",
    "spinal_surgery": "previous spine surgery",
}

#: Check-in ``pain_onset``.
PAIN_ONSET: dict[str, str] = {
    "usual": "my usual pain, unchanged",
    "changed": "different from or worse than my usual pain",
    "new_episode": "a new bout of pain that started recently",
    "first_ever": "the first time I have ever had back pain",
}

#: Check-in ``pain_areas``.
PAIN_AREAS: dict[str, str] = {
    "upper_back": "upper back",
    "neck": "neck",
    "shoulders": "shoulders",
    "chest": "chest",
    "arms": "arms",
    "lower_back": "lower back",
}
