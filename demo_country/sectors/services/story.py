"""The services story the demo tells: school dropout falling, child labour found less often and
more children withdrawn from it referred to services, the child cash transfer reaching more
children; and the imperfections of these feeds (a late census, a province's missing labour
report). Province order as in the geography (01, the capital, first)."""

from __future__ import annotations

import numpy as np

from demo_country.codes import keyed

# --- School census (moe): secondary grades, for SS01 dropout -------------------------------------
GRADES = np.arange(7, 13)
PUPILS_PER_SCHOOL = 240  # lower-secondary pupils of a typical school
UPPER_SHARE = 0.4  # schools that also teach grades 10-12
SCHOOL_TYPES, SCHOOL_TYPE_WEIGHTS = keyed(
    "school_census",
    "school_type",
    {"public": 0.80, "private": 0.08, "community": 0.07, "religious": 0.05},
)
# Dropout in the first year by province (capital 01 lowest), falling 4% a year (relative).
PROVINCE_DROPOUT: tuple[float, ...] = (
    0.045, 0.095, 0.115, 0.08, 0.10, 0.09, 0.12, 0.085, 0.105, 0.13, 0.09, 0.10,
)  # fmt: skip
DROPOUT_DECLINE = 0.96
BOYS_EXTRA = 1.25  # boys' dropout relative to girls'
GRADE_FACTOR = {7: 0.8, 8: 1.0, 9: 1.25, 10: 1.1, 11: 1.0, 12: 0.7}
TRANSFER_SHARE = 0.02


def late_census_year(years: list[int]) -> int:
    """The school year whose census arrived late (the middle year of the country's years)."""
    return years[len(years) // 2]


# --- Labour inspections (labour): for SS06 and SS07 ----------------------------------------------
INSPECTIONS_PER_MONTH = 700  # at scale 1.0, first year
GROWTH = 1.04
# Per sector (the codes are the labour_inspections contract's): its share of workplaces in rural
# and in urban districts, the chance an inspection finds at least one child worker (first year),
# the share of children found in a worst form of child labour (withdrawn), and the word ending a
# workplace's name.
SECTORS, _PROFILE = keyed(
    "labour_inspections",
    "sector",
    {  # sector: (rural mix, urban mix, find chance, worst share, name)
        "agriculture": (0.30, 0.02, 0.22, 0.35, "Farm"),
        "fishing": (0.10, 0.01, 0.25, 0.60, "Fisheries"),
        "brick_kiln": (0.10, 0.03, 0.35, 0.70, "Brick Works"),
        "construction": (0.12, 0.20, 0.12, 0.50, "Construction Co."),
        "garment": (0.05, 0.25, 0.07, 0.15, "Garments"),
        "mining": (0.05, 0.00, 0.30, 0.80, "Mining Co."),
        "hospitality": (0.07, 0.17, 0.15, 0.30, "Guesthouse"),
        "retail": (0.10, 0.15, 0.10, 0.15, "Trading"),
        "transport": (0.05, 0.07, 0.05, 0.25, "Transport"),
        "manufacturing": (0.06, 0.10, 0.08, 0.30, "Industries"),
    },
)
RURAL_MIX = np.array([p[0] for p in _PROFILE])
URBAN_MIX = np.array([p[1] for p in _PROFILE])
FIND_CHANCE = np.array([p[2] for p in _PROFILE])
WORST_SHARE = np.array([p[3] for p in _PROFILE])
SECTOR_WORDS = tuple(p[4] for p in _PROFILE)
# Per inspection type: how often it is made, and how much likelier it finds child workers.
INSPECTION_TYPES, _TYPES = keyed(
    "labour_inspections",
    "inspection_type",
    {"routine": (0.60, 1.0), "complaint": (0.20, 1.8), "follow_up": (0.15, 1.2),
     "joint_operation": (0.05, 2.5)},
)  # fmt: skip
TYPE_WEIGHTS = tuple(weight for weight, _ in _TYPES)
TYPE_FACTOR = np.array([factor for _, factor in _TYPES])
FIND_DECLINE = 0.95
MISSING_PROVINCE = 9  # index of province 10


def missing_province_month(years: list[int]) -> tuple[int, str]:
    """(province index, month) of the provincial labour office report that never arrived."""
    return MISSING_PROVINCE, f"{years[len(years) // 2]}-08"


# --- Cash transfer register (mosa): for SS08 ------------------------------------------------------
# Share of children 0-17 in enrolled households at baseline, by province (capital 01 first).
START_COVERAGE: tuple[float, ...] = (
    0.012, 0.055, 0.075, 0.045, 0.06, 0.05, 0.08, 0.04, 0.065, 0.09, 0.055, 0.06,
)  # fmt: skip
GROWTH_BY_YEAR_10 = 2.4
MEAN_YEARS_ENROLLED = 6.0
MEAN_CHILDREN = 3.3  # children per enrolled household (1 + Poisson(2.3))
EXIT_REASONS, EXIT_WEIGHTS = keyed(
    "cash_transfer_households",
    "exit_reason",
    {"graduated": 0.30, "no_eligible_child": 0.30, "moved_away": 0.20, "non_compliance": 0.10,
     "deceased": 0.03, "voluntary": 0.07},
)  # fmt: skip


def coverage(province: int, years_after_baseline: float) -> float:
    """Target share of children in enrolled households in a province at a time."""
    start = START_COVERAGE[province]
    return start * (1 + (GROWTH_BY_YEAR_10 - 1) * min(years_after_baseline / 10, 1.0))
