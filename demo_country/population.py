"""Child population projections by year, district, sex and single year of age (ages 0-17)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo_country.geography import Geography

NATIONAL_CHILDREN = 6_000_000  # children aged 0-17 in the first year at scale 1.0
# Share of the national child population by province (01, the capital, is the largest).
PROVINCE_SHARE: tuple[float, ...] = (
    0.15, 0.09, 0.07, 0.10, 0.08, 0.11, 0.07, 0.09, 0.07, 0.04, 0.06, 0.07,
)  # fmt: skip
# Yearly growth of the child population by province: the capital grows, some rural areas shrink.
PROVINCE_GROWTH: tuple[float, ...] = (
    0.021, 0.004, -0.003, 0.008, 0.002, 0.006, -0.005, 0.003, 0.0, -0.008, 0.005, 0.009,
)  # fmt: skip


def district_weights(rng: np.random.Generator, geo: Geography) -> np.ndarray:
    """Share of the national child population living in each district (sums to 1)."""
    province = np.asarray(geo.district_province)
    area = np.asarray(geo.district_cells, dtype=float)
    weight = np.sqrt(area) * rng.lognormal(0.0, 0.45, len(area))
    shares = np.asarray(PROVINCE_SHARE)[province]
    totals = np.bincount(province, weights=weight)
    return weight / totals[province] * shares / sum(PROVINCE_SHARE)


def population_table(
    rng: np.random.Generator, geo: Geography, weights: np.ndarray, years: list[int], scale: float
) -> pd.DataFrame:
    """Rows (year, district_code, sex, age, population) for every year, district, sex and age 0-24.

    Children are ages 0-17; ages 18-24 are delivered too (adolescent birth rates need girls 15-19,
    child marriage women 20-24) and follow the same profile. A slightly younger age structure (births rising slowly), 105 boys per 100 girls at birth, and
    gentle province trends; the total scales with ``scale`` so rates stay plausible at any size.
    """
    ages = np.arange(25)
    age_profile = 1.0 - 0.012 * ages
    age_profile /= age_profile[:18].sum()  # NATIONAL_CHILDREN counts ages 0-17
    male_share = 0.512 - 0.0006 * ages  # boys' slight majority narrows with age
    province = np.asarray(geo.district_province)
    growth = np.asarray(PROVINCE_GROWTH)[province]
    district_noise = rng.normal(0.0, 0.004, len(province))
    frames = []
    for k, year in enumerate(years):
        level = NATIONAL_CHILDREN * scale * weights * (1.0 + growth + district_noise) ** k
        for sex, share in (("F", 1.0 - male_share), ("M", male_share)):
            counts = np.rint(level[:, None] * age_profile[None, :] * share[None, :]).astype(
                np.int64
            )
            frames.append(
                pd.DataFrame(
                    {
                        "year": np.int64(year),
                        "district_code": np.repeat(np.asarray(geo.district_codes), len(ages)),
                        "sex": sex,
                        "age": np.tile(ages, len(province)).astype(np.int64),
                        "population": counts.ravel(),
                    }
                )
            )
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["year", "district_code", "sex", "age"], ignore_index=True)
