"""The justice-for-children story the demo tells, in one place: levels, trends, province differences.

Arrests of children (10-17) fall slowly; more cases are diverted before sentence and fewer sentences
are custodial; fewer arrested children are detained before sentence and for shorter times; more
released children are referred to aftercare. Some provinces still hold children in juvenile wings
of adult prisons (not wholly separated from adults) until they are rebuilt. Police identify more
child victims of trafficking and receive more reports of child sexual abuse as awareness grows.
Times ``t`` are years since the start of the first reporting year. Province order as in geography.
"""

from __future__ import annotations

import numpy as np

from demo_country.codes import check, keyed

# --- Police: arrests of children aged 10-17 -------------------------------------------------
ARREST_RATE = 0.0036  # arrests per child aged 10-17 per year at t = 0 (360 per 100 000)
ARREST_TREND = 0.965  # yearly factor: arrests fall slowly
ARREST_MALE_FACTOR = 1.72  # boys are about 86% of arrested children
ARREST_AGE_FACTORS = np.array([0.15, 0.3, 0.5, 0.8, 1.0, 1.3, 1.6, 1.85])  # ages 10..17
REARREST_SHARE = 0.11  # arrests followed by a later arrest of the same child
ARREST_PROVINCE: tuple[float, ...] = (
    1.45, 0.85, 0.8, 1.0, 0.9, 1.1, 0.75, 1.05, 0.9, 0.7, 1.0, 1.2,
)  # fmt: skip
# Offences of arrested boys and girls (relative weights; the codes are the arrests contract's).
OFFENCES, _OFFENCE_WEIGHTS = keyed(
    "arrests",
    "offence_category",
    {  # offence: (boys, girls)
        "theft": (0.34, 0.42), "robbery": (0.1, 0.05), "assault": (0.17, 0.15),
        "drug_offence": (0.12, 0.1), "sexual_offence": (0.03, 0.005), "homicide": (0.005, 0.003),
        "public_order": (0.1, 0.12), "property_damage": (0.08, 0.06), "other": (0.055, 0.092),
    },
)  # fmt: skip
OFFENCE_WEIGHTS_M = tuple(boys for boys, _ in _OFFENCE_WEIGHTS)
OFFENCE_WEIGHTS_F = tuple(girls for _, girls in _OFFENCE_WEIGHTS)
check("court_decisions", "offence_category", OFFENCES)  # the courts code offences as the police do
SERIOUS = ("robbery", "sexual_offence", "homicide")
MINOR = ("public_order", "property_damage")

# --- Pre-sentence detention -------------------------------------------------------------------
DETAIN_SHARE = 0.3  # share of arrests detained before sentence at t = 0 ...
DETAIN_TREND = 0.9  # ... falling by this factor a year
DETAIN_PROVINCE: tuple[float, ...] = (
    0.9, 1.1, 1.3, 1.0, 0.9, 1.2, 1.25, 0.85, 1.0, 1.4, 0.95, 0.8,
)  # fmt: skip
PRE_SENTENCE_MEDIAN_DAYS = 85.0  # median days detained before sentence or release at t = 0 ...
PRE_SENTENCE_TREND = 0.93  # ... falling by this factor a year
PRE_SENTENCE_SIGMA = 0.65
DEATH_SHARE = 0.002  # detentions ending in the child's death

# --- Decisions ----------------------------------------------------------------------------------
DECIDED_SHARE = 0.55  # arrests (not detained) that reach a court or prosecutor decision
DECIDED_SHARE_DETAINED = 0.85
ACQUITTAL_SHARE = 0.1  # decisions that acquit or dismiss
DIVERSION_SHARE = 0.2  # diversions among diversions and sentences at t = 0 ...
DIVERSION_GAIN = 0.036  # ... rising by this a year (times the province pace)
DIVERSION_PACE: tuple[float, ...] = (
    1.2, 0.9, 0.7, 1.1, 1.0, 0.8, 0.75, 1.25, 0.9, 0.6, 1.05, 1.15,
)  # fmt: skip
CUSTODIAL_SHARE = 0.45  # custodial among sentences at t = 0 ...
CUSTODIAL_FALL = 0.024  # ... falling by this a year
DECISION_LAG_MEDIAN_DAYS = 80.0  # arrest to decision, children not detained
SENTENCE_MONTHS = np.array([2, 3, 6, 9, 12, 18, 24])
SENTENCE_MONTH_WEIGHTS = np.array([0.12, 0.2, 0.25, 0.15, 0.15, 0.08, 0.05])
TRANSFER_TO_REHABILITATION = 0.35  # custodial sentences served in a rehabilitation centre
# Turning 18 in detention: moved to an adult prison on average this many days later (some on the
# day, most within weeks or a few months), except this share, who stay until released.
TRANSFER_AFTER_18_MEAN_DAYS = 45.0
STAY_AFTER_18_SHARE = 0.2

