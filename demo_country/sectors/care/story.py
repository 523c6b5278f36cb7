"""The care-reform story the demo tells, in one place: levels at baseline, pace, shares.

Modelled on a published national trajectory: about 16,500 children in about 400 residential care
institutions at baseline; by five years later 43% fewer institutions and 59% fewer children in them;
30% of the baseline population reintegrated with families after about three years. Times are in years
after the baseline date (31 December of the year before the first delivery).
"""

from __future__ import annotations

import numpy as np

BASELINE_CHILDREN = 16_500  # children in residential care on the baseline date, at scale 1.0
BASELINE_INSTITUTIONS = 400  # institutions open on the baseline date, at scale 1.0
BASELINE_FAMILY_CARE = 2_200  # children in foster, kinship or guardianship care at baseline

# Residential stock relative to baseline, nationally, at whole years after baseline.
STOCK_CURVE: tuple[float, ...] = (
    1.0,
    0.95,
    0.83,
    0.67,
    0.52,
    0.41,
    0.365,
    0.33,
    0.305,
    0.285,
    0.27,
)
# Admissions to residential care per year, as a share of the baseline stock.
ADMISSION_CURVE: tuple[float, ...] = (
    0.10,
    0.09,
    0.075,
    0.065,
    0.055,
    0.05,
    0.045,
    0.04,
    0.038,
    0.036,
    0.035,
)
# Institutions: share of the baseline closed within 5 years (net of new openings), then 5 more.
CLOSED_BY_YEAR_5 = 0.43
CLOSED_YEARS_6_TO_10 = 0.12
NEW_INSTITUTIONS = 0.03  # a few open after baseline, as a share of the baseline count

# Province weights for institutions (and so children) at baseline: some provinces hold far more.
INSTITUTION_WEIGHT: tuple[float, ...] = (
    0.20, 0.06, 0.05, 0.09, 0.06, 0.13, 0.05, 0.10, 0.06, 0.03, 0.07, 0.10,
)  # fmt: skip
# Reform pace by province (1 = national pace; below 1 slower).
PROVINCE_PACE: tuple[float, ...] = (
    1.15, 0.9, 0.75, 1.05, 1.2, 0.8, 1.0, 1.25, 0.85, 0.7, 1.1, 0.95,
)  # fmt: skip

# Why children leave residential care when they are not transferred and do not turn 18.
EXIT_REASONS: tuple[str, ...] = (
    "reintegrated_parents", "kinship_care", "foster_care", "adoption", "ran_away", "died",
)  # fmt: skip
EXIT_WEIGHTS: tuple[float, ...] = (0.43, 0.15, 0.08, 0.025, 0.045, 0.004)
# Children still in an institution when it closes.
CLOSURE_REASONS: tuple[str, ...] = (
    "transferred", "reintegrated_parents", "kinship_care", "foster_care", "adoption",
)  # fmt: skip
CLOSURE_WEIGHTS: tuple[float, ...] = (0.33, 0.40, 0.17, 0.08, 0.02)
TRANSFERS_PER_MONTH = 0.003  # share of children moved between open institutions each month
KINSHIP_FORMALISED = 0.5  # exits to kin that start a formal kinship care episode

# Family-based care: new direct entries per month at scale 1.0, rising over time.
FAMILY_ENTRIES_PER_MONTH = (45.0, 12.0)  # intercept, yearly increase
FAMILY_CARE_TYPES: tuple[str, ...] = ("foster", "kinship", "guardianship")
FAMILY_CARE_WEIGHTS: tuple[float, ...] = (0.3, 0.5, 0.2)
FAMILY_MEAN_YEARS = 2.5  # mean length of a family-based episode before it ends (before 18)
# Why family-based episodes end before 18, by care type: the reasons and their weights.
FAMILY_EXIT_REASONS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "foster": (("reintegrated_parents", "adoption", "kinship_care", "ran_away", "died"),
               (0.62, 0.2, 0.12, 0.055, 0.005)),
    "kinship": (("reintegrated_parents", "foster_care", "ran_away", "died"),
                (0.86, 0.08, 0.055, 0.005)),
    "guardianship": (("reintegrated_parents", "foster_care", "ran_away", "died"),
                     (0.8, 0.14, 0.055, 0.005)),
}  # fmt: skip

# Re-admissions after a reintegration with parents or kin: monthly probability that a reintegrated
# child comes back to residential care, in the first 12 months (by years after baseline: falling
# as follow-up visits improve) and later. About 1 - (1 - h)^12: 12% of a cohort at first, 6% later.
READMISSION_HAZARD: tuple[float, ...] = (0.011, 0.011, 0.010, 0.009, 0.008, 0.007, 0.006, 0.0055)
READMISSION_LATER = 0.001

# Care-reform practice improving over time (share by years after baseline, piecewise linear):
# gatekeeping assessments completed before placement (AC12), children with a current care plan
# (AC11), reintegrations with 2+ follow-up visits in 6 months (AC10), institutions inspected in a
# year (AC13), children in care with a birth certificate (CR03).
ASSESSED_BEFORE_PLACEMENT: tuple[float, ...] = (0.35, 0.45, 0.58, 0.68, 0.75, 0.8, 0.84, 0.87)
CARE_PLAN_COVERAGE: tuple[float, ...] = (0.45, 0.52, 0.62, 0.72, 0.78, 0.83, 0.86, 0.88)
FOLLOWED_UP: tuple[float, ...] = (0.3, 0.38, 0.5, 0.6, 0.68, 0.73, 0.77, 0.8)
INSPECTED_IN_YEAR: tuple[float, ...] = (0.55, 0.6, 0.7, 0.8, 0.86, 0.9, 0.93, 0.95)
BIRTH_CERTIFICATE: tuple[float, ...] = (0.6, 0.65, 0.7, 0.75, 0.8, 0.84, 0.87, 0.9)
# Provinces ahead of (> 0) or behind (< 0) the national practice, added to the shares above.
PRACTICE_OFFSET: tuple[float, ...] = (
    0.05, -0.04, -0.08, 0.02, 0.06, -0.06, 0.0, 0.07, -0.03, -0.1, 0.04, -0.02,
)  # fmt: skip

DISABILITY_SHARE = 0.08
DISABILITY_UNKNOWN = 0.03  # not recorded


def curve_at(curve: tuple[float, ...], t: np.ndarray | float) -> np.ndarray:
    """Piecewise-linear value of a yearly curve at ``t`` years, extended flat past its end."""
    return np.interp(t, np.arange(len(curve)), np.asarray(curve))


def stock_ratio(t: np.ndarray | float, pace: float) -> np.ndarray:
    """Residential stock relative to baseline at ``t`` years for a province of the given pace.

    Past the curve's end the decline continues slowly (2% a year), so later years still move.
    """
    tau = np.asarray(t, dtype=float) * pace
    last = len(STOCK_CURVE) - 1
    base = curve_at(STOCK_CURVE, np.minimum(tau, last))
    return base * 0.98 ** np.maximum(tau - last, 0.0)
