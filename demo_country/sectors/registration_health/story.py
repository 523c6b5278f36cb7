"""The registration and health story the demo tells: levels, pace and province differences.

Loosely follows published figures of lower-middle-income countries: on-time birth registration
rising from under 60% to the mid 80s with a campaign; under-5 registration (surveys) higher than
on-time registration; adolescent births falling from about 50 to under 40 per 1,000 girls 15-19;
more children treated for violence as one-stop centres open, and more survivors of sexual
violence reaching post-exposure care in time. ``t`` is years after the first reporting year.
"""

from __future__ import annotations

import numpy as np

# Province differences (province 01, the capital, first): positive = better registration.
PROVINCE_REGISTRATION: tuple[float, ...] = (
    0.09, 0.02, -0.10, 0.03, -0.04, 0.0, -0.08, 0.04, -0.02, -0.13, 0.01, -0.05,
)  # fmt: skip
# Adolescent birth rate difference per 1,000 girls 15-19 (rural and remote provinces higher).
PROVINCE_ABR: tuple[float, ...] = (
    -18.0, 3.0, 12.0, -2.0, 6.0, 0.0, 10.0, -4.0, 4.0, 16.0, -1.0, 7.0,
)  # fmt: skip
# Survivors reaching care in time: provinces with one-stop centres early do better.
PROVINCE_PEP: tuple[float, ...] = (
    0.10, 0.0, -0.08, 0.05, -0.03, 0.02, -0.06, 0.06, -0.02, -0.12, 0.03, -0.04,
)  # fmt: skip
# Violence detection (relative): the capital and provinces with one-stop centres detect more.
PROVINCE_DETECTION: tuple[float, ...] = (
    1.35, 0.95, 0.75, 1.1, 0.9, 1.0, 0.8, 1.15, 0.9, 0.65, 1.05, 0.85,
)  # fmt: skip

BIRTHS_PER_INFANT = 1.025  # live births per mid-year population aged 0 (infant deaths, timing)
LEGAL_PERIOD_DAYS = 30
LATE_SHARE_OF_MISSED = 0.55  # of births not registered on time, the share registered later


def on_time_share(t: np.ndarray | float) -> np.ndarray:
    """National share of births registered within 30 days, ``t`` years after the start."""
    return 0.57 + 0.32 * (1.0 - np.exp(-np.asarray(t, dtype=float) / 4.0))


def facility_birth_share(t: np.ndarray | float) -> np.ndarray:
    """Share of births that happen in a health facility (and so reach the facility reports)."""
    return np.minimum(0.95, 0.78 + 0.014 * np.asarray(t, dtype=float))


def adolescent_birth_rate(t: np.ndarray | float) -> np.ndarray:
    """National live births per 1,000 girls aged 15-19 in a year."""
    return 51.0 - 1.5 * np.asarray(t, dtype=float)


def violence_treated_rate(t: np.ndarray | float) -> np.ndarray:
    """Children treated for violence per 100,000 children per year (detection improving)."""
    return 140.0 + 9.0 * np.asarray(t, dtype=float)


def sexual_violence_rate(t: np.ndarray | float) -> np.ndarray:
    """Child survivors of sexual violence presenting per 100,000 children per year."""
    return 28.0 + 2.0 * np.asarray(t, dtype=float)


def pep_share(t: np.ndarray | float) -> np.ndarray:
    """National share of presenting survivors given post-exposure care within 72 hours."""
    return 0.42 + 0.34 * (1.0 - np.exp(-np.asarray(t, dtype=float) / 5.0))


# Who is treated for violence and who presents after sexual violence: shares by sex x age band
# (F 0-4, 5-9, 10-14, 15-17, then M), each summing to 1.
AGE_BANDS = ("0-4", "5-9", "10-14", "15-17")
VIOLENCE_PROFILE: tuple[float, ...] = (0.08, 0.12, 0.18, 0.14, 0.09, 0.14, 0.15, 0.10)
SEXUAL_VIOLENCE_PROFILE: tuple[float, ...] = (0.05, 0.12, 0.33, 0.32, 0.03, 0.06, 0.06, 0.03)
FACILITY_REPORTING = (0.88, 0.97)  # share of facility-months reported on time, first and last year
LATE_REPORTING = 0.6  # of the reports missing on time, the share sent with a later export

# Household surveys: national level at t = 0, yearly change, province spread, sex gap (girls
# minus boys, percentage points), respondents per province, and the survey types measuring it.
SURVEY_INDICATORS: dict[str, dict[str, object]] = {
    "VE14": {"level": 74.0, "trend": -1.6, "spread": 6.0, "sex_gap": -3.0, "base": 800,
             "surveys": ("MICS",)},
    "CR02": {"level": 73.0, "trend": 2.2, "spread": 8.0, "sex_gap": 0.4, "base": 500,
             "surveys": ("MICS", "DHS")},
    "CR04": {"level": 21.0, "trend": -0.6, "spread": 4.0, "sex_gap": None, "base": 260,
             "surveys": ("MICS", "DHS")},
    "SS05": {"level": 19.0, "trend": -0.7, "spread": 5.0, "sex_gap": -4.0, "base": 900,
             "surveys": ("MICS",)},
}  # fmt: skip
DESIGN_EFFECT = 1.7
