"""courts ``court_decisions``: court and prosecutor decisions on children, monthly, cut from the
justice simulation (``demo_country.sectors.justice``)."""

from __future__ import annotations

import numpy as np

from cpmonitor.core.contracts import Contract
from demo_country.country import Country
from demo_country.delivery import Delivery, monthly
from demo_country.sectors.justice import story as js
from demo_country.sectors.justice.simulation import child_ids, dates, sex_codes, simulation


def generate(country: Country, contract: Contract) -> list[Delivery]:
    justice = simulation(country)
    decisions, ids = justice.decisions, child_ids(justice)
    rows = decisions.sort_values(["day", "arrest"], kind="stable").reset_index(drop=True)
    n = len(rows)
    month = country.month_index(rows["day"].to_numpy())
    months = rows["months"].to_numpy()
    columns = {
        "decision_id": np.asarray([f"CD-{i + 1:08d}" for i in range(n)], dtype=object),
        "child_id": ids[rows["child"].to_numpy()],
        "case_number": np.asarray([f"CR-{a + 1:08d}" for a in rows["arrest"]], dtype=object),
        "sex": sex_codes(rows["female"].to_numpy()),
        "date_of_birth": dates(rows["dob"].to_numpy()),
        "district_code": np.asarray(country.geo.district_codes, dtype=object)[rows["district"]],
        "decision_date": dates(rows["day"].to_numpy()),
        "decided_by": rows["by"].to_numpy(dtype=object),
        "decision_type": rows["decision"].to_numpy(dtype=object),
        "offence_category": np.asarray(js.OFFENCES, dtype=object)[rows["offence"].to_numpy()],
        "sentence_months": np.where(months > 0, months, None),
    }
    keep = (month >= 0) & (month < len(country.months))
    return monthly(country, contract, month[keep], {k: v[keep] for k, v in columns.items()})
