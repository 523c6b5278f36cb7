"""nso ``live_birth_estimates``: the statistics office's yearly estimates of live births by
district and sex (``demo_country.sectors.registration_health.simulation``)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country.country import Country
from demo_country.delivery import Delivery, arrow_table
from demo_country.sectors.registration_health import simulation


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """One file per year, published in January of the year: that year's estimate, plus the
    revised estimate of the year before."""
    estimates = simulation.estimates(country)
    result = []
    for year in country.years:
        current = estimates[estimates["year"] == year]
        previous = estimates[estimates["year"] == year - 1]
        table = arrow_table(
            contract,
            {
                "year": np.concatenate([previous["year"], current["year"]]),
                "district_code": np.concatenate(
                    [previous["district_code"], current["district_code"]]
                ).astype(object),
                "sex": np.concatenate([previous["sex"], current["sex"]]).astype(object),
                "estimated_live_births": np.concatenate([previous["final"], current["first"]]),
            },
        )
        result.append(
            Delivery(contract.owner, contract.feed, str(year), table, dt.date(year, 1, 31))
        )
    return result
