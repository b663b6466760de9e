"""Where to get a doctor's opinion today, by country (ISO 3166-1 alpha-2, upper case).

Every piece of advice that names a service uses the profile's country, as the
emergency number does (``emergency.py``). Where Upright does not know the
country's same-day services, or the country is unknown, the wording stays neutral:
"your doctor or your local urgent care service", never another country's number.

Sources:

- GB: NHS back pain and coughing-up-blood pages, "Ask for an urgent GP appointment or
  get help from NHS 111" (https://www.nhs.uk/conditions/back-pain/); NHS 111 Wales;
  NHS 24 answers 111 in Scotland. Northern Ireland has no general 111 service:
  nidirect, "Call GP out of hours service if you can't see your GP"
  (https://www.nidirect.gov.uk/conditions/coughing-blood-blood-phlegm). A GB profile
  cannot tell Northern Ireland apart, so the GB wording names both.
- IE: HSE, GP Out of Hours services, "for urgent medical care only"
  (https://www.hse.ie/eng/services/list/2/gp/out-of-hours-services/gp-out-of-hours-services.html);
  Citizens Information, "GP out-of-hours service".
- US: MedlinePlus, "When to use the emergency room - adult": "If your problem is not life
  threatening or risking disability, but you are concerned and you cannot see your
  provider soon enough, go to an urgent care clinic"
  (https://medlineplus.gov/ency/patientinstructions/000593.htm).
- CA: provincial 811 health lines answered by registered nurses (HealthLinkBC 811,
  Health811 Ontario, Info-Santé 811, Nova Scotia HealthLink 811, PEI 811, NWT 811);
  not yet every province, hence "in most provinces".
- AU: healthdirect, "Medical problem? Call 1800 022 222"
  (https://www.healthdirect.gov.au/what-care-do-i-need).
- NZ: Ministry of Health, Healthline 0800 611 116, free, 24 hours
  (https://www.health.govt.nz/your-health/services-and-support/health-care-services/healthline).
- DE: Kassenärztliche Bundesvereinigung, ärztlicher Bereitschaftsdienst 116117, nationwide,
  for illness that is not life-threatening but cannot wait (https://116117.de).
"""

from __future__ import annotations

from .emergency import normalise_country

GENERIC_URGENT_CARE = "Contact your doctor or your local urgent care service today."

URGENT_CARE: dict[str, str] = {
    "GB": (
        "Ask your GP practice for an urgent appointment, or call 111 (England, Scotland and "
        "Wales; in Northern Ireland, your GP out-of-hours service when the practice is closed)."
    ),
    "IE": (
        "Ask your GP for an appointment today, or call your GP out-of-hours service when the "
        "surgery is closed."
    ),
    "US": (
        "Call your primary care provider for a same-day appointment, or go to an urgent care "
        "clinic if you cannot be seen soon enough."
    ),
    "CA": (
        "See your family doctor or a walk-in clinic today, or call 811 for a nurse's advice "
        "(in most provinces and territories)."
    ),
    "AU": "See your GP today, or call healthdirect on 1800 022 222 for advice.",
    "NZ": (
        "See your GP or an urgent care clinic today, or call Healthline on 0800 611 116 "
        "for free advice."
    ),
    "DE": (
        "Ask your GP (Hausarzt) for an appointment today, or call the on-call medical "
        "service on 116117 when the practice is closed."
    ),
}


def urgent_care_advice(country: str | None) -> str:
    """One sentence: where to see a doctor today in ``country`` (neutral when unknown)."""
    code = normalise_country(country)
    if code is None:
        return GENERIC_URGENT_CARE
    return URGENT_CARE.get(code, GENERIC_URGENT_CARE)
