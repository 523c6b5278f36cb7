"""mosa ``care_institutions``: the yearly register of residential care institutions
(``demo_country.sectors.care.institutions``). Random stream 7."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country.country import Country, day_number
from demo_country.delivery import NO_DATE, Delivery, table_from_columns


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """One full register per year: every institution opened by 31 December, closure if known then.

    Each year some capacities are revised after inspection and some unregistered institutions
    register, so yearly registers differ as real ones do.
    """
    rng = country.rng(7)
    geo, institutions = country.geo, country.institutions
    deliveries = []
    capacity = institutions["capacity"].copy()
    registered = institutions["registered"].to_numpy().copy()
    for year in country.years:
        revised = rng.random(len(capacity)) < 0.15
        factor = rng.uniform(0.85, 1.1, len(capacity))
        capacity = capacity.where(
            ~revised, (capacity.astype("Float64") * factor).round().clip(8, 300).astype("Int64")
        )
        registered = registered | (rng.random(len(registered)) < 0.12)
        year_end = day_number(f"{year}-12-31")
        known = institutions.assign(capacity=capacity, registered=registered)
        known = known[known["opened"] <= year_end]
        closed = known["closed"].to_numpy()
        table = table_from_columns(
            contract,
            {
                "institution_id": known["institution_id"].tolist(),
                "institution_name": known["institution_name"].tolist(),
                "district_code": [geo.district_codes[d] for d in known["district"]],
                "institution_type": known["institution_type"].tolist(),
                "ownership": known["ownership"].tolist(),
                "registered": known["registered"].tolist(),
                "capacity": known["capacity"],
                "opened_date": known["opened"].to_numpy(),
                "closed_date": np.where(closed <= year_end, closed, NO_DATE),
                "contact_phone": known["contact_phone"].tolist(),
            },
        )
        deliveries.append(Delivery(contract.owner, contract.feed, str(year), table))
    return deliveries
