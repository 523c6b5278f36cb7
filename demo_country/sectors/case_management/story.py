"""The case-management story the demo tells (simulated in ``simulation``): a case-management
rollout. The social service workforce grows from about 4.5 to about 10 social workers per 100,000
children over ten years (faster in some provinces); each worker carries 20-60 open cases depending
on the province, so caseloads grow with the workforce. High-risk cases are seen face to face within
24 hours more and more often (about 45% at the start, up to 90% in the fastest provinces),
assessments and case plans become more complete, cases close sooner and more often with their goals
met. Referrals from schools grow with a school-based programme. Some cases belong to children who
enter formal care (same child id as in the placements feed), and some children come back with a
second case. The helpline gets more contacts each year, about a third of them about a child
protection concern.
"""

from __future__ import annotations

import numpy as np

from demo_country.codes import allowed, check, keyed

# Per province (01 is the capital): social workers per 100,000 children at the start, how fast the
# rollout goes (1 = national pace), and the open cases each worker carries.
WORKERS_PER_100K: tuple[float, ...] = (
    7.5, 3.5, 3.0, 4.5, 3.8, 5.0, 3.2, 4.8, 3.6, 2.6, 4.0, 4.4,
)  # fmt: skip
ROLLOUT_PACE: tuple[float, ...] = (
    1.2, 0.8, 0.7, 1.1, 1.0, 1.0, 0.9, 1.3, 0.8, 0.6, 1.1, 1.0,
)  # fmt: skip
CASELOAD: tuple[float, ...] = (55, 30, 24, 40, 34, 45, 27, 50, 31, 21, 38, 42)
WORKFORCE_GROWTH = 0.12  # extra workers per year of rollout, as a share of the start level
WORKER_YEARS = 6.0  # mean years a worker stays in a post
WARM_UP_MONTHS = 24  # cases are simulated from this long before the first month (open caseload)

# The codes of the cases, referrals and helpline contracts, with how often the story draws each.
RISK_LEVELS, RISK_WEIGHTS = keyed(
    "cases", "risk_level", {"high": 0.25, "medium": 0.45, "low": 0.30}
)
REFERRALS_BY_RISK = {"high": 1.6, "medium": 1.1, "low": 0.7}  # mean referrals of a case
# Referral sources (the school share grows with a school-based programme; its weight is the start).
SOURCES, SOURCE_WEIGHTS = keyed(
    "cases",
    "referral_source",
    {"school": 0.10, "police": 0.15, "health_facility": 0.12, "community": 0.26, "helpline": 0.09,
     "self_or_family": 0.20, "other": 0.08},
)  # fmt: skip
CONCERNS, CONCERN_WEIGHTS = keyed(
    "cases",
    "concern",
    {"abuse": 0.30, "neglect": 0.30, "exploitation": 0.07, "trafficking": 0.03,
     "child_labour": 0.08, "family_separation": 0.14, "other": 0.08},
)  # fmt: skip
CLOSURE_REASONS = allowed("cases", "closure_reason")
# Why a case closes when its goals were not met (and the child neither turned 18 nor was lost).
CLOSED_WITHOUT_GOALS = {
    "transferred": 0.3,
    "lost_contact": 0.45,
    "child_died": 0.005,
    "other": 0.245,
}
AGE_WEIGHTS = np.array([3, 3, 3, 3, 4, 5, 5, 6, 6, 7, 7, 8, 8, 8, 8, 7, 6, 5], float)
SERVICES, SERVICE_WEIGHTS = keyed(
    "referrals",
    "service_type",
    {"health": 0.16, "mental_health_psychosocial": 0.2, "legal_aid": 0.08, "education": 0.14,
     "family_support": 0.18, "shelter": 0.05, "cash_assistance": 0.1, "police_justice": 0.05,
     "other": 0.04},
)  # fmt: skip
PROVIDERS, PROVIDER_WEIGHTS = keyed(
    "referrals", "provider_type", {"government": 0.55, "ngo": 0.35, "community": 0.10}
)

HELPLINE_CONTACTS_PER_MONTH = (2_600.0, 260.0)  # national, at scale 1.0: start, yearly increase
HELPLINE_PROVINCE_FACTOR: tuple[float, ...] = (
    1.9, 0.8, 0.6, 1.0, 0.9, 1.1, 0.7, 1.2, 0.8, 0.5, 0.9, 1.0,
)  # fmt: skip
# Helpline concerns: child protection concerns, then the other reasons people call.
PROTECTION = {
    "physical_abuse": 0.24, "sexual_abuse": 0.15, "emotional_abuse": 0.1, "neglect": 0.2,
    "exploitation": 0.06, "trafficking": 0.03, "child_labour": 0.09, "child_marriage": 0.04,
    "family_separation": 0.09,
}  # fmt: skip
OTHER = {"counselling": 0.25, "information": 0.3, "silent": 0.27, "prank": 0.1, "other": 0.08}
HELPLINE_CONCERNS = check("helpline_contacts", "concern", [*PROTECTION, *OTHER])
PROTECTION_CONCERNS, PROTECTION_WEIGHTS = tuple(PROTECTION), tuple(PROTECTION.values())
OTHER_CONCERNS, OTHER_WEIGHTS = tuple(OTHER), tuple(OTHER.values())
CHANNELS = allowed("helpline_contacts", "channel")
CALLERS, CALLER_WEIGHTS = keyed(
    "helpline_contacts",
    "caller_type",
    {"child": 0.38, "parent_or_relative": 0.3, "other_adult": 0.17, "professional": 0.08,
     "unknown": 0.07},
)  # fmt: skip

# Cases: how long they stay open (lognormal spread), children who move, vacancies covered.
DURATION_SIGMA = 0.75
MOVED_SHARE = 0.004  # cases of a child seen before in another district (the family moved)
COVERED_SHARE = 0.4  # cases opened in a district without a worker, taken by a worker nearby
REASSIGNED_SHARE = 0.92  # cases of a worker who leaves, reassigned (the rest stay stale)