# --- Aftercare ----------------------------------------------------------------------------------
AFTERCARE_SHARE = 0.3  # releases referred to aftercare at t = 0 ...
AFTERCARE_GAIN = 0.05  # ... rising by this a year, up to AFTERCARE_MAX
AFTERCARE_MAX = 0.88

# --- Facilities ---------------------------------------------------------------------------------
# One remand centre per province (in its most populous district); rehabilitation centres for
# sentenced children in these provinces. A remand centre that is a juvenile wing of an adult prison
# is not wholly separated from adults until the year given (None: not during the demo).
REHABILITATION_PROVINCES: tuple[int, ...] = (0, 3, 5, 7)
NOT_SEPARATED_UNTIL: dict[int, int | None] = {2: 4, 6: 7, 9: None}  # province -> t (years)

# --- Trafficking victims identified (children 0-17) ---------------------------------------------
TRAFFICKING_RATE = 4.0e-5  # per child per year at t = 0 ...
TRAFFICKING_TREND = 1.07  # ... rising as identification improves
TRAFFICKING_FEMALE_SHARE = 0.64
TRAFFICKING_AGE_WEIGHTS = np.array(
    [0.1, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.3, 1.7, 2.2, 2.6, 3.0, 3.2, 3.2]
)
TRAFFICKING_PROVINCE: tuple[float, ...] = (
    1.3, 1.5, 0.6, 0.8, 0.7, 0.9, 0.6, 1.0, 0.8, 2.0, 0.7, 2.4,
)  # fmt: skip
# Forms of exploitation of girls and boys (the codes are the trafficking_victims contract's).
FORMS, _FORM_WEIGHTS = keyed(
    "trafficking_victims",
    "exploitation_form",
    {  # form: (girls, boys)
        "sexual_exploitation": (0.45, 0.08), "forced_labour": (0.12, 0.5),
        "domestic_servitude": (0.2, 0.05), "forced_begging": (0.08, 0.2),
        "forced_marriage": (0.1, 0.0), "forced_criminality": (0.02, 0.12), "other": (0.03, 0.05),
    },
)  # fmt: skip
FORM_WEIGHTS_F = tuple(girls for girls, _ in _FORM_WEIGHTS)
FORM_WEIGHTS_M = tuple(boys for _, boys in _FORM_WEIGHTS)
IDENTIFIED_BY, IDENTIFIED_BY_WEIGHTS = keyed(
    "trafficking_victims",
    "identified_by",
    {"police": 0.4, "border_police": 0.2, "labour_inspection": 0.1, "social_worker": 0.15,
     "ngo": 0.12, "self_referral": 0.03},
)  # fmt: skip
CITIZENSHIP, CITIZENSHIP_WEIGHTS = keyed(
    "trafficking_victims", "citizenship", {"national": 0.8, "foreign": 0.15, "unknown": 0.05}
)

# --- Reports of abuse of a child to the police ---------------------------------------------------
# Per abuse type: reports per child per year at t = 0, and the share of girls among the victims.
ABUSE_TYPES, _ABUSE = keyed(
    "abuse_reports",
    "abuse_type",
    {"sexual": (4.5e-4, 0.8), "physical": (8.0e-4, 0.45), "emotional": (2.5e-4, 0.55),
     "neglect": (6.0e-4, 0.5)},
)  # fmt: skip
ABUSE_RATES = np.array([rate for rate, _ in _ABUSE])
ABUSE_TREND = 1.06  # reporting grows as awareness grows
ABUSE_FEMALE_SHARE = np.array([girls for _, girls in _ABUSE])
ABUSE_PROVINCE: tuple[float, ...] = (
    1.5, 0.8, 0.7, 1.0, 0.9, 1.1, 0.6, 1.1, 0.85, 0.55, 0.9, 1.2,
)  # fmt: skip
REPORTERS, REPORTER_WEIGHTS = keyed(
    "abuse_reports",
    "reporter_relationship",
    {"parent": 0.32, "relative": 0.14, "teacher": 0.12, "health_worker": 0.08,
     "social_worker": 0.08, "neighbour": 0.09, "victim": 0.06, "other": 0.04, "anonymous": 0.07},
)  # fmt: skip
UNKNOWN_SEX_SHARE = 0.02
UNKNOWN_AGE_SHARE = 0.05


def abuse_age_weights(abuse_type: int) -> np.ndarray:
    """Relative report numbers by victim age 0-17 for an abuse type (index into ABUSE_TYPES)."""
    age = np.arange(18, dtype=float)
    if ABUSE_TYPES[abuse_type] == "sexual":
        return 0.3 + np.clip(age - 4, 0, None) * 0.25
    if ABUSE_TYPES[abuse_type] == "neglect":
        return 2.0 - age * 0.09
    return 1.0 + 0.0 * age
