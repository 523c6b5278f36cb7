"""nso ``population``: the yearly projections of the population by district, sex and single year
of age (``demo_country.population``), one file per year."""

from __future__ import annotations

from cpmonitor.core.contracts import Contract
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """One projection per reporting year."""
    deliveries = []
    for year in country.years:
        part = country.population[country.population["year"] == year]
        table = table_from_columns(contract, {c: part[c].to_numpy() for c in contract.column_names})
        deliveries.append(Delivery(contract.owner, contract.feed, str(year), table))
    return deliveries
