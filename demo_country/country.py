"""The simulated country every feed is drawn from: its geography, people, institutions and children
in care, simulated once, so feeds agree with each other (a child placed in care is the same child
in the placements and the case-management feeds)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from demo_country.geography import Geography, build_geography
from demo_country.population import district_weights, population_table
from demo_country.sectors.care.institutions import build_institutions
from demo_country.sectors.care.placements import simulate_placements

T = TypeVar("T")


def rng_stream(seed: int, stream: int) -> np.random.Generator:
    """An independent, reproducible random stream per part of the country."""
    return np.random.Generator(np.random.PCG64([seed, stream]))


def day_number(text: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int(np.datetime64(text, "D").astype(np.int64))


@dataclass(frozen=True)
class Country:
    """The simulated country. Random stream numbers (``rng``): 1-99 the country itself, 100-199
    care, 200-299 case management, 300-399 justice, 400-499 registration and health, 500-599
    services, 900-999 the delivery messiness."""

    seed: int
    scale: float
    years: list[int]
    baseline_day: int  # days since 1970-01-01 of the care-reform baseline (31 Dec before start)
    first_month: np.datetime64
    months: np.ndarray  # datetime64[M], every reporting month
    geo: Geography
    weights: np.ndarray  # relative child population of each district
    population: pd.DataFrame  # year, district_code, sex, age, population
    institutions: pd.DataFrame
    children: pd.DataFrame  # children who have been in formal care (simulate_placements)
    episodes: pd.DataFrame  # their placement episodes
    _shared: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def rng(self, stream: int) -> np.random.Generator:
        """An independent reproducible random stream; each sector uses its own stream numbers."""
        return rng_stream(self.seed, stream)

    def shared(self, name: str, simulate: Callable[[], T]) -> T:
        """What ``simulate`` gives, computed once per country: a sector simulation several feeds
        are cut from (it draws only from its own streams, so the first feed to ask for it does
        not change what it is)."""
        if name not in self._shared:
            self._shared[name] = simulate()
        return self._shared[name]

    @property
    def first_day(self) -> int:
        """Days since 1970-01-01 of the first day of the first reporting month."""
        return int(self.first_month.astype("datetime64[D]").astype(np.int64))

    @property
    def last_day(self) -> int:
        """Days since 1970-01-01 of the last day of the last reporting month."""
        return int((self.months[-1] + 1).astype("datetime64[D]").astype(np.int64)) - 1

    def month_index(self, days: np.ndarray) -> np.ndarray:
        """Index of the reporting month of each day (negative before the first month)."""
        month = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
        return (month - self.first_month).astype(np.int64)


def simulate_country(seed: int, scale: float, start_year: int, end_year: int) -> Country:
    """Simulate the demo country once (pure: no files are touched)."""
    if scale <= 0:
        raise ValueError(f"scale must be above 0 (1.0 is the full-size country), got {scale}")
    if end_year < start_year:
        raise ValueError(f"end_year {end_year} is before start_year {start_year}")
    years = list(range(start_year, end_year + 1))
    baseline_day = day_number(f"{start_year - 1}-12-31")
    geo = build_geography(rng_stream(seed, 1))
    weights = district_weights(rng_stream(seed, 2), geo)
    population = population_table(rng_stream(seed, 3), geo, weights, years, scale)
    institutions = build_institutions(rng_stream(seed, 4), geo, weights, scale, baseline_day)
    first_month = np.datetime64(f"{start_year}-01", "M")
    months = np.arange(first_month, np.datetime64(f"{end_year}-12", "M") + 1)
    placements = simulate_placements(
        rng_stream(seed, 5), geo, weights, institutions, scale, baseline_day, months
    )
    return Country(
        seed=seed,
        scale=scale,
        years=years,
        baseline_day=baseline_day,
        first_month=first_month,
        months=months,
        geo=geo,
        weights=weights,
        population=population,
        institutions=institutions,
        children=placements.children,
        episodes=placements.episodes,
    )
