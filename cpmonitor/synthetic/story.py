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
