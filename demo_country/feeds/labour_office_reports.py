"""labour ``labour_office_reports``: the register that comes with each month's labour inspections,
listing the provincial labour offices whose report is in the file. Random stream 511."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns
from demo_country.sectors.services import story


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """The register that comes with each month's inspections: every provincial office whose
    report is in the file (all but the office of ``story.missing_province_month``), received one to
    three days after the month ended (before the extract is sent)."""
    rng = country.rng(511)
    provinces = np.asarray(country.geo.province_codes, dtype=object)
    missing_prov, missing_period = story.missing_province_month(country.years)
    deliveries = []
    for month in country.months:
        period = str(month)
        listed = np.arange(len(provinces))
        if period == missing_period:
            listed = listed[listed != missing_prov]
        month_end = (month + 1).astype("datetime64[D]") - 1
        received = month_end + rng.integers(1, 4, len(listed))
        table = table_from_columns(
            contract, {"province_code": provinces[listed], "report_received_date": received}
        )
        deliveries.append(Delivery(contract.owner, contract.feed, period, table))
    return deliveries
