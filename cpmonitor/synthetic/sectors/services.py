"""Synthetic feeds of the services area (docs/indicators-and-feeds.md): the school census (moe),
labour inspections (labour) and the cash transfer register (mosa), for SS01, SS06-SS08.

Random streams 500-599: 500 schools, 510 labour inspections, 511 labour office reports, 520 cash
transfers. Imperfections:
the census of the middle year arrives late (``services_schools.late_census_year``) and one
province's labour inspections are missing for one month
(``services_labour.missing_province_month``).
"""

from __future__ import annotations

from cpmonitor.core.contracts import Contract
from cpmonitor.synthetic.deliveries import Country, Delivery
from cpmonitor.synthetic.services_cash import cash_transfer_deliveries
from cpmonitor.synthetic.services_labour import (
    labour_inspection_deliveries,
    office_report_deliveries,
)
from cpmonitor.synthetic.services_schools import school_census_deliveries


def deliveries(country: Country, contracts: dict[str, Contract]) -> list[Delivery]:
    """The school census, labour inspection and cash transfer deliveries of the country."""
    return (
        school_census_deliveries(country, contracts["school_census"])
        + labour_inspection_deliveries(country, contracts["labour_inspections"])
        + office_report_deliveries(country, contracts["labour_office_reports"])
        + cash_transfer_deliveries(country, contracts["cash_transfer_households"])
    )
