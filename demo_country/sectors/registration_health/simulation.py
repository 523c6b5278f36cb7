"""Registration and health in the simulated country: the statistics office's estimates of live
births (from its own population projections, so the registration denominator agrees with the
population feed), shared by the live-birth estimates and the birth registrations feeds. The story
is in ``story``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from demo_country.sectors.registration_health import story

if TYPE_CHECKING:
    from demo_country.country import Country


def estimates(country: Country) -> pd.DataFrame:
    """``live_birth_estimates`` of the country, computed once (random stream 401)."""
    return country.shared("registration_health.estimates", lambda: live_birth_estimates(country))


def live_birth_estimates(country: Country) -> pd.DataFrame:
    """Estimated live births per year, district and sex: the first release (``first``) and the
    figure after the next year's revision (``final``; the last year is never revised).

    Derived from the office's own projections of the population aged 0, so the registration
    denominator agrees with the population feed.
    """
    rng = country.rng(401)
    pop = country.population
    infants = pop[pop["age"] == 0].sort_values(["year", "district_code", "sex"], ignore_index=True)
    noise = rng.normal(0.0, 0.015, len(infants))
    first = np.rint(infants["population"].to_numpy() * story.BIRTHS_PER_INFANT * (1 + noise))
    revision = rng.normal(0.0, 0.01, len(infants))
    final = np.rint(first * (1 + revision))
    last = infants["year"].to_numpy() == country.years[-1]
    final = np.where(last, first, final)
    return pd.DataFrame(
        {
            "year": infants["year"].to_numpy(np.int64),
            "district_code": infants["district_code"].to_numpy(),
            "sex": infants["sex"].to_numpy(),
            "first": first.astype(np.int64),
            "final": np.maximum(final, 0).astype(np.int64),
        }
    )


def population_by_district(country: Country, sex: str | None, ages: range) -> np.ndarray:
    """Population [year index, district] of the given sex (None: both) and ages."""
    pop = country.population
    keep = pop["age"].isin(list(ages)) & (pop["sex"] == sex if sex else True)
    sums = pop[keep].groupby(["year", "district_code"])["population"].sum()
    return sums.to_numpy(dtype=float).reshape(len(country.years), len(country.geo.district_codes))
